"""``TaskState`` values -> a schedule file: the inverse of ``syncer.core.desired``. Pure.

Used by ``syncer export`` (the live rows) and ``syncer import-beat-schedule`` (a Celery
``beat_schedule``). Every task written is first read back through the same loader and builder as
``syncer plan`` and compared, field by field, with the state it came from: a value that the format
cannot express (a clocked task that is not one-off, ``expires`` together with ``expire_seconds``,
invalid JSON in ``args``, ...) is reported with the task's name, never written approximately.
So a file from this module plans no field change against the rows it was made from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from syncer.core.context import Context
from syncer.core.desired import build
from syncer.core.durations import PERIOD_MICROSECONDS
from syncer.core.errors import Location, Problem
from syncer.core.load import LoadError, SourceFile, load_text
from syncer.core.state import (
    COMPARED_FIELDS,
    PLAIN_FIELDS,
    ClockedKey,
    CrontabKey,
    IntervalKey,
    ScheduleKey,
    SolarKey,
    TaskState,
)

# Units tried for ``every``; the shortest exact spelling wins (ties: the larger unit).
_UNITS: tuple[tuple[str, int], ...] = (
    ("w", 7 * 86_400_000_000),
    ("d", 86_400_000_000),
    ("h", 3_600_000_000),
    ("m", 60_000_000),
    ("s", 1_000_000),
    ("ms", 1_000),
    ("us", 1),
)
# Optional keys in the order of the format's documentation, and their defaults (left out).
_OPTIONAL: tuple[str, ...] = tuple(f for f in PLAIN_FIELDS if f != "task")
_DEFAULTS = TaskState(name="", task="", schedule=IntervalKey(1, "seconds"))
_CHECK_CONTEXT = Context(default_timezone="UTC", known_tasks=None)


class Unrepresentable(ValueError):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Item:
    """One task to write, with an optional comment line above it."""

    state: TaskState
    comment: str = ""


@dataclass
class Export:
    text: str
    names: list[str] = field(default_factory=list)  # the tasks written
    problems: list[Problem] = field(default_factory=list)  # the tasks left out, and why


def spell_every(every: int, period: str) -> str:
    """The shortest ``every:`` spelling of an interval, e.g. (90, minutes) -> ``90m``.

    The parser stores a duration in the largest period that represents it exactly, so the
    spelling comes back as (every, period) when that pair is itself in that form (the live rows
    are read in that form: ``syncer.db.actual``)."""
    size = PERIOD_MICROSECONDS.get(period)
    if size is None or every <= 0:
        raise Unrepresentable("schedule", f"an interval of {every} {period} cannot be declared")
    total = every * size
    spellings = [f"{total // unit}{name}" for name, unit in _UNITS if total % unit == 0]
    return min(spellings, key=len)


def _interval(key: ScheduleKey) -> dict[str, Any]:
    assert isinstance(key, IntervalKey)
    if key.period not in PERIOD_MICROSECONDS:
        raise Unrepresentable("schedule", "the row has no schedule")
    return {"every": spell_every(key.every, key.period)}


def _crontab(key: ScheduleKey) -> dict[str, Any]:
    assert isinstance(key, CrontabKey)
    names = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
    values = [getattr(key, name) for name in names]
    if all(value and value.split() == [value] for value in values):
        cron: Any = _Quoted(key.expression())
    else:  # a field with a space: the mapping form, so that the error names the field
        cron = _Flow(zip(names, values, strict=True))
    return {"cron": cron, "timezone": key.timezone}


def _solar(key: ScheduleKey) -> dict[str, Any]:
    assert isinstance(key, SolarKey)
    return {
        "solar": _Flow(
            event=key.event, latitude=_number(key.latitude), longitude=_number(key.longitude)
        )
    }


def _clocked(key: ScheduleKey) -> dict[str, Any]:
    assert isinstance(key, ClockedKey)
    return {"clocked": key.clocked_time.isoformat()}


_SCHEDULE: dict[str, Callable[[ScheduleKey], dict[str, Any]]] = {
    "interval": _interval,
    "crontab": _crontab,
    "solar": _solar,
    "clocked": _clocked,
}


def _number(text: str) -> float | str:
    """A coordinate as a plain number when a float holds it exactly, else its decimal text."""
    try:
        exact = Decimal(text)
        return float(text) if Decimal(repr(float(text))) == exact else text
    except (InvalidOperation, ValueError):
        return text


def task_mapping(state: TaskState) -> dict[str, Any]:
    """The schedule-file mapping of one task: ``task``, the schedule key, then every optional key
    whose value differs from the default. Raises ``Unrepresentable``."""
    out: dict[str, Any] = {"task": state.task}
    out.update(_SCHEDULE[state.schedule.kind](state.schedule))
    for name in _OPTIONAL:
        value = getattr(state, name)
        if name == "one_off" and state.schedule.kind == "clocked":
            if not value:  # the format implies one_off: say so through the check below
                out[name] = False
            continue
        if value == getattr(_DEFAULTS, name):
            continue
        if name in ("args", "kwargs", "headers"):
            try:
                value = json.loads(value)
            except ValueError:
                text = value.removeprefix("<invalid JSON> ")  # as syncer.db.actual marks it
                raise Unrepresentable(name, f"the column holds invalid JSON: {text}") from None
            value = _Flow(value) if isinstance(value, dict) else _FlowList(value)
        elif name in ("expires", "start_time"):
            value = value.isoformat()
        out[name] = value
    escaped: dict[str, Any] = _escape(out)
    return escaped


def _escape(value: Any) -> Any:
    """``$`` -> ``$$`` in string values: a loaded file expands ``${VAR}`` (never in keys)."""
    if isinstance(value, str):
        return type(value)(value.replace("$", "$$"))
    if isinstance(value, dict):
        return type(value)((key, _escape(item)) for key, item in value.items())
    if isinstance(value, list):
        return type(value)(_escape(item) for item in value)
    return value


def render_task(name: str, mapping: dict[str, Any], comment: str = "") -> str:
    """One entry of ``tasks:``, indented by two spaces."""
    text = yaml.dump(
        {name: mapping},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
    )
    lines = [f"  # {line}".rstrip() for line in comment.splitlines()]
    lines += [f"  {line}" if line else line for line in text.splitlines()]
    return "\n".join(lines) + "\n"


def check(state: TaskState, block: str) -> list[tuple[str | None, str]]:
    """Read ``block`` back as ``syncer plan`` would: (field, message) per difference."""
    try:
        data = load_text("<export>", f"tasks:\n{block}".encode())
    except LoadError as exc:
        return [(None, f"the YAML written cannot be read back: {exc}")]
    desired = build([SourceFile("<export>", data)], _CHECK_CONTEXT)
    if desired.errors:
        return [(p.field, p.message) for p in desired.errors]
    back = desired.tasks.get(state.name)
    if back is None:
        return [(None, "the name does not come back unchanged")]
    return [
        (name, f"{state.display(name)} would come back as {back.state.display(name)}")
        for name in COMPARED_FIELDS
        if getattr(back.state, name) != getattr(state, name)
    ]


def export(items: Iterable[Item], header: str = "", source: str = "export") -> Export:
    """A schedule file of every representable item (sorted by name), and a problem per other."""
    result = Export("")
    blocks: list[str] = []
    for item in sorted(items, key=lambda i: i.state.name):
        state = item.state
        try:
            block = render_task(state.name, task_mapping(state), item.comment)
        except Unrepresentable as exc:
            result.problems.append(Problem(Location(source), str(exc), state.name, exc.field))
            continue
        found = check(state, block)
        if found:
            result.problems.extend(
                Problem(Location(source), message, state.name, where) for where, message in found
            )
            continue
        blocks.append(block)
        result.names.append(state.name)
    head = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    result.text = f"{head}version: 1\ntasks:{'' if blocks else ' {}'}\n{''.join(blocks)}"
    return result


class _Flow(dict[str, Any]):
    """A mapping written in flow style: ``{path: x, text: y}``."""


class _FlowList(list[Any]):
    """A sequence written in flow style: ``[1, 2]``."""


class _Quoted(str):
    """A string written in double quotes (a cron expression reads better so)."""

    __slots__ = ()


class _Dumper(yaml.SafeDumper):  # type: ignore[misc,unused-ignore]
    def represent_str(self, data: str) -> yaml.ScalarNode:
        # Several lines: a literal block (``|``) when YAML allows it, else quoted with escapes.
        # NEL, LS, PS and CR: PyYAML would fold them into spaces unless they are escaped.
        # A literal block only for plain text: one that ends in blank lines would need "keep"
        # chomping, after which PyYAML ends the whole document ("...").
        if isinstance(data, _Quoted) or any(c in data for c in "\x85\u2028\u2029\r"):
            style: str | None = '"'
        elif "\n" in data:
            literal = data.strip() and data[0] not in " \t\n" and not data.endswith("\n\n")
            style = "|" if literal else '"'
        else:
            style = None
        return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _Dumper.represent_str)
_Dumper.add_representer(_Quoted, _Dumper.represent_str)
_Dumper.add_representer(
    _Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True)
)
_Dumper.add_representer(
    _FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)
