"""One task as the files declare it, once validated: its canonical state and where each of its
keys stands. A module of its own, without the format's models, so that what only reads built
tasks (the cache of built files, the diff, the lints) does not import pydantic."""

from __future__ import annotations

from dataclasses import dataclass

from syncer.core.errors import Location
from syncer.core.state import TaskState


@dataclass(frozen=True)
class DesiredTask:
    state: TaskState
    source: Location
    previous_names: tuple[str, ...] = ()
    spec_hash: str = ""
    # Where each declared key stands (the task's own keys, else its file's defaults), as
    # (key, (line, column)) in the task's file: a Location is built only when one is asked for
    # (eight Location objects a task were a tenth of the validation time, and 100 MB at 100,000).
    field_marks: tuple[tuple[str, tuple[int, int]], ...] = ()
    previous_scope: str | None = None  # the scope this task is taken over from, if any

    def location_of(self, field: str) -> Location:
        for key, (line, column) in self.field_marks:
            if key == field:
                return Location(self.source.path, line, column)
        return self.source
