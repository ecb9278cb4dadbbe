"""A Celery ``beat_schedule`` dict -> ``TaskState`` values, for ``syncer import-beat-schedule``.

Pure (Celery's schedule classes only; django-celery-beat's are recognised by name). Each entry
becomes exactly what beat would run: an interval from a number of seconds, a ``timedelta`` or a
``schedule``; a ``crontab`` in the time zone of the app that runs beat (the given default: beat
replaces a ``crontab(app=...)``'s app with its own), or django-celery-beat's
``TzAwareCrontab(tz=...)`` in its own; a ``solar``; a ``clocked``. Anything a
django-celery-beat row cannot hold (a custom schedule class, ``relative=True``, arguments that are
not JSON, an option without a column) raises ``Unrepresentable``, reported with the entry's name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from syncer.core import rules
from syncer.core.errors import Location, Problem
from syncer.core.kinds import KINDS, ScheduleKey, Unrepresentable, kind_of
from syncer.core.state import TaskState, canonical_json

ENTRY_KEYS = ("task", "schedule", "args", "kwargs", "options", "relative")
OPTIONS = ("queue", "exchange", "routing_key", "priority", "headers", "expires", "expire_seconds")


@dataclass
class Converted:
    states: list[TaskState] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Names of the crontab entries that took the default time zone (worth telling the user).
    default_timezone_used: list[str] = field(default_factory=list)


def convert(beat_schedule: Mapping[Any, Any], default_timezone: str, source: str) -> Converted:
    out = Converted()
    for name, entry in beat_schedule.items():
        try:
            state, used_default = _entry(name, entry, default_timezone)
        except Unrepresentable as exc:
            out.problems.append(Problem(Location(source), str(exc), str(name), exc.field))
            continue
        out.states.append(state)
        if used_default:
            out.default_timezone_used.append(state.name)
    return out


def _entry(name: Any, entry: Any, default_timezone: str) -> tuple[TaskState, bool]:
    task = _checked_entry(name, entry)
    key, used_default = _schedule(entry["schedule"], default_timezone)
    args = _json(entry.get("args") or [], "args")
    if not isinstance(args, list):
        raise Unrepresentable("args", f"expected a list or tuple, not {type(args).__name__}")
    kwargs = _json(entry.get("kwargs") or {}, "kwargs")
    if not isinstance(kwargs, dict):
        raise Unrepresentable("kwargs", f"expected a dict, not {type(kwargs).__name__}")
    options = entry.get("options") or {}
    if not isinstance(options, Mapping):
        raise Unrepresentable("options", f"expected a dict, not {type(options).__name__}")
    state = TaskState(
        name=name,
        task=task,
        schedule=key,
        args=canonical_json(args),
        kwargs=canonical_json(kwargs),
        one_off=kind_of(key).runs_once,
        **_options(options),
    )
    return state, used_default


def _checked_entry(name: Any, entry: Any) -> str:
    """The entry's task name, once its shape is one a row can hold; else ``Unrepresentable``."""
    if not isinstance(name, str) or not 1 <= len(name) <= rules.NAME_MAX:
        raise Unrepresentable(None, "the entry's name must be a string of 1 to 200 characters")
    hidden = rules.name_problem(name)
    if hidden:
        raise Unrepresentable(None, hidden)
    if not isinstance(entry, Mapping):
        raise Unrepresentable(None, "expected a dict with 'task' and 'schedule'")
    for key in entry:
        if key not in ENTRY_KEYS:
            raise Unrepresentable(
                str(key), f"unknown key (a beat_schedule entry has: {', '.join(ENTRY_KEYS)})"
            )
    task = entry.get("task")
    if not isinstance(task, str) or not task:
        raise Unrepresentable("task", "required: the name of the task to run")
    if "schedule" not in entry:
        raise Unrepresentable("schedule", "required")
    if entry.get("relative"):
        raise Unrepresentable(
            "relative",
            "relative=True rounds run times to the interval's resolution; "
            "django-celery-beat rows have no such setting",
        )
    return task


def _schedule(value: Any, default_timezone: str) -> tuple[ScheduleKey, bool]:
    for kind in KINDS.values():
        found = kind.from_beat(value, default_timezone)
        if found is not None:
            return found
    cls = type(value)
    raise Unrepresentable(
        "schedule",
        f"{cls.__module__}.{cls.__qualname__} is a custom schedule class: django-celery-beat "
        "stores intervals, crontabs, solar events and clocked times only",
    )


def _json(value: Any, where: str) -> Any:
    """``value`` as plain JSON (tuples become lists, as Celery's JSON serializer sends them)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Unrepresentable(where, f"{value!r} is not a JSON number")
        return value
    if isinstance(value, list | tuple):
        return [_json(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise Unrepresentable(where, f"key {key!r} is not a string: JSON keys are strings")
            out[key] = _json(item, f"{where}.{key}")
        return out
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    raise Unrepresentable(
        where,
        f"{type(value).__name__} value {text} is not JSON: the row stores arguments as JSON",
    )


def _options(options: Mapping[Any, Any]) -> dict[str, Any]:
    for key in options:
        if key not in OPTIONS:
            raise Unrepresentable(
                f"options.{key}",
                f"no django-celery-beat column holds this option (supported: {', '.join(OPTIONS)})",
            )
    out: dict[str, Any] = {}
    for key in ("queue", "exchange", "routing_key"):
        value = options.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise Unrepresentable(
                f"options.{key}", f"expected a name (a string), not {type(value).__name__}"
            )
        out[key] = value or None
    priority = options.get("priority")
    if priority is not None:
        if isinstance(priority, bool) or not isinstance(priority, int):
            raise Unrepresentable("options.priority", "expected an integer 0-255")
        out["priority"] = priority
    headers = options.get("headers")
    if headers:
        headers = _json(headers, "options.headers")
        if not isinstance(headers, dict):
            raise Unrepresentable("options.headers", "expected a dict")
        out["headers"] = canonical_json(headers)
    out.update(_expiry(options.get("expires"), options.get("expire_seconds")))
    return out


def _expiry(expires: Any, expire_seconds: Any) -> dict[str, Any]:
    conflict = rules.expiry_conflict(expires, expire_seconds)
    if conflict:
        raise Unrepresentable("options.expires", conflict)
    if expire_seconds is not None:
        expires = expire_seconds
    if expires is None:
        return {}
    if isinstance(expires, datetime):
        if expires.tzinfo is None or expires.utcoffset() is None:
            raise Unrepresentable(
                "options.expires", f"{expires} has no time zone: give the datetime a tzinfo"
            )
        return {"expires": expires.astimezone(UTC)}
    if isinstance(expires, timedelta):
        expires = expires.total_seconds()
    if isinstance(expires, bool) or not isinstance(expires, int | float):
        raise Unrepresentable("options.expires", "expected seconds or a datetime")
    if isinstance(expires, float) and not expires.is_integer():
        raise Unrepresentable(
            "options.expires", f"{expires} seconds: the column holds whole seconds"
        )
    return {"expire_seconds": int(expires)}
