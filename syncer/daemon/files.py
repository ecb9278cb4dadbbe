"""The daemon's view of the files: a cheap fingerprint to notice changes that events missed, and
the directories to watch. (Loading them is ``syncer.core.pipeline``'s, with its parse cache.)"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from syncer.core.load import discover


def fingerprint(paths: Sequence[str]) -> str:
    """Changes whenever a schedule file is added, removed, renamed, replaced or rewritten."""
    digest = hashlib.sha256()
    for raw in paths:
        digest.update(f"{raw}\0{_resolved(raw)}\0".encode())
        found, problems = discover([raw])
        for path in found:
            try:
                stat = path.stat()
            except OSError:
                continue
            digest.update(f"{path}\0{stat.st_ino}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
        for problem in problems:
            digest.update(str(problem).encode())
    return digest.hexdigest()


def _resolved(path: str) -> str:
    try:
        return str(Path(path).resolve(strict=False))
    except (OSError, RuntimeError):
        return path


def watch_roots(paths: Sequence[str]) -> list[tuple[str, bool]]:
    """(directory, recursive) pairs to watch: each path itself, recursively, and its parent, not
    recursively, so that replacing the whole directory (git checkout, a rename) is seen too."""
    roots: dict[str, bool] = {}
    for raw in paths:
        path = Path(raw).absolute()
        if path.is_dir():
            roots[str(path)] = True
        if path.parent.is_dir():
            roots.setdefault(str(path.parent), False)
    return list(roots.items()) or [(os.getcwd(), False)]


def identity(paths: Sequence[str]) -> tuple[tuple[str, int], ...]:
    """The inode behind each path: when it changes, the directory was replaced."""
    out = []
    for raw in paths:
        try:
            out.append((raw, os.stat(raw).st_ino))
        except OSError:
            out.append((raw, -1))
    return tuple(out)
