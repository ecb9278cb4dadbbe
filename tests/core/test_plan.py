import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from syncer.core import render
from syncer.core.desired import DesiredTask
from syncer.core.diff import compute
from syncer.core.errors import Location, UnsafePlan
from syncer.core.kinds.crontab import CrontabKey
from syncer.core.kinds.interval import IntervalKey
from syncer.core.plan import Action, LedgerEntry
from syncer.core.state import TaskState

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def state(name: str, every: int = 5, **changes) -> TaskState:
    return replace(TaskState(name, "tasks.print_hello", IntervalKey(every, "seconds")), **changes)


def want(s: TaskState, *previous: str) -> DesiredTask:
    return DesiredTask(s, Location("s.yaml", 1, 1), previous, "h")


def owned(*names: str) -> dict[str, LedgerEntry]:
    return {n: LedgerEntry(Location("s.yaml", 1), "h") for n in names}


def test_create_update_delete_adopt_rename_in_a_stable_order():
    desired = {
        "new": want(state("new")),
        "changed": want(state("changed", every=10)),
        "same": want(state("same")),
        "hand-made": want(state("hand-made")),
        "renamed": want(state("renamed"), "old-name"),
    }
    actual = {
        "changed": state("changed"),
        "same": state("same"),
        "hand-made": state("hand-made", queue="q"),
        "old-name": state("old-name"),
        "gone": state("gone"),
        "admin-only": state("admin-only"),
    }
    plan = compute(desired, actual, owned("changed", "same", "old-name", "gone"), NOW)
    assert [(c.action, c.name, c.fields) for c in plan.changes] == [
        ("create", "new", ()),
        ("update", "changed", ("schedule",)),
        ("rename", "renamed", ("name",)),
        ("adopt", "hand-made", ("queue",)),
        ("delete", "gone", ()),
    ]
    assert plan.summary() == {
        "create": 1,
        "update": 1,
        "rename": 1,
        "adopt": 1,
        "take-over": 0,
        "delete": 1,
        "unchanged": 1,
    }
    assert plan.unmanaged == 1  # admin-only is left alone


def test_no_change_plan_is_empty_and_has_a_stable_checksum():
    desired = {"a": want(state("a"))}
    plan = compute(desired, {"a": state("a")}, owned("a"), NOW)
    assert plan.is_empty and plan.unchanged == 1
    assert plan.checksum() == compute(desired, {"a": state("a")}, owned("a"), NOW).checksum()
    assert "No changes" in render.plan_text(plan)


def test_actions_are_an_enum_whose_json_is_the_same_string():
    plan = compute({"a": want(state("a"))}, {}, {}, NOW)
    (change,) = plan.changes
    assert change.action is Action.CREATE and change.action == "create"
    assert plan.to_json()["changes"][0]["action"] == "create"
    assert list(plan.summary()) == [
        "create",
        "update",
        "rename",
        "adopt",
        "take-over",
        "delete",
        "unchanged",
    ]


def test_a_change_carries_where_it_is_declared_and_its_spec_hash():
    plan = compute({"a": want(state("a"))}, {}, {}, NOW)
    (change,) = plan.changes
    assert change.source == Location("s.yaml", 1) and change.spec_hash == "h"
    assert plan.to_json()["changes"][0]["source"] == "s.yaml:1"


def test_the_checksum_covers_ledger_refreshes_and_spec_hashes():
    """Apply writes the ledger of unchanged rows whose declaration moved, and each change's spec
    hash: a reviewed plan must not match once either differs."""
    same = {"a": want(state("a"))}
    plan = compute(same, {"a": state("a")}, owned("a"), NOW)
    assert plan.writes_nothing
    moved = {"a": DesiredTask(state("a"), Location("t.yaml", 7, 3), (), "h")}
    refreshed = compute(moved, {"a": state("a")}, owned("a"), NOW)
    assert refreshed.is_empty and not refreshed.writes_nothing
    assert [(r.name, str(r.source)) for r in refreshed.ledger_refresh] == [("a", "t.yaml:7")]
    assert refreshed.checksum() != plan.checksum()
    respelled = {"a": DesiredTask(state("a"), Location("s.yaml", 1, 1), (), "other")}
    assert compute(respelled, {}, {}, NOW).checksum() != compute(same, {}, {}, NOW).checksum()


def test_unowned_rows_are_never_deleted():
    plan = compute({}, {"celery.backend_cleanup": state("celery.backend_cleanup")}, {}, NOW)
    assert plan.is_empty and plan.unmanaged == 1


def test_a_one_off_task_disabled_by_beat_after_its_run_is_not_drift():
    s = state("once", one_off=True)
    plan = compute({"once": want(s)}, {"once": replace(s, enabled=False)}, owned("once"), NOW)
    assert plan.is_empty


def test_an_expired_task_disabled_by_beat_is_not_drift_but_a_disabled_live_task_is():
    s = state("exp", expires=NOW - timedelta(days=1))
    assert compute({"exp": want(s)}, {"exp": replace(s, enabled=False)}, owned("exp"), NOW).is_empty
    s = state("live")
    plan = compute({"live": want(s)}, {"live": replace(s, enabled=False)}, owned("live"), NOW)
    assert [(c.action, c.fields) for c in plan.changes] == [("update", ("enabled",))]


