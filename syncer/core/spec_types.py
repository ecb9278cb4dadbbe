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
from syncer.core.rules import NAME_MAX, name_problem
from syncer.core.scopes import SCOPE_MAX, SCOPE_PATTERN, scope_problem

Name200 = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX)]


def _task_name(value: str) -> str:
    message = name_problem(value)
    if message:
        raise ValueError(message)
    return value


def _previous_name(value: str) -> str:
    message = name_problem(value, "previous name")
    if message:
        raise ValueError(message)
    return value


# A task's name: no control, bidirectional or invisible character (``rules.name_problem``).
TaskName = Annotated[Name200, AfterValidator(_task_name)]
PreviousName = Annotated[Name200, AfterValidator(_previous_name)]


def _scope_name(value: str) -> str:
    problem = scope_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


# An ownership scope (``syncer.core.scopes``): the JSON Schema gets the pattern, the validator the
# same message as the command line.
ScopeName = Annotated[
    str,
    Field(json_schema_extra={"pattern": SCOPE_PATTERN, "maxLength": SCOPE_MAX, "minLength": 1}),
    AfterValidator(_scope_name),
]


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
