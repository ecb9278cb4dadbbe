"""The load picture's arithmetic and aggregation, without a database."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from syncer.core.errors import Location
from syncer.core.timeline import Runner, Timeline, herd_warnings

START = datetime(2026, 3, 28, 22, 0, 17, tzinfo=UTC)


def brute_force(first: datetime, period: timedelta, timeline: Timeline) -> Counter[int]:
    counts: Counter[int] = Counter()
    moment = first
    while moment < timeline.end:
        if moment >= timeline.start:
            counts[int((moment - timeline.start).total_seconds() // 60)] += 1
        moment += period
    return counts


@pytest.mark.parametrize("seed", range(40))
def test_periodic_runs_are_counted_as_a_loop_over_every_run_would(seed):
    rng = random.Random(seed)
    period = timedelta(
        microseconds=rng.choice([250_000, 3_000_000, 7_000_000, 60_000_000, 90_000_000])
        * rng.randint(1, 3)
    )
    first = START + timedelta(seconds=rng.uniform(-500, 500))
    timeline = Timeline.over(START, timedelta(hours=2))
    timeline.add_periodic(first, period, Runner("q", 1))
    expected = brute_force(first, period, timeline)
    assert {i: c["q"] for i, c in timeline.minutes.items()} == dict(expected)


def test_runners_count_their_tasks_and_groups_stay_apart():
    timeline = Timeline.over(START, timedelta(minutes=10))
    timeline.add_periodic(START, timedelta(minutes=1), Runner("reports", 3, ("a", "b", "c")))
    timeline.add_times([START + timedelta(minutes=2, seconds=5)], Runner("celery", 2, ("x", "y")))
    data = timeline.to_json()
    assert data["start"] == "2026-03-28T22:00:00+00:00"
    assert data["total_runs"] == 3 * 10 + 2
    minute2 = next(m for m in data["minutes"] if m["minute"].endswith("22:02:00+00:00"))
    assert minute2 == {
        "minute": "2026-03-28T22:02:00+00:00",
        "runs": 5,
        "queues": {"celery": 2, "reports": 3},
    }
    assert data["peaks"][0]["queue"] == "reports" and data["peaks"][0]["runs"] == 3
    assert {p["queue"] for p in data["peaks"]} == {"reports", "celery"}


def test_times_outside_the_window_are_left_out():
    timeline = Timeline.over(START, timedelta(minutes=5))
    runner = Runner("q", 1)
    timeline.add_times([START - timedelta(minutes=1), timeline.end, START], runner)
    assert timeline.total_runs == 1


def test_herds_are_one_warning_per_queue_with_the_worst_minute():
    timeline = Timeline.over(START, timedelta(hours=3))
    names = tuple(f"report-{i:02}" for i in range(60))
    timeline.add_periodic(
        START + timedelta(minutes=30), timedelta(hours=1), Runner("reports", 60, names)
    )
    timeline.add_periodic(START, timedelta(minutes=1), Runner("celery", 10, ("tick",)))
    (warning,) = herd_warnings(timeline, 50, lambda name: Location("s/r.yaml", 3, 5))
    assert warning.severity == "warning" and warning.task == "report-00"
    assert str(warning.location) == "s/r.yaml:3:5"
    assert (
        "60 runs start on queue 'reports' in the minute of 2026-03-28 22:30 UTC" in warning.message
    )
    assert "(and 2 more minutes of the window)" in warning.message
    assert "more than 50 (SYNCER_HERD_THRESHOLD)" in warning.message
    assert herd_warnings(timeline, 60, lambda name: Location(".")) == []


def test_per_hour_covers_the_whole_window():
    timeline = Timeline.over(START, timedelta(hours=3))
    timeline.add_periodic(START, timedelta(minutes=30), Runner("q", 1))
    assert [runs for _, runs in timeline.per_hour()] == [2, 2, 2]


def test_the_tasks_named_in_a_minute_are_found_by_arithmetic_for_periodic_runs():
    """Runs a minute or more apart keep no list of their minutes (a week of them, per task):
    which minutes they fall in is computed when a herd names them."""
    import random

    from syncer.core.timeline import _Runs

    rng = random.Random(17)
    for _ in range(500):
        offset, step, count = rng.uniform(0, 500), rng.uniform(60, 5000), rng.randint(0, 40)
        runs = _Runs(offset, step, count)
        minutes = {int((offset + k * step) // 60) for k in range(count)}
        last = int((offset + count * step) // 60) + 2
        assert [i for i in range(last) if i in runs] == sorted(minutes)


def random_timeline(seed: int, together: bool) -> Timeline:
    """Schedules shared by several queues: their runners added in one call, or one by one."""
    rng = random.Random(seed)
    timeline = Timeline.over(START, timedelta(hours=2))
    for i in range(rng.randint(1, 12)):
        runners = [
            Runner(queue, rng.randint(1, 30), (f"{queue}-{i}",))
            for queue in rng.sample(["a", "b", "c", "d"], rng.randint(1, 4))
        ]
        periodic = rng.random() < 0.5
        first = START + timedelta(seconds=rng.uniform(-300, 300))
        period = timedelta(seconds=rng.choice([0.5, 7, 45, 60, 90, 600]))
        times = sorted(START + timedelta(minutes=rng.uniform(-5, 125)) for _ in range(20))
        for group in [runners] if together else [[runner] for runner in runners]:
            if periodic:
                timeline.add_periodic(first, period, *group)
            else:
                timeline.add_times(times, *group)
    return timeline


@pytest.mark.parametrize("seed", range(30))
def test_the_runners_of_a_schedule_added_together_count_as_added_one_by_one(seed):
    together, apart = random_timeline(seed, True), random_timeline(seed, False)
    assert together.minutes == apart.minutes
    assert [list(groups) for groups in together.minutes.values()] == [
        list(groups) for groups in apart.minutes.values()
    ]
    assert [runner for runner, _ in together.runners] == [runner for runner, _ in apart.runners]


@pytest.mark.parametrize("seed", range(30))
def test_the_worst_herd_of_each_group_is_the_busiest_and_earliest_of_its_herds(seed):
    timeline = random_timeline(seed, True)
    for threshold in (0, 10, 40, 100):
        by_group: dict[str, list] = {}
        for herd in timeline.herds(threshold):
            by_group.setdefault(herd.group, []).append(herd)
        expected = {
            group: (max(herds, key=lambda h: (h.runs, -h.minute.timestamp())), len(herds))
            for group, herds in by_group.items()
        }
        assert timeline.worst_herds(threshold) == expected