def test_deleting_every_managed_task_needs_allow_empty():
    plan = compute({}, {"a": state("a")}, owned("a"), NOW)
    with pytest.raises(UnsafePlan, match="--allow-empty"):
        plan.raise_if_unsafe()
    plan.raise_if_unsafe(allow_empty=True)


def test_changing_more_than_30_percent_of_10_or_more_needs_force():
    names = [f"t{i}" for i in range(10)]
    actual = {n: state(n) for n in names}
    desired = {n: want(state(n, every=99 if i < 4 else 5)) for i, n in enumerate(names)}
    plan = compute(desired, actual, owned(*names), NOW)
    with pytest.raises(UnsafePlan, match="--force"):
        plan.raise_if_unsafe()
    plan.raise_if_unsafe(force=True)
    desired = {n: want(state(n, every=99 if i < 3 else 5)) for i, n in enumerate(names)}
    compute(desired, actual, owned(*names), NOW).raise_if_unsafe()  # exactly 30%: allowed


def test_small_sets_are_not_subject_to_the_ratio():
    actual = {n: state(n) for n in "abc"}
    compute({}, actual, owned(*"abc"), NOW).raise_if_unsafe(allow_empty=True)


def test_text_and_json_renderers_read_the_same_plan():
    cron_before = CrontabKey("*/15", "9-17", "*", "*", "1-5", "UTC")
    cron_after = CrontabKey("0", "*/12", "*", "*", "*", "UTC")
    before = state("r", schedule=cron_before)
    plan = compute(
        {"r": want(replace(before, schedule=cron_after))}, {"r": before}, owned("r"), NOW
    )
    text = render.plan_text(plan)
    assert "~ update r  (s.yaml:1)" in text
    assert "schedule: cron '*/15 9-17 * * 1-5' UTC -> cron '0 */12 * * *' UTC" in text
    data = plan.to_json()
    assert data["format_version"] == 1
    assert data["summary"]["update"] == 1
    [change] = data["changes"]
    assert change["action"] == "update" and change["source"] == "s.yaml:1"
    assert change["before"]["schedule"]["hour"] == "9-17"
    assert change["after"]["schedule"]["hour"] == "*/12"
    assert len(data["checksum"]) == 64


@pytest.mark.parametrize("scope", [None, "team-a"])
def test_the_checksum_is_fed_change_by_change_and_equals_the_whole_documents_hash(scope):
    """The checksum is computed without holding every change's JSON at once: it is the SHA-256
    of the same text as before (plans reviewed before still match)."""
    import hashlib
    import json

    from syncer.core.scopes import Scope

    desired = {
        "new": want(state("new", kwargs='{"a": [1, "\u00e9"]}')),
        "changed": want(state("changed", every=10)),
        "moved": DesiredTask(state("moved"), Location("t.yaml", 7, 3), (), "h"),
        "renamed": want(state("renamed"), "old-name"),
    }
    actual = {
        "changed": state("changed"),
        "moved": state("moved"),
        "old-name": state("old-name"),
        "gone": state("gone", queue="q"),
    }
    scoped = {} if scope is None else {"scope": Scope(scope)}
    ledger = owned("changed", "moved", "old-name", "gone")
    if scope is not None:
        ledger = {n: replace(e, scope=scope) for n, e in ledger.items()}
    plan = compute(desired, actual, ledger, NOW, **scoped)
    assert plan.changes and plan.ledger_refresh
    payload = {
        "changes": [{**c.to_json(), "spec_hash": c.spec_hash} for c in plan.changes],
        "ledger_refresh": [r.to_json() for r in plan.ledger_refresh],
    }
    if scope is not None:
        payload["scope"] = scope
    whole = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    assert plan.checksum() == whole
    empty = compute({}, {}, {}, NOW)
    assert (
        empty.checksum()
        == hashlib.sha256(
            json.dumps({"changes": [], "ledger_refresh": []}, sort_keys=True).encode()
        ).hexdigest()
    )


def test_a_long_text_plan_comes_in_parts_of_whole_lines_that_make_the_whole_text(monkeypatch):
    monkeypatch.setattr(render, "PART_CHANGES", 3)
    desired = {f"t{i:02}": want(state(f"t{i:02}", every=i + 1)) for i in range(7)}
    actual = {"t00": state("t00", every=9), "gone": state("gone")}
    plan = compute(desired, actual, owned("t00", "gone"), NOW)
    for color in (False, True):
        parts = list(render.plan_text_parts(plan, color=color))
        assert len(parts) == 4  # 8 changes in parts of 3, then the summary
        assert all(part.endswith("\n") for part in parts)
        text = "".join(parts)
        assert text == render.plan_text(plan, color=color)
        plain = re.sub("\x1b\\[[0-9;]*m", "", text)
        assert plain == render.plan_text(plan)
        heads = re.findall(r"^  [+~-] (?:create|update|delete) +(\w+)", plain, re.MULTILINE)
        assert heads == ["t01", "t02", "t03", "t04", "t05", "t06", "t00", "gone"]
        assert text.count("\x1b[32m+ create\x1b[0m") == (6 if color else 0)
        assert text.splitlines()[-1].startswith("Plan: 6 to create, 1 to update")
