"""What the DB layer knows about a schedule kind: its django-celery-beat model and columns, and
the conversions between a row's values and the core's canonical value (``ScheduleKey``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from syncer.core.kinds import ScheduleKey


def _own_description(key: ScheduleKey) -> str:
    return key.describe()


def _as_is(key: ScheduleKey) -> ScheduleKey:
    return key


@dataclass(frozen=True)
class ScheduleTable:
    name: str  # the core kind's name (``syncer.core.kinds.KINDS``)
    model: type[Any]  # a django-celery-beat model (untyped: its managers and fields are Any)
    fk: str  # PeriodicTask's foreign key to the model
    columns: tuple[str, ...]  # the model's value columns, in key order
    to_key: Callable[[tuple[Any, ...]], ScheduleKey]  # column values -> key
    to_columns: Callable[[Any], dict[str, Any]]  # key -> column values
    # What the plan preview says of it (beat's own wording where django-celery-beat has one).
    describe: Callable[[Any], str] = _own_description
    # The key as the plan compares it with a declaration, when rows can spell one schedule in
    # several ways (an interval of 60 seconds is 1 minute); ``to_key`` keeps the row's own
    # spelling, by which schedule rows are matched for reuse.
    comparable: Callable[[Any], ScheduleKey] = _as_is
