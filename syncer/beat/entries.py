"""Beat's entries: django-celery-beat's ``ModelEntry`` (so every task without a policy is due
exactly when ``DatabaseScheduler`` would run it: ``enabled``, ``start_time``, ``expires``,
``one_off``, the schedule) plus the task's run policy, its jitter offset, and a generation for
the heap (``syncer.beat.heap``).

Rows are read with their schedule row and their policy in one query (``select_related``), all
of them at start and on a rebuild, only the changed ones on a reload.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from celery.utils.time import maybe_make_aware
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from syncer.core.policy import DEFAULT_POLICY, Overlap, RunPolicy

RELATED = ("interval", "crontab", "solar", "clocked", "syncer_run_policy")
CHUNK = 2000


def policy_of(model: PeriodicTask) -> RunPolicy:
    try:
        row = model.syncer_run_policy
    except ObjectDoesNotExist:
        return DEFAULT_POLICY
    return RunPolicy(
        _duration(row.starting_deadline_us), Overlap(row.overlap), _duration(row.jitter_us)
    )


def _duration(microseconds: int | None) -> timedelta | None:
    return None if microseconds is None else timedelta(microseconds=microseconds)


class PolicyEntry(ModelEntry):  # type: ignore[misc]  # django-celery-beat ships no types
    """A ``ModelEntry`` with the task's run policy."""

    generation = 0
    total_run_count: int

    def __init__(self, model: PeriodicTask, app: Any = None) -> None:
        super().__init__(model, app=app)
        self.policy = policy_of(model)
        self.offset = self.policy.offset(model.name)

    @property
    def task_id(self) -> int:
        return int(self.model.pk)

    def last_run(self) -> datetime:
        """The last run time as an aware UTC datetime (naive values are UTC, as beat reads
        them)."""
        value: datetime = maybe_make_aware(self.last_run_at)
        return value.astimezone(UTC)

    def advance(self, anchor: datetime, counted: bool) -> None:
        """Record a decided slot: the schedule counts the next one from ``anchor``."""
        self.last_run_at = self.model.last_run_at = anchor
        if counted:
            self.total_run_count += 1
            self.model.total_run_count += 1

    def catch_up(self, last_run_at: datetime | None, total_run_count: int | None = None) -> None:
        """Take a later last-run time (and run count) known elsewhere: the table, a claim."""
        if last_run_at is not None and last_run_at > self.last_run():
            self.last_run_at = self.model.last_run_at = last_run_at
        if total_run_count is not None and total_run_count > self.total_run_count:
            self.total_run_count = self.model.total_run_count = total_run_count


def enabled_rows(ids: Iterable[int] | None = None) -> QuerySet[PeriodicTask]:
    rows: QuerySet[PeriodicTask] = PeriodicTask.objects.filter(enabled=True).select_related(
        *RELATED
    )
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows


def iter_models(ids: Iterable[int] | None = None) -> Iterator[PeriodicTask]:
    yield from enabled_rows(ids).iterator(chunk_size=CHUNK)


def runtime_rows() -> Iterator[tuple[int, datetime | None, int]]:
    """(id, last_run_at, total_run_count) of every enabled task: a new leader's catch-up."""
    rows = PeriodicTask.objects.filter(enabled=True).values_list(
        "id", "last_run_at", "total_run_count"
    )
    yield from rows.iterator(chunk_size=10 * CHUNK)
