"""Schedule kinds as a lookup table: kind -> model, foreign-key field, row <-> canonical key.

Replaces django-celery-beat's ``if self.interval ... if self.crontab`` chains: every place that
handles schedules iterates over or indexes into ``KINDS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from typing import Any

from django.db import models
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    SolarSchedule,
)

from syncer.core.state import ClockedKey, CrontabKey, IntervalKey, ScheduleKey, SolarKey


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[models.Model]
    fk: str  # PeriodicTask's foreign key to the model
    columns: tuple[str, ...]  # the model's value columns, in key order
    to_key: Callable[[tuple[Any, ...]], ScheduleKey]  # column values -> key

    def to_columns(self, key: ScheduleKey) -> dict[str, Any]:
        values = key.to_json()
        values.pop("kind")
        if self.name == "clocked":
            values["clocked_time"] = key.clocked_time  # type: ignore[union-attr]
        elif self.name == "solar":
            values = {k: Decimal(v) if k != "event" else v for k, v in values.items()}
        return values


def _six(value: Any) -> str:
    return str(Decimal(value).quantize(Decimal("0.000001")))


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "interval",
            IntervalSchedule,
            "interval",
            ("every", "period"),
            lambda v: IntervalKey(int(v[0]), str(v[1])),
        ),
        Kind(
            "crontab",
            CrontabSchedule,
            "crontab",
            ("minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone"),
            lambda v: CrontabKey(*(str(x) for x in v)),
        ),
        Kind(
            "solar",
            SolarSchedule,
            "solar",
            ("event", "latitude", "longitude"),
            lambda v: SolarKey(str(v[0]), _six(v[1]), _six(v[2])),
        ),
        Kind(
            "clocked",
            ClockedSchedule,
            "clocked",
            ("clocked_time",),
            lambda v: ClockedKey(v[0].astimezone(UTC)),
        ),
    )
}

# A row with no schedule at all (only possible through SQL): it never equals a declaration.
NO_SCHEDULE = IntervalKey(0, "(no schedule)")
