"""The pure rules of pauses: how long a pause lasts, and what a plan does with a paused task."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from syncer.core.diff import compute
from syncer.core.pauses import Pause, PauseError, check_reason, expiry, parse_until
from syncer.core.plan import Action, LedgerEntry
from syncer.core.state import TaskState
from tests.core.test_plan import state, want

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def test_a_pause_lasts_for_a_duration_until_a_moment_or_indefinitely():
    assert expiry(NOW, duration="2h") == NOW + timedelta(hours=2)
    assert expiry(NOW, duration="1h30m") == NOW + timedelta(minutes=90)
    later = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert expiry(NOW, until=later) == later
    assert expiry(NOW, indefinitely=True) is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "say how long the pause lasts"),
        ({"duration": "2h", "indefinitely": True}, "only one of"),
        ({"duration": "soon"}, "--for 'soon'"),
        ({"duration": "0s"}, "greater than zero"),
        ({"until": datetime(2026, 11, 29, tzinfo=UTC)}, "that moment has passed"),
        ({"until": datetime(2026, 12, 1)}, "give a UTC offset"),
    ],
)
def test_a_pause_needs_exactly_one_valid_end(options, message):
    with pytest.raises(PauseError, match=message):
        expiry(NOW, **options)


def test_until_is_iso_8601_and_z_is_utc():
    assert parse_until("2026-12-01T09:00Z") == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(PauseError, match="ISO 8601"):
        parse_until("tomorrow")


def test_a_reason_is_required_and_bounded():
    assert check_reason("  payments API down  ") == "payments API down"
    with pytest.raises(PauseError, match="reason is required"):
        check_reason("   ")
    with pytest.raises(PauseError, match="too long"):
        check_reason("x" * 501)


def _pause(name: str, until: datetime | None) -> Pause:
    return Pause(name, "downstream down", "alice", NOW - timedelta(minutes=5), until)


def _plan(row: TaskState, declared: TaskState, pause: Pause | None):
    ledger = {row.name: LedgerEntry(applied_enabled=True)}
    pauses = {row.name: pause} if pause else {}
    return compute({declared.name: want(declared)}, {row.name: row}, ledger, NOW, pauses=pauses)


def test_a_paused_row_is_no_change_while_the_pause_is_in_force():
    declared = state("a")
    paused_row = replace(declared, enabled=False)
    plan = _plan(paused_row, declared, _pause("a", NOW + timedelta(hours=1)))
    assert plan.is_empty
    assert [p.name for p in plan.paused] == ["a"] and plan.expired_pauses == ()
    assert plan.to_json()["paused"][0]["paused_by"] == "alice"
    # Without the pause the same row is a re-enable.
    assert _plan(paused_row, declared, None).changes[0].fields == ("enabled",)


def test_every_other_field_of_a_paused_task_is_reconciled_and_it_stays_disabled():
    declared = replace(state("a"), queue="reports")
    paused_row = replace(state("a"), enabled=False)
    plan = _plan(paused_row, declared, _pause("a", None))
    (change,) = plan.changes
    assert change.action == Action.UPDATE and change.fields == ("queue",)
    assert change.after is not None and change.after.enabled is False
    # The ledger records the declaration, not the pause: a resume enables it again.
    assert change.ledger_state == declared
    assert change.to_json()["paused"]["reason"] == "downstream down"


def test_a_row_enabled_behind_a_pause_is_disabled_again():
    declared = state("a")
    plan = _plan(declared, declared, _pause("a", None))
    (change,) = plan.changes
    assert change.fields == ("enabled",) and change.after is not None and not change.after.enabled


def test_an_expired_pause_re_enables_the_task_and_is_ended():
    declared = state("a")
    plan = _plan(
        replace(declared, enabled=False), declared, _pause("a", NOW - timedelta(seconds=1))
    )
    (change,) = plan.changes
    assert change.fields == ("enabled",) and change.after is not None and change.after.enabled
    assert plan.paused == () and [p.name for p in plan.expired_pauses] == ["a"]
    assert plan.resumes() == {"a"}


def test_an_expired_pause_of_a_task_declared_disabled_still_writes_its_end():
    declared = replace(state("a"), enabled=False)
    plan = _plan(declared, declared, _pause("a", NOW - timedelta(seconds=1)))
    assert plan.is_empty and not plan.writes_nothing


def test_the_checksum_covers_what_is_written_not_who_paused():
    declared = replace(state("a"), queue="reports")
    row = replace(state("a"), enabled=False)
    one = _plan(row, declared, _pause("a", None))
    other = _plan(row, declared, replace(_pause("a", None), reason="other", paused_by="bob"))
    assert one.checksum() == other.checksum()


def test_resumes_after_expiry_do_not_count_toward_the_mass_change_guard():
    names = [f"t{i}" for i in range(10)]
    declared = {n: want(state(n)) for n in names}
    rows = {n: replace(state(n), enabled=False) for n in names}
    ledger = {n: LedgerEntry(applied_enabled=True) for n in names}
    expired = {n: _pause(n, NOW - timedelta(seconds=1)) for n in names}
    plan = compute(declared, rows, ledger, NOW, pauses=expired)
    assert plan.count(Action.UPDATE) == 10
    plan.raise_if_unsafe()  # an operator's pauses ending are not a mass change of the files
