"""The load picture of declared tasks (before an apply) or of the live rows: their fire times,
from beat's own schedule objects (``syncer.db.firetimes``), counted per minute in a
``syncer.core.timeline.Timeline``.

Fire times are computed once per distinct schedule, whatever the number of tasks sharing it; a
schedule with a fixed period (an interval) is counted by arithmetic from its phase. From the
files, every task counts from ``start`` (the apply time: the next-run policy); a live row from
its ``last_run_at`` (beat runs an overdue interval at once, then every period from then).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import NamedTuple

from django_celery_beat.models import PeriodicTask

from syncer.core.build_cache import BuildStore
from syncer.core.desired import DesiredTask
from syncer.core.errors import Problem
from syncer.core.gc_pause import gc_paused
from syncer.core.kinds import ScheduleKey, kind_of
from syncer.core.plan import Action, Plan
from syncer.core.state import TaskState
from syncer.core.timeline import DEFAULT_QUEUE, Runner, Timeline
from syncer.core.timeline import herd_warnings as core_herds
from syncer.db import simulations
from syncer.db.actual import read_snapshot


class Scheduled(NamedTuple):
    """One task as the timeline needs it (a tuple: the herd lint makes one per declared task)."""

    name: str
    key: ScheduleKey
    queue: str | None
    last_run_at: datetime  # the phase of an interval; the simulation's start otherwise
    one_off: bool = False


def from_states(
    states: Iterable[TaskState], start: datetime, window: timedelta, by: str = "queue"
) -> Timeline:
    """The declared tasks, as they would run from ``start`` (an apply at ``start``)."""
    tasks = (Scheduled(s.name, s.schedule, s.queue, start, s.one_off) for s in states if s.enabled)
    return build(tasks, start, window, by)


def from_live_rows(start: datetime, window: timedelta, by: str = "queue") -> Timeline:
    """The enabled rows of the tables, as beat will run them from ``start``: an interval from
    its own ``last_run_at``; other schedules from ``start`` (a run already overdue then is a
    matter of run health, not of the load picture)."""
    snapshot = read_snapshot()
    last_runs = dict(PeriodicTask.objects.filter(enabled=True).values_list("name", "last_run_at"))
    tasks = []
    for name, state in snapshot.states.items():
        if not state.enabled or name not in last_runs:
            continue
        periodic = state.schedule.fixed_period() is not None
        phase = (last_runs[name] or start) if periodic else start
        tasks.append(Scheduled(name, state.schedule, state.queue, phase, state.one_off))
    return build(tasks, start, window, by)


def build(tasks: Iterable[Scheduled], start: datetime, window: timedelta, by: str) -> Timeline:
    """The tasks grouped by phase (schedule, start, one-off) and then by group, both in the order
    first seen: each phase's fire times are worked out once, for all its groups."""
    timeline = Timeline.over(start, window, by)
    phases: dict[tuple[ScheduleKey, datetime, bool], dict[str, list[str]]] = {}
    for name, key, queue, last_run_at, one_off in tasks:
        group = name if by == "task" else (queue or DEFAULT_QUEUE)
        members = phases.get((key, last_run_at, one_off))
        if members is None:
            members = phases[key, last_run_at, one_off] = {}
        names = members.get(group)
        if names is None:
            members[group] = [name]
        else:
            names.append(name)
    for (key, last_run_at, one_off), members in phases.items():
        runners = [Runner(g, len(names), tuple(sorted(names)[:5])) for g, names in members.items()]
        _add(timeline, key, last_run_at, one_off, runners)
    return timeline


def _add(
    timeline: Timeline,
    key: ScheduleKey,
    last_run_at: datetime,
    one_off: bool,
    runners: list[Runner],
) -> None:
    period = key.fixed_period()
    if period is not None and not one_off:
        # Beat runs it at last_run_at + period, or at once when that is already past.
        first = max(last_run_at + period, timeline.start)
        timeline.add_periodic(first, period, *runners)
        return
    once = one_off or kind_of(key).runs_once
    times = simulations.fire_times(key, last_run_at, timeline.end, once)
    timeline.add_times(times, *runners)


def herd_warnings(
    desired: Mapping[str, DesiredTask],
    now: datetime,
    threshold: int,
    store: BuildStore | None = None,
) -> list[Problem]:
    """The herd lint: over the next 24 hours from an apply at ``now`` (``store``: where beat's
    simulated fire times are kept between commands, ``syncer.db.simulations``)."""
    # Right after the files are built (the collector paused there): its passes would walk the
    # whole new heap, as the lint makes its own objects per task, and free nothing (10,000 tasks:
    # half of the lint's time).
    window = timedelta(days=1)
    with gc_paused(), simulations.kept(store, now, window):
        states = (task.state for task in desired.values())
        timeline = from_states(states, now, window)
        return core_herds(timeline, threshold, lambda name: desired[name].source)


# The fields whose change moves a task's runs from one queue or minute to another.
_LOAD_FIELDS = frozenset({"schedule", "enabled", "queue"})


def load_change(
    plan: Plan, live: Mapping[str, TaskState], now: datetime, window: timedelta = timedelta(days=1)
) -> dict[str, tuple[int, int]]:
    """The busiest minute of each queue the plan touches, before and after it (the next 24 hours
    from ``now``, every task as an apply now would leave it): the queues whose peak changes."""
    touched: set[str] = set()
    after = dict(live)
    for change in plan.changes:
        if change.action not in (Action.CREATE, Action.DELETE) and not (
            _LOAD_FIELDS & set(change.fields)
        ):
            continue
        for state in (change.before, change.after):
            if state is not None:
                touched.add(state.queue or DEFAULT_QUEUE)
        after.pop(change.previous_name or change.name, None)
        if change.after is not None:
            after[change.name] = change.after
    if not touched:
        return {}

    def peaks(states: Iterable[TaskState]) -> dict[str, int]:
        chosen = [s for s in states if (s.queue or DEFAULT_QUEUE) in touched]
        return from_states(chosen, now, window).peak_by_group()

    before_peaks, after_peaks = peaks(live.values()), peaks(after.values())
    changed = {
        queue: (before_peaks.get(queue, 0), after_peaks.get(queue, 0)) for queue in sorted(touched)
    }
    return {queue: pair for queue, pair in changed.items() if pair[0] != pair[1]}
