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
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from syncer.core import rules
from syncer.core.context import Context
from syncer.core.desired import build
from syncer.core.errors import Location, Problem
from syncer.core.escape import escape
from syncer.core.kinds import Unrepresentable, kind_of
from syncer.core.load import LoadError, SourceFile, load_text
from syncer.core.policy import format_duration
from syncer.core.state import COMPARED_FIELDS, DEFAULTS, PLAIN_FIELDS, POLICY_FIELDS, TaskState
from syncer.core.yaml_style import Dumper, Flow, FlowList, visible_escapes

# Optional keys in the order of the format's documentation, and their defaults (left out).
_OPTIONAL: tuple[str, ...] = (*(f for f in PLAIN_FIELDS if f != "task"), *POLICY_FIELDS)
_CHECK_CONTEXT = Context(default_timezone="UTC", known_tasks=None)


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


def task_mapping(state: TaskState) -> dict[str, Any]:
    """The schedule-file mapping of one task: ``task``, the schedule key, then every optional key
    whose value differs from the default. Raises ``Unrepresentable``."""
    hidden = rules.name_problem(state.name)
    if hidden:  # a row made elsewhere (the admin, a script): a schedule file refuses the name
        raise Unrepresentable(None, hidden)
    out: dict[str, Any] = {"task": state.task}
    kind = kind_of(state.schedule)
    out.update(kind.to_file(state.schedule))
    for name in _OPTIONAL:
        value = getattr(state, name)
        if name == "one_off" and kind.runs_once:
            if not value:  # the format implies one_off: say so through the check below
                out[name] = False
            continue
        if value == DEFAULTS[name]:
            continue
        if name in ("args", "kwargs", "headers"):
            try:
                value = json.loads(value)
            except ValueError:
                text = value.removeprefix("<invalid JSON> ")  # as syncer.db.actual marks it
                raise Unrepresentable(name, f"the column holds invalid JSON: {text}") from None
            value = Flow(value) if isinstance(value, dict) else FlowList(value)
        elif name in ("expires", "start_time"):
            value = value.isoformat()
        elif name in ("starting_deadline", "jitter", "grace"):
            value = format_duration(value)
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
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
    )
    lines = [f"  # {escape(line)}".rstrip() for line in comment.splitlines()]
    lines += [f"  {line}" if line else line for line in visible_escapes(text).splitlines()]
    return "\n".join(lines) + "\n"


def check(state: TaskState, block: str) -> list[tuple[str | None, str]]:
    """Read ``block`` back as ``syncer plan`` would: (field, message) per difference."""
    try:
        data = load_text("<export>", f"tasks:\n{block}".encode(), _CHECK_CONTEXT.limits)
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
