"""Following the change log (``syncer.db.changelog``): which tasks changed since the last look.

Beat polls ``PeriodicTasks.last_update`` (one row, one query) as ``DatabaseScheduler`` does. When
it moved, the log rows after the last sequence number read name the changed tasks. When no row
carries the new stamp, some writer changed rows without logging (raw SQL): the log cannot say
what changed, and beat rebuilds everything, as ``DatabaseScheduler`` always does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from syncer.db import changelog

REMEMBERED_STAMPS = 1024


@dataclass(frozen=True)
class Changes:
    task_ids: frozenset[int]
    full: bool = False  # the log does not explain the bump: rebuild everything


@dataclass
class ChangeFollower:
    stamp: datetime | None = None
    seq: int = 0
    seen: dict[datetime, None] = field(default_factory=dict)  # an ordered set, bounded

    def start(self) -> None:
        """Before a full load: what comes after this is read again afterwards (harmless)."""
        self.stamp = changelog.current_stamp()
        self.seq = changelog.last_seq()

    def poll(self) -> Changes | None:
        stamp = changelog.current_stamp()
        if stamp == self.stamp:
            return None
        entries = changelog.read_since(self.seq)
        for entry in entries:
            self._remember(entry.stamp)
        if entries:
            self.seq = entries[-1].seq
        self.stamp = stamp
        ids = frozenset(entry.task_id for entry in entries)
        return Changes(ids, full=not explained(stamp, self.seen))

    def _remember(self, stamp: datetime) -> None:
        self.seen[stamp] = None
        while len(self.seen) > REMEMBERED_STAMPS:
            del self.seen[next(iter(self.seen))]


def explained(stamp: datetime | None, seen: dict[datetime, None]) -> bool:
    """A bump is explained when a log row carries it (or the row was deleted: no stamp)."""
    return stamp is None or stamp in seen
