"""``solar: {event, latitude, longitude}``: stored as ``SolarSchedule``, the coordinates rounded to
the column's six decimal places. The rounding is here once, for files, rows and beat_schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, ClassVar

from syncer.core.context import Context
from syncer.core.kinds.base import Kind, Report
from syncer.core.yaml_style import Flow

SOLAR_EVENTS = (
    "dawn_astronomical",
    "dawn_civil",
    "dawn_nautical",
    "dusk_astronomical",
    "dusk_civil",
    "dusk_nautical",
    "solar_noon",
    "sunrise",
    "sunset",
)


@dataclass(frozen=True, slots=True)
class SolarKey:
    kind: ClassVar[str] = "solar"
    event: str
    latitude: str  # decimal with 6 places, as the column stores it
    longitude: str

    def describe(self) -> str:
        return f"solar {self.event} at ({self.latitude}, {self.longitude})"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "event": self.event,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }

    def zone(self) -> str | None:
        return None

    def fixed_period(self) -> timedelta | None:
        return None


def six_places(value: Any) -> str:
    """A coordinate as the decimal(9, 6) column holds it. -0.000000 (from -0.0, or -0.0000001
    rounded) is stored as 0: compare as the row reads back."""
    six = Decimal(str(value)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
    return str(six.copy_abs() if six.is_zero() else six)


def to_key(spec: Any, context: Context, report: Report) -> SolarKey:
    return SolarKey(
        spec.solar.event, six_places(spec.solar.latitude), six_places(spec.solar.longitude)
    )


def _number(text: str) -> float | str:
    """A coordinate as a plain number when a float holds it exactly, else its decimal text."""
    try:
        exact = Decimal(text)
        return float(text) if Decimal(repr(float(text))) == exact else text
    except (InvalidOperation, ValueError):
        return text


def to_file(key: SolarKey) -> dict[str, Any]:
    return {
        "solar": Flow(
            event=key.event, latitude=_number(key.latitude), longitude=_number(key.longitude)
        )
    }


def from_beat(value: Any, default_timezone: str) -> tuple[SolarKey, bool] | None:
    from celery.schedules import solar  # imported here: most commands never need Celery

    if type(value) is not solar:
        return None
    return SolarKey(value.event, six_places(value.lat), six_places(value.lon)), False


KIND = Kind(
    name="solar",
    spec_key="solar",
    key_type=SolarKey,
    spec_type="Solar",
    hint="a mapping with event, latitude, longitude",
    to_key=to_key,
    to_file=to_file,
    from_beat=from_beat,
    nested_keys=("event", "latitude", "longitude"),  # Solar's fields (a test checks)
)
