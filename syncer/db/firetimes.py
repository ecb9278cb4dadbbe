"""What beat will do with a schedule: its description and its next fire times.

The schedule object is the one beat builds: an unsaved django-celery-beat row of the declared
values, and its ``.schedule`` property (``TzAwareCrontab``, ``schedule``, ``solar``, ``clocked``).
Beat's own loop is then simulated with a fake clock: ask ``is_due(last_run_at)``; when due, that
instant is a fire time and becomes ``last_run_at``; else jump ahead by the ``next`` it returns.
No second cron implementation is involved.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from syncer.core.kinds import ScheduleKey, kind_of
from syncer.core.plan import Action, Change, Plan
from syncer.core.preview import ChangePreview, Preview
from syncer.db.kinds import table_of
from syncer.db.writes import next_run

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


def due_at(key: ScheduleKey, last_run_at: datetime, now: datetime) -> bool:
    """Would beat run a task of this schedule, last run at ``last_run_at``, at ``now``?"""
    schedule = schedule_object(key)
    zone = getattr(schedule, "tz", None) or UTC
    schedule.nowfun = lambda: now.astimezone(zone)
    return bool(schedule.is_due(last_run_at.astimezone(zone))[0])


_AT_ONCE = timedelta(seconds=1)


def previews(
    plan: Plan,
    now: datetime,
    default_tz: str,
    last_runs: Mapping[str, datetime | None] | None = None,
) -> dict[str, ChangePreview]:
    """Next runs before and after, and the consequence of the apply, for every change that
    touches when a task runs.

    After the apply, a new or changed schedule counts from the apply time (the next-run policy of
    ``syncer.db.apply``): that is what ``now`` stands for. ``last_runs``: the rows' last runs,
    to tell when the policy holds back a run beat alone would start at once. Previews are
    computed once per distinct schedule: thousands of tasks share a few dozen.
    """
    cache: dict[tuple[ScheduleKey, bool], Preview] = {}

    def cached(key: ScheduleKey, enabled: bool) -> Preview:
        if (key, enabled) not in cache:
            cache[key, enabled] = preview(key, now, default_tz, enabled)
        return cache[key, enabled]

    out: dict[str, ChangePreview] = {}
    for change in plan.changes:
        timing = {"schedule", "enabled"} & set(change.fields)
        if change.action not in (Action.CREATE, Action.DELETE) and not timing:
            continue
        before = after = None
        if change.before is not None and change.action != Action.CREATE:
            before = cached(change.before.schedule, change.before.enabled)
        if change.after is not None:
            after = cached(change.after.schedule, change.after.enabled)
        out[change.name] = _consequence(change, before, after, now, last_runs or {})
    return out


def _consequence(
    change: Change,
    before: Preview | None,
    after: Preview | None,
    now: datetime,
    last_runs: Mapping[str, datetime | None],
) -> ChangePreview:
    state = change.after
    if state is None or after is None or not state.enabled:
        return ChangePreview(before, after)
    first = after.next_runs[0] if after.next_runs else None
    if change.action == Action.CREATE and state.start_time is not None and state.start_time <= now:
        first = now  # beat's ModelEntry: the last run 30 years back, a slot due at once
    held_back = False
    if change.before is not None and next_run(change.before, state, now):
        last = last_runs.get(change.previous_name or change.name)
        held_back = last is not None and due_at(state.schedule, last, now)
    at_once = first is not None and first - now <= _AT_ONCE
    return ChangePreview(before, after, first, at_once, held_back)
