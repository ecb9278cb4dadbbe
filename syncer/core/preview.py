"""What a schedule will do, as data for the renderers: a description and the next fire times.

Computed in ``syncer.db.firetimes`` from the schedule objects beat builds; kept out of the plan's
checksum (fire times move with the clock, the plan does not).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Preview:
    description: str
    timezone: str
    next_runs: tuple[datetime, ...]
    enabled: bool = True

    def to_json(self) -> dict[str, Any]:
        tz = ZoneInfo(self.timezone)
        return {
            "description": self.description,
            "timezone": self.timezone,
            "enabled": self.enabled,
            "next_runs": [
                {"utc": t.isoformat(), "local": t.astimezone(tz).isoformat()}
                for t in self.next_runs
            ],
        }

    def lines(self, label: str) -> list[str]:
        return list(_lines(self, label))


@lru_cache(maxsize=4096)
def _lines(preview: Preview, label: str) -> tuple[str, ...]:
    """Once per distinct preview: the tasks of a plan share a few dozen schedules."""
    return tuple(_format_lines(preview, label))


def _format_lines(preview: Preview, label: str) -> list[str]:
    if not preview.enabled:
        return [f"{label}: {preview.description} (disabled: no runs)"]
    out = [f"{label}: {preview.description}"]
    tz = ZoneInfo(preview.timezone)
    for t in preview.next_runs:
        utc = f"{_stamp(t)} UTC"
        if preview.timezone == "UTC":
            out.append(f"    {utc}")
        else:
            local = t.astimezone(tz)
            out.append(f"    {_stamp(local)} {local:%Z} ({preview.timezone})  =  {utc}")
    if not preview.next_runs:
        out.append("    (no run in the foreseeable future)")
    return out


def _stamp(t: datetime) -> str:
    text = f"{t:%Y-%m-%d %H:%M:%S}"
    return f"{text}.{t.microsecond // 1000:03d}" if t.microsecond else text


@dataclass(frozen=True)
class ChangePreview:
    before: Preview | None
    after: Preview | None
    # The consequence of the apply: the task's first run after it, whether that run starts at
    # once (a slot already due), and whether the next-run policy holds back a run that
    # django-celery-beat alone would start at once (a schedule edited past its new slot, a
    # re-enabled task with an old last run).
    first_run: datetime | None = None
    fires_immediately: bool = False
    held_back: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "before": self.before.to_json() if self.before else None,
            "after": self.after.to_json() if self.after else None,
        }
