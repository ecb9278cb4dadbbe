"""The public schedule format (version 1) as pydantic models: the types, ranges and keys.

Semantic checks that need context (cron fields, time zones, registered task names) live in
``syncer.core.desired``, which reports them with the file position. The JSON Schema of the format
is generated from these models (``syncer schema``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    model_validator,
)

SCHEDULE_KEYS = ("every", "cron", "solar", "clocked")

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

Name200 = Annotated[str, StringConstraints(min_length=1, max_length=200)]


def _not_a_number(value: Any) -> Any:
    # Lax datetime parsing reads a number as Unix seconds: `expires: 3600` would mean 1970.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(
            "expected a date-time with an offset, such as 2026-12-24T18:00:00+01:00, not a number"
        )
    return value


def _representable_in_utc(value: datetime) -> datetime:
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range: the time in UTC falls outside years 1 to 9999") from None
    return value


Datetime = Annotated[
    AwareDatetime,
    Field(strict=False),
    BeforeValidator(_not_a_number),
    AfterValidator(_representable_in_utc),
]
Duration = Annotated[
    str | int,
    Field(
        description="3s, 90 seconds, 5m, 1h30m, 250ms, 10us, ... or an integer number of seconds",
        examples=["3s", "5 minutes", "1h30m", 60],
    ),
]
CronField = str | Annotated[int, Field(ge=0)]


class _Strict(BaseModel):
    # allow_inf_nan: .nan/.inf in args or headers would be written as NaN, which is not JSON.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class CronMapping(_Strict):
    """The mapping form of ``cron``; a missing field means ``*``."""

    minute: CronField = "*"
    hour: CronField = "*"
    day_of_month: CronField = "*"
    month_of_year: CronField = "*"
    day_of_week: CronField = "*"


class Solar(_Strict):
    event: Literal[SOLAR_EVENTS]  # type: ignore[valid-type]
    latitude: Annotated[Decimal, Field(strict=False, ge=-90, le=90)]
    longitude: Annotated[Decimal, Field(strict=False, ge=-180, le=180)]


class _Options(_Strict):
    """Keys that a file's ``defaults`` may set for all its tasks."""

    args: list[JsonValue] | None = None
    kwargs: dict[str, JsonValue] | None = None
    queue: Name200 | None = None
    exchange: Name200 | None = None
    routing_key: Name200 | None = None
    priority: Annotated[int, Field(ge=0, le=255)] | None = None
    headers: dict[str, JsonValue] | None = None
    expires: Datetime | None = None
    expire_seconds: Annotated[int, Field(ge=0, le=2_147_483_647)] | None = None
    start_time: Datetime | None = None
    one_off: bool | None = None
    enabled: bool | None = None
    description: str | None = None
    timezone: Annotated[str, StringConstraints(min_length=1, max_length=63)] | None = Field(
        default=None, description="IANA time zone of a cron schedule (default: Celery's timezone)"
    )


class Defaults(_Options):
    pass


class TaskSpec(_Options):
    task: Name200 = Field(description="A task registered in the project's Celery app")
    every: Duration | None = None
    cron: Annotated[str, StringConstraints(min_length=1)] | CronMapping | None = Field(
        default=None,
        description="minute hour day-of-month month day-of-week, an @alias, or a mapping",
    )
    solar: Solar | None = None
    clocked: Datetime | None = Field(default=None, description="Run once at this time (one_off)")
    previous_names: list[Name200] = Field(
        default_factory=list, description="Earlier names of this task: the row is renamed in place"
    )

    @model_validator(mode="after")
    def _one_schedule(self) -> TaskSpec:
        present = [key for key in SCHEDULE_KEYS if getattr(self, key) is not None]
        if len(present) != 1:
            found = f" (found: {', '.join(present)})" if present else ""
            raise ValueError(f"exactly one of every, cron, solar, clocked is required{found}")
        if self.expires is not None and self.expire_seconds is not None:
            raise ValueError("set expires or expire_seconds, not both")
        if self.clocked is not None and self.one_off is False:
            raise ValueError("a clocked schedule runs once: one_off cannot be false")
        return self


class FileSpec(_Strict):
    """A schedule file. ``tasks`` maps each PeriodicTask name to its declaration."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"additionalProperties": False},
        title="beat-sync schedule file (version 1)",
    )

    version: Literal[1] = 1
    defaults: Defaults | None = None
    tasks: dict[Name200, TaskSpec] = Field(default_factory=dict)


def merge_defaults(defaults: dict[str, Any] | None, task: dict[str, Any]) -> dict[str, Any]:
    """A task's raw mapping with its file's defaults filled in (the task's own keys win)."""
    if not defaults:
        return dict(task)
    merged = {key: value for key, value in defaults.items()}
    if "timezone" in merged and "cron" not in task:
        del merged["timezone"]  # a default time zone concerns cron tasks only
    merged.update(task)
    return merged
