"""Schedules that are valid but probably do not do what their author thinks: warnings with the
file position (errors with ``--strict``). Pure. Each kind has its own lints (``Kind.lints``):
the cron ones in ``syncer.core.kinds.crontab_lints``, a sub-second interval, a clocked time in
the past. One about YAML itself: a bare ``NO`` (``yes``, ``on``, ``off``...) in ``args``,
``kwargs`` or ``headers`` is the boolean false, not the text the task probably expects. And two
about names a reviewer could mistake (``syncer.core.confusables``): two names that look alike
(the same UTS #39 skeleton), a name that mixes scripts (a Cyrillic a among Latin letters).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime

from syncer.core.confusables import mixed_script, script_names, skeleton
from syncer.core.desired import Desired, DesiredTask
from syncer.core.errors import Location, Problem
from syncer.core.escape import code_point
from syncer.core.kinds import kind_of

JSON_KEYS = ("args", "kwargs", "headers")  # values passed to the task as they are


def lint(desired: Desired, now: datetime) -> list[Problem]:
    problems: list[Problem] = []
    for task in desired.tasks.values():
        key = task.state.schedule
        for field, message, *group in kind_of(key).lints(key, now):
            where = task.location_of(field)
            if field == "timezone" and where == task.source:
                # the default time zone: point at the schedule key
                where = task.location_of(kind_of(key).spec_key)
            problems.append(
                Problem(
                    where,
                    message,
                    task=task.state.name,
                    field=field,
                    severity="warning",
                    group=group[0] if group else None,
                )
            )
    problems.extend(_bool_words(desired))
    problems.extend(_look_alike_names(desired))
    problems.extend(_mixed_script_names(desired))
    return sorted(problems)


def _bool_words(desired: Desired) -> list[Problem]:
    """Each plain word that became a boolean inside a task's args, kwargs or headers. The word's
    position says which key it is under: the nearest task key before it in the file."""
    problems: list[Problem] = []
    for path, words in desired.bool_words.items():
        keys = sorted(
            (mark, task.state.name, field)
            for task in desired.tasks.values()
            if task.source.path == path
            for field, mark in task.field_marks
        )
        marks = [mark for mark, _, _ in keys]
        for line, column, word in words:
            index = bisect_right(marks, (line, column)) - 1
            if index < 0 or keys[index][2] not in JSON_KEYS:
                continue
            _, name, field = keys[index]
            value = "true" if word.lower() in ("yes", "on") else "false"
            message = (
                f"{word} is read as the boolean {value} (YAML 1.1); write '{word}' for the text"
            )
            where = Location(path, line, column)
            problems.append(Problem(where, message, task=name, field=field, severity="warning"))
    return problems


def _look_alike_names(desired: Desired) -> list[Problem]:
    """Each name whose skeleton an earlier declared name (in reading order) has, at the later
    one."""
    first: dict[str, DesiredTask] = {}
    problems: list[Problem] = []
    for task in desired.tasks.values():
        name = task.state.name
        other = first.setdefault(skeleton(name), task)
        if other is task:
            continue
        index = next(
            (i for i, (a, b) in enumerate(zip(name, other.state.name, strict=False)) if a != b),
            min(len(name), len(other.state.name)),
        )
        here = code_point(name[index]) if index < len(name) else "its end"
        there = code_point(other.state.name[index]) if index < len(other.state.name) else "its end"
        message = (
            f"task name looks like task {other.state.name!r} ({other.source}): they differ at "
            f"character {index + 1}, {here} here, {there} there"
        )
        problems.append(Problem(task.source, message, task=name, severity="warning"))
    return problems


def _mixed_script_names(desired: Desired) -> list[Problem]:
    problems: list[Problem] = []
    for task in desired.tasks.values():
        mixed = mixed_script(task.state.name)
        if mixed is None:
            continue
        message = (
            f"task name mixes scripts: {code_point(mixed.char)} at character {mixed.index + 1} "
            f"is {script_names(mixed.scripts)}, the letters before it "
            f"{script_names(mixed.before)}"
        )
        problems.append(Problem(task.source, message, task=task.state.name, severity="warning"))
    return problems
