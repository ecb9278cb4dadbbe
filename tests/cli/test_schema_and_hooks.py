"""`syncer schema`, the committed schedules/schema.json, and the pre-commit hooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

from syncer.cli.main import main
from syncer.core.schema import json_schema
from syncer.project import registered_tasks

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_schema_is_the_generated_one():
    committed = json.loads((ROOT / "schedules" / "schema.json").read_text())
    assert committed == json_schema(registered_tasks()), (
        "run: syncer schema --output-file schedules/schema.json"
    )


def test_schema_lists_registered_tasks_and_validates_the_example_files(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    branches = schema["properties"]["tasks"]["anyOf"][0]["additionalProperties"]["oneOf"]
    assert [b["$ref"].rsplit("/", 1)[1] for b in branches] == [
        "EveryTask",
        "CronTask",
        "SolarTask",
        "ClockedTask",
    ]
    for branch in branches:
        task = schema["$defs"][branch["$ref"].rsplit("/", 1)[1]]["properties"]["task"]
        assert "tasks.print_hello" in task["enum"]
    for path in (ROOT / "schedules").glob("*.yaml"):
        text = path.read_text()
        assert text.startswith("# yaml-language-server: $schema=./schema.json"), path
        jsonschema.validate(yaml.safe_load(text), schema)
    bad = {"tasks": {"x": {"task": "tasks.print_hello", "evry": "3s"}}}
    try:
        jsonschema.validate(bad, schema)
    except jsonschema.ValidationError as exc:
        assert "evry" in str(exc)
    else:
        raise AssertionError("the schema accepted an unknown key")


def test_the_schema_wants_exactly_one_schedule_key():
    schema = json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    task = {"task": "tasks.print_hello"}
    for spec in ({"every": "3s"}, {"cron": "@daily"}, {"clocked": "2030-01-01T00:00:00Z"}):
        assert validator.is_valid({"tasks": {"x": {**task, **spec}}}), spec
    solar = {"event": "sunset", "latitude": 1, "longitude": 2}
    assert validator.is_valid({"tasks": {"x": {**task, "solar": solar}}})
    for spec in ({}, {"every": "3s", "cron": "@daily"}, {"every": "3s", "timezone": "UTC"}):
        assert not validator.is_valid({"tasks": {"x": {**task, **spec}}}), spec
    assert validator.is_valid({"tasks": None})
    assert not validator.is_valid({"version": 1})  # tasks is required


def test_pre_commit_hook_runs_without_the_django_project(tmp_path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "syncer-validate")
    assert hook["pass_filenames"] is False
    (tmp_path / "schedules").mkdir()
    (tmp_path / "schedules" / "a.yaml").write_text(
        "tasks:\n  t: {task: their.own.task, every: 1m}\n  u: {task: x, every: 0}\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    argv = [sys.executable, "-m", "syncer.cli.main", *hook["entry"].split()[1:], "schedules/"]
    result = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "schedules/a.yaml:3:16: task 'u': every: must be greater than zero" in result.stderr
    assert "their.own.task" not in result.stderr  # task names are theirs: not checked
