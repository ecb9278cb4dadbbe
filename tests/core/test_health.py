"""Judging run health from the due slots, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from syncer.core.health import Slots, counts, default_grace, judge, worst_first

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def health(due, next_run=None, *, last=NOW - 10 * MIN, ran=True, grace=None, **kw):
    slots = Slots(tuple(NOW - d for d in due), next_run or NOW + MIN)
    return judge("t", slots=slots, now=NOW, last_run_at=last, ran_before=ran, grace=grace, **kw)


@pytest.mark.parametrize(
    ("period", "grace"),
    [(timedelta(seconds=3), timedelta(seconds=30)), (timedelta(minutes=10), MIN),
     (timedelta(days=1), timedelta(hours=1)), (None, timedelta(hours=1))],
)  # fmt: skip
def test_the_default_grace_is_a_tenth_of_the_period_within_bounds(period, grace):
    assert default_grace(period) == grace


def test_nothing_due_is_ok_and_expects_the_last_run():
    h = health(())
    assert (h.state, h.expected_last_run, h.late_seconds) == ("ok", NOW - 10 * MIN, 0.0)


def test_a_slot_due_within_its_grace_is_ok():
    assert health((20 * timedelta(seconds=1),), NOW + 9 * MIN).state == "ok"  # grace 60 s


def test_a_slot_past_its_grace_is_late_with_its_lateness():
    h = health((2 * MIN,), NOW + 8 * MIN)  # every 10 minutes: grace 1 minute
    assert (h.state, h.late_seconds, h.expected_last_run) == ("late", 120.0, NOW - 2 * MIN)


def test_a_second_slot_past_its_grace_is_missed():
    h = health((22 * MIN, 12 * MIN, 2 * MIN))
    assert (h.state, h.expected_last_run) == ("missed", NOW - 2 * MIN)
    assert h.late_seconds == 22 * 60


def test_a_second_slot_within_grace_is_still_only_late():
    assert health((10 * MIN + timedelta(seconds=20), timedelta(seconds=20))).state == "late"


def test_a_task_that_never_ran_and_is_overdue():
    assert health((5 * MIN,), ran=False, last=None).state == "never-ran"
    assert health((), ran=False, last=None).state == "ok"  # its first slot is still to come


def test_its_own_grace_wins():
    assert health((2 * MIN,), NOW + 8 * MIN, grace=5 * MIN).state == "ok"


def test_paused_and_disabled_are_not_judged():
    assert health((30 * MIN, 20 * MIN), paused=True).state == "paused"
    off = health((30 * MIN, 20 * MIN), enabled=False)
    assert off.state == "disabled" and off.next_run is None


def test_the_worst_come_first_and_counts_cover_every_state():
    healths = [
        health(()),
        health((22 * MIN, 12 * MIN, 2 * MIN)),
        health((2 * MIN,), NOW + 8 * MIN),
        health((), enabled=False),
    ]
    assert [h.state for h in worst_first(healths)] == ["missed", "late", "disabled", "ok"]
    assert counts(healths) == {
        "missed": 1, "late": 1, "never-ran": 0, "paused": 0, "disabled": 1, "ok": 1,
    }  # fmt: skip
    assert set(healths[1].to_json()) == {
        "name", "state", "expected_last_run", "last_run_at", "late_seconds", "next_run", "queue"
    }  # fmt: skip
