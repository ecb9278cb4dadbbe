"""Run health of the live rows: for each task, the slots its schedule had due since its last run
(``last_run_at``, as django-celery-beat records it, also with the companion scheduler) and its
next slot, judged by ``syncer.core.health``.

Slots come from beat's own schedule objects (``syncer.db.firetimes``). An interval's are
arithmetic from its phase; any other schedule's are simulated once per distinct schedule, from the
earliest last run among its tasks to now, and each task takes those after its own last run. A
task that never ran counts from ``date_changed``, as beat does (``ModelEntry``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max
from django_celery_beat.models import PeriodicTask

from syncer.core.health import Health, Slots, judge
from syncer.core.kinds import ScheduleKey, kind_of
from syncer.core.scopes import DEFAULT_SCOPE
from syncer.db.actual import Snapshot, read_snapshot
from syncer.db.firetimes import run_times, schedule_object
from syncer.models import SlotClaim

MAX_DUE = 1000  # slots simulated past a last run: enough to tell "missed" from "late"
# Celery's beat writes the last runs of its entries back to the table every three minutes
# (``Scheduler.sync_every``): without a claim to go by, a last run may be that old.
BEAT_SYNC_LAG = timedelta(minutes=3)


@dataclass(frozen=True)
class Row:
    name: str
    key: ScheduleKey
    queue: str | None
    enabled: bool
    phase: datetime  # last_run_at, else date_changed
    ran_before: bool
    grace: timedelta | None
    one_off: bool
    lag: timedelta = timedelta(0)


def read_health(
    now: datetime,
    names: Iterable[str] | None = None,
    snapshot: Snapshot | None = None,
    paused: frozenset[str] | None = None,
) -> list[Health]:
    """The health of the named tasks (all of them when ``names`` is None); ``paused``: the tasks
    paused now (default: the snapshot's pauses in force)."""
    snapshot = snapshot or read_snapshot()
    if paused is None:
        paused = frozenset(n for n, pause in snapshot.pauses.items() if pause.active(now))
    wanted = set(snapshot.states) if names is None else set(names) & set(snapshot.states)
    runtime = {
        name: (last, changed, count)
        for name, last, changed, count in PeriodicTask.objects.values_list(
            "name", "last_run_at", "date_changed", "total_run_count"
        ).iterator(chunk_size=5000)
    }
    claimed = last_claims()
    rows = []
    for name in sorted(wanted):
        state = snapshot.states[name]
        last, changed, count = runtime.get(name, (None, now, 0))
        slot = claimed.get(name)
        phase = max(filter(None, (last, slot))) if (last or slot) else (changed or now)
        rows.append(
            Row(
                name,
                state.schedule,
                state.queue,
                state.enabled,
                phase,
                last is not None or slot is not None or bool(count),
                state.grace,
                state.one_off,
                timedelta(0) if slot is not None else BEAT_SYNC_LAG,
            )
        )
    return judge_rows(rows, now, paused)


def last_claims() -> dict[str, datetime]:
    """The latest slot the companion scheduler decided for each task (sent or skipped by a
    policy): fresher than ``last_run_at``, which beat writes back every few minutes."""
    latest = SlotClaim.objects.values("name").annotate(last=Max("slot"))
    return {row["name"]: row["last"] for row in latest}


def judged_names(snapshot: Snapshot, scope: str) -> list[str]:
    """The tasks whose runs a scope watches: its own; for the default scope, also the rows no
    file declares (beat runs them too, and a database with one owner has no other)."""
    return [
        name
        for name in snapshot.states
        if ((entry := snapshot.ledger.get(name)) is not None and entry.scope == scope)
        or (entry is None and scope == DEFAULT_SCOPE)
    ]


def judge_rows(rows: list[Row], now: datetime, paused: frozenset[str]) -> list[Health]:
    slots = _slots(rows, now)
    return [
        judge(
            row.name,
            slots=slots[row.name],
            now=now,
            last_run_at=row.phase if row.ran_before else None,
            ran_before=row.ran_before,
            grace=row.grace,
            queue=row.queue,
            enabled=row.enabled,
            paused=row.name in paused,
            lag=row.lag,
        )
        for row in rows
    ]


def _slots(rows: list[Row], now: datetime) -> dict[str, Slots]:
    out: dict[str, Slots] = {}
    by_key: dict[tuple[ScheduleKey, bool], list[Row]] = {}
    for row in rows:
        period = row.key.fixed_period()
        if period is not None and not row.one_off:
            out[row.name] = _periodic(row.phase, period, now)
        else:
            by_key.setdefault((row.key, row.one_off), []).append(row)
    for (key, one_off), members in by_key.items():
        once = one_off or kind_of(key).runs_once
        start = min(row.phase for row in members)
        times = run_times(schedule_object(key), start, MAX_DUE, now, once)
        upcoming = run_times(schedule_object(key), now, 1, None, once)
        next_run = upcoming[0] if upcoming else None
        for row in members:
            due = times[bisect.bisect_right(times, row.phase) :]
            out[row.name] = Slots(_few(due), next_run)
    return out


def _periodic(phase: datetime, period: timedelta, now: datetime) -> Slots:
    count = max(0, int((now - phase) / period))
    due = [phase + period * k for k in range(1, min(count, 2) + 1)]
    if count > 2:
        due.append(phase + period * count)
    return Slots(tuple(due), phase + period * (count + 1))


def _few(due: list[datetime]) -> tuple[datetime, ...]:
    """The first two due slots (is one late? a second missed?) and the latest (the expected)."""
    return tuple(due) if len(due) <= 3 else (due[0], due[1], due[-1])
