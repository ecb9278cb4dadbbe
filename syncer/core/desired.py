"""Loaded files -> one ``DesiredTask`` per name, and every problem found, each with file:line:col.

Each file is validated by the format's model (``syncer.core.validate_file``), each valid task
checked against the project and made canonical (``syncer.core.task_build``); this module adds
what spans files: names unique across files, ``previous_names`` claims, the task limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from syncer.core.context import Context
from syncer.core.desired_task import DesiredTask
from syncer.core.errors import Location, Problem
from syncer.core.gc_pause import gc_paused
from syncer.core.load import LocDict, SourceFile

if TYPE_CHECKING:
    from syncer.core.validate_file import DeclaredTask

__all__ = ["Desired", "DesiredTask", "build"]


@dataclass
class Desired:
    tasks: dict[str, DesiredTask] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    # path -> (line, column, word) of each plain word YAML 1.1 read as a boolean (for a lint)
    bool_words: dict[str, tuple[tuple[int, int, str], ...]] = field(default_factory=dict)
    # files validated by this load (not taken from what they built before): they changed
    built_files: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def build(files: Iterable[SourceFile], context: Context) -> Desired:
    desired = Desired()
    # The collector paused: building creates a handful of objects per task and keeps them, so
    # its passes would find nothing to free while walking an ever larger heap.
    with gc_paused():
        for source in files:
            add_file(desired, source, context)
    finish(desired, context)
    return desired


def add_file(desired: Desired, source: SourceFile, context: Context) -> list[DesiredTask]:
    """Validate and build one file into ``desired``; its tasks that built, in file order."""
    # The format's models (pydantic), imported by the first file that is not in the cache of
    # built files: a command whose files are all there never needs them (~0.1 s of start-up).
    from syncer.core.interpolate import expand_document
    from syncer.core.validate_file import validate_file

    desired.files.append(source.path)
    if source.bool_words:
        desired.bool_words[source.path] = source.bool_words
    path, data = source.path, source.data
    if source.has_dollar and isinstance(data, LocDict):
        data, missing = expand_document(data, path, context.environ)
        if missing:
            desired.problems.extend(missing)
            return []
    validated = validate_file(path, data, desired.tasks)
    desired.problems.extend(validated.problems)
    built = []
    for declared in validated.tasks:
        task = _build_declared(path, declared, validated.defaults, context, desired)
        if task is not None:
            desired.tasks[declared.name] = task
            built.append(task)
    return built


def add_built(
    desired: Desired,
    path: str,
    tasks: Sequence[DesiredTask],
    bool_words: tuple[tuple[int, int, str], ...],
    context: Context,
) -> bool:
    """Add the tasks one file built into before (it had no problem then): False, and nothing
    added, when one of them names a task the project does not register (any more)."""
    known = context.known_tasks
    if known is not None and any(task.state.task not in known for task in tasks):
        return False
    desired.files.append(path)
    if bool_words:
        desired.bool_words[path] = bool_words
    for task in tasks:
        name = task.state.name
        existing = desired.tasks.get(name)
        if existing is not None:
            desired.problems.append(_duplicate(name, task.source, existing))
        else:
            desired.tasks[name] = task
    return True


def finish(desired: Desired, context: Context) -> None:
    """What spans files, once every file is in: ``previous_names`` claims, the task limit."""
    _check_previous_names(desired)
    desired.problems.sort()
    total = len(desired.tasks)
    if total > context.limits.max_tasks:
        desired.problems.append(
            Problem(
                Location(desired.files[-1] if desired.files else "."),
                f"{total} tasks declared, more than the limit of {context.limits.max_tasks} "
                "(SYNCER_MAX_TASKS)",
            )
        )


def _duplicate(name: str, where: Location, existing: DesiredTask) -> Problem:
    return Problem(where, f"duplicate task name: already declared at {existing.source}", task=name)


def _build_declared(
    path: str,
    declared: DeclaredTask,
    defaults: LocDict | None,
    context: Context,
    desired: Desired,
) -> DesiredTask | None:
    from syncer.core.task_build import build_task, task_name_problems

    name, where = declared.name, declared.where
    existing = desired.tasks.get(name)
    if existing is not None:
        desired.problems.append(_duplicate(name, where, existing))
        return None
    if declared.spec is None:  # invalid: its problems are reported; check its task name too
        task = declared.merged.get("task") if isinstance(declared.merged, dict) else None
        if isinstance(task, str) and isinstance(declared.raw, LocDict):
            desired.problems.extend(task_name_problems(path, name, declared.raw, task, context))
        return None
    return build_task(
        path, name, declared.spec, declared.raw, defaults, where, context, desired.problems
    )


def _check_previous_names(desired: Desired) -> None:
    claimed: dict[str, str] = {}
    for name, task in desired.tasks.items():
        for old in task.previous_names:
            message = None
            if old == name:
                message = "previous_names lists the task's own name"
            elif old in desired.tasks:
                message = (
                    f"previous name {old!r} is still declared (at {desired.tasks[old].source})"
                )
            elif old in claimed:
                message = f"previous name {old!r} is also claimed by task {claimed[old]!r}"
            else:
                claimed[old] = name
            if message:
                desired.problems.append(Problem(task.source, message, name, "previous_names"))
