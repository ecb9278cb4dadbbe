"""A Celery schedule object as the pure core's ``next_after`` (``syncer.core.policy``), and the
slot a due entry stands for.

The schedule objects are beat's own (the row's ``.schedule``: ``TzAwareCrontab``, ``schedule``,
``solar``, ``clocked``): no second cron implementation. ``is_due(t)`` is due when
``remaining_estimate(t)``, measured from the schedule's clock, is not positive: the slot is that
clock plus that estimate. The clock is pinned to the decision time while it runs, so the slot is
exactly the instant ``is_due`` compares with (Celery's arithmetic around DST changes included),
in the zone beat itself converts to (the app's, or the crontab row's own). For an interval it is
the last run plus the interval, whatever the clock; for a calendar schedule, the same on every
beat that decides within the same hour.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from celery.schedules import schedule as interval_schedule

from syncer.core.policy import DueSlot, RunPolicy, latest_due_slot


def next_after(schedule: Any, now: datetime) -> Callable[[datetime], datetime]:
    """``t`` -> the first fire time of ``schedule`` after a run at ``t``, as beat sees it at
    ``now``, in UTC."""
    clock = now.astimezone(schedule.tz)

    def first_after(t: datetime) -> datetime:
        saved = schedule.__dict__.get("nowfun", None)
        schedule.nowfun = lambda: clock
        try:
            remaining: timedelta = schedule.remaining_estimate(t.astimezone(schedule.tz))
        finally:
            schedule.nowfun = saved
        return (clock + remaining).astimezone(UTC)

    return first_after


def due_slot(
    schedule: Any, last_run_at: datetime, now: datetime, policy: RunPolicy, offset: timedelta
) -> DueSlot:
    """The slot to decide for an entry that beat found due at ``now``: the latest one whose run
    time (slot + offset) has come, searched from the first slot after the last run.

    The last run recorded afterwards (the anchor): an interval counts from its slot (it keeps
    its phase instead of drifting by beat's latency, and every beat computes the same next
    slot); a calendar schedule (cron, solar, clocked) from the decision time, as
    ``DatabaseScheduler`` records it, so that Celery computes its next fire time from exactly
    the same input (the same next slot, and the same behaviour around DST changes)."""
    step = next_after(schedule, now)
    due = latest_due_slot(step(last_run_at), now - offset, step, policy.starting_deadline)
    if isinstance(schedule, interval_schedule):
        return due
    return DueSlot(due.slot, due.passed_over, max(now, due.slot))
