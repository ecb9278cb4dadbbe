"""The schedule kinds' tables: one module each, one line each in ``KINDS``, under the names of the
core's kinds (``syncer.core.kinds``). Replaces django-celery-beat's ``if self.interval ... if
self.crontab`` chains: every place that handles schedule rows iterates over or indexes into it."""

from __future__ import annotations

from syncer.core.kinds import KINDS as CORE_KINDS
from syncer.core.kinds import ScheduleKey
from syncer.core.kinds.interval import IntervalKey
from syncer.db.kinds import clocked, crontab, interval, solar
from syncer.db.kinds.base import ScheduleTable

KINDS: dict[str, ScheduleTable] = {
    table.name: table
    for table in (
        interval.TABLE,
        crontab.TABLE,
        solar.TABLE,
        clocked.TABLE,
    )
}
assert set(KINDS) == set(CORE_KINDS), "every core kind needs its table (and no other)"

# A row with no schedule at all (only possible through SQL): it never equals a declaration.
NO_SCHEDULE: ScheduleKey = IntervalKey(0, "(no schedule)")


def table_of(key: ScheduleKey) -> ScheduleTable:
    return KINDS[key.kind]


__all__ = ["KINDS", "NO_SCHEDULE", "ScheduleTable", "table_of"]
