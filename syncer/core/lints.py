"""Schedules that are valid but probably do not do what their author thinks: warnings with the
file position (errors with ``--strict``). Pure. Each kind has its own lints (``Kind.lints``):
the cron ones in ``syncer.core.kinds.crontab_lints``, a sub-second interval, a clocked time in
the past. And one about YAML itself: a bare ``NO`` (``yes``, ``on``, ``off``...) in ``args``,
``kwargs`` or ``headers`` is the boolean false, not the text the task probably expects.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime

from syncer.core.desired import Desired
from syncer.core.errors import Location, Problem
from syncer.core.kinds import kind_of

JSON_KEYS = ("args", "kwargs", "headers")  # values passed to the task as they are


def lint(desired: Desired, now: datetime) -> list[Problem]:
    problems: list[Problem] = []
    for task in desired.tasks.values():
        key = task.state.schedule
        for field, message in kind_of(key).lints(key, now):
            where = task.location_of(field)
            if field == "timezone" and where == task.source:
                # the default time zone: point at the schedule key
                where = task.location_of(kind_of(key).spec_key)
            problems.append(
                Problem(where, message, task=task.state.name, field=field, severity="warning")
            )
    problems.extend(_bool_words(desired))
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
