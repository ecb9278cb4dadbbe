"""The cron lints: valid expressions that probably do not do what their author thinks.

- minute ``*`` with a restricted hour fires every minute of those hours;
- a step at least as large as its range's span means the range's first value only;
- day-of-month and day-of-week both restricted: Celery requires both to match (cron: either);
- a cron in a local time zone whose fire times fall in a DST gap (skipped or moved) or overlap
  (run twice) within the next year.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from syncer.core.cron import crontab
from syncer.core.kinds.base import Lint

if TYPE_CHECKING:
    from syncer.core.kinds.crontab import CrontabKey

_RANGES = {
    "minute": (0, 59),
    "hour": (0, 23),
    "day_of_month": (1, 31),
    "month_of_year": (1, 12),
    "day_of_week": (0, 6),
}
_STEP = re.compile(r"^(\*|(\d+)-(\d+))/(\d+)$")


def lints(key: CrontabKey, now: datetime) -> tuple[Lint, ...]:
    # Many tasks share a few expressions: lint each (expression, zone) once per hour.
    return _lint_cron_cached(key, now.replace(minute=0, second=0, microsecond=0))


@lru_cache(maxsize=4096)
def _lint_cron_cached(key: CrontabKey, now: datetime) -> tuple[Lint, ...]:
    return tuple(_lint_cron(key, now))


def _lint_cron(key: CrontabKey, now: datetime) -> Iterator[Lint]:
    if key.minute == "*" and key.hour != "*":
        yield (
            "cron",
            (
                f"minute is '*' with hour {key.hour!r}: fires every minute of those hours "
                f"(60 times an hour); did you mean minute '0'?"
            ),
        )
    for field in _RANGES:
        value = getattr(key, field)
        for part in value.split(","):
            match = _STEP.match(part)
            if not match:
                continue
            low, high = _RANGES[field]
            if match.group(2) is not None:
                low, high = int(match.group(2)), int(match.group(3))
            step = int(match.group(4))
            if step > high - low:
                yield (
                    "cron",
                    (
                        f"{field} {part!r}: the step {step} is larger than the range {low}-{high}, "
                        f"so it means {low} only"
                    ),
                )
    if key.day_of_month != "*" and key.day_of_week != "*":
        yield (
            "cron",
            (
                f"day_of_month {key.day_of_month!r} and day_of_week {key.day_of_week!r} are both "
                "restricted: Celery runs only on days matching both (classic cron: either)"
            ),
        )
    for hit in dst_hits(key, now):
        yield ("timezone", _dst_message(hit, key.timezone), _dst_group(hit, key.timezone))


@dataclass(frozen=True)
class DstHit:
    kind: str  # "gap" (the wall-clock window does not exist) or "overlap" (it occurs twice)
    when: datetime  # the cron's first fire time in the window (local wall clock, naive)
    window: tuple[datetime, datetime]  # the window (local wall clock, naive; end exclusive)


def _dst_message(hit: DstHit, zone: str) -> str:
    if hit.kind == "gap":
        return (
            f"{hit.when:%Y-%m-%d %H:%M} does not exist in {zone} (DST starts): beat runs that "
            "day's run at a shifted time"
        )
    return (
        f"{hit.when:%Y-%m-%d %H:%M} occurs twice in {zone} (DST ends): beat runs once, at the "
        "first occurrence; the interval to the next run is an hour longer"
    )


def _dst_group(hit: DstHit, zone: str) -> str:
    """What the tasks with runs in the same window share: one line for all of them."""
    start, end = hit.window
    span = f"{start:%Y-%m-%d %H:%M}-{end:%H:%M}"
    if hit.kind == "gap":
        return (
            f"{span} does not exist in {zone} (DST starts): beat runs these tasks' runs in it "
            "at a shifted time"
        )
    return (
        f"{span} occurs twice in {zone} (DST ends): beat runs these tasks once, at the first "
        "occurrence; the interval to their next run is an hour longer"
    )


def dst_hits(key: CrontabKey, now: datetime) -> list[DstHit]:
    """DST transitions in the next year where this cron has a fire time in the gap or overlap."""
    try:
        schedule = crontab(
            minute=key.minute,
            hour=key.hour,
            day_of_week=key.day_of_week,
            day_of_month=key.day_of_month,
            month_of_year=key.month_of_year,
        )
    except (ValueError, TypeError):
        return []
    hits = []
    for start, before, after in _transitions(key.timezone, now.year):
        if not now <= start < now + timedelta(days=366):
            continue
        local = start.astimezone(ZoneInfo(key.timezone)).replace(tzinfo=None)
        shift = after - before
        kind = "gap" if shift > timedelta(0) else "overlap"
        # the wall-clock window that is missing (gap) or seen twice (overlap)
        window_start = local - shift if shift > timedelta(0) else local
        minutes = int(abs(shift).total_seconds() // 60)
        window = (window_start, window_start + timedelta(minutes=minutes))
        for offset in range(minutes):
            wall = window_start + timedelta(minutes=offset)
            if (
                wall.minute in schedule.minute
                and wall.hour in schedule.hour
                and wall.day in schedule.day_of_month
                and wall.month in schedule.month_of_year
                and (wall.isoweekday() % 7) in schedule.day_of_week
            ):
                hits.append(DstHit(kind, wall, window))
                break
    return hits


@lru_cache(maxsize=256)
def _transitions(tz_name: str, year: int) -> tuple[tuple[datetime, timedelta, timedelta], ...]:
    """(UTC instant, offset before, offset after) of each offset change in year and year + 1.

    The offset is sampled once a day and each change narrowed to the minute by bisection: ~800
    conversions a zone instead of ~17,500 hour by hour (a zone changes its offset at most a few
    times a year, never twice within a day)."""
    tz = ZoneInfo(tz_name)
    out = []
    t = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 2, 1, 1, tzinfo=UTC)
    previous = t.astimezone(tz).utcoffset()
    while t < end:
        nxt = t + _SAMPLE
        offset = nxt.astimezone(tz).utcoffset()
        if offset != previous:
            lo, hi = t, nxt  # narrow to the minute
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == previous:
                    lo = mid
                else:
                    hi = mid
            instant = hi.replace(second=0, microsecond=0)
            assert previous is not None and offset is not None
            out.append((instant, previous, offset))
            previous = offset
        t = nxt
    return tuple(out)


_SAMPLE = timedelta(days=1)
