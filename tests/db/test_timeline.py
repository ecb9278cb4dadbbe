"""The timeline counts exactly the runs that each task's own schedule object (the one beat builds
from its row) fires over the window: sub-minute intervals, cron in several zones across a DST
change, solar, clocked, one-off, disabled."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django_celery_beat.models import PeriodicTask

from syncer.core.timeline import DEFAULT_QUEUE, Timeline
from syncer.db.firetimes import run_times
from syncer.db.timeline import from_live_rows, from_states

pytestmark = pytest.mark.django_db

# Berlin moves to summer time at 01:00 UTC on 29 March 2026: 02:30 local does not exist that day.
START = datetime(2026, 3, 28, 22, 0, 17, tzinfo=UTC)
FILES = """\
tasks:
  fast: {task: tasks.print_hello, every: 3s, queue: a}
  seven: {task: tasks.print_hello, every: 7s, queue: a}
  ninety: {task: tasks.print_hello, every: 90s, queue: b}
  five: {task: tasks.print_hello, every: 5m}
  quarter: {task: tasks.print_hello, cron: "*/15 * * * *", timezone: Europe/Berlin, queue: b}
  night: {task: tasks.print_hello, cron: "30 2 * * *", timezone: Europe/Berlin, queue: b}
  workdays: {task: tasks.print_hello, cron: "0 9 * * 1-5", timezone: America/New_York}
  sunset: {task: tasks.print_hello, solar: {event: sunset, latitude: 52.52, longitude: 13.405}}
  once: {task: tasks.print_hello, clocked: "2026-03-29T12:00:00+02:00", queue: a}
  hourly-once: {task: tasks.print_hello, every: 1h, one_off: true}
  disabled: {task: tasks.print_hello, every: 1s, enabled: false, queue: a}
"""


def expected(timeline: Timeline, phases: dict[str, datetime]) -> dict[int, Counter[str]]:
    """Each enabled row's own schedule object (``row.schedule``), fired from its phase."""
    counts: dict[int, Counter[str]] = {}
    for row in PeriodicTask.objects.filter(enabled=True):
        times = run_times(row.schedule, phases[row.name], None, timeline.end, row.one_off)
        for moment in times:
            offset = (moment - timeline.start).total_seconds()
            if 0 <= offset < (timeline.end - timeline.start).total_seconds():
                counts.setdefault(int(offset // 60), Counter())[row.queue or DEFAULT_QUEUE] += 1
    return counts


@pytest.mark.parametrize("window", [timedelta(hours=24), timedelta(days=7)])
def test_from_the_files_as_an_apply_at_start_would_run_them(apply_files, window):
    outcome = apply_files({"a.yaml": FILES})
    states = [change.after for change in outcome.plan.changes if change.after is not None]
    timeline = from_states(states, START, window)
    phases = {state.name: START for state in states}
    assert timeline.minutes == expected(timeline, phases)
    assert timeline.total_runs > 28_000 * window.days


def test_from_the_live_rows_each_from_its_last_run(apply_files):
    apply_files({"a.yaml": FILES})
    phases = {}
    for i, row in enumerate(PeriodicTask.objects.filter(enabled=True).order_by("name")):
        last = START - timedelta(seconds=1 + i)  # not overdue: within the last period
        PeriodicTask.objects.filter(pk=row.pk).update(last_run_at=last)
        phases[row.name] = last if row.interval_id else START
    timeline = from_live_rows(START, timedelta(hours=24))
    assert timeline.minutes == expected(timeline, phases)
    by_task = from_live_rows(START, timedelta(hours=24), by="task")
    assert by_task.total_runs == timeline.total_runs
    assert "disabled" not in {name for groups in by_task.minutes.values() for name in groups}


def test_a_later_timeline_reuses_the_simulation_and_counts_the_same_runs(tmp_path):
    """The herd lint and then the plan's load picture start seconds apart: the second reuses
    the first's simulated fire times, and finds what its own simulation would."""
    from syncer.core.kinds.crontab import CrontabKey
    from syncer.db import simulations
    from syncer.db.firetimes import schedule_object

    keys = [
        CrontabKey("*/15", "*", "*", "*", "*", "Europe/Berlin"),
        CrontabKey("30", "2", "*", "*", "*", "Europe/Berlin"),  # in the gap on 29 March
        CrontabKey("0,7,13", "*", "*", "*", "*", "America/New_York"),
    ]
    window = timedelta(days=1)
    for key in keys:
        simulations._simulated.pop(key, None)
        first = simulations.fire_times(key, START, START + window, False)
        for later in (timedelta(seconds=1.5), timedelta(minutes=4, seconds=43)):
            start = START + later
            reused = simulations.fire_times(key, start, start + window, False)
            assert simulations._simulated[key][0] == START  # served from the first simulation
            fresh = run_times(schedule_object(key), start, None, start + window)
            minutes = [t.replace(second=0, microsecond=0) for t in reused]
            assert minutes == [t.replace(second=0, microsecond=0) for t in fresh], key
        assert first and reused
