"""The live rows -> the same ``TaskState`` shape as the files: the only DB read while planning.

Three queries whatever the number of tasks: the tasks with their schedules (one join), the
ownership ledger, and the pauses.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from django_celery_beat.models import PeriodicTask

from syncer.core.errors import Location
from syncer.core.kinds import ScheduleKey
from syncer.core.pauses import Pause
from syncer.core.plan import LedgerEntry
from syncer.core.state import PLAIN_FIELDS, TaskState, canonical_json
from syncer.db.kinds import KINDS, NO_SCHEDULE, ScheduleTable
from syncer.models import ManagedTask
from syncer.models import Pause as PauseRow

_POLICY_COLUMNS = ("starting_deadline_us", "overlap", "jitter_us", "grace_us")
_TASK_COLUMNS = (
    "id",
    "name",
    *PLAIN_FIELDS,
    *(f"syncer_run_policy__{column}" for column in _POLICY_COLUMNS),
)
_SCHEDULE_COLUMNS = tuple(
    f"{kind.fk}__{column}" for kind in KINDS.values() for column in ("id", *kind.columns)
)


@dataclass
class Snapshot:
    states: dict[str, TaskState] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    schedule_ids: dict[str, tuple[str, int] | None] = field(
        default_factory=dict
    )  # name -> (kind, id)
    ledger: dict[str, LedgerEntry] = field(default_factory=dict)  # the managed rows
    pauses: dict[str, Pause] = field(default_factory=dict)  # by task name, expired ones too


def read_snapshot() -> Snapshot:
    snapshot = Snapshot()
    # Thousands of rows share a few hundred schedule rows: each one's key is built once.
    schedules: dict[tuple[Any, ...], tuple[ScheduleKey, tuple[str, int] | None]] = {}
    for row in PeriodicTask.objects.values_list(*_TASK_COLUMNS, *_SCHEDULE_COLUMNS).iterator(
        chunk_size=5000
    ):
        values = dict(zip(_TASK_COLUMNS, row[: len(_TASK_COLUMNS)], strict=True))
        columns = row[len(_TASK_COLUMNS) :]
        known = schedules.get(columns)
        if known is None:
            known = schedules[columns] = _schedule(columns)
        schedule, schedule_id = known
        name = values["name"]
        snapshot.ids[name] = values["id"]
        snapshot.schedule_ids[name] = schedule_id
        snapshot.states[name] = row_state(values, schedule)
    for name, path, line, spec_hash, enabled, scope, revision in ManagedTask.objects.values_list(
        "task__name",
        "source_path",
        "source_line",
        "spec_hash",
        "applied_state__enabled",
        "scope",
        "revision",
    ):
        applied = enabled if isinstance(enabled, bool) else None
        where = Location(path, line or 0)
        snapshot.ledger[name] = LedgerEntry(where, spec_hash, applied, scope, revision)
    snapshot.pauses = read_pauses()
    return snapshot


def read_pauses() -> dict[str, Pause]:
    """Every pause (expired ones too: the next apply removes them), by task name."""
    pauses: dict[str, Pause] = {}
    for name, reason, by, at, until, scope in PauseRow.objects.values_list(
        "task__name", "reason", "paused_by", "paused_at", "until", "task__managed_by_syncer__scope"
    ):
        pauses[name] = Pause(name, reason, by, at, until, scope or "")
    return pauses


def row_state(
    values: Mapping[str, Any],
    schedule: ScheduleKey,
    json_text: Callable[[str | None, str], str] | None = None,
) -> TaskState:
    """A PeriodicTask's column values -> TaskState (``json_text``: how to read the JSON columns;
    the plan marks invalid JSON so that it never equals a declaration)."""
    text = json_text or _canonical
    return TaskState(
        name=values["name"],
        task=values["task"],
        schedule=schedule,
        args=text(values["args"], "[]"),
        kwargs=text(values["kwargs"], "{}"),
        queue=values["queue"] or None,
        exchange=values["exchange"] or None,
        routing_key=values["routing_key"] or None,
        priority=values["priority"],
        headers=text(values["headers"], "{}"),
        expires=values["expires"],
        expire_seconds=values["expire_seconds"],
        start_time=values["start_time"],
        one_off=values["one_off"],
        enabled=values["enabled"],
        description=values["description"] or "",
        starting_deadline=_duration(values.get("syncer_run_policy__starting_deadline_us")),
        overlap=values.get("syncer_run_policy__overlap") or "allow",
        jitter=_duration(values.get("syncer_run_policy__jitter_us")),
        grace=_duration(values.get("syncer_run_policy__grace_us")),
    )


def _duration(microseconds: int | None) -> timedelta | None:
    return None if microseconds is None else timedelta(microseconds=microseconds)


def schedule_key(kind: ScheduleTable, columns: tuple[Any, ...]) -> ScheduleKey:
    """A schedule row's column values -> its canonical key, as the plan compares it (intervals
    in the files' form)."""
    return kind.comparable(kind.to_key(columns))


def _schedule(values: tuple[object, ...]) -> tuple[ScheduleKey, tuple[str, int] | None]:
    offset = 0
    for kind in KINDS.values():
        width = 1 + len(kind.columns)
        part = values[offset : offset + width]
        offset += width
        if part[0] is not None:
            return schedule_key(kind, part[1:]), (kind.name, int(cast(int, part[0])))
    return NO_SCHEDULE, None


def _canonical(text: str | None, empty: str) -> str:
    if not text or text == empty:
        return empty  # most rows: no args, no headers (and "[]"/"{}" are their own canonical form)
    try:
        return canonical_json(json.loads(text))
    except ValueError:
        return f"<invalid JSON> {text}"
