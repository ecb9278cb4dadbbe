"""``CrontabSchedule`` <-> ``CrontabKey``; described in django-celery-beat's own words
(``human_readable``, through cron-descriptor)."""

from __future__ import annotations

from typing import Any

from django_celery_beat.models import CrontabSchedule

from syncer.core.kinds.crontab import CrontabKey
from syncer.db.kinds.base import ScheduleTable

COLUMNS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone")


def to_columns(key: CrontabKey) -> dict[str, Any]:
    return {column: getattr(key, column) for column in COLUMNS}


def describe(key: CrontabKey) -> str:
    return str(CrontabSchedule(**to_columns(key)).human_readable)


TABLE = ScheduleTable(
    name=CrontabKey.kind,
    model=CrontabSchedule,
    fk="crontab",
    columns=COLUMNS,
    to_key=lambda v: CrontabKey(*(str(x) for x in v)),
    to_columns=to_columns,
    describe=describe,
)
