"""The value types of the schedule format, shared by the spec (``syncer.core.spec``) and the
schedule kinds (``syncer.core.kinds``): strict models, names, date-times with an offset."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from syncer.core.durations import DurationError, parse_duration
from syncer.core.rules import NAME_MAX

Name200 = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX)]


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


class Strict(BaseModel):
    # allow_inf_nan: .nan/.inf in args or headers would be written as NaN, which is not JSON.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


def _policy_duration(value: str | int) -> str | int:
    try:
        parse_duration(value)
    except DurationError as exc:
        raise ValueError(str(exc)) from None
    return value


# A run policy's duration (``starting_deadline``, ``jitter``): the spelling of ``every:``.
PolicyDuration = Annotated[
    str | int,
    AfterValidator(_policy_duration),
    Field(
        description="30s, 5m, 1h30m, 250ms, ... or an integer number of seconds",
        examples=["30s", "5m", 60],
    ),
]
