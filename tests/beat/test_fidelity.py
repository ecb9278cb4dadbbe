"""Without policies, the companion scheduler fires at the times ``DatabaseScheduler`` does.

Both are driven over a simulated year (DST transitions of Europe/Berlin and America/New_York
included) with a fake clock, through the ``is_due`` of the schedule object beat builds from the
stored row (``ModelEntry(row).schedule``): ``DatabaseScheduler`` records the firing instant as
the last run (``ModelEntry.__next__``); the companion scheduler records what
``syncer.beat.timing.due_slot`` decides, and the slot it claims must be the firing instant.

The clock is kept in UTC and shown to the schedule in its own zone (beat's clock): adding
seconds to a local wall-clock time would step through a DST gap wrongly (see
``syncer.db.firetimes``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from syncer.beat import timing
from syncer.core.policy import RunPolicy
from tests.db.test_fidelity import CRONS, INTERVALS, START, YEAR, _yaml

pytestmark = pytest.mark.django_db

# What the last run becomes when the task fires at ``now`` (both in the schedule's zone).
Decide = Callable[[Any, datetime, datetime], tuple[datetime, datetime]]


def database_scheduler(schedule: Any, last: datetime, now: datetime) -> tuple[datetime, datetime]:
    return now, now  # (the slot it stands for: the instant, the new last run)


def companion(schedule: Any, last: datetime, now: datetime) -> tuple[datetime, datetime]:
    decided = timing.due_slot(schedule, last, now, RunPolicy(), timedelta(0))
    return decided.slot, decided.anchor


def simulate(schedule: Any, until: datetime, decide: Decide, one_off: bool = False):
    zone = getattr(schedule, "tz", None) or UTC
    clock = [START]
    schedule.nowfun = lambda: clock[0].astimezone(zone)
    last = START.astimezone(zone)
    fired: list[datetime] = []
    slots: list[datetime] = []
    while clock[0] <= until and len(fired) < 100_000:
        due, next_seconds = schedule.is_due(last)
        if due:
            slot, anchor = decide(schedule, last, clock[0].astimezone(zone))
            schedule.nowfun = lambda: clock[0].astimezone(zone)  # due_slot pins and restores
            fired.append(clock[0])
            slots.append(slot.astimezone(UTC))
            if one_off:
                break
            last = anchor.astimezone(zone)
            clock[0] += timedelta(microseconds=1)
            continue
        clock[0] += timedelta(seconds=max(float(next_seconds), 1e-6))
    return fired, slots


def _schedule(name: str) -> Any:
    return ModelEntry(PeriodicTask.objects.get(name=name)).schedule


@pytest.fixture
def applied(apply_files):
    apply_files({"fidelity.yaml": _yaml()})


def _same(name: str, until: datetime, one_off: bool = False) -> list[datetime]:
    expected, _ = simulate(_schedule(name), until, database_scheduler, one_off)
    actual, slots = simulate(_schedule(name), until, companion, one_off)
    assert actual == expected
    # the slot claimed is the instant it fires (the simulation's steps are whole microseconds)
    assert all(abs(s - a) <= timedelta(microseconds=2) for s, a in zip(slots, actual, strict=True))
    return actual


@pytest.mark.parametrize("name", sorted(CRONS))
def test_crontab_rows_fire_as_database_scheduler(applied, name):
    fired = _same(name, YEAR)
    assert len(fired) > 10


def test_the_dst_gap_is_crossed_once(applied):
    zone = ZoneInfo("America/New_York")
    ny = [t.astimezone(zone) for t in _same("ny-hourly-steps", YEAR)]
    on_the_day = [t for t in ny if t.date() == datetime(2026, 3, 8).date()]
    # 5 */3 in New York on the spring-forward day: 00:05 EST, then 03:05 EDT (02:05 does not
    # exist), 06:05, ... 21:05 EDT: eight runs, each once
    assert [t.hour for t in on_the_day] == [0, 3, 6, 9, 12, 15, 18, 21]
    assert [t.utcoffset().total_seconds() / 3600 for t in on_the_day[:2]] == [-5, -4]


@pytest.mark.parametrize("name", sorted(INTERVALS))
def test_interval_rows_fire_as_database_scheduler(applied, name):
    _, delta = INTERVALS[name]
    until = START + min(timedelta(days=366), delta * 2000)
    fired = _same(name, until)
    assert len(fired) >= min(2000, 366 * 86400 // delta.total_seconds()) - 1


@pytest.mark.parametrize("name", ["sunset-berlin", "dawn-sydney"])
def test_solar_rows_fire_as_database_scheduler(applied, name):
    assert len(_same(name, START + timedelta(days=366))) > 360


def test_clocked_row_fires_once_as_database_scheduler(applied):
    assert _same("once", YEAR, one_off=True) == [datetime(2026, 6, 1, 10, tzinfo=UTC)]
