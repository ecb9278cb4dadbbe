"""One loaded document -> its tasks' specs, through ``FileSpec``, and every problem located.

The file is validated in one call of the model that defines the format (``syncer.core.spec``),
its tasks with their file's defaults filled in. Invalid defaults are reported once, under
``defaults.``, and left out of the tasks (rather than reported again for every task). When the
file has errors, its valid tasks are validated one by one, so that what can be checked across
files (duplicate names, registered task names) still is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from syncer.core.errors import Location, Problem
from syncer.core.load import LocDict
from syncer.core.spec import TASK, Defaults, FileSpec, TaskBase, merge_defaults
from syncer.core.spec_errors import (
    ErrorDetails,
    at,
    file_problem,
    name_problem,
    task_problems,
)


@dataclass
class DeclaredTask:
    name: str
    raw: Any  # the task's own mapping as loaded (LocDict), for locations
    merged: Any  # with the file's defaults filled in
    where: Location  # of its name
    spec: TaskBase | None  # None: invalid, or declared in an earlier file


@dataclass
class ValidatedFile:
    tasks: list[DeclaredTask] = field(default_factory=list)
    defaults: LocDict | None = None  # valid defaults only
    problems: list[Problem] = field(default_factory=list)


def validate_file(path: str, data: Any, declared: Container[str]) -> ValidatedFile:
    """``declared``: names declared in earlier files; such a task is not validated (it is a
    duplicate, which is the one problem reported about it)."""
    result = ValidatedFile()
    if not isinstance(data, LocDict):
        result.problems.extend(file_problem(path, data, e) for e in _errors(FileSpec, data))
        return result
    result.defaults = _valid_defaults(path, data, result.problems)
    tasks = data.get("tasks")
    merged: Any = tasks
    if isinstance(tasks, dict):
        merged = {
            name: merge_defaults(result.defaults, raw) if isinstance(raw, dict) else raw
            for name, raw in tasks.items()
        }
    document = {**data, "defaults": None}
    if "tasks" in data:
        document["tasks"] = merged
    specs: dict[Any, TaskBase] | None = None
    try:
        specs = FileSpec.model_validate(document).tasks or {}
        errors: list[ErrorDetails] = []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)  # type: ignore[assignment]
    by_task = _by_task(path, data, errors, result.problems)
    if isinstance(tasks, LocDict):
        for name, raw in tasks.items():
            _declare(path, name, raw, merged[name], tasks, by_task, specs, declared, result)
    return result


def _valid_defaults(path: str, data: LocDict, problems: list[Problem]) -> LocDict | None:
    defaults = data.get("defaults")
    if defaults is None:
        return None
    errors = _errors(Defaults, dict(defaults) if isinstance(defaults, dict) else defaults)
    if not errors:
        return defaults  # type: ignore[no-any-return]
    where = at(path, data, "defaults")
    node = defaults if isinstance(defaults, LocDict) else None
    problems.extend(task_problems(errors, path, None, node, None, where, "defaults."))
    return None


def _by_task(
    path: str, data: LocDict, errors: list[ErrorDetails], problems: list[Problem]
) -> dict[Any, list[ErrorDetails]]:
    """File-level errors -> problems; a task's errors -> grouped by its name, ``loc`` relative to
    the task (the union's branch tag dropped), or as one ``[key]`` error for a bad name."""
    by_task: dict[Any, list[ErrorDetails]] = defaultdict(list)
    for error in errors:
        loc = error["loc"]
        if len(loc) >= 3 and loc[0] == "tasks" and loc[2] == "[key]":
            # pydantic writes a key that is not a string as a string in loc: the key is the input
            by_task[error["input"]].append({**error, "loc": ("[key]",)})
        elif len(loc) >= 3 and loc[0] == "tasks":
            by_task[loc[1]].append({**error, "loc": loc[3:]})
        else:
            problems.append(file_problem(path, data, error))
    return by_task


def _declare(
    path: str,
    name: Any,
    raw: Any,
    merged: Any,
    tasks: LocDict,
    by_task: dict[Any, list[ErrorDetails]],
    specs: dict[Any, TaskBase] | None,
    declared: Container[str],
    result: ValidatedFile,
) -> None:
    errors = by_task.get(name, [])
    bad_name = next((e for e in errors if e["loc"] == ("[key]",)), None)
    if bad_name is not None:
        result.problems.append(name_problem(path, tasks, name, bad_name))
        return
    where = at(path, tasks, name)
    spec: TaskBase | None = None
    if name in declared:
        pass  # a duplicate: reported as such by the caller, not validated
    elif errors:
        result.problems.extend(task_problems(errors, path, name, raw, result.defaults, where))
    else:
        spec = specs[name] if specs is not None else TASK.validate_python(merged)
    result.tasks.append(DeclaredTask(name, raw, merged, where, spec))


def _errors(model: type[BaseModel], value: Any) -> list[ErrorDetails]:
    try:
        model.model_validate(value)
    except ValidationError as exc:
        return exc.errors(include_url=False)  # type: ignore[return-value]
    return []
