"""Run policies in the format: parsed into the state, shown by the plan, exported and read back,
left out of the spec hash when unset (no ledger rewrite for existing tasks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from syncer.core.diff import compute
from syncer.core.export import Item, export, task_mapping
from syncer.core.plan import Action
from syncer.core.render import plan_text
from tests.helpers import desired_from

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_policies_parse_into_the_state_with_defaults_applied(tmp_path):
    desired = desired_from(
        tmp_path,
        {
            "a.yaml": """\
            defaults: {jitter: 30s, overlap: skip}
            tasks:
              one: {task: tasks.print_hello, every: 1m, starting_deadline: 1h30m}
              two: {task: tasks.print_hello, every: 1m, overlap: allow, jitter: null}
            """
        },
    )
    assert desired.errors == []
    one, two = desired.tasks["one"].state, desired.tasks["two"].state
    assert (one.starting_deadline, one.overlap, one.jitter) == (
        timedelta(minutes=90),
        "skip",
        timedelta(seconds=30),
    )
    assert (two.starting_deadline, two.overlap, two.jitter) == (None, "allow", None)


def test_a_policy_change_is_a_field_change_in_the_plan(tmp_path):
    before = desired_from(
        tmp_path / "1", {"a.yaml": "tasks:\n  t: {task: tasks.print_hello, every: 1m}\n"}
    )
    after = desired_from(
        tmp_path / "2",
        {"a.yaml": "tasks:\n  t: {task: tasks.print_hello, every: 1m, jitter: 10s}\n"},
    )
    from syncer.core.plan import LedgerEntry

    actual = {"t": before.tasks["t"].state}
    plan = compute(after.tasks, actual, {"t": LedgerEntry()}, NOW)
    (change,) = plan.changes
    assert change.action == Action.UPDATE and change.fields == ("jitter",)
    assert "jitter: (none) -> 10s" in plan_text(plan, color=False)
    assert change.to_json()["after"]["jitter"] == 10.0


def test_policies_are_exported_and_read_back(tmp_path):
    desired = desired_from(
        tmp_path,
        {
            "a.yaml": "tasks:\n  t: {task: tasks.print_hello, every: 1m, starting_deadline: 45s,"
            " overlap: skip, jitter: 250ms}\n"
        },
    )
    state = desired.tasks["t"].state
    mapping = task_mapping(state)
    assert (mapping["starting_deadline"], mapping["overlap"], mapping["jitter"]) == (
        "45s",
        "skip",
        "250ms",
    )
    result = export([Item(state)])
    assert result.problems == [] and result.names == ["t"]


def test_unset_policies_leave_the_spec_hash_as_before(tmp_path):
    desired = desired_from(
        tmp_path, {"a.yaml": "tasks:\n  t: {task: tasks.print_hello, every: 1m}\n"}
    )
    # the hash of this declaration before the run policies existed (0.2.0 ledgers hold it)
    assert desired.tasks["t"].spec_hash == _hash_without_policies(desired.tasks["t"])


def _hash_without_policies(task) -> str:
    import hashlib
    import json

    payload = {
        "args": None, "kwargs": None, "queue": None, "exchange": None, "routing_key": None,
        "priority": None, "headers": None, "expires": None, "expire_seconds": None,
        "start_time": None, "one_off": None, "enabled": None, "description": None,
        "timezone": None, "task": "tasks.print_hello", "every": "1m", "cron": None,
        "solar": None, "clocked": None, "previous_names": [],
    }  # fmt: skip
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
