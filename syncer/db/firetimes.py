"""What beat will do with a schedule: its description and its next fire times.

The schedule object is the one beat builds: an unsaved django-celery-beat row of the declared
values, and its ``.schedule`` property (``TzAwareCrontab``, ``schedule``, ``solar``, ``clocked``).
Beat's own loop is then simulated with a fake clock: ask ``is_due(last_run_at)``; when due, that
instant is a fire time and becomes ``last_run_at``; else jump ahead by the ``next`` it returns.
No second cron implementation is involved.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from syncer.core.kinds import ScheduleKey, kind_of
from syncer.core.plan import Action, Plan
from syncer.core.preview import ChangePreview, Preview
from syncer.db.kinds import table_of

MAX_STEPS = 10_000


def schedule_object(key: ScheduleKey) -> Any:
    """The Celery schedule beat builds for a row of these values (the row's ``.schedule``)."""
    table = table_of(key)
    return table.model(**table.to_columns(key)).schedule


def run_times(
    schedule: Any,
    last_run_at: datetime,
    count: int | None = 5,
    until: datetime | None = None,
    one_off: bool = False,
) -> list[datetime]:
    """Simulate beat's loop on ``schedule`` with a fake clock: the instants it would run the task,
    in UTC, starting from ``last_run_at`` (for a new or changed task: the apply time)."""
    # Beat's clock, and the last run it records, read in the schedule's own zone (``app.now()``,
    # or django-celery-beat's ``TzAwareCrontab``): Celery before 5.7 computes a crontab in the
    # zone of the datetimes it is given, so UTC ones would shift every local fire time.
    # The clock itself moves in UTC: arithmetic on a local datetime is wall-clock arithmetic,
    # which walks into a DST gap (02:30 that does not exist) and loops there.
    zone = getattr(schedule, "tz", None) or UTC
    clock = [last_run_at.astimezone(UTC)]
    schedule.nowfun = lambda: clock[0].astimezone(zone)
    last = clock[0].astimezone(zone)
    out: list[datetime] = []
    steps = 0
    while (count is None or len(out) < count) and (until is None or clock[0] <= until):
        steps += 1
        if steps > MAX_STEPS * (1 if count is not None else 100):
            break
        due, next_seconds = schedule.is_due(last)
        if due:
            out.append(clock[0].astimezone(UTC))
            if one_off:
                break  # beat disables a one-off task after its run
            last = clock[0].astimezone(zone)
            clock[0] = clock[0] + timedelta(microseconds=1)
            continue
        clock[0] = clock[0] + timedelta(seconds=max(float(next_seconds), 1e-6))
    return out


def fire_times(key: ScheduleKey, last_run_at: datetime, count: int = 5) -> list[datetime]:
    once = kind_of(key).runs_once
    return run_times(schedule_object(key), last_run_at, count, one_off=once)


def describe(key: ScheduleKey) -> str:
    return table_of(key).describe(key)


def display_timezone(key: ScheduleKey, default: str) -> str:
    return key.zone() or default


def preview(
    key: ScheduleKey, last_run_at: datetime, default_tz: str, enabled: bool = True, count: int = 5
) -> Preview:
    runs = tuple(fire_times(key, last_run_at, count)) if enabled else ()
    return Preview(describe(key), display_timezone(key, default_tz), runs, enabled)


def previews(plan: Plan, now: datetime, default_tz: str) -> dict[str, ChangePreview]:
    """Next runs before and after, for every change that touches when a task runs.

    After the apply, a new or changed schedule counts from the apply time (the next-run policy of
    ``syncer.db.apply``): that is what ``now`` stands for.
    """
    out: dict[str, ChangePreview] = {}
    for change in plan.changes:
        timing = {"schedule", "enabled"} & set(change.fields)
        if change.action not in (Action.CREATE, Action.DELETE) and not timing:
            continue
        before = after = None
        if change.before is not None and change.action != Action.CREATE:
            s = change.before
            before = preview(s.schedule, now, default_tz, s.enabled)
        if change.after is not None:
            s = change.after
            after = preview(s.schedule, now, default_tz, s.enabled)
        out[change.name] = ChangePreview(before, after)
    return out
