"""Every valid scenario in ``tests/data/valid/`` validates (warnings allowed, no error), plans
exactly as its ``expected-plan.json`` says on an empty database, applies, and then has nothing
left to apply (and writes nothing).

``expected-plan.json`` is ``syncer plan --output json`` without the ``preview`` of each change:
the next fire times move with the clock, everything else in the plan does not.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from syncer.models import ApplyRecord, ManagedTask
from tests.corpus.scenarios import VALID, VALID_DIR, materialise, run_cli

WRITES = ("INSERT", "UPDATE", "DELETE")


def expected_plan(name: str) -> dict:
    return json.loads((VALID_DIR / name / "expected-plan.json").read_text(encoding="utf-8"))


# What moves with the clock: the fire times and what they mean at the moment of the plan.
MOMENTARY = ("preview", "first_run", "fires_immediately", "held_back")


def without_previews(plan: dict) -> dict:
    for change in plan["changes"]:
        for key in MOMENTARY:
            change.pop(key, None)
    plan["summary"].pop("fires_immediately", None)
    plan.pop("load", None)  # the next 24 hours' busiest minutes
    return plan


def only_warnings(stderr: str) -> bool:
    return all(": warning: " in line for line in stderr.splitlines())


def test_the_corpus_is_complete():
    assert len(VALID) >= 10
    for name in VALID:
        plan = expected_plan(name)
        assert plan["changes"], name
        assert {change["action"] for change in plan["changes"]} == {"create"}, name


@pytest.mark.django_db
@pytest.mark.parametrize("name", VALID)
def test_valid_scenario_validates_plans_applies_and_converges(name, tmp_path, capsys, monkeypatch):
    root = materialise(VALID_DIR / name, tmp_path)
    plan = expected_plan(name)
    creates = len(plan["changes"])

    code, out, err = run_cli(capsys, monkeypatch, root, "validate", ".")
    assert code == 0 and only_warnings(err), err
    assert out.endswith(f" {creates} task{'s' if creates != 1 else ''}: valid\n")

    code, out, err = run_cli(capsys, monkeypatch, root, "plan", ".", "--output", "json")
    assert code == 0 and only_warnings(err), err
    assert without_previews(json.loads(out)) == plan

    code, out, err = run_cli(capsys, monkeypatch, root, "plan", ".")
    assert code == 0 and only_warnings(err), err
    for change in plan["changes"]:
        assert f"  + create {change['name']}  ({change['source']})\n" in out

    code, out, err = run_cli(capsys, monkeypatch, root, "apply", ".", "--revision", "r1")
    assert code == 0 and only_warnings(err), err
    assert out.endswith("Applied.\n")
    assert sorted(PeriodicTask.objects.values_list("name", flat=True)) == sorted(
        change["name"] for change in plan["changes"]
    )

    with CaptureQueriesContext(connection) as queries:
        code, out, err = run_cli(capsys, monkeypatch, root, "apply", ".", "--revision", "r2")
    assert code == 0 and only_warnings(err), err
    assert out.startswith("No changes.") and out.endswith("Nothing to apply.\n")
    sql = [q["sql"] for q in queries.captured_queries]
    assert [s for s in sql if s.lstrip().upper().startswith(WRITES)] == []


@pytest.mark.django_db
def test_a_long_revision_is_recorded_cut_to_its_column(tmp_path, capsys, monkeypatch):
    """--revision (or $SYNCER_REVISION) longer than the 200-character column: PostgreSQL refused
    the apply with a database error; the revision is recorded cut to the column instead."""
    root = materialise(VALID_DIR / "crlf-and-bom", tmp_path)
    code, _, err = run_cli(capsys, monkeypatch, root, "apply", ".", "--revision", "r" * 250)
    assert code == 0 and only_warnings(err), err
    assert ApplyRecord.objects.get().revision == "r" * 200
    assert {m.revision for m in ManagedTask.objects.all()} == {"r" * 200}
