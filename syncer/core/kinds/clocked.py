"""``clocked: 2026-12-24T18:00:00+01:00``: run once at that time; stored as ``ClockedSchedule``.
It runs once, so it implies ``one_off`` (django-celery-beat refuses it without)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from syncer.core.context import Context
from syncer.core.kinds.base import Kind, Lint, Report


@dataclass(frozen=True, slots=True)
class ClockedKey:
    kind: ClassVar[str] = "clocked"
    clocked_time: datetime

    def describe(self) -> str:
        return f"once at {self.clocked_time.astimezone(UTC).isoformat()}"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "clocked_time": self.clocked_time.astimezone(UTC).isoformat()}

    def zone(self) -> str | None:
        return None

    def fixed_period(self) -> timedelta | None:
        return None


def to_key(spec: Any, context: Context, report: Report) -> ClockedKey:
    return ClockedKey(spec.clocked.astimezone(UTC))


def lints(key: ClockedKey, now: datetime) -> Iterator[Lint]:
    if key.clocked_time <= now:
        yield (
            "clocked",
            f"{key.clocked_time.isoformat()} is in the past: beat runs the task once, at once",
        )


def to_file(key: ClockedKey) -> dict[str, Any]:
    return {"clocked": key.clocked_time.isoformat()}


_CLOCKED = ("django_celery_beat.clockedschedule", "clocked")


def from_beat(value: Any, default_timezone: str) -> tuple[ClockedKey, bool] | None:
    if (type(value).__module__, type(value).__qualname__) != _CLOCKED:
        return None
    return ClockedKey(value.clocked_time.astimezone(UTC)), False


KIND = Kind(
    name="clocked",
    spec_key="clocked",
    key_type=ClockedKey,
    spec_type="Clocked",
    hint="a date-time with an offset, such as 2026-12-24T18:00:00+01:00",
    to_key=to_key,
    to_file=to_file,
    from_beat=from_beat,
    lints=lints,
    runs_once=True,
)
