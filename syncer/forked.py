"""Work done in forked child processes beside the command: files built ahead
(``syncer.core.prebuild``) and the plan's text rendered while the database writes
(``syncer.cli.apply``). ``SYNCER_WORKERS`` says how many processes a command may run at once
(default: the CPUs this process may use, at most 4; 1: none but its own).

A child writes what it makes to an unnamed temporary file and ends; the command reads the file
when it needs the result. A child only ever saves time, so it is forked only where that is safe:
``os.fork`` exists, not on macOS (its system libraries are not fork-safe), and the command runs no
other thread (a fork copies a lock another thread holds, never to be released). A child opens no
connection and never uses one it inherited (it leaves the command's database connection to the
command), writes nothing else, and leaves with ``os._exit`` (no ``atexit`` handler, no flush of
buffers it inherited, no goodbye on a connection); Ctrl-C ends it with the command. Whatever a
child does not deliver (it failed, it died, it was not worth starting) the command does itself.
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

# How many processes at once when the setting says nothing: beyond 4, the command reading the
# helpers' results back (~a tenth of building them) is the bound.
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


def workers() -> int:
    """``SYNCER_WORKERS``, else the default."""
    from syncer import conf

    return conf.get().workers or default_workers()


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


@dataclass
class Child:
    pid: int
    out: IO[bytes]
    reaped: bool = False

    def wait(self) -> bool:
        """Waits for the child to end: True when it finished its work."""
        if self.reaped:
            return False
        _, status = os.waitpid(self.pid, 0)
        self.reaped = True
        return os.waitstatus_to_exitcode(status) == 0

    def stop(self) -> None:
        """Ended (killed if still working), reaped, its file closed. A reaped child's number may
        belong to another process already: it is never signalled."""
        if not self.reaped:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self.reaped = True
        self.out.close()


def start(work: Callable[[IO[bytes]], None]) -> Child:
    """``work(out)`` in a forked child, ``out`` an unnamed temporary file that the command reads
    once the child has ended. Raises ``OSError`` when no child can be started (no temporary
    directory, no process left)."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by Child.stop
    try:
        pid = os.fork()
    except OSError:
        out.close()
        raise
    if pid:
        return Child(pid, out)
    code = 1
    try:  # the child: never returns into the command
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it quietly, with the command
        work(out)
        out.flush()
        code = 0
    finally:
        os._exit(code)


class ForkedBuilders:
    """``syncer.core.prebuild``'s helpers: ``workers`` processes building at once."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    @property
    def capacity(self) -> int:
        """Children that can start now (0 when forking is not safe here, or with 1 worker)."""
        return self.workers if self.workers > 1 and can_fork() else 0

    def start(
        self,
        build: Callable[[str, bytes], bytes | None],
        shares: Sequence[Sequence[tuple[str, bytes]]],
    ) -> Builds:
        """A child per share runs ``build(name, content)`` on each of its files. When a child
        cannot be started, those started are stopped and every result is None: the command
        builds the files itself."""
        builds = Builds([len(share) for share in shares])
        try:
            for share in shares:
                builds.children.append(start(lambda out, share=share: _build(build, share, out)))
        except OSError:
            builds.stop()
        return builds


@dataclass
class Builds:
    counts: list[int]  # files per share
    children: list[Child] = field(default_factory=list)

    def results(self, share: int) -> list[bytes | None]:
        """The results of one share's files (None for a file without one); waits for its child."""
        if share >= len(self.children):
            return [None] * self.counts[share]
        child = self.children[share]
        child.wait()
        return _read(child.out, self.counts[share])

    def stop(self) -> None:
        """Every child ended and reaped, every file closed (after the results were read, or when
        the command stops early: an error, Ctrl-C)."""
        for child in self.children:
            child.stop()
        self.children.clear()  # results() now gives None for every file


def _build(
    build: Callable[[str, bytes], bytes | None], share: Sequence[tuple[str, bytes]], out: IO[bytes]
) -> None:
    for name, content in share:
        write_record(out, build(name, content))


def _read(out: IO[bytes], count: int) -> list[bytes | None]:
    """The records a child wrote (the complete ones: a child that died leaves None for the rest)."""
    out.seek(0)
    found: list[bytes | None] = []
    while len(found) < count:
        try:
            found.append(read_record(out))
        except EOFError:
            break
    return found + [None] * (count - len(found))


def write_record(out: IO[bytes], data: bytes | None) -> None:
    """One record of a child's file: its length (-1 for none), then its bytes."""
    out.write(_LENGTH.pack(-1 if data is None else len(data)))
    if data is not None:
        out.write(data)


def read_record(out: IO[bytes]) -> bytes | None:
    """The next record; ``EOFError`` when the file ends before it does (a child that died)."""
    head = out.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    (length,) = _LENGTH.unpack(head)
    if length < 0:
        return None
    data = out.read(length)
    if len(data) < length:
        raise EOFError
    return data
