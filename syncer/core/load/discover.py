"""Which files are schedule files: ``*.yaml`` / ``*.yml`` under the given paths, recursively, in
sorted order, names starting with ``.`` skipped; odd entries (a broken link, a directory named
``x.yaml``) are problems, never silently ignored."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from syncer.core.errors import Location, Problem

SUFFIXES = (".yaml", ".yml")


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[Problem]]:
    """The schedule files under ``paths`` (recursive, sorted), and problems (a missing path...)."""
    found: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(_walk(path, problems))
        elif path.is_file():
            found.append(path)
        elif path.is_symlink():
            problems.append(Problem(Location(str(path)), "broken or looping symbolic link"))
        else:
            problems.append(Problem(Location(str(path)), "no such file or directory"))
    unique = sorted(dict.fromkeys(found), key=lambda p: str(p))
    return unique, problems


def _walk(root: Path, problems: list[Problem]) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith(SUFFIXES):
                continue
            candidate = Path(dirpath) / name
            if candidate.is_file():
                yield candidate
            else:
                problems.append(
                    Problem(
                        Location(str(candidate)), "not a regular file (broken or looping link?)"
                    )
                )
        for name in dirnames:
            candidate = Path(dirpath) / name
            if name.endswith(SUFFIXES):
                problems.append(
                    Problem(Location(str(candidate)), "is a directory, not a schedule file")
                )
