"""Emergency pauses: an operator's explicit, visible and (usually) expiring override of ``enabled``.

A pause keeps a declared task disabled whatever its file says, until it expires or is resumed.
Reconciliation respects it: a plan neither re-enables a paused task nor calls its disabled row a
change, and reconciles every other field as usual. Once the pause has expired the task is enabled
again by the next reconcile, as any re-enabled task is (the next-run policy: no catch-up burst).

Pure: the values and the rules that every shell (command line, REST API, admin) shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from syncer.core.durations import DurationError, parse_duration
from syncer.core.errors import UserError

REASON_MAX = 500
BY_MAX = 200
# ``syncer status`` warns about a pause without an expiry that is older than this.
INDEFINITE_WARNING_AGE = timedelta(days=1)


class PauseError(UserError):
    """A pause or resume that cannot be done: an unknown or undeclared task, a bad duration.
    ``field`` names the input at fault (``reason``, ``for``, ``until``; empty: the whole request),
    so that the API and the admin can put the message beside it."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Spelling:
    """How a shell writes the inputs of a pause in its messages (the command line's options, the
    API's keys, the admin's fields): one set of rules, each shell's own words."""

    reason: str
    duration: str
    until: str
    indefinitely: str


OPTIONS = Spelling("--reason TEXT", "--for", "--until", "--indefinitely")


@dataclass(frozen=True)
class Pause:
    """One paused task: who paused it, when, why, and until when (None: until resumed)."""

    name: str
    reason: str
    paused_by: str
    paused_at: datetime
    until: datetime | None = None
    scope: str = ""

    def active(self, now: datetime) -> bool:
        return self.until is None or self.until > now

    def indefinite_and_old(self, now: datetime) -> bool:
        return self.until is None and now - self.paused_at > INDEFINITE_WARNING_AGE

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "reason": self.reason,
            "paused_by": self.paused_by,
            "paused_at": self.paused_at.isoformat(),
            "until": None if self.until is None else self.until.isoformat(),
        }

    def describe(self) -> str:
        """``paused by alice since ..., until ...: reason`` (one line, for plans and status)."""
        until = "indefinitely" if self.until is None else f"until {_short(self.until)}"
        return f"paused by {self.paused_by} since {_short(self.paused_at)}, {until}: {self.reason}"


def _short(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def expiry(
    now: datetime,
    *,
    duration: str | None = None,
    until: datetime | None = None,
    indefinitely: bool = False,
    spelling: Spelling = OPTIONS,
) -> datetime | None:
    """When a pause asked for now ends: exactly one of a duration (``30m``, ``2h``, ``1d``), a
    moment in the future, or ``indefinitely`` (None). The one rule of every shell."""
    s = spelling
    given = [duration is not None, until is not None, indefinitely]
    if sum(given) == 0:
        raise PauseError(
            f"say how long the pause lasts: {s.duration} DURATION (e.g. 2h), {s.until} DATETIME, "
            f"or {s.indefinitely}"
        )
    if sum(given) > 1:
        raise PauseError(f"give only one of {s.duration}, {s.until} and {s.indefinitely}")
    if indefinitely:
        return None
    if duration is not None:
        try:
            return now + timedelta(microseconds=parse_duration(duration))
        except DurationError as exc:
            raise PauseError(f"{s.duration} {duration!r}: {exc}", "for") from None
    assert until is not None
    if until.tzinfo is None:
        raise PauseError(
            f"{s.until} {until.isoformat()}: give a UTC offset (e.g. +00:00 or Z)", "until"
        )
    try:
        until.astimezone(UTC)  # the database stores it in UTC
    except OverflowError:  # 9999-12-31T23:00-05:00 is past the last UTC date-time
        raise PauseError(f"{s.until} {until.isoformat()}: out of range", "until") from None
    if until <= now:
        raise PauseError(f"{s.until} {until.isoformat()}: that moment has passed", "until")
    return until


def check_reason(reason: str, spelling: Spelling = OPTIONS) -> str:
    """The reason is required and is one line of text (it is shown in plans and logs)."""
    text = reason.strip()
    if not text:
        raise PauseError(
            f"a reason is required ({spelling.reason}): who reads the plan needs it", "reason"
        )
    if len(text) > REASON_MAX:
        raise PauseError(f"the reason is too long: at most {REASON_MAX} characters", "reason")
    return text


def parse_until(text: str, spelling: Spelling = OPTIONS) -> datetime:
    """``--until``: an ISO 8601 date-time with a UTC offset (``Z`` allowed)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        raise PauseError(
            f"{spelling.until} {text!r}: expected an ISO 8601 date-time such as 2026-12-01T09:00Z",
            "until",
        ) from None
    return moment
