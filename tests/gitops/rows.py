"""Live rows made through the ORM, as the admin or another tool would make them (not the syncer)."""

from __future__ import annotations

from typing import Any

from django_celery_beat.models import PeriodicTask

from syncer.core.state import TaskState
from syncer.db.kinds import KINDS


def schedule_row(state: TaskState) -> Any:
    """An existing equal schedule row, else a new one (solar rows are unique by value)."""
    kind = KINDS[state.schedule.kind]
    columns = kind.to_columns(state.schedule)
    return kind.model.objects.filter(**columns).first() or kind.model.objects.create(**columns)


def make_row(state: TaskState) -> PeriodicTask:
    """A PeriodicTask row holding ``state`` exactly (intervals in the period given, even one the
    files would spell in a larger period), saved with ``save()`` as the admin does."""
    return PeriodicTask.objects.create(
        name=state.name,
        task=state.task,
        **{KINDS[state.schedule.kind].fk: schedule_row(state)},
        args=state.args,
        kwargs=state.kwargs,
        queue=state.queue,
        exchange=state.exchange,
        routing_key=state.routing_key,
        priority=state.priority,
        headers=state.headers,
        expires=state.expires,
        expire_seconds=state.expire_seconds,
        start_time=state.start_time,
        one_off=state.one_off,
        enabled=state.enabled,
        description=state.description,
    )
