"""The canonical, hashable shape of one periodic task, shared by the desired side (files) and the
actual side (rows), so that the diff is a plain comparison.

Schedules are values: one small frozen class per kind (``syncer.core.kinds``), each with its JSON
form and a description.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from syncer.core.escape import quoted

if TYPE_CHECKING:
    from syncer.core.kinds.base import ScheduleKey


def canonical_json(value: Any) -> str:
    return _canonical_encode(value)


# One encoder (json.dumps with options makes a new one per call): every JSON column of every row
# read goes through it.
_canonical_encode = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False
).encode


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


@dataclass(frozen=True, slots=True)
class TaskState:
    """Every PeriodicTask field the syncer declares; runtime fields are deliberately absent."""

    name: str
    task: str
    schedule: ScheduleKey
    args: str = "[]"  # canonical JSON
    kwargs: str = "{}"
    queue: str | None = None
    exchange: str | None = None
    routing_key: str | None = None
    priority: int | None = None
    headers: str = "{}"
    expires: datetime | None = None
    expire_seconds: int | None = None
    start_time: datetime | None = None
    one_off: bool = False
    enabled: bool = True
    description: str = ""
    # Run policies (``syncer.core.policy``): the syncer's own table, not PeriodicTask columns.
    starting_deadline: timedelta | None = None
    overlap: str = "allow"
    jitter: timedelta | None = None
    grace: timedelta | None = None  # run health: how late a run may start (None: the default)

    def __reduce__(self) -> tuple[type[TaskState], tuple[Any, ...]]:
        """Pickled as its values, in field order (the cache of built files): the ``__setstate__``
        that dataclasses give a frozen slotted class looks its fields up for every object, two
        fifths of reading 10,000 tasks back."""
        return (TaskState, tuple(getattr(self, name) for name in _NAMES))

    def to_json(self) -> dict[str, Any]:
        # Twice per task in an apply (the ledger's applied_state, the plan's checksum): each
        # field's conversion decided once for the class (``_JSON_FORMS``), not per value.
        out: dict[str, Any] = {}
        for name, form in _JSON_FORMS:
            value = getattr(self, name)
            out[name] = value if form is None or value is None else form(value)
        return out

    def display(self, name: str) -> str:
        """One field as a short human string, for the text plan."""
        value = getattr(self, name)
        if name == "schedule":
            return str(value.describe())
        if isinstance(value, datetime):
            return str(iso(value))
        if isinstance(value, timedelta):
            from syncer.core.policy import format_duration

            return format_duration(value)
        if value is None:
            return "(none)"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str) and name not in JSON_FIELDS:
            return quoted(value)
        return str(value)


JSON_FIELDS = frozenset({"args", "kwargs", "headers"})
# Declared fields stored in the syncer's own table (``RunPolicy``), not in PeriodicTask.
POLICY_FIELDS: tuple[str, ...] = ("starting_deadline", "overlap", "jitter", "grace")
# The PeriodicTask columns a declaration sets directly (everything but the name and the schedule).
PLAIN_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(TaskState) if f.name not in ("name", "schedule", *POLICY_FIELDS)
)
COMPARED_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(TaskState) if f.name != "name")
# The value of each plain field when a declaration does not set it.
DEFAULTS: dict[str, Any] = {
    f.name: f.default
    for f in fields(TaskState)
    if f.name in (*PLAIN_FIELDS, *POLICY_FIELDS) and f.default is not MISSING
}


_NAMES: tuple[str, ...] = tuple(f.name for f in fields(TaskState))


def _json_value(text: str) -> Any:
    """A JSON column as its value (a text that is not JSON stays text)."""
    if text == "[]":
        return []
    if text == "{}":
        return {}
    try:
        return json.loads(text)
    except ValueError:
        return text


def _json_form(name: str, annotation: str) -> Callable[[Any], Any] | None:
    """How a field's value appears in ``TaskState.to_json`` (None: as it is)."""
    if name in JSON_FIELDS:
        return _json_value
    if name == "schedule":
        return lambda key: key.to_json()
    if annotation.startswith("datetime"):
        return iso
    if annotation.startswith("timedelta"):
        return timedelta.total_seconds
    return None


_JSON_FORMS = tuple((f.name, _json_form(f.name, str(f.type))) for f in fields(TaskState))
