"""Files built ahead in helper processes, while the command does something else.

Validating and building the files is most of a cold command's work (10,000 tasks in 10 files:
~0.55 s of ~1.8 s), each file builds on its own, and the command has other work to do first: the
host project's start (~0.3 s). So a command hands every file that is not in the cache of built
files to helpers (``Builders``: forked processes, ``syncer.forked``) before the project
starts, in runs of about equal bytes, one per helper. Each helper builds its files one by one,
each alone, into what the cache would keep of it; the command's load (``syncer.core.pipeline``)
takes a file's result by its entry key and adds it as it adds an entry of the cache, in file
order: the same tasks, problems and order as a build in one process.

A result is used only under the key the load computes itself (the file's path and bytes read
again, the code's version, the time zone, the limits, the environment the file names), so a
file that changed meanwhile, or a project whose start changed a setting the build reads, is
simply built again by the command. Helpers build without the project's task names (it has not
started yet): a task name it does not register makes the entry unusable, as in the cache, and
the command builds that file itself, which reports the problem. A file with any problem is
never handed back either: every message comes from the command's own build.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import NamedTuple, Protocol

from syncer.core.build_cache import BuildStore, FileBuild, encode, entry_key
from syncer.core.context import Context
from syncer.core.desired import Desired, add_file
from syncer.core.errors import Problem
from syncer.core.gc_pause import gc_paused
from syncer.core.load import discover, parse_file, read_file

# Handing files out costs a fork and reading the results back: worth it from ~1,000 tasks.
MIN_HANDED_BYTES = 256 * 1024


class Running(Protocol):
    def results(self, share: int) -> list[bytes | None]: ...  # waits for that share's helper

    def stop(self) -> None: ...  # every helper ended (the ones still building: killed)


class Builders(Protocol):
    """Processes that build files beside this one (``syncer.forked.ForkedBuilders``)."""

    @property
    def capacity(self) -> int: ...  # how many can start now (0: none)

    def start(
        self,
        build: Callable[[str, bytes], bytes | None],
        shares: Sequence[Sequence[tuple[str, bytes]]],
    ) -> Running: ...


class _Job(NamedTuple):
    name: str
    content: bytes
    key: str


class Handed:
    """The files helpers build, by entry key: each helper's results read back when the first of
    its files is needed."""

    def __init__(
        self, where: dict[str, tuple[int, int]] | None = None, running: Running | None = None
    ) -> None:
        self._where = where or {}
        self._running = running
        self._found: dict[int, list[bytes | None]] = {}

    def take(self, key: str) -> bytes | None:
        """What a helper built of the file with this key, else None (not handed, or no result)."""
        place = self._where.pop(key, None)
        if place is None or self._running is None:
            return None
        share, index = place
        if share not in self._found:
            self._found[share] = self._running.results(share)
        return self._found[share][index]

    def close(self) -> None:
        """Every helper ended, even when the command stopped before their files."""
        if self._running is not None:
            self._running.stop()
            self._running = None


def hand_out(
    paths: Sequence[str], context: Context, store: BuildStore | None, builders: Builders
) -> Handed:
    """Start the helpers on every file to build (none when they are too small to be worth it)."""
    helpers = builders.capacity
    if not helpers:
        return Handed()
    context = replace(context, known_tasks=None)  # checked when the result is added
    jobs: list[_Job] = []
    for path in discover(paths)[0]:
        content = read_file(path, context.limits)
        if isinstance(content, Problem):
            continue
        name = str(path)
        key = entry_key(store, name, content, hashlib.sha256(content).hexdigest(), context)
        if store is None or not store.has(key):
            jobs.append(_Job(name, content, key))
    shares = split(jobs, helpers)
    if not shares:
        return Handed()
    # The format's models (pydantic), imported once here rather than in every helper.
    import syncer.core.interpolate
    import syncer.core.validate_file  # noqa: F401

    where = {job.key: (s, i) for s, share in enumerate(shares) for i, job in enumerate(share)}
    running = builders.start(
        partial(build_alone, context=context),
        [[(job.name, job.content) for job in share] for share in shares],
    )
    return Handed(where, running)


def split(jobs: Sequence[_Job], helpers: int) -> list[list[_Job]]:
    """Runs of consecutive files of about equal bytes, one per helper (in file order: the load
    needs the first helper's results first); none below ``MIN_HANDED_BYTES`` in all."""
    total = sum(len(job.content) for job in jobs)
    parts = min(helpers, len(jobs))
    if parts < 1 or total < MIN_HANDED_BYTES:
        return []
    shares: list[list[_Job]] = [[] for _ in range(parts)]
    done = 0
    for job in jobs:
        middle = done + len(job.content) / 2
        shares[min(parts - 1, int(middle * parts / total))].append(job)
        done += len(job.content)
    return [share for share in shares if share]


def build_alone(name: str, content: bytes, context: Context) -> bytes | None:
    """One file built on its own, as the cache would keep it; None when it has any problem (the
    command builds it again, in order, and reports the problem)."""
    source = parse_file(name, content, context.limits)
    if isinstance(source, Problem):
        return None
    desired = Desired()
    with gc_paused():  # as in the command's own load: the build keeps what it makes
        tasks = add_file(desired, source, context)
    if desired.problems:
        return None
    return encode(FileBuild(tuple(tasks), source.bool_words))
