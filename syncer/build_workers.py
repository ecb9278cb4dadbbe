"""Helpers that build schedule files in forked processes (``syncer.core.prebuild``), as many at
once as ``SYNCER_BUILD_WORKERS`` says (default: the CPUs this process may use, at most 4).

A child writes the result of each of its files (the cache entry it would get, or none) to an
unnamed temporary file, and ends; the command reads a child's file when it needs the first of
its results. A child only ever saves time, so it is forked only where that is safe: ``os.fork``
exists, not on macOS (its system libraries are not fork-safe), and the command runs no other
thread (a fork copies a lock another thread holds, never to be released). A child opens no
connection, writes nothing else, and leaves with ``os._exit`` (no ``atexit`` handler, no flush of
buffers it inherited); Ctrl-C ends it with the command. A file a child gives no result for (a
problem, which the command reports from its own build; a child that died) is built by the
command itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import struct
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO

# How many processes build at once when the setting says nothing: beyond 4, the command reading
# their results back (~a tenth of building them) is the bound.
DEFAULT_MAX = 4

_LENGTH = struct.Struct("<q")  # each record: its length, then the entry; -1 for no entry


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity where the system tells, a container's
    cpuset included), else the machine's."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_workers() -> int:
    return min(DEFAULT_MAX, available_cpus())


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


class ForkedBuilders:
    """``workers``: processes building at once (1: none but the command's own)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    @property
    def capacity(self) -> int:
        """Children that can start now (0 when forking is not safe here)."""
        return self.workers if self.workers > 1 and can_fork() else 0

    def start(
        self,
        build: Callable[[str, bytes], bytes | None],
        shares: Sequence[Sequence[tuple[str, bytes]]],
    ) -> Forked:
        """A child per share runs ``build(name, content)`` on each of its files. When a child
        cannot be started (no temporary directory, no process left), those started are stopped
        and every result is None: the command builds the files itself."""
        forked = Forked([len(share) for share in shares])
        try:
            for share in shares:
                out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by Forked.stop
                forked.children.append(_Child(_fork(build, share, out), out, len(share)))
        except OSError:
            forked.stop()
        return forked


@dataclass
class _Child:
    pid: int
    out: IO[bytes]
    count: int  # files in its share
    reaped: bool = False


@dataclass
class Forked:
    counts: list[int]  # files per share
    children: list[_Child] = field(default_factory=list)

    def results(self, share: int) -> list[bytes | None]:
        """The results of one share's files (None for a file without one); waits for its child."""
        if share >= len(self.children):
            return [None] * self.counts[share]
        child = self.children[share]
        if not child.reaped:
            os.waitpid(child.pid, 0)
            child.reaped = True
        return _read(child.out, child.count)

    def stop(self) -> None:
        """Every child ended and reaped, every temporary file closed (after the results were
        read, or when the command stops early: an error, Ctrl-C). A reaped child's number may
        belong to another process already: it is never signalled."""
        for child in self.children:
            if not child.reaped:
                with contextlib.suppress(OSError):
                    os.kill(child.pid, signal.SIGKILL)
                with contextlib.suppress(OSError):
                    os.waitpid(child.pid, 0)
                child.reaped = True
            child.out.close()
        self.children.clear()  # results() now gives None for every file


def _fork(
    build: Callable[[str, bytes], bytes | None], share: Sequence[tuple[str, bytes]], out: IO[bytes]
) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:  # the child: never returns into the command
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it quietly, with the command
        for name, content in share:
            data = build(name, content)
            out.write(_LENGTH.pack(-1 if data is None else len(data)))
            if data is not None:
                out.write(data)
        out.flush()
        code = 0
    finally:
        os._exit(code)


def _read(out: IO[bytes], count: int) -> list[bytes | None]:
    """The records a child wrote (the complete ones: a child that died leaves None for the rest)."""
    found: list[bytes | None] = []
    out.seek(0)
    while len(found) < count:
        head = out.read(_LENGTH.size)
        if len(head) < _LENGTH.size:
            break
        (length,) = _LENGTH.unpack(head)
        data = out.read(length) if length >= 0 else None
        if data is not None and len(data) < length:
            break
        found.append(data)
    return found + [None] * (count - len(found))
