"""``every:`` values -> ``(every, period)`` in the largest period that represents them exactly."""

from __future__ import annotations

import re
from functools import lru_cache

# Largest first: the stored period is the largest one that divides the duration exactly.
PERIOD_MICROSECONDS: dict[str, int] = {
    "days": 86_400_000_000,
    "hours": 3_600_000_000,
    "minutes": 60_000_000,
    "seconds": 1_000_000,
    "microseconds": 1,
}

UNITS: dict[str, int] = {}
for _names, _us in (
    (("w", "wk", "week", "weeks"), 7 * 86_400_000_000),
    (("d", "day", "days"), 86_400_000_000),
    (("h", "hr", "hrs", "hour", "hours"), 3_600_000_000),
    (("m", "min", "mins", "minute", "minutes"), 60_000_000),
    (("s", "sec", "secs", "second", "seconds"), 1_000_000),
    (("ms", "msec", "millisecond", "milliseconds"), 1_000),
    (("us", "µs", "usec", "microsecond", "microseconds"), 1),
):
    for _name in _names:
        UNITS[_name] = _us

# IntervalSchedule.every is a 32-bit integer column, and Celery turns the row into a timedelta.
MAX_EVERY = 2_147_483_647
# Beat adds the interval to the last run time: past ~2.9 million days that overflows datetime
# (year 9999) and beat crashes. A million days (~2,700 years) is the documented limit.
MAX_DAYS = 1_000_000
MAX_TOTAL_US = MAX_DAYS * 86_400_000_000

_TOKEN = re.compile(r"\s*(\d+)\s*([a-zµ]+)\s*", re.IGNORECASE)


class DurationError(ValueError):
    pass


def parse_duration(value: object) -> int:
    """Return the duration in microseconds; raise DurationError with a helpful message."""
    if isinstance(value, bool):
        raise DurationError("expected a duration such as 30s, 5m, 1h30m or an integer of seconds")
    if isinstance(value, int):
        total = value * 1_000_000
    elif isinstance(value, str):
        total = _parse_text(value)
    else:
        raise DurationError("expected a duration such as 30s, 5m, 1h30m or an integer of seconds")
    if total <= 0:
        raise DurationError("must be greater than zero")
    if total > MAX_TOTAL_US:
        raise DurationError(f"too long: at most {MAX_DAYS} days")
    return total


@lru_cache(maxsize=4096)  # thousands of tasks share a few dozen spellings
def _parse_text(text: str) -> int:
    stripped = text.strip()
    if re.fullmatch(r"[+-]?\d+", stripped):
        return int(stripped) * 1_000_000
    if stripped.startswith("-"):
        raise DurationError("must be greater than zero")
    total, pos = 0, 0
    seen: set[int] = set()
    while pos < len(stripped):
        match = _TOKEN.match(stripped, pos)
        if not match or match.end() == pos:
            raise DurationError(
                f"cannot read {text!r} as a duration (examples: 30s, 90 seconds, 5m, 1h30m, 250ms)"
            )
        number, unit = match.groups()
        unit_us = UNITS.get(unit.lower())
        if unit_us is None:
            raise DurationError(
                f"unknown unit {unit!r} in {text!r} (use us, ms, s, m, h, d or w, or their names)"
            )
        if unit_us in seen:
            raise DurationError(f"unit {unit!r} appears twice in {text!r}")
        seen.add(unit_us)
        total += int(number) * unit_us
        pos = match.end()
    return total


def to_interval(total_us: int) -> tuple[int, str]:
    """Microseconds -> (every, period) in the largest exact period that fits the column."""
    for period, size in PERIOD_MICROSECONDS.items():
        if total_us % size == 0 and total_us // size <= MAX_EVERY:
            return total_us // size, period
    raise DurationError(
        f"too long: {total_us} microseconds does not fit an interval "
        f"(at most {MAX_EVERY} of a period)"
    )
