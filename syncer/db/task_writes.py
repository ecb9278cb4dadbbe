"""One task at a time: the writes behind the REST API (create, update, delete one row), on the
same rules as ``apply``.

The API is a thin shell over these three functions. Each one is one transaction that takes the
apply lock first, so it serialises with ``syncer apply`` and the daemon; schedule rows are resolved
by value and never mutated (other tasks on the same row keep their schedule); beat is notified
once, explicitly, because the writes are queryset writes that bypass django-celery-beat's signals
(as in ``apply``: one write path). Tasks listed in the ownership ledger are refused: their file is
the source of truth, and a change here would be reverted by the next apply anyway.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.db import IntegrityError, connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from syncer.core import rules
from syncer.core.errors import UserError
from syncer.core.kinds import ScheduleKey, kind_of
from syncer.core.scopes import DEFAULT_SCOPE
from syncer.core.state import TaskState, canonical_json
from syncer.db import changelog
from syncer.db.actual import row_state, schedule_key
from syncer.db.kinds import KINDS, NO_SCHEDULE
from syncer.db.lock import locked_transaction
from syncer.db.writes import (
    delete_tasks,
    next_run,
    notify_beat,
    prune_unused_schedules,
    resolve_schedules,
    task_columns,
)
from syncer.models import ManagedTask


class TaskNotFound(UserError):
    pass


class TaskManaged(UserError):
    """The task is declared in a schedule file: that file, not the API, is where it changes."""

    def __init__(self, ledger: ManagedTask) -> None:
        self.source = ledger.source if ledger.source_line else ledger.source_path
        self.revision = ledger.revision
        self.scope = ledger.scope
        revision = f" (revision {self.revision})" if self.revision else ""
        # The default scope is not named: a database with one owner never sees scopes.
        owner = "" if self.scope == DEFAULT_SCOPE else f"scope `{self.scope}`, "
        super().__init__(f"managed by {owner}{self.source}{revision}: edit that file instead")


class NameTaken(UserError):
    field = "name"


class InvalidTask(UserError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Current:
    """A row as the writer sees it: its declared state and the schedule row it points at."""

    id: int
    state: TaskState
    schedule_id: int | None
    ledger: ManagedTask | None


def read_task(task_id: int, *, for_update: bool = False) -> Current:
    rows = PeriodicTask.objects.select_related(*(kind.fk for kind in KINDS.values()))
    if for_update:
        # Lock the task row only; MariaDB has no ``FOR UPDATE OF`` and locks the joined schedule
        # rows too, which is harmless: every writer holds the apply lock already.
        of = ("self",) if connection.features.has_select_for_update_of else ()
        rows = rows.select_for_update(of=of)
    row = rows.filter(pk=task_id).first()
    if row is None:
        raise TaskNotFound(f"no periodic task with id {task_id}")
    schedule, schedule_id = schedule_of(row)
    ledger = ManagedTask.objects.filter(task_id=row.pk).first()
    return Current(int(row.pk), state_of(row, schedule), schedule_id, ledger)


def schedule_of(row: PeriodicTask) -> tuple[ScheduleKey, int | None]:
    """The row's schedule as a value, and the id of the schedule row (no query when joined)."""
    for kind in KINDS.values():
        schedule = getattr(row, kind.fk)
        if schedule is not None:
            return schedule_key(
                kind, tuple(getattr(schedule, c) for c in kind.columns)
            ), schedule.pk
    return NO_SCHEDULE, None


def state_of(row: PeriodicTask, schedule: ScheduleKey) -> TaskState:
    """The same mapping as the plan's, except that text which is not JSON (written by hand
    elsewhere) is kept as it is, so that a write of other fields does not alter it."""
    return row_state(vars(row), schedule, _keep_invalid_json)


def create_task(state: TaskState) -> int:
    _check(state)
    try:
        with locked_transaction():
            now = timezone.now()
            _ensure_name_free(state.name, None)
            schedule_id = resolve_schedules([state.schedule], now)[state.schedule]
            row = PeriodicTask(name=state.name, **task_columns(state, schedule_id))
            PeriodicTask.objects.bulk_create([row])
            if row.pk is None:  # a backend that cannot return ids from a bulk insert
                row.pk = PeriodicTask.objects.values_list("pk", flat=True).get(name=state.name)
            changelog.append([(int(row.pk), state.name)], notify_beat(now))
    except IntegrityError as exc:  # a writer that does not take the lock (the admin) went first
        _raise_if_name_taken(state.name, None, exc)
        raise
    return int(row.pk)


def update_task(task_id: int, changes: Mapping[str, Any]) -> bool:
    """Apply ``changes`` (TaskState fields) to the task; False when they change nothing."""
    try:
        with locked_transaction():
            now = timezone.now()
            current = _writable(task_id)
            after = _check(replace(current.state, **changes))
            if after == current.state:
                return False
            _ensure_name_free(after.name, task_id)
            schedule_id = current.schedule_id
            if after.schedule != current.state.schedule or schedule_id is None:
                schedule_id = resolve_schedules([after.schedule], now)[after.schedule]
            columns = task_columns(after, schedule_id)
            columns.update(name=after.name, date_changed=now, **next_run(current.state, after, now))
            PeriodicTask.objects.filter(pk=task_id).update(**columns)
            prune_unused_schedules()
            changelog.append([(task_id, after.name)], notify_beat(now))
    except IntegrityError as exc:
        _raise_if_name_taken(changes.get("name"), task_id, exc)
        raise
    return True


def delete_task(task_id: int) -> None:
    with locked_transaction():
        now = timezone.now()
        current = _writable(task_id)
        delete_tasks([task_id])
        prune_unused_schedules()
        changelog.append([(task_id, current.state.name)], notify_beat(now))


def _writable(task_id: int) -> Current:
    current = read_task(task_id, for_update=True)
    if current.ledger is not None:
        raise TaskManaged(current.ledger)
    return current


def _check(state: TaskState) -> TaskState:
    """The rules django-celery-beat checks only in Python (``save()``): the core's task rules."""
    if state.schedule == NO_SCHEDULE:
        raise InvalidTask("schedule", "a schedule is required")
    for field, message in rules.state_problems(state, kind_of(state.schedule)):
        raise InvalidTask(field, message)
    return state


def _ensure_name_free(name: str, task_id: int | None) -> None:
    taken = PeriodicTask.objects.filter(name=name)
    if task_id is not None:
        taken = taken.exclude(pk=task_id)
    if taken.exists():
        raise NameTaken(f"a periodic task named {name!r} already exists")


def _raise_if_name_taken(name: object, task_id: int | None, exc: IntegrityError) -> None:
    if isinstance(name, str):
        try:
            _ensure_name_free(name, task_id)
        except NameTaken as taken:
            raise taken from exc


def _keep_invalid_json(text: str | None, empty: str) -> str:
    """Canonical JSON; text that is not JSON (written by hand elsewhere) is kept as it is."""
    if not text:
        return empty
    try:
        return canonical_json(json.loads(text))
    except ValueError:
        return text
