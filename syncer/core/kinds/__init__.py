"""The schedule kinds: one module each, one line each in ``KINDS``.

Every place that handles schedules indexes into or iterates over this table (the spec and its
JSON Schema, desired, lints, export, the beat_schedule import); none names a kind. To add a kind,
write its module (its ``Kind``: see ``syncer.core.kinds.base``) and add it below; the DB layer
adds its own entry under the same name (``syncer.db.kinds``).
"""

from __future__ import annotations

from syncer.core.kinds import clocked, crontab, interval, solar
from syncer.core.kinds.base import Kind, ScheduleKey, Unrepresentable

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        interval.KIND,
        crontab.KIND,
        solar.KIND,
        clocked.KIND,
    )
}
BY_SPEC_KEY: dict[str, Kind] = {kind.spec_key: kind for kind in KINDS.values()}
SPEC_KEYS: tuple[str, ...] = tuple(BY_SPEC_KEY)  # every, cron, solar, clocked


def kind_of(key: ScheduleKey) -> Kind:
    return KINDS[key.kind]


__all__ = ["BY_SPEC_KEY", "KINDS", "SPEC_KEYS", "Kind", "ScheduleKey", "Unrepresentable", "kind_of"]
