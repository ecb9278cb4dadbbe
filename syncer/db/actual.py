"""The live rows -> the same ``TaskState`` shape as the files: the only DB read while planning.

Three queries whatever the number of tasks: the tasks with their schedules (one join), the
ownership ledger, and the pauses.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from operator import attrgetter
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import CharField, ExpressionWrapper, F, Field
from django.db.models.fields.json import KT
from django_celery_beat.models import PeriodicTask

from syncer.core.desired_task import DesiredTask
from syncer.core.errors import Location, UserError
from syncer.core.kinds import ScheduleKey
from syncer.core.pauses import Pause
from syncer.core.plan import LedgerEntry
from syncer.core.state import PLAIN_FIELDS, TaskState, canonical_json
from syncer.db.kinds import KINDS, NO_SCHEDULE, ScheduleTable
from syncer.db.writes import policy_values
from syncer.models import ManagedTask
from syncer.models import Pause as PauseRow

_POLICY_COLUMNS = ("starting_deadline_us", "overlap", "jitter_us", "grace_us")
# The columns a TaskState is read from, in the order ``_state`` takes them (a field added to
# TaskState adds a plain column here: ``_state`` then fails until it takes it too).
_STATE_COLUMNS = (
    "name",
    *PLAIN_FIELDS,
    *(f"syncer_run_policy__{column}" for column in _POLICY_COLUMNS),
)
_POLICY_START = 1 + len(PLAIN_FIELDS)
_TASK_COLUMNS = ("id", *_STATE_COLUMNS)


def _text_read() -> dict[tuple[str, str], Field[Any, Any]]:
    """Schedule columns whose field makes an object of the text it reads (django-timezone-field's
    zones): read as that text, which is what the key holds, the field's own conversion run once
    per distinct schedule row instead of once per task (``_checked``)."""
    fields: dict[tuple[str, str], Field[Any, Any]] = {}
    for kind in KINDS.values():
        for column in kind.columns:
            found = kind.model._meta.get_field(column)
            if hasattr(found, "from_db_value") and found.get_internal_type() == "CharField":
                fields[kind.name, column] = cast("Field[Any, Any]", found)
    return fields


_TEXT_READ = _text_read()


def _read(kind: ScheduleTable, column: str) -> str | ExpressionWrapper[Any]:
    path = f"{kind.fk}__{column}"
    if (kind.name, column) in _TEXT_READ:
        return ExpressionWrapper(F(path), output_field=CharField())
    return path


_SCHEDULE_COLUMNS = tuple(
    _read(kind, column) for kind in KINDS.values() for column in ("id", *kind.columns)
)
# The ledger's ``applied_state.enabled``, read as JSON text ('true'/'false' on every vendor).
_JSON_BOOLEANS = {"true": True, "false": False}


@dataclass
class Snapshot:
    states: dict[str, TaskState] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    schedule_ids: dict[str, tuple[str, int] | None] = field(
        default_factory=dict
    )  # name -> (kind, id)
    ledger: dict[str, LedgerEntry] = field(default_factory=dict)  # the managed rows
    pauses: dict[str, Pause] = field(default_factory=dict)  # by task name, expired ones too


def read_snapshot(declared: Mapping[str, DesiredTask] | None = None) -> Snapshot:
    """The rows, the ledger and the pauses. ``declared``: the declared tasks, by name: a row
    holding exactly the values the syncer writes for its declaration is read as that very state
    (the same object: no second state is made, and the diff compares the two at once), any
    other row as its own values say; and a JSON column holding a declared text is taken as it
    is, not parsed (declared texts are canonical)."""
    snapshot = Snapshot()
    declared = declared or {}
    # Thousands of rows share a few hundred schedule rows: each one's key is built once; and
    # their JSON columns a few distinct texts (no args, the same headers): each read once.
    schedules: dict[tuple[Any, ...], tuple[ScheduleKey, tuple[str, int] | None]] = {}
    text = _cached(_canonical, _declared_json(task.state for task in declared.values()))
    width = len(_TASK_COLUMNS)
    for row in PeriodicTask.objects.values_list(*_TASK_COLUMNS, *_SCHEDULE_COLUMNS).iterator(
        chunk_size=5000
    ):
        columns = row[width:]
        known = schedules.get(columns)
        if known is None:
            known = schedules[columns] = _schedule(columns)
        schedule, schedule_id = known
        values = row[1:width]  # the columns by position: no dict per row
        task = declared.get(values[0])
        state = task.state if task is not None else None
        if state is None or values != written_values(state) or schedule != state.schedule:
            state = _state(values, schedule, text)
        snapshot.ids[state.name] = row[0]
        snapshot.schedule_ids[state.name] = schedule_id
        snapshot.states[state.name] = state
    snapshot.ledger = read_ledger()
    snapshot.pauses = read_pauses()
    return snapshot


_plain_values = attrgetter(*PLAIN_FIELDS)
_NO_POLICY = (None, None, None, None)


def written_values(state: TaskState) -> tuple[Any, ...]:
    """The values of ``_STATE_COLUMNS`` in a row the syncer wrote for ``state`` (``_state`` of
    them is ``state`` again: ``tests/db/test_actual.py``)."""
    return (state.name, *_plain_values(state), *(policy_values(state) or _NO_POLICY))


def read_ledger() -> dict[str, LedgerEntry]:
    """The ownership ledger, by task name."""
    ledger: dict[str, LedgerEntry] = {}
    for name, path, line, spec_hash, enabled, scope, revision in ManagedTask.objects.values_list(
        "task__name",
        "source_path",
        "source_line",
        "spec_hash",
        # As text ('true'/'false' on every vendor): a JSON value would be parsed per row.
        KT("applied_state__enabled"),
        "scope",
        "revision",
    ):
        applied = _JSON_BOOLEANS.get(enabled)
        where = Location(path, line or 0)
        ledger[name] = LedgerEntry(where, spec_hash, applied, scope, revision)
    return ledger


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
    the plan marks invalid JSON so that it never equals a declaration). The run policies' columns
    may be missing (a row without its policy)."""
    columns = [values[column] for column in _STATE_COLUMNS[:_POLICY_START]]
    columns += [values.get(column) for column in _STATE_COLUMNS[_POLICY_START:]]
    return _state(columns, schedule, json_text or _canonical)


