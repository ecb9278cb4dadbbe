"""The kind registry: one entry per kind, from which the spec, its JSON Schema and every
per-kind step (canonical value, lints, export, beat_schedule import) are derived."""

from syncer.core.kinds import BY_SPEC_KEY, KINDS, SPEC_KEYS
from syncer.core.schema import json_schema
from syncer.core.spec import BRANCHES, TASK, TASK_KEYS


def test_every_kind_has_a_branch_of_the_spec_and_of_the_schema():
    assert SPEC_KEYS == ("every", "cron", "solar", "clocked")
    assert list(BRANCHES) == list(SPEC_KEYS)
    schema = json_schema()
    branches = schema["properties"]["tasks"]["anyOf"][0]["additionalProperties"]["oneOf"]
    assert len(branches) == len(KINDS)
    for key, model in BRANCHES.items():
        assert model.schedule_kind is BY_SPEC_KEY[key]
        assert key in schema["$defs"][model.__name__]["required"]


def test_the_branch_is_picked_by_the_schedule_key_present():
    for key, value in (("every", "1m"), ("cron", "@daily"), ("clocked", "2030-01-01T00:00:00Z")):
        spec = TASK.validate_python({"task": "t", key: value})
        assert type(spec) is BRANCHES[key] and spec.kind() is BY_SPEC_KEY[key]
    # a null schedule key next to a real one is not a second schedule
    spec = TASK.validate_python({"task": "t", "every": "1m", "cron": None})
    assert spec.kind() is BY_SPEC_KEY["every"]


def test_task_keys_are_listed_in_the_documented_order():
    assert TASK_KEYS[-7:] == (
        "task",
        "every",
        "cron",
        "solar",
        "clocked",
        "previous_names",
        "previous_scope",
    )


def test_a_mapping_form_lists_the_fields_of_its_model():
    # Written out in the kind's module, which imports no pydantic (syncer.core.kinds.spec_types).
    from syncer.core.kinds.spec_types import CronMapping, Solar

    assert BY_SPEC_KEY["solar"].nested_keys == tuple(Solar.model_fields)
    assert BY_SPEC_KEY["cron"].nested_keys == tuple(CronMapping.model_fields)


def test_importing_the_kinds_imports_no_pydantic():
    # The kinds are imported by every django.setup() of the project (syncer.db.kinds: the ORM
    # signals); only the spec needs pydantic.
    import subprocess
    import sys

    code = "import sys, syncer.core.kinds; print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
