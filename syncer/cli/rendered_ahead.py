"""``apply``'s plan rendered by a helper process while the database writes.

The plan's text (or Markdown, or JSON) with its previews and load picture is pure work on the
final plan (~0.15 s of CPU at 10,000 tasks, 1.2 million lines at 100,000), and the write is the
command's own CPU and the database's: so once the plan is final (under the apply lock, before the
first write), a forked helper (``syncer.forked``) renders it into a temporary file, which the
command copies to its output once the apply committed. It first computes the plan's checksum
(~0.1 s at 10,000 tasks), for the record the command writes last, and the herd lint (~0.07 s),
whose warnings are printed with the others before the plan, as ever. Nothing is printed earlier
than before, and nothing of it when the apply fails; without a helper (``SYNCER_WORKERS=1``, a
thread running, a helper that failed) the command renders the plan itself, the same text.

Both ways read what the previews need as the apply found it, before its first write: the clock,
and the rows' last runs, which tell whether the next-run policy holds back a run that beat alone
would start at once (read after the write, they were the reset ones: "held back" never showed).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import IO

from syncer import forked
from syncer.cli.plan import last_runs_of, show
from syncer.core.plan import Plan
from syncer.db.actual import Snapshot


class RenderedAhead:
    """``warnings``: the files' warnings as text (running the herd lint, which the helper does
    first too: printed before the plan, as ever)."""

    def __init__(self, args: argparse.Namespace, warnings: Callable[[], str]) -> None:
        self.args = args
        self.warnings = warnings
        self.last_runs: Mapping[str, datetime | None] | None = None
        self.now: datetime | None = None
        self._child: forked.Child | None = None
        self._plan: Plan | None = None
        self._checksum = -1  # the pipe the helper writes the plan's checksum to first

    def start(self, plan: Plan, snapshot: Snapshot) -> None:
        """``apply``'s ``before_write``: the plan is final, nothing is written yet."""
        from django.utils import timezone

        self.last_runs, self.now = last_runs_of(plan), timezone.now()
        if forked.workers() < 2 or not forked.can_fork():
            return
        last_runs, now = self.last_runs, self.now
        readable, writable = os.pipe()

        def render(out: IO[bytes]) -> None:
            os.close(readable)
            os.write(writable, plan.checksum().encode())  # 64 bytes: one write, never partial
            os.close(writable)
            note = self.warnings().encode(sys.stderr.encoding or "utf-8", "backslashreplace")
            forked.write_record(out, note)
            text = io.TextIOWrapper(
                out, encoding=sys.stdout.encoding or "utf-8", errors=sys.stdout.errors or "strict"
            )
            show(plan, self.args, snapshot.states, last_runs=last_runs, now=now, out=text)
            text.flush()
            text.detach()

        sys.stdout.flush()  # nothing the command wrote before is written twice
        try:
            self._child = forked.start(render)
        except OSError:
            os.close(readable)
        else:
            self._plan, self._checksum = plan, readable
        finally:
            os.close(writable)

    def checksum(self, plan: Plan) -> str:
        """``apply``'s ``checksum``: the helper's (it computes it first, while the command
        writes), else computed here (no helper, or one that died first)."""
        if plan is self._plan and self._checksum >= 0:
            readable, self._checksum = self._checksum, -1
            with os.fdopen(readable, "rb") as pipe:
                found = pipe.read(64)
            if len(found) == 64:
                return found.decode()
        return plan.checksum()

    def deliver(self) -> bool:
        """The helper's text copied to the output; False when there is none (the command renders
        the plan itself)."""
        child, self._child = self._child, None
        if child is None:
            return False
        try:
            if not child.wait():
                return False
            child.out.seek(0)
            try:
                note = forked.read_record(child.out) or b""
            except EOFError:  # nothing written yet: the command renders the plan itself
                return False
            sys.stderr.write(note.decode(sys.stderr.encoding or "utf-8", "replace"))
            sys.stdout.flush()
            buffer = getattr(sys.stdout, "buffer", None)
            if buffer is not None:
                shutil.copyfileobj(child.out, buffer)
                buffer.flush()
            else:  # a text-only stream (a caller's StringIO)
                sys.stdout.write(child.out.read().decode(sys.stdout.encoding or "utf-8"))
            return True
        finally:
            child.stop()

    def close(self) -> None:
        """The helper ended, whatever happened to the apply."""
        if self._child is not None:
            self._child.stop()
            self._child = None
        if self._checksum >= 0:
            os.close(self._checksum)
            self._checksum = -1