def _state(
    columns: Sequence[Any], schedule: ScheduleKey, text: Callable[[str | None, str], str]
) -> TaskState:
    """The values of ``_STATE_COLUMNS``, in that order -> TaskState."""
    (
        name,
        task,
        args,
        kwargs,
        queue,
        exchange,
        routing_key,
        priority,
        headers,
        expires,
        expire_seconds,
        start_time,
        one_off,
        enabled,
        description,
        starting_deadline_us,
        overlap,
        jitter_us,
        grace_us,
    ) = columns
    return TaskState(
        name=name,
        task=task,
        schedule=schedule,
        args=text(args, "[]"),
        kwargs=text(kwargs, "{}"),
        queue=queue or None,
        exchange=exchange or None,
        routing_key=routing_key or None,
        priority=priority,
        headers=text(headers, "{}"),
        expires=expires,
        expire_seconds=expire_seconds,
        start_time=start_time,
        one_off=one_off,
        enabled=enabled,
        description=description or "",
        starting_deadline=_duration(starting_deadline_us),
        overlap=overlap or "allow",
        jitter=_duration(jitter_us),
        grace=_duration(grace_us),
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
            schedule_id = int(cast(int, part[0]))
            _checked(kind, schedule_id, part[1:])
            return schedule_key(kind, part[1:]), (kind.name, schedule_id)
    return NO_SCHEDULE, None


def _checked(kind: ScheduleTable, schedule_id: int, values: Sequence[object]) -> None:
    """A value read as text that its field refuses (a time zone this machine's time-zone
    database does not know): an error naming the row, not a traceback."""
    for column, value in zip(kind.columns, values, strict=True):
        field = _TEXT_READ.get((kind.name, column))
        if field is None:
            continue
        try:
            field.to_python(value)
        except ValidationError as exc:
            raise UserError(
                f"{kind.model._meta.db_table} row {schedule_id}: {column} {value!r} is refused "
                f"on this machine ({' '.join(exc.messages)}): beat cannot build this schedule "
                "either. Correct the row, or update the time-zone database (`pip install -U "
                "tzdata`)"
            ) from None


def _declared_json(states: Iterable[TaskState]) -> set[str]:
    """The JSON columns' texts the files declare (canonical: ``build_task`` writes them so)."""
    texts: set[str] = set()
    for state in states:
        texts.update((state.args, state.kwargs, state.headers))
    return texts


def _canonical(text: str | None, empty: str) -> str:
    if not text or text == empty:
        return empty  # most rows: no args, no headers (and "[]"/"{}" are their own canonical form)
    try:
        return canonical_json(json.loads(text))
    except ValueError:
        return f"<invalid JSON> {text}"


def _cached(
    read: Callable[[str | None, str], str], canonical: Iterable[str] = ()
) -> Callable[[str | None, str], str]:
    """``read`` (a JSON column's text -> its canonical form), once per distinct text: the form
    of a text other than the column's empty value does not depend on the column. A text in
    ``canonical`` is its own form (canonicalising a canonical text gives it back)."""
    known: dict[str, str] = {text: text for text in canonical}

    def cached(text: str | None, empty: str) -> str:
        if not text or text == empty:
            return empty
        found = known.get(text)
        if found is None:
            found = known[text] = read(text, empty)
        return found

    return cached
