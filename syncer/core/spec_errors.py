"""pydantic's errors -> problems located in the YAML: ``path:line:col: task 'x': field: message``.

An error's ``loc`` is a path into the validated document (``("tasks", name, branch, "cron",
"hour")``); it is followed through the loaded mappings (``LocDict``, which know where each key
stands) to the nearest key, in the task's own keys first, else in its file's defaults. Messages
are pydantic's, but where the format has a better word: unknown keys with a "did you mean" hint,
a schedule key of the wrong type with an example, the file-level shapes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from syncer.core.errors import Location, Problem
from syncer.core.kinds import BY_SPEC_KEY
from syncer.core.load import LocDict
from syncer.core.spec import FILE_KEYS, TASK_KEYS, Defaults

ErrorDetails = dict[str, Any]  # one of ValidationError.errors(include_url=False)

# The branch tags pydantic puts in an error's loc (unions, and JsonValue's float/dict/list).
_UNION_BRANCHES = {
    "str",
    "int",
    "float",
    "dict",
    "list",
    "CronMapping",
    "constrained-str",
    "constrained-int",
}
_NESTED_KEYS = {kind.spec_key: kind.nested_keys for kind in BY_SPEC_KEY.values()}
_DEFAULTS_KEYS = tuple(Defaults.model_fields)


def at(path: str, node: LocDict, key: Any) -> Location:
    line, column = node.key_marks.get(key, node.mark)
    return Location(path, line, column)


def unknown_key(key: Any, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(allowed)})"
    return f"unknown key {key!r}{hint}"


def _value_error(message: str) -> str:
    return message.removeprefix("Value error, ")


def file_problem(path: str, data: Any, error: ErrorDetails) -> Problem:
    """An error about the file's top level (its shape, version, unknown keys, ``tasks``)."""
    loc, kind = error["loc"], error["type"]
    top = Location(path, 1, 1)
    if not loc:
        if data is None:
            return Problem(top, "file is empty: expected a mapping with a 'tasks' key")
        return Problem(top, "expected a mapping with a 'tasks' key at the top level")
    key = loc[0]
    if kind == "missing":
        return Problem(top, f"missing key {key!r}")
    where = at(path, data, key)
    if kind == "extra_forbidden":
        return Problem(where, unknown_key(key, FILE_KEYS), field=str(key))
    if key == "tasks" and kind == "dict_type":
        return Problem(where, "expected a mapping of task name -> task", field="tasks")
    return Problem(where, _value_error(error["msg"]), field=str(key))


def name_problem(path: str, tasks: LocDict, name: Any, error: ErrorDetails) -> Problem:
    """A task name (a key of ``tasks``) that is not a string of 1 to 200 characters, or that
    holds a hidden character."""
    where = at(path, tasks, name)
    if error["type"] == "string_type":
        return Problem(where, f"task name {name!r} must be a string (quote it)", task=str(name))
    if error["type"] == "value_error":  # syncer.core.rules.name_problem
        return Problem(where, _value_error(error["msg"]), task=str(name))
    return Problem(where, "task name must be 1 to 200 characters", task=str(name))


def task_problems(
    errors: list[ErrorDetails],
    path: str,
    task: str | None,
    raw: Any,
    defaults: LocDict | None,
    where: Location,
    prefix: str = "",
) -> list[Problem]:
    """The errors of one task (``task`` given) or of the defaults (``prefix`` "defaults."), with
    ``loc`` relative to it."""
    problems = []
    for error in drop_rejected_branches(errors):
        loc = _strip_union_branches(error["loc"])
        if not loc and error["type"] == "model_type":
            message = (
                "expected a mapping with at least 'task' and a schedule"
                if task is not None
                else "expected a mapping"
            )
            problems.append(Problem(where, message, task=task, field=prefix.rstrip(".") or None))
            continue
        location = _locate(path, loc, raw, defaults, where)
        field_name = prefix + ".".join(str(p) for p in loc) if loc else (prefix.rstrip(".") or None)
        message = _message(error, loc, field_name, task is not None)
        problems.append(Problem(location, message, task=task, field=field_name))
    # One report per position and field: unions repeat the same complaint per branch.
    unique: dict[tuple[Location, str | None], Problem] = {}
    for p in problems:
        unique.setdefault((p.location, p.field), p)
    return list(unique.values())


def _locate(
    path: str, loc: tuple[Any, ...], raw: Any, defaults: LocDict | None, where: Location
) -> Location:
    """The nearest key on ``loc``'s path: in the task's own keys, else in the defaults."""
    location = where
    node: Any = raw
    own = isinstance(raw, LocDict) and loc and isinstance(loc[0], str) and loc[0] in raw
    if loc and not own and defaults and loc[0] in defaults:
        node = defaults
    for part in loc:
        if isinstance(node, LocDict) and part in node.key_marks:
            location = at(path, node, part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            break
    return location


def _message(error: ErrorDetails, loc: tuple[Any, ...], field: str | None, in_task: bool) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "extra_forbidden" and loc:
        allowed = TASK_KEYS if in_task else _DEFAULTS_KEYS
        if len(loc) > 1:
            allowed = _NESTED_KEYS.get(loc[0], ())
        return unknown_key(loc[-1], allowed)
    if kind == "missing" and loc == ("task",):
        return "required key 'task' is missing"
    message = _value_error(message)
    if kind.endswith("_type") and field:
        head, _, rest = field.partition(".")
        schedule = BY_SPEC_KEY.get(head)
        if schedule is not None and not rest:
            return f"{message} ({schedule.hint})"
        if schedule is not None and schedule.nested_hint:
            return f"{message} ({schedule.nested_hint})"
    return message


def _is_branch(part: Any) -> bool:
    return isinstance(part, str) and (
        part in _UNION_BRANCHES or part.startswith(("function-", "json-or-python"))
    )


def drop_rejected_branches(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """A union reports every branch. A branch that rejected the value's type outright is noise
    when another branch of the same union got further: a cron mapping with a bad minute is not
    "not a valid string", its minute is out of range."""

    def rejected_at(error: ErrorDetails) -> tuple[Any, ...] | None:
        loc = error["loc"]
        if error["type"].endswith("_type") and loc and _is_branch(loc[-1]):
            return tuple(loc[:-1])
        return None

    sites = [rejected_at(error) for error in errors]
    kept = []
    for error, site in zip(errors, sites, strict=True):
        if site is not None and any(
            other_site != site
            and tuple(other["loc"][: len(site)]) == site
            and len(other["loc"]) > len(site)
            and other["loc"][len(site)] != error["loc"][-1]
            for other, other_site in zip(errors, sites, strict=True)
        ):
            continue
        kept.append(error)
    return kept


def _strip_union_branches(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(part for part in loc if not _is_branch(part))
