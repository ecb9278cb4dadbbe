"""The canonical, hashable shape of one periodic task, shared by the desired side (files) and the
actual side (rows), so that the diff is a plain comparison.

Schedules are values: one small frozen class per kind, each with its JSON form and a description.
The ``KINDS`` table maps a kind name to its class; the DB layer adds its own table (kind -> model).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, ClassVar


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


@dataclass(frozen=True, slots=True)
class IntervalKey:
    kind: ClassVar[str] = "interval"
    every: int
    period: str

    def describe(self) -> str:
        unit = self.period[:-1] if self.every == 1 else self.period
        return f"every {unit}" if self.every == 1 else f"every {self.every} {unit}"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "every": self.every, "period": self.period}


@dataclass(frozen=True, slots=True)
class CrontabKey:
    kind: ClassVar[str] = "crontab"
    minute: str
    hour: str
    day_of_month: str
    month_of_year: str
    day_of_week: str
    timezone: str

    def expression(self) -> str:
        return (
            f"{self.minute} {self.hour} {self.day_of_month} {self.month_of_year} {self.day_of_week}"
        )

    def describe(self) -> str:
        return f"cron {self.expression()!r} {self.timezone}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "minute": self.minute,
            "hour": self.hour,
            "day_of_month": self.day_of_month,
            "month_of_year": self.month_of_year,
            "day_of_week": self.day_of_week,
            "timezone": self.timezone,
        }


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


@dataclass(frozen=True, slots=True)
class ClockedKey:
    kind: ClassVar[str] = "clocked"
    clocked_time: datetime

    def describe(self) -> str:
        return f"once at {iso(self.clocked_time)}"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "clocked_time": iso(self.clocked_time)}


ScheduleKey = IntervalKey | CrontabKey | SolarKey | ClockedKey
KINDS: dict[str, type[ScheduleKey]] = {
    cls.kind: cls for cls in (IntervalKey, CrontabKey, SolarKey, ClockedKey)
}


@dataclass(frozen=True, slots=True)
class TaskState:
    """Every PeriodicTask field the syncer declares; runtime fields are deliberately absent."""

    name: str
    task: str
    schedule: ScheduleKey
    args: str = "[]"  # canonical JSON
    kwargs: str = "{}"
    queue: str | None = None
    exchange: str | None = None
    routing_key: str | None = None
    priority: int | None = None
    headers: str = "{}"
    expires: datetime | None = None
    expire_seconds: int | None = None
    start_time: datetime | None = None
    one_off: bool = False
    enabled: bool = True
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "schedule":
                value = value.to_json()
            elif f.name in JSON_FIELDS:
                value = json.loads(value) if _is_json(value) else value
            elif isinstance(value, datetime):
                value = iso(value)
            out[f.name] = value
        return out

    def display(self, name: str) -> str:
        """One field as a short human string, for the text plan."""
        value = getattr(self, name)
        if name == "schedule":
            return str(value.describe())
        if isinstance(value, datetime):
            return str(iso(value))
        if value is None:
            return "(none)"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str) and name not in JSON_FIELDS:
            return json.dumps(value, ensure_ascii=False)
        return str(value)


JSON_FIELDS = frozenset({"args", "kwargs", "headers"})
# The PeriodicTask columns a declaration sets directly (everything but the name and the schedule).
PLAIN_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(TaskState) if f.name not in ("name", "schedule")
)
COMPARED_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(TaskState) if f.name != "name")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
