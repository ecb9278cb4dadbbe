"""Beat's simulated fire times per schedule, reused: within a process (the herd lint, then the
plan's load picture, seconds apart; each cycle of ``syncer watch``) and, through the cache
directory of built files (``SYNCER_CACHE_DIR``), by the next command within the hour.

A recurring schedule fires at "the next slot after the last run", so the runs from a later start
are those of an earlier simulation after it: one simulation from ``start`` to ``until`` and an
hour more serves every later start whose window ends within it. A schedule that runs once (a
clocked time, a one-off task) is simulated each time: when its time is past, it fires at the
start.

An entry kept between commands is read only by a process whose simulation would be the same:
its key covers the store's code version (Python, the syncer's core, Celery, django-celery-beat,
the time-zone database), this module and the schedule tables' code, and every setting beat's
schedule objects read (Celery's ``timezone``, ``enable_utc`` and
``beat_cron_starting_deadline``; Django's ``USE_TZ``, ``TIME_ZONE`` and
``DJANGO_CELERY_BEAT_TZ_AWARE``). Like a built file's entry, it only ever saves time: a damaged,
foreign or unreadable one is a miss.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from syncer.core.build_cache import BuildStore, load_values
from syncer.core.kinds import ScheduleKey
from syncer.db.firetimes import run_times, schedule_object

FORMAT = "1"
SLACK = timedelta(hours=1)

# key -> (the simulation's start, its end, the fire times in (start, end]), for this process.
Simulation = tuple[datetime, datetime, list[datetime]]
_simulated: dict[ScheduleKey, Simulation] = {}


def fire_times(key: ScheduleKey, start: datetime, until: datetime, once: bool) -> list[datetime]:
    """The fire times in (``start``, ``until``] of a task last run at ``start``."""
    if once:
        return run_times(schedule_object(key), start, None, until, True)
    known = _simulated.get(key)
    if known is not None and known[0] <= start and until <= known[1]:
        return [t for t in known[2] if start < t <= until]
    horizon = until + SLACK
    times = run_times(schedule_object(key), start, None, horizon, False)
    _simulated[key] = (start, horizon, times)
    return [t for t in times if t <= until]


@contextmanager
def kept(store: BuildStore | None, now: datetime, window: timedelta) -> Iterator[None]:
    """The block's simulations read from ``store`` first and written back after it when it made
    new ones (those that can still serve a window of ``window`` from ``now``)."""
    if store is None:
        yield
        return
    key = _entry_key(store.version)
    _merge(load_values(store.get(key) or b""), now)
    before = dict(_simulated)
    yield
    if _simulated != before:
        alive = {k: s for k, s in _simulated.items() if s[1] >= now + window}
        store.put(key, pickle.dumps((FORMAT, alive), protocol=pickle.HIGHEST_PROTOCOL))


def _merge(entry: object, now: datetime) -> None:
    """An entry's simulations, where they reach further than this process's own (an entry of
    another shape is a miss)."""
    if not (isinstance(entry, tuple) and len(entry) == 2 and entry[0] == FORMAT):
        return
    simulations = entry[1] if isinstance(entry[1], dict) else {}
    for key, simulation in simulations.items():
        if not _usable(simulation, now):
            continue
        mine = _simulated.get(key)
        if mine is None or mine[1] < simulation[1]:
            _simulated[key] = simulation


def _usable(simulation: object, now: datetime) -> bool:
    """A simulation from a start no later than ``now`` (one from a clock ahead of this one
    cannot serve a window from now), of aware datetimes."""
    if not (isinstance(simulation, tuple) and len(simulation) == 3):
        return False
    start, end, times = simulation
    if not (isinstance(start, datetime) and isinstance(end, datetime) and isinstance(times, list)):
        return False
    if start.tzinfo is None or end.tzinfo is None:
        return False
    return start <= now and all(isinstance(t, datetime) and t.tzinfo for t in times)


def _entry_key(version: str) -> str:
    """The key of this process's simulations entry: the code and the settings they depend on."""
    from celery import current_app
    from django.conf import settings

    from syncer.build_cache_store import files_version

    conf = current_app.conf
    here = Path(__file__).parent
    parts = [
        "simulations",
        FORMAT,
        version,
        files_version(
            [Path(__file__), here / "firetimes.py", *sorted((here / "kinds").glob("*.py"))]
        ),
        repr(conf.timezone),
        repr(conf.enable_utc),
        repr(conf.get("beat_cron_starting_deadline")),
        repr(settings.USE_TZ),
        repr(settings.TIME_ZONE),
        repr(getattr(settings, "DJANGO_CELERY_BEAT_TZ_AWARE", True)),
    ]
    return "simulations-" + hashlib.sha256("\0".join(parts).encode()).hexdigest()
