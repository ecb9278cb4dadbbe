"""One file's bytes -> its document: bounded reads, UTF-8, the fast path with the full path as
its fallback, and the refusal of NUL characters (the database cannot store them)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syncer.core.context import Limits
from syncer.core.errors import Location, Problem
from syncer.core.load.document import LoadError, LocDict, SourceFile
from syncer.core.load.fast import Fallback, load_fast
from syncer.core.load.full import load_full
from syncer.core.load.yaml_loader import BoolWord

DEFAULT_LIMITS = Limits()


@dataclass
class LoadResult:
    files: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load_text(path: str, content: bytes, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse one document; raise LoadError with a line and column."""
    return load_document(path, content, limits)[0]


def load_document(
    path: str, content: bytes, limits: Limits = DEFAULT_LIMITS
) -> tuple[Any, tuple[BoolWord, ...]]:
    """One document, and where a plain word became a boolean (YAML 1.1: ``NO`` is false)."""
    if len(content) > limits.max_file_bytes:
        raise LoadError(_too_large(len(content), limits))
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise LoadError(f"not valid UTF-8 (byte {exc.start})", line) from None
    try:
        data, bool_words = load_fast(text)
    except Fallback:
        # Anchors, tags, merge keys, duplicates, a syntax error...: the full path says why.
        data, bool_words = load_full(text, limits.max_yaml_nodes)
    if "\\" in text:  # a NUL comes only from an escape in a double-quoted scalar
        _check_nul(data)
    return data, tuple(bool_words)


def _check_nul(data: Any) -> None:
    """PostgreSQL stores no NUL character, in text or JSON, and ``"\\0"``, ``"\\x00"`` or
    ``"\\u0000"`` put one in a string: refuse it here, with its position, rather than as a
    database error in the middle of an apply (``validate`` would have passed)."""
    stack: list[tuple[Any, tuple[int, int]]] = [(data, (1, 1))]
    seen: set[int] = set()
    while stack:
        value, mark = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise LoadError(
                    f"{value[:40]!r} contains a NUL character (\\0), which the database cannot "
                    "store",
                    *mark,
                )
        elif isinstance(value, dict | list) and id(value) not in seen:
            seen.add(id(value))
            if isinstance(value, LocDict):
                for key, item in reversed(value.items()):  # reversed: the first in the file wins
                    where = value.key_marks.get(key, value.mark)
                    stack.extend(((item, where), (key, where)))
            else:
                stack.extend((item, mark) for item in reversed(value))


def _too_large(size: int, limits: Limits) -> str:
    return (
        f"file is {size} bytes, larger than the limit of {limits.max_file_bytes} "
        "(SYNCER_MAX_FILE_BYTES)"
    )


def read_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> bytes | Problem:
    """A file's bytes, never more than the limit (+1 byte to notice) in memory, or a problem."""
    name = str(path)
    try:
        with path.open("rb") as handle:
            content = handle.read(limits.max_file_bytes + 1)
            size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        return Problem(Location(name), f"cannot read: {exc.strerror or exc}")
    if len(content) > limits.max_file_bytes:
        return Problem(Location(name), _too_large(max(size, len(content)), limits))
    return content


def parse_file(name: str, content: bytes, limits: Limits = DEFAULT_LIMITS) -> SourceFile | Problem:
    try:
        data, bool_words = load_document(name, content, limits)
    except LoadError as exc:
        return Problem(Location(name, exc.line, exc.column), str(exc))
    return SourceFile(name, data, content.count(b"\n") + 1, b"$" in content, bool_words)


def load_files(paths: list[Path], limits: Limits = DEFAULT_LIMITS) -> LoadResult:
    result = LoadResult()
    for path in paths:
        content = read_file(path, limits)
        parsed = content if isinstance(content, Problem) else parse_file(str(path), content, limits)
        if isinstance(parsed, Problem):
            result.problems.append(parsed)
        else:
            result.files.append(parsed)
    return result
