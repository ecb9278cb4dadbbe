"""The one way from paths to desired tasks, for the CLI and the daemon alike: discover, read
(bounded), parse (cached by content), build, lint.

A ``Pipeline`` keeps the documents of the files it parsed, keyed by path and content hash: the
daemon keeps one for its whole life, so an unchanged file is never parsed twice; a CLI command
makes one and uses it once. Lints run only on valid input (a warning about a file that does not
load would be noise).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from syncer.core.context import Context
from syncer.core.desired import Desired, build
from syncer.core.errors import Problem
from syncer.core.lints import lint
from syncer.core.load import SourceFile, discover, parse_file, read_file


@dataclass
class Loaded:
    desired: Desired  # its problems: the errors, then (valid input only) the warnings
    content_hash: str  # of every file's bytes and path: equal hashes mean equal input
    invalid_files: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return self.desired.errors

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.desired.problems if p.severity == "warning"]


class Pipeline:
    """``keep``: remember the parsed documents for the next ``load`` (the daemon). Without it
    (a command that loads once), each file is parsed, built and let go before the next is
    read: the documents of all files are never in memory together (~2 KB a task)."""

    def __init__(self, context: Context, *, keep: bool = True) -> None:
        self.context = context
        self.keep = keep
        self._parsed: dict[tuple[str, str], SourceFile | Problem] = {}

    def load(self, paths: Sequence[str], now: datetime) -> Loaded:
        found, problems = discover(paths)
        digest = hashlib.sha256()
        used: dict[tuple[str, str], SourceFile | Problem] = {}
        limits = self.context.limits

        def sources() -> Iterator[SourceFile]:
            for path in found:
                name = str(path)
                content = read_file(path, limits)
                if isinstance(content, Problem):
                    problems.append(content)
                    continue
                key = (name, hashlib.sha256(content).hexdigest())
                digest.update(f"{key[0]}\0{key[1]}\0".encode())
                parsed = self._parsed.get(key) or parse_file(name, content, limits)
                if self.keep:
                    used[key] = parsed
                if isinstance(parsed, Problem):
                    problems.append(parsed)
                else:
                    yield parsed

        desired = build(sources(), self.context)
        self._parsed = used  # forget files that are gone or changed
        desired.problems[:0] = problems
        if not desired.errors:
            desired.problems.extend(lint(desired, now))
        desired.problems.sort()
        invalid = sorted({p.location.path for p in desired.errors})
        return Loaded(desired, digest.hexdigest(), invalid)
