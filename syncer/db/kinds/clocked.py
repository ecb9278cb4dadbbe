"""``ClockedSchedule(clocked_time)`` <-> ``ClockedKey`` (in UTC)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django_celery_beat.models import ClockedSchedule

from syncer.core.kinds.clocked import ClockedKey
from syncer.db.kinds.base import ScheduleTable


def to_columns(key: ClockedKey) -> dict[str, Any]:
    return {"clocked_time": key.clocked_time}


TABLE = ScheduleTable(
    name=ClockedKey.kind,
    model=ClockedSchedule,
    fk="clocked",
    columns=("clocked_time",),
    to_key=lambda v: ClockedKey(v[0].astimezone(UTC)),
    to_columns=to_columns,
)
