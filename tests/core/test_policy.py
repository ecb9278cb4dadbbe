"""The run policies' decisions, pure: which slot is due, skip or run, the jitter offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from syncer.core.durations import parse_duration
from syncer.core.policy import (
    Overlap,
    RunPolicy,
    SkipReason,
    format_duration,
    jitter_offset,
    latest_due_slot,
    skip_reason,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def every_minute(t: datetime) -> datetime:
    """The first whole minute strictly after ``t``."""
    return t.replace(second=0, microsecond=0) + MINUTE


def test_jitter_offset_is_stable_in_range_and_differs_by_name():
    jitter = timedelta(seconds=30)
    offsets = [jitter_offset(f"task-{i}", jitter) for i in range(200)]
    assert all(timedelta(0) <= o < jitter for o in offsets)
    assert offsets == [jitter_offset(f"task-{i}", jitter) for i in range(200)]  # stable
    assert len(set(offsets)) == 200
    # spread: every 5 s bucket of the 30 s window gets some of the 200 tasks
    assert {int(o.total_seconds() // 5) for o in offsets} == set(range(6))
    # the value itself is pinned: it must not change between releases (a hash of the name)
    assert jitter_offset("report", jitter) == timedelta(microseconds=14_497_564)


def test_no_jitter_means_no_offset():
    assert jitter_offset("x", None) == timedelta(0)
    assert RunPolicy().offset("x") == timedelta(0)


def test_on_time_the_due_slot_is_the_first_and_anchors_itself():
    due = latest_due_slot(T0, T0 + timedelta(seconds=2), every_minute)
    assert (due.slot, due.passed_over, due.anchor) == (T0, 0, T0)


def test_after_downtime_the_latest_missed_slot_is_decided_once():
    now = T0 + timedelta(minutes=10, seconds=5)
    due = latest_due_slot(T0, now, every_minute)
    assert due.slot == T0 + timedelta(minutes=10)
    assert due.passed_over == 10
    assert due.anchor == due.slot  # the next slot is the one after it, never a burst


def test_the_search_is_bounded_and_then_anchors_on_now():
    now = T0 + timedelta(days=30)
    due = latest_due_slot(T0, now, every_minute, max_steps=100)
    assert due.slot == T0 + timedelta(minutes=100)
    assert due.anchor == now


def test_with_a_deadline_the_search_starts_inside_its_window():
    calls = []

    def counting(t: datetime) -> datetime:
        calls.append(t)
        return every_minute(t)

    now = T0 + timedelta(days=30, seconds=10)
    due = latest_due_slot(T0, now, counting, deadline=timedelta(minutes=5))
    assert due.slot == now.replace(second=0)
    assert len(calls) <= 8  # not 43,200 minutes of steps


def test_a_schedule_that_does_not_move_stops_the_search():
    once = T0
    due = latest_due_slot(once, T0 + timedelta(hours=1), lambda t: once)
    assert due.slot == once


@pytest.mark.parametrize(
    ("late", "deadline", "expected"),
    [
        (timedelta(seconds=10), timedelta(seconds=30), None),
        (timedelta(seconds=30), timedelta(seconds=30), None),
        (timedelta(seconds=31), timedelta(seconds=30), SkipReason.STARTING_DEADLINE),
        (timedelta(hours=5), None, None),
    ],
)
def test_starting_deadline(late, deadline, expected):
    policy = RunPolicy(starting_deadline=deadline)
    assert skip_reason(T0, T0 + late, policy, lambda: True) == expected


def test_lateness_counts_from_the_jittered_run_time():
    policy = RunPolicy(starting_deadline=timedelta(seconds=5))
    offset = timedelta(seconds=20)
    assert skip_reason(T0, T0 + timedelta(seconds=24), policy, lambda: False, offset) is None
    assert (
        skip_reason(T0, T0 + timedelta(seconds=26), policy, lambda: False, offset)
        == SkipReason.STARTING_DEADLINE
    )


def test_overlap_asks_about_the_previous_run_only_when_it_matters():
    asked = []

    def running() -> bool:
        asked.append(1)
        return True

    assert skip_reason(T0, T0, RunPolicy(), running) is None
    assert asked == []
    assert skip_reason(T0, T0, RunPolicy(overlap=Overlap.SKIP), running) == SkipReason.OVERLAP
    assert skip_reason(T0, T0, RunPolicy(overlap=Overlap.SKIP), lambda: False) is None


@pytest.mark.parametrize("text", ["30s", "5m", "1h30m", "250ms", "10us", "2d", "1d1h1m1s"])
def test_durations_are_written_as_the_files_spell_them(text):
    value = timedelta(microseconds=parse_duration(text))
    written = format_duration(value)
    assert timedelta(microseconds=parse_duration(written)) == value
    assert written == text or text in ("1d1h1m1s",)
