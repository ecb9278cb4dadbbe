"""``every: 5m``: an interval, stored as ``IntervalSchedule(every, period)`` in the largest period
that represents it exactly (``syncer.core.durations``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar

from syncer.core.context import Context
from syncer.core.durations import (
    MAX_TOTAL_US,
    PERIOD_MICROSECONDS,
    DurationError,
    parse_duration,
    to_interval,
)
from syncer.core.kinds.base import Kind, Lint, Report, Unrepresentable


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

    def zone(self) -> str | None:
        return None

    def fixed_period(self) -> timedelta | None:
        return timedelta(**{self.period: self.every})


def to_key(spec: Any, context: Context, report: Report) -> IntervalKey | None:
    try:
        return _key(parse_duration(spec.every))
    except DurationError as exc:
        report("every", str(exc), None)
        return None


@lru_cache(maxsize=4096)
def _key(total_us: int) -> IntervalKey:
    """One key object per distinct interval: tasks share a few dozen (less memory, less time)."""
    return IntervalKey(*to_interval(total_us))


def lints(key: IntervalKey, now: datetime) -> Iterator[Lint]:
    if key.period == "microseconds" and key.every < 1_000_000:
        yield (
            "every",
            f"an interval of {key.every / 1000:g} ms: beat checks its schedule at most "
            "a few times a second and will not keep this pace",
        )


# Units tried for ``every``; the shortest exact spelling wins (ties: the larger unit).
_UNITS: tuple[tuple[str, int], ...] = (
    ("w", 7 * 86_400_000_000),
    ("d", 86_400_000_000),
    ("h", 3_600_000_000),
    ("m", 60_000_000),
    ("s", 1_000_000),
    ("ms", 1_000),
    ("us", 1),
)


def spell_every(every: int, period: str) -> str:
    """The shortest ``every:`` spelling of an interval, e.g. (90, minutes) -> ``90m``.

    The parser stores a duration in the largest period that represents it exactly, so the
    spelling comes back as (every, period) when that pair is itself in that form (the live rows
    are read in that form: ``syncer.db.actual``)."""
    size = PERIOD_MICROSECONDS.get(period)
    if size is None or every <= 0:
        raise Unrepresentable("schedule", f"an interval of {every} {period} cannot be declared")
    total = every * size
    spellings = [f"{total // unit}{name}" for name, unit in _UNITS if total % unit == 0]
    return min(spellings, key=len)


def to_file(key: IntervalKey) -> dict[str, Any]:
    if key.period not in PERIOD_MICROSECONDS:
        raise Unrepresentable("schedule", "the row has no schedule")
    return {"every": spell_every(key.every, key.period)}


def from_beat(value: Any, default_timezone: str) -> tuple[IntervalKey, bool] | None:
    """A number of seconds, a ``timedelta`` or Celery's ``schedule``."""
    if isinstance(value, bool):
        raise Unrepresentable("schedule", "expected a number of seconds, not a boolean")
    if isinstance(value, int | float):
        try:
            delta = timedelta(seconds=value)
        except (OverflowError, ValueError):
            raise Unrepresentable("schedule", f"{value!r} seconds is not an interval") from None
        return _from_timedelta(delta), False
    if isinstance(value, timedelta):
        return _from_timedelta(value), False
    from celery.schedules import schedule  # imported here: most commands never need Celery

    if type(value) is schedule:
        if value.relative:
            raise Unrepresentable(
                "schedule",
                "schedule(relative=True) rounds run times to the interval's resolution; "
                "django-celery-beat rows have no such setting",
            )
        return _from_timedelta(value.run_every), False
    return None


def _from_timedelta(delta: timedelta) -> IntervalKey:
    total = delta // timedelta(microseconds=1)
    if total <= 0:
        raise Unrepresentable("schedule", f"the interval {delta} is not greater than zero")
    if total > MAX_TOTAL_US:
        raise Unrepresentable("schedule", f"the interval {delta} is too long")
    try:
        every, period = to_interval(total)
    except DurationError as exc:
        raise Unrepresentable("schedule", str(exc)) from None
    return IntervalKey(every, period)


KIND = Kind(
    name="interval",
    spec_key="every",
    key_type=IntervalKey,
    spec_type="Duration",
    hint="a duration such as 30s, 5m, 1h30m, or an integer of seconds",
    to_key=to_key,
    to_file=to_file,
    from_beat=from_beat,
    lints=lints,
)
