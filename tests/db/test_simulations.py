"""Beat's simulated fire times kept between commands (``syncer.db.simulations``, issue #17): the
next command's herd lint reuses them and counts the same runs, and an entry is used only by a
process whose simulation would be the same (a setting beat's schedule objects read, the code,
the clock) and only when it is whole."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from celery import current_app

from syncer.build_cache_store import DirectoryStore
from syncer.cli.main import main
from syncer.core.kinds.crontab import CrontabKey
from syncer.core.kinds.solar import SolarKey
from syncer.db import simulations
from syncer.db.firetimes import run_times, schedule_object
from tests.helpers import write_files

pytestmark = pytest.mark.django_db

# Berlin moves to summer time at 01:00 UTC on 29 March 2026: 02:30 local does not exist that day.
START = datetime(2026, 3, 28, 22, 0, 17, tzinfo=UTC)
DAY = timedelta(days=1)
KEYS = (
    CrontabKey("*/15", "*", "*", "*", "*", "Europe/Berlin"),
    CrontabKey("30", "2", "*", "*", "*", "Europe/Berlin"),  # in the gap on 29 March
    CrontabKey("0,7,13", "*", "*", "*", "*", "America/New_York"),
    SolarKey("sunset", "52.520000", "13.405000"),
)
FILES = """\
tasks:
  quarter: {task: tasks.print_hello, cron: "*/15 * * * *", timezone: Europe/Berlin}
  night: {task: tasks.print_hello, cron: "30 2 * * *", timezone: Europe/Berlin}
  tick: {task: tasks.print_hello, every: 30s}
"""


@pytest.fixture
def simulated(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """A process of its own (no simulation in memory); the schedules beat's loop is simulated
    for, one item per simulation."""
    monkeypatch.setattr(simulations, "_simulated", {})
    made: list[object] = []

    def counting(schedule, *args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(schedule)
        return run_times(schedule, *args, **kwargs)

    monkeypatch.setattr(simulations, "run_times", counting)
    return made


@pytest.fixture
def store(tmp_path: Path) -> DirectoryStore:
    return DirectoryStore(tmp_path / "cache", "test-version")


def fire_times(store: DirectoryStore | None, start: datetime) -> dict[object, list[datetime]]:
    """Every key's fire times over a day from ``start``, as a command would ask for them (then
    the process ends: its simulations in memory are gone)."""
    with simulations.kept(store, start, DAY):
        times = {key: simulations.fire_times(key, start, start + DAY, False) for key in KEYS}
    simulations._simulated.clear()
    return times


def minutes(times: list[datetime]) -> list[datetime]:
    return [t.replace(second=0, microsecond=0) for t in times]


def test_the_next_command_within_the_hour_reuses_the_simulations_and_counts_the_same_runs(
    store, simulated
):
    fire_times(store, START)
    assert len(simulated) == len(KEYS)
    for later in (timedelta(seconds=2), timedelta(minutes=59)):
        simulated.clear()
        reused = fire_times(store, START + later)
        assert simulated == []  # not one schedule simulated again
        for key in KEYS:
            fresh = run_times(schedule_object(key), START + later, None, START + later + DAY)
            assert minutes(reused[key]) == minutes(fresh), key
            assert reused[key], key
    simulated.clear()
    fire_times(store, START + timedelta(hours=2))  # past the hour: simulated again, and kept
    assert len(simulated) == len(KEYS)
    simulated.clear()
    fire_times(store, START + timedelta(hours=2, minutes=1))
    assert simulated == []


def test_an_entry_is_not_used_without_a_store_or_by_an_earlier_clock(store, simulated):
    fire_times(store, START + timedelta(hours=1))
    simulated.clear()
    fire_times(None, START + timedelta(hours=1))  # --no-cache, SYNCER_CACHE_DIR=off
    assert len(simulated) == len(KEYS)
    simulated.clear()
    fire_times(store, START)  # a clock behind the one that simulated: its runs are not there
    assert len(simulated) == len(KEYS)


@pytest.mark.parametrize(
    "change",
    [
        "celery_timezone",
        "celery_enable_utc",
        "beat_cron_starting_deadline",
        "django_time_zone",
        "tz_aware",
        "store_version",
    ],
)
def test_a_setting_that_beats_schedules_read_is_in_the_entrys_key(
    store, simulated, settings, monkeypatch, change
):
    fire_times(store, START)
    simulated.clear()
    conf = current_app.conf
    if change == "celery_timezone":
        monkeypatch.setitem(conf, "timezone", "Asia/Tokyo")
    elif change == "celery_enable_utc":
        monkeypatch.setitem(conf, "enable_utc", not conf.enable_utc)
    elif change == "beat_cron_starting_deadline":
        monkeypatch.setitem(conf, "beat_cron_starting_deadline", 300)
    elif change == "django_time_zone":
        settings.TIME_ZONE = "Asia/Tokyo"
    elif change == "tz_aware":
        settings.DJANGO_CELERY_BEAT_TZ_AWARE = False
    else:
        store = DirectoryStore(store.root, "another-version")  # Celery, tzdata... upgraded
    fire_times(store, START)
    assert len(simulated) == len(KEYS)


@pytest.mark.parametrize(
    "damage",
    [b"", b"not a pickle", b"\x80\x05\x95", b"cos\nsystem\n(S'true'\ntR."],
)
def test_a_damaged_or_foreign_entry_is_a_miss_and_is_written_again(store, simulated, damage):
    fire_times(store, START)
    (entry,) = [p for p in store.root.iterdir() if p.name.startswith("simulations-")]
    entry.write_bytes(damage)
    simulated.clear()
    fire_times(store, START)
    assert len(simulated) == len(KEYS)
    simulated.clear()
    fire_times(store, START)
    assert simulated == []


def test_the_herd_lint_of_a_command_keeps_its_simulations_unless_told_not_to(
    tmp_path, monkeypatch, simulated
):
    root = write_files(tmp_path / "s", {"a.yaml": FILES})
    cache = tmp_path / "cache"
    monkeypatch.setenv("SYNCER_CACHE_DIR", str(cache))
    for extra in (["--no-cache"], [], []):
        assert main(["validate", *extra, str(root)]) == 0
        simulations._simulated.clear()
    entries = [name for name in os.listdir(cache) if name.startswith("simulations-")]
    assert len(entries) == 1
    # the two crons, by the --no-cache run and by the first run with the cache (the interval is
    # counted by arithmetic: never simulated); the third run simulated nothing
    assert len(simulated) == 2 * 2
