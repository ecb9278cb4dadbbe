"""The write helpers shared by ``apply`` and the REST API: schedule rows by value, task columns,
the single beat notification, and the clean-up of schedule rows nobody uses any more.

Schedule rows are never mutated: a task whose schedule changes points at an existing equal row (the
oldest, when duplicates exist) or a new one. Every function here runs inside the caller's
transaction and issues a number of statements that does not depend on the number of tasks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from syncer.core.kinds import ScheduleKey
from syncer.core.state import PLAIN_FIELDS, TaskState
from syncer.db import bulk
from syncer.db.kinds import KINDS, ScheduleTable
from syncer.models import ManagedSchedule, ManagedTask, Pause, RunPolicy

PLAIN_COLUMNS = PLAIN_FIELDS
FK_COLUMNS = tuple(f"{kind.fk}_id" for kind in KINDS.values())
FILTER_MAX_KEYS = 50


def resolve_schedules(keys: Iterable[ScheduleKey], now: datetime) -> dict[ScheduleKey, int]:
    """Row ids for schedule values: existing equal rows, else new rows (recorded as ours)."""
    wanted: dict[str, set[ScheduleKey]] = defaultdict(set)
    for key in keys:
        wanted[key.kind].add(key)
    resolved: dict[ScheduleKey, int] = {}
    for kind_name, kind_keys in wanted.items():
        kind = KINDS[kind_name]
        existing: dict[ScheduleKey, int] = {}
        rows = kind.model.objects.order_by("-id")
        if len(kind_keys) <= FILTER_MAX_KEYS:  # a few values: fetch only the equal rows
            match = Q()
            for key in kind_keys:
                match |= Q(**kind.to_columns(key))
            rows = rows.filter(match)
        for row in rows.values_list("id", *kind.columns).iterator(chunk_size=5000):
            existing[kind.to_key(row[1:])] = row[0]  # descending ids: the oldest row wins
        missing = [key for key in kind_keys if key not in existing]
        if missing:
            created = _create_schedules(kind, missing)
            bulk.insert(
                ManagedSchedule,
                ("kind", "schedule_id", "created_at"),
                [(kind_name, pk, now) for pk in created.values()],
            )
            existing.update(created)
        resolved.update({key: existing[key] for key in kind_keys})
    return resolved


def _create_schedules(kind: ScheduleTable, keys: list[ScheduleKey]) -> dict[ScheduleKey, int]:
    """Insert one row per key; their ids, read back through the ORM (three statements whatever
    the number of keys). The RETURNING clause gives ids, not keys (rows come back in no particular
    order, and without the ORM's conversions): the new rows are those from the first new id on.
    A row another writer inserted meanwhile with the same values may be taken for ours (the
    oldest wins): it is then shared, as any equal row would be, and pruned only once unused."""
    columns = kind.columns
    ids = bulk.insert(
        kind.model,
        columns,
        [[kind.to_columns(key)[column] for column in columns] for key in keys],
        returning=("id",),
    )
    first = min(int(row[0]) for row in ids)
    wanted = set(keys)
    created: dict[ScheduleKey, int] = {}
    rows = kind.model.objects.filter(pk__gte=first).order_by("-id").values_list("id", *columns)
    for row in rows.iterator(chunk_size=5000):
        key = kind.to_key(row[1:])
        if key in wanted:
            created[key] = row[0]  # descending ids: the oldest row wins
    return created


def task_columns(state: TaskState, schedule_id: int) -> dict[str, Any]:
    """The PeriodicTask column values for a declared state, normalised as ``save()`` would."""
    columns: dict[str, Any] = {column: getattr(state, column) for column in PLAIN_COLUMNS}
    columns.update({column: None for column in FK_COLUMNS})
    columns[f"{KINDS[state.schedule.kind].fk}_id"] = schedule_id
    return columns


def next_run(before: TaskState, after: TaskState, now: datetime) -> dict[str, datetime | None]:
    """The next-run policy (no surprise catch-up run), as the ``last_run_at`` to write, if any:
    a schedule change or a re-enable counts from ``now``; disabling clears it, as
    django-celery-beat's own ``save()`` does."""
    if not after.enabled:
        return {"last_run_at": None} if before.enabled or after.schedule != before.schedule else {}
    if after.schedule != before.schedule or not before.enabled:
        return {"last_run_at": now}
    return {}


def notify_beat(now: datetime) -> datetime:
    """Bump ``PeriodicTasks.last_update`` once, strictly past its stored value, so beat reloads;
    return the value written (the change log's tag, ``syncer.db.changelog``).

    ``bulk_create`` and ``QuerySet.update`` bypass the signals that normally do this.
    """
    row = PeriodicTasks.objects.select_for_update().filter(ident=1).first()
    if row is None:
        PeriodicTasks.objects.create(ident=1, last_update=now)
        return now
    stamp: datetime = max(now, row.last_update + timedelta(milliseconds=1))
    PeriodicTasks.objects.filter(ident=1).update(last_update=stamp)
    return stamp


POLICY_COLUMNS = ("task_id", "starting_deadline_us", "overlap", "jitter_us", "grace_us")
_DEFAULT_POLICY = (None, "allow", None, None)


def write_policies(tasks: list[tuple[int, TaskState]]) -> None:
    """The run policies of these tasks (``RunPolicy``): a row for each task whose policy is not
    the default, none for the others. Two statements whatever the number of tasks."""
    if not tasks:
        return
    bulk.delete(RunPolicy, "task_id", [task_id for task_id, _ in tasks])
    rows = []
    for task_id, state in tasks:
        values = policy_values(state)
        if values is not None:
            rows.append((task_id, *values))
    bulk.insert(RunPolicy, POLICY_COLUMNS, rows)


def policy_values(state: TaskState) -> tuple[int | None, str, int | None, int | None] | None:
    """A task's ``RunPolicy`` row (the columns after ``task_id``), or None for the default
    policy, which has no row."""
    if (state.starting_deadline, state.overlap, state.jitter, state.grace) == _DEFAULT_POLICY:
        return None
    return _us(state.starting_deadline), state.overlap, _us(state.jitter), _us(state.grace)


def _us(value: timedelta | None) -> int | None:
    return None if value is None else value // timedelta(microseconds=1)


def prune_unused_schedules() -> int:
    """Delete schedule rows the syncer created that no task uses any more.

    A schedule row CASCADE-deletes its tasks, so the "unused" test and the delete are one
    statement, and rows the syncer did not create are never touched.
    """
    removed = 0
    for kind in KINDS.values():
        ours = ManagedSchedule.objects.filter(kind=kind.name).values("schedule_id")
        used = PeriodicTask.objects.filter(**{f"{kind.fk}_id": OuterRef("pk")})
        unused = kind.model.objects.filter(pk__in=ours).exclude(Exists(used))
        removed += unused._raw_delete(unused.db)
        gone = kind.model.objects.filter(pk=OuterRef("schedule_id"))
        stale = ManagedSchedule.objects.filter(kind=kind.name).exclude(Exists(gone))
        stale._raw_delete(stale.db)
    return removed


def delete_tasks(ids: list[int]) -> None:
    """Delete tasks without the per-row signals (one notification is sent by the caller)."""

    if not ids:
        return
    bulk.delete(ManagedTask, "task_id", ids)
    bulk.delete(RunPolicy, "task_id", ids)
    bulk.delete(Pause, "task_id", ids)
    bulk.delete(PeriodicTask, "id", ids)
