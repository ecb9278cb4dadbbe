"""The one way from paths to desired tasks, for the CLI and the daemon alike: discover, read
(bounded), parse, build (both skipped for a file built before), lint.

A ``Pipeline`` keeps the documents of the files it parsed, keyed by path and content hash, and
what each file built into: the daemon keeps one for its whole life, so an unchanged file is never
parsed or validated twice; a CLI command makes one and uses it once, with a ``BuildStore`` (the
cache directory) that keeps built files between commands (``syncer.core.build_cache``: what the
key covers). Lints run on every load, and only on valid input (a warning about a file that does
not load would be noise). A command may also have handed its files to helper processes first
(``syncer.core.prebuild``): what they built is added as an entry of the cache is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from syncer.core.build_cache import BuildStore, FileBuild, decode, encode, entry_key
from syncer.core.context import Context
from syncer.core.desired import Desired, add_built, add_file, finish
from syncer.core.errors import Problem
from syncer.core.gc_pause import gc_paused
from syncer.core.lints import lint
from syncer.core.load import SourceFile, discover, parse_file, read_file
from syncer.core.prebuild import Handed


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
    """``keep``: remember the parsed documents and the built files for the next ``load`` (the
    daemon). Without it (a command that loads once), each file is parsed, built and let go
    before the next is read: the documents of all files are never in memory together (~2 KB a
    task). ``store``: where files that built without a problem are kept between processes
    (``syncer.core.build_cache``): an unchanged file is then neither parsed nor validated."""

    def __init__(
        self,
        context: Context,
        *,
        keep: bool = True,
        store: BuildStore | None = None,
        handed: Handed | None = None,
    ) -> None:
        self.context = context
        self.keep = keep
        self.store = store
        self.handed = handed or Handed()
        self._parsed: dict[tuple[str, str], SourceFile | Problem] = {}
        self._built: dict[str, FileBuild] = {}

    def load(self, paths: Sequence[str], now: datetime) -> Loaded:
        found, problems = discover(paths)
        digest = hashlib.sha256()
        parsed: dict[tuple[str, str], SourceFile | Problem] = {}
        built: dict[str, FileBuild] = {}
        desired = Desired()
        try:
            with gc_paused():  # the build keeps what it makes: see desired.build
                for path in found:
                    name = str(path)
                    content = read_file(path, self.context.limits)
                    if isinstance(content, Problem):
                        problems.append(content)
                        continue
                    content_hash = hashlib.sha256(content).hexdigest()
                    digest.update(f"{name}\0{content_hash}\0".encode())
                    problem = self._add(desired, name, content, content_hash, parsed, built)
                    if problem is not None:
                        problems.append(problem)
        finally:
            self.handed.close()  # the helpers ended, whatever happened
        finish(desired, self.context)
        if self.keep:  # forget files that are gone or changed
            self._parsed, self._built = parsed, built
        desired.problems[:0] = problems
        if not desired.errors:
            with gc_paused():  # its passes would walk the tasks just built, to free nothing
                desired.problems.extend(lint(desired, now))
        desired.problems.sort()
        invalid = sorted({p.location.path for p in desired.errors})
        return Loaded(desired, digest.hexdigest(), invalid)

    def _add(
        self,
        desired: Desired,
        name: str,
        content: bytes,
        content_hash: str,
        parsed: dict[tuple[str, str], SourceFile | Problem],
        built: dict[str, FileBuild],
    ) -> Problem | None:
        """One file into ``desired``: from what it built before, else parsed and built (and
        kept, when it has no problem); a file that does not parse is its problem, returned."""
        key = entry_key(self.store, name, content, content_hash, self.context)
        kept = self.keep or self.store is not None  # else nothing is kept: no entry to look up
        cached = self._cached(key) if kept else None
        if cached is not None and add_built(
            desired, name, cached.tasks, cached.bool_words, self.context
        ):
            built[key] = cached
            return None
        if cached is None and (handed := self._from_helper(desired, name, key)) is not None:
            if kept:
                built[key] = handed
            return None
        source = self._parsed.get((name, content_hash)) or parse_file(
            name, content, self.context.limits
        )
        if isinstance(source, Problem):
            if self.keep:
                parsed[(name, content_hash)] = source
            return source
        before = len(desired.problems)
        tasks = add_file(desired, source, self.context)
        desired.built_files += 1
        if kept and len(desired.problems) == before:
            built[key] = self._keep_built(key, FileBuild(tuple(tasks), source.bool_words))
        elif self.keep:  # its document, for the next load (a built file is never parsed again)
            parsed[(name, content_hash)] = source
        return None

    def _from_helper(self, desired: Desired, name: str, key: str) -> FileBuild | None:
        """What a helper built of the file, added as an entry of the cache is (and kept in the
        cache, as this process's build would be, when it adds no problem); None: nothing."""
        data = self.handed.take(key)
        build = decode(data) if data is not None else None
        before = len(desired.problems)
        if build is None or not add_built(
            desired, name, build.tasks, build.bool_words, self.context
        ):
            return None
        desired.built_files += 1
        if self.store is not None and data is not None and len(desired.problems) == before:
            self.store.put(key, data)
        return build

    def _cached(self, key: str) -> FileBuild | None:
        found = self._built.get(key)
        if found is None and self.store is not None:
            data = self.store.get(key)
            found = decode(data) if data is not None else None
        return found

    def _keep_built(self, key: str, build: FileBuild) -> FileBuild:
        if self.store is not None:
            self.store.put(key, encode(build))
        return build
