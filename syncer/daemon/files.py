"""The daemon's view of the files: a cheap fingerprint to notice changes that events missed, and a
parse cache keyed by content, so that an unchanged file is never parsed twice."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from syncer.core.desired import Context, Desired, build
from syncer.core.errors import Problem
from syncer.core.load import SourceFile, discover, parse_file, read_file


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


@dataclass
class Loaded:
    desired: Desired
    content_hash: str  # of every file's bytes and path: equal hashes mean equal input
    invalid_files: list[str] = field(default_factory=list)


class ParseCache:
    def __init__(self) -> None:
        self._by_content: dict[tuple[str, str], SourceFile | Problem] = {}

    def load(self, paths: Sequence[str], context: Context) -> Loaded:
        found, problems = discover(paths)
        digest = hashlib.sha256()
        sources: list[SourceFile] = []
        used: dict[tuple[str, str], SourceFile | Problem] = {}
        for path in found:
            name = str(path)
            content = read_file(path)
            if isinstance(content, Problem):
                problems.append(content)
                continue
            key = (name, hashlib.sha256(content).hexdigest())
            digest.update(f"{key[0]}\0{key[1]}\0".encode())
            parsed = self._by_content.get(key) or parse_file(name, content)
            used[key] = parsed
            if isinstance(parsed, Problem):
                problems.append(parsed)
            else:
                sources.append(parsed)
        self._by_content = used  # forget files that are gone or changed
        desired = build(sources, context)
        desired.problems[:0] = problems
        desired.problems.sort()
        invalid = sorted({p.location.path for p in desired.errors})
        return Loaded(desired, digest.hexdigest(), invalid)


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
