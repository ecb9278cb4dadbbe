"""``IntervalSchedule(every, period)`` <-> ``IntervalKey``."""

from __future__ import annotations

from typing import Any

from django_celery_beat.models import IntervalSchedule

from syncer.core.durations import PERIOD_MICROSECONDS, DurationError, to_interval
from syncer.core.kinds.interval import IntervalKey
from syncer.db.kinds.base import ScheduleTable


def to_columns(key: IntervalKey) -> dict[str, Any]:
    return {"every": key.every, "period": key.period}


def same_duration(key: IntervalKey) -> IntervalKey:
    """An interval row in the form the files store it: the largest exact period.

    Beat runs ``timedelta(**{period: every})``, so a row of 60 seconds runs exactly as one of
    1 minute; and django-celery-beat itself stores every ``beat_schedule`` interval in seconds
    (``IntervalSchedule.from_schedule``). Compared in this form, such a row equals ``every: 1m``
    (no update, no reset of ``last_run_at``), and ``syncer export`` can write it exactly.
    """
    if key.every <= 0:
        return key
    size = PERIOD_MICROSECONDS.get(key.period)
    if size is None:
        return key
    try:
        every, period = to_interval(key.every * size)
    except DurationError:
        return key
    return key if (every, period) == (key.every, key.period) else IntervalKey(every, period)


TABLE = ScheduleTable(
    name=IntervalKey.kind,
    model=IntervalSchedule,
    fk="interval",
    columns=("every", "period"),
    to_key=lambda v: IntervalKey(int(v[0]), str(v[1])),
    to_columns=to_columns,
    comparable=same_duration,
)
