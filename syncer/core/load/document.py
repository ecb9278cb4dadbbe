"""What the loader hands on: mappings that remember where they stand, one parsed file, and the
error of a file that cannot be read (with its line and column)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class LocDict(dict[Any, Any]):
    """A mapping that remembers where it and each of its keys stand in the file."""

    __slots__ = ("key_marks", "mark")

    def __init__(self) -> None:
        super().__init__()
        self.mark: tuple[int, int] = (0, 0)
        self.key_marks: dict[Any, tuple[int, int]] = {}


class LoadError(Exception):
    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass
class SourceFile:
    path: str
    data: Any
    text_lines: int = 0
    has_dollar: bool = True  # False: no ${VAR} to expand, skip the walk
    # (line, column, word) of each plain word that YAML 1.1 read as a boolean (`NO` is false)
    bool_words: tuple[tuple[int, int, str], ...] = ()
