"""The rules of a periodic task, in one place: the schedule files (``syncer.core.spec``), the REST
API, the single-task writes (``syncer.db.tasks``) and the ``beat_schedule`` import all call these.

Each rule returns the message of its violation, or None: every caller words its own error type
(a pydantic error, a 400, an ``Unrepresentable``) around the same text.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from syncer.core.escape import code_point, find_hidden

if TYPE_CHECKING:
    from syncer.core.kinds.base import Kind
    from syncer.core.state import TaskState

NAME_MAX = 200  # PeriodicTask.name, queue, exchange, routing_key: varchar(200)
PRIORITY_MIN, PRIORITY_MAX = 0, 255  # AMQP priorities
EXPIRE_SECONDS_MAX = 2_147_483_647  # a 32-bit integer column
TIMEZONE_MAX = 63  # CrontabSchedule.timezone: varchar(63)

EXPIRY_CONFLICT = "set expires or expire_seconds, not both"


def name_problem(name: str, what: str = "task name") -> str | None:
    """A name is compared by eye in every review: one holding a control character (C0, DEL, C1),
    a bidirectional override or isolate, a zero-width or any other invisible character
    (``syncer.core.escape``) could print a line that is not there, or look like another name.

    The position is 1-based, as the columns of file positions: ``"a\\nb"`` has U+000A at
    character 2."""
    found = find_hidden(name)
    if found is None:
        return None
    index, char = found
    return f"{what} contains {code_point(char)} at character {index + 1}"


def expiry_conflict(expires: datetime | None, expire_seconds: int | None) -> str | None:
    """django-celery-beat's ``validate_unique`` refuses both (in Python only: ``save()``)."""
    return EXPIRY_CONFLICT if expires is not None and expire_seconds is not None else None


def runs_once_conflict(kind: Kind, one_off: bool | None) -> str | None:
    """A clocked schedule fires once: django-celery-beat requires ``one_off`` with it."""
    if kind.runs_once and one_off is False:
        return f"a {kind.spec_key} schedule runs once: one_off cannot be false"
    return None


def timezone_misplaced(kind: Kind) -> str | None:
    """``timezone`` is a crontab column: on another kind it would be silently ignored."""
    return None if kind.uses_timezone else "timezone applies to cron schedules only"


def state_problems(state: TaskState, kind: Kind) -> list[tuple[str, str]]:
    """(field, message) for every rule a whole task breaks."""
    checks = (
        ("name", name_problem(state.name)),
        ("expire_seconds", expiry_conflict(state.expires, state.expire_seconds)),
        ("one_off", runs_once_conflict(kind, state.one_off)),
    )
    return [(field, message) for field, message in checks if message is not None]
