"""A Celery schedule object as the pure core's ``next_after`` (``syncer.core.policy``), and the
slot a due entry stands for.

The schedule objects are beat's own (the row's ``.schedule``: ``TzAwareCrontab``, ``schedule``,
``solar``, ``clocked``): no second cron implementation. ``remaining_estimate(t)`` measures from
the schedule's clock, so the clock is pinned to ``t`` while it runs: the first fire time after
``t`` is then a function of ``t`` alone, the same on every beat (the slot's identity), and in the
zone beat itself converts to (the app's, or the crontab row's own).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from syncer.core.policy import DueSlot, RunPolicy, latest_due_slot


def next_after(schedule: Any) -> Callable[[datetime], datetime]:
    """``t`` -> the first fire time of ``schedule`` after a run at ``t``, in UTC."""

    def first_after(t: datetime) -> datetime:
        local = t.astimezone(schedule.tz)
        saved = schedule.__dict__.get("nowfun", None)
        schedule.nowfun = lambda: local
        try:
            remaining: timedelta = schedule.remaining_estimate(local)
        finally:
            schedule.nowfun = saved
        return (local + remaining).astimezone(UTC)

    return first_after


def first_slot(schedule: Any, last_run_at: datetime) -> datetime:
    return next_after(schedule)(last_run_at)


def due_slot(schedule: Any, last_run_at: datetime, now: datetime, policy: RunPolicy,
             offset: timedelta) -> DueSlot:
    """The slot to decide for an entry that beat found due at ``now``: the latest one whose run
    time (slot + offset) has come, searched from the first slot after the last run."""
    step = next_after(schedule)
    return latest_due_slot(step(last_run_at), now - offset, step, policy.starting_deadline)
