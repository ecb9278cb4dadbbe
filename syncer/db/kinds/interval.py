"""``IntervalSchedule(every, period)`` <-> ``IntervalKey``."""

from __future__ import annotations

from typing import Any

from django_celery_beat.models import IntervalSchedule

from syncer.core.kinds.interval import IntervalKey
from syncer.db.kinds.base import ScheduleTable


def to_columns(key: IntervalKey) -> dict[str, Any]:
    return {"every": key.every, "period": key.period}


TABLE = ScheduleTable(
    name=IntervalKey.kind,
    model=IntervalSchedule,
    fk="interval",
    columns=("every", "period"),
    to_key=lambda v: IntervalKey(int(v[0]), str(v[1])),
    to_columns=to_columns,
)
