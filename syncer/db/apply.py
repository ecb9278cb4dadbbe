"""Plan -> the schedule tables, in ONE transaction, under the apply lock.

The plan is computed outside the lock first: a no-op apply takes no lock and writes nothing.
Otherwise the snapshot is read again under the lock and the plan recomputed, so that what is
written is based on what is there, even if another writer went first.

Next-run policy (no surprise catch-up run): when a task's schedule changes, or a disabled task is
enabled, ``last_run_at`` is set to the apply time, so beat counts the next run from now (an
interval runs one full interval after the apply; a cron at its next fire time after the apply).
Disabling a task clears ``last_run_at``, as django-celery-beat's own ``save()`` does. Other
runtime fields (``total_run_count``, ...) are never written.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from syncer.core.desired import DesiredTask
from syncer.core.diff import compute
from syncer.core.errors import PlanMismatch
from syncer.core.gc_pause import gc_paused
from syncer.core.kinds import ScheduleKey
from syncer.core.plan import Action, Change, LedgerRefresh, Plan
from syncer.core.scopes import Scope
from syncer.db import bulk, changelog, names, pause_writes
from syncer.db.actual import Snapshot, read_snapshot
from syncer.db.lock import locked_transaction
from syncer.db.writes import (
    FK_COLUMNS,
    PLAIN_COLUMNS,
    delete_tasks,
    next_run,
    notify_beat,
    prune_unused_schedules,
    resolve_schedules,
    task_columns,
    write_policies,
)
from syncer.models import ApplyRecord, ManagedTask


@dataclass(frozen=True)
class Audit:
    revision: str = ""
    applied_by: str = ""
    source: str = ""


@dataclass
class Outcome:
    plan: Plan
    written: bool = False
    record_id: int | None = None
    snapshot: Snapshot = field(default_factory=Snapshot)
    # ``apply --plan FILE`` of a plan that an earlier apply wrote, and nothing left to write:
    # that apply's record (a re-run of the same pipeline step is a success, not a stale plan).
    already_applied: ApplyRecord | None = None


def make_plan(
    desired: dict[str, DesiredTask], now: datetime | None = None, scope: Scope = Scope()
) -> tuple[Plan, Snapshot]:
    """The plan of ``scope``; raises ``ValidationFailed`` when it declares names that other
    scopes own (located at each declaration)."""
    # Reading the rows creates a few objects per task and keeps them: the collector's passes
    # would walk the whole heap and free nothing (100,000 tasks: seconds).
    with gc_paused():
        snapshot = read_snapshot(desired)
        plan = compute(
            desired,
            snapshot.states,
            snapshot.ledger,
            now or timezone.now(),
            scope,
            pauses=snapshot.pauses,
        )
    plan.raise_if_conflicts()
    return plan, snapshot


def apply(
    desired: dict[str, DesiredTask],
    *,
    force: bool = False,
    allow_empty: bool = False,
    audit: Audit = Audit(),
    expected_checksum: str | None = None,
    before_write: Callable[[Plan, Snapshot], None] | None = None,
    scope: Scope = Scope(),
    plan_first: bool = True,
    checksum: Callable[[Plan], str] = Plan.checksum,
) -> Outcome:
    """Apply the plan of ``scope``. Every scope serialises on the one apply lock: the plan is
    recomputed under it, so an apply of another scope that went first is seen (its new rows are
    that scope's, never created twice nor pruned). ``plan_first``: plan once without the lock
    first, to leave a plan that writes nothing without taking it (False when a write is likely:
    the files changed since the last apply). ``checksum``: of the plan written, for its record
    (the CLI's comes from the helper that renders the plan, ``syncer.cli.rendered_ahead``)."""
    if plan_first:
        plan, snapshot = make_plan(desired, scope=scope)
        if expected_checksum is not None and plan.writes_nothing:
            done = _applied_before(expected_checksum, scope.name)
            if done is not None:
                return Outcome(plan, False, None, snapshot, already_applied=done)
        _check_expected(plan, expected_checksum)
        plan.raise_if_unsafe(force=force, allow_empty=allow_empty)
        if plan.writes_nothing:
            return Outcome(plan, False, None, snapshot)
    try:
        with locked_transaction():
            now = timezone.now()
            plan, snapshot = make_plan(desired, now, scope)
            _check_expected(plan, expected_checksum)
            plan.raise_if_unsafe(force=force, allow_empty=allow_empty)
            if plan.writes_nothing:
                return Outcome(plan, False, None, snapshot)
            if before_write is not None:
                before_write(plan, snapshot)
            with gc_paused():
                record_id = _write(plan, snapshot, now, audit, checksum)
            _failpoint()
    except IntegrityError as exc:
        clash = names.clash(exc)
        if clash is None:
            raise
        raise clash from exc
    return Outcome(plan, True, record_id, snapshot)


def _failpoint() -> None:
    """Fault-injection hook for the reliability tests: hold the finished, uncommitted transaction
    (and the apply lock) for ``SYNCER_FAILPOINT_BEFORE_COMMIT`` seconds, so that a test can kill
    the process mid-transaction or start a concurrent apply. Unset in production."""
    delay = os.environ.get("SYNCER_FAILPOINT_BEFORE_COMMIT")
    if delay:
        logging.getLogger(__name__).warning("failpoint: holding the transaction %s s", delay)
        time.sleep(float(delay))


def _applied_before(checksum: str, scope: str) -> ApplyRecord | None:
    records = ApplyRecord.objects.filter(checksum=checksum, scope=scope)
    return records.order_by("-applied_at", "-id").first()


def _check_expected(plan: Plan, expected: str | None) -> None:
    if expected is not None and plan.checksum() != expected:
        raise PlanMismatch(
            "the schedule changed since the plan was reviewed: its checksum is "
            f"{plan.checksum()[:12]}, the reviewed plan's is {expected[:12]}. "
            "Plan again and review."
        )


def _write(
    plan: Plan, snapshot: Snapshot, now: datetime, audit: Audit, checksum: Callable[[Plan], str]
) -> int:
    by_action: dict[Action, list[Change]] = {}
    for change in plan.changes:
        by_action.setdefault(change.action, []).append(change)

    schedule_changes = [c for c in plan.changes if c.after is not None and "schedule" in _fields(c)]
    schedule_ids = resolve_schedules({c.after.schedule for c in schedule_changes if c.after}, now)

    # Deletes first: they free their names for the creates and renames of the same plan (on
    # MySQL/MariaDB 'report' and 'Report' are one name: a change of case is a delete + create).
    delete_tasks([snapshot.ids[c.name] for c in by_action.get(Action.DELETE, [])])
    created = _create(by_action.get(Action.CREATE, []), schedule_ids, now)
    ids = dict(snapshot.ids)
    ids.update(created)
    _update(
        [c for c in plan.changes if c.action in _ROW_UPDATES and c.fields],
        snapshot,
        schedule_ids,
        now,
    )
    for change in plan.changes:
        if change.previous_name is not None:  # a rename (or a take-over that renames)
            ids[change.name] = snapshot.ids[change.previous_name]
    _record_ownership(plan, ids, now, audit)
    pause_writes.end_expired(plan.expired_pauses, snapshot.ids, now)
    pause_writes.log_deleted(
        [
            snapshot.pauses[c.name]
            for c in by_action.get(Action.DELETE, [])
            if c.name in snapshot.pauses
        ],
        now,
        audit.applied_by,
    )
    write_policies([(ids[c.name], c.after) for c in plan.changes if c.after is not None])
    if plan.changes:
        prune_unused_schedules()
        stamp = notify_beat(now)
        changelog.append(_written(plan, snapshot.ids, ids), stamp)
    summary = plan.summary()
    record = ApplyRecord.objects.create(
        applied_at=now,
        revision=audit.revision,
        applied_by=audit.applied_by,
        source=audit.source,
        checksum=checksum(plan),
        created=summary["create"],
        updated=summary["update"],
        deleted=summary["delete"],
        adopted=summary["adopt"],
        renamed=summary["rename"],
        unchanged=summary["unchanged"],
        taken_over=summary["take-over"],
        scope=plan.scope,
    )
    return int(record.pk)


def _written(plan: Plan, before: dict[str, int], after: dict[str, int]) -> list[tuple[int, str]]:
    """(id, name) of every task row the plan wrote, for beat's change log."""
    rows: list[tuple[int, str]] = []
    for change in plan.changes:
        if change.action == Action.DELETE:
            rows.append((before[change.name], change.name))
        else:
            rows.append((after[change.name], change.name))
    return rows


def _fields(change: Change) -> tuple[str, ...]:
    return ("schedule",) if change.action == Action.CREATE else change.fields


def _create(
    changes: list[Change], schedule_ids: dict[ScheduleKey, int], now: datetime
) -> dict[str, int]:
    """One INSERT for all new tasks; every column as ``PeriodicTask(...)`` would fill it."""
    if not changes:
        return {}
    fixed = {"last_run_at": None, "total_run_count": 0, "date_changed": now}
    columns = ["name", *PLAIN_COLUMNS, *FK_COLUMNS, *fixed]
    rows = []
    for change in changes:
        assert change.after is not None
        values = task_columns(change.after, schedule_ids[change.after.schedule])
        values.update(fixed, name=change.name)
        rows.append([values[column] for column in columns])
    created = bulk.insert(PeriodicTask, columns, rows, returning=("name", "id"))
    return {name: int(pk) for name, pk in created}


def _update(
    changes: list[Change],
    snapshot: Snapshot,
    schedule_ids: dict[ScheduleKey, int],
    now: datetime,
) -> None:
    """Write every declared column of each changed row; two statements: rows with or without a
    reset of ``last_run_at`` (see the next-run policy above)."""
    columns = ["name", "date_changed", *PLAIN_COLUMNS, *FK_COLUMNS]
    plain: list[list[object]] = []
    reset: list[list[object]] = []
    for change in changes:
        assert change.after is not None and change.before is not None
        kind_id = snapshot.schedule_ids.get(change.previous_name or change.name)
        schedule_id = (
            schedule_ids[change.after.schedule] if "schedule" in change.fields else kind_id[1]  # type: ignore[index]
        )
        values = task_columns(change.after, schedule_id)
        values.update(name=change.name, date_changed=now)
        row = [snapshot.ids[change.previous_name or change.name], *(values[c] for c in columns)]
        policy = next_run(change.before, change.after, now)
        if policy:
            reset.append([*row, policy["last_run_at"]])
        else:
            plain.append(row)
    bulk.update(PeriodicTask, "id", columns, plain)
    bulk.update(PeriodicTask, "id", [*columns, "last_run_at"], reset)


def _record_ownership(plan: Plan, ids: dict[str, int], now: datetime, audit: Audit) -> None:
    """The ledger entry of every row a change writes, adopts or takes over, and of the rows whose
    entry is out of date: from the plan alone, so that the checksum covers it. Every entry is
    recorded in the plan's scope: a take-over moves the row's entry in this transaction."""
    entries: list[Change | LedgerRefresh] = [c for c in plan.changes if c.after is not None]
    entries.extend(plan.ledger_refresh)
    if not entries:
        return
    # A row this plan creates has no entry yet (a new id): only the others' are replaced.
    bulk.delete(
        ManagedTask,
        "task_id",
        [ids[e.name] for e in entries if not (isinstance(e, Change) and e.action == Action.CREATE)],
    )

    def rows() -> Iterator[tuple[Any, ...]]:  # one at a time: the applied states are large
        for entry in entries:
            state = entry.ledger_state if isinstance(entry, Change) else entry.state
            assert state is not None and entry.source is not None
            source = entry.source
            row = (ids[entry.name], source.path, source.line, entry.spec_hash, audit.revision, now)
            yield (*row, state.to_json(), plan.scope)

    bulk.insert(ManagedTask, _LEDGER_COLUMNS, rows())


_ROW_UPDATES = frozenset({Action.UPDATE, Action.ADOPT, Action.RENAME, Action.TAKE_OVER})
_LEDGER_COLUMNS = (
    "task_id",
    "source_path",
    "source_line",
    "spec_hash",
    "revision",
    "applied_at",
    "applied_state",
    "scope",
)
