"""``SolarSchedule`` <-> ``SolarKey``: coordinates as decimal(9, 6), rounded by the solar kind's
one rule (``syncer.core.kinds.solar.six_places``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django_celery_beat.models import SolarSchedule

from syncer.core.kinds.solar import SolarKey, six_places
from syncer.db.kinds.base import ScheduleTable


def to_columns(key: SolarKey) -> dict[str, Any]:
    return {
        "event": key.event,
        "latitude": Decimal(key.latitude),
        "longitude": Decimal(key.longitude),
    }


TABLE = ScheduleTable(
    name=SolarKey.kind,
    model=SolarSchedule,
    fk="solar",
    columns=("event", "latitude", "longitude"),
    to_key=lambda v: SolarKey(str(v[0]), six_places(v[1]), six_places(v[2])),
    to_columns=to_columns,
)
