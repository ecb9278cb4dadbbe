"""One task as the files declare it, once validated: its canonical state and where each of its
keys stands. A module of its own, without the format's models, so that what only reads built
tasks (the cache of built files, the diff, the lints) does not import pydantic."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from syncer.core.errors import Location
from syncer.core.state import TaskState


class FieldMarks:
    """Where each declared key of a task stands, as (key, (line, column)) pairs when iterated:
    the keys as one tuple shared by the tasks that declare the same keys, the positions packed
    in bytes. As a tuple of pairs it was ~900 bytes and 12 objects a task (90 MB at 100,000
    tasks, and most of what the cache of built files reads back); this is ~150 bytes and two
    objects."""

    __slots__ = ("keys", "positions")

    def __init__(self, keys: tuple[str, ...] = (), positions: bytes = b"") -> None:
        self.keys = keys
        self.positions = positions  # line, column of each key: native unsigned ints

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, tuple[int, int]]]) -> FieldMarks:
        keys: list[str] = []
        numbers = array("I")
        for key, (line, column) in pairs:
            keys.append(key)
            numbers.append(line)
            numbers.append(column)
        shared = tuple(keys)
        return cls(_KEYS.setdefault(shared, shared), numbers.tobytes())

    def __iter__(self) -> Iterator[tuple[str, tuple[int, int]]]:
        numbers = memoryview(self.positions).cast("I")
        for index, key in enumerate(self.keys):
            yield key, (numbers[2 * index], numbers[2 * index + 1])

    def __len__(self) -> int:
        return len(self.keys)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldMarks):
            return NotImplemented
        return self.keys == other.keys and self.positions == other.positions

    def __hash__(self) -> int:
        return hash((self.keys, self.positions))

    def __repr__(self) -> str:
        return f"FieldMarks({list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FieldMarks, (self.keys, self.positions))


# Each distinct tuple of keys, once: the tasks of a file mostly declare the same keys.
_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {}
NO_MARKS = FieldMarks()


@dataclass(frozen=True)
class DesiredTask:
    state: TaskState
    source: Location
    previous_names: tuple[str, ...] = ()
    spec_hash: str = ""
    # Where each declared key stands (the task's own keys, else its file's defaults), in the
    # task's file: a Location is built only when one is asked for (eight Location objects a task
    # were a tenth of the validation time, and 100 MB at 100,000).
    field_marks: FieldMarks = NO_MARKS
    previous_scope: str | None = None  # the scope this task is taken over from, if any

    def location_of(self, field: str) -> Location:
        for key, (line, column) in self.field_marks:
            if key == field:
                return Location(self.source.path, line, column)
        return self.source
