"""Beat's heap of due times, patched in O(log N) per changed entry instead of rebuilt.

Celery's ``Scheduler.tick`` compares every entry with a copy of the schedule on every tick and
rebuilds the whole heap when anything differs (django-celery-beat empties it on every change).
Here each entry carries a generation; replacing or removing an entry only bumps it, and an event
of an older generation is dropped when it reaches the top. The heap is rebuilt only when stale
events outnumber the live ones (amortised O(1) per change).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Mapping
from typing import Any

Event = tuple[float, int, str, int]  # when (epoch seconds), tie-breaker, name, generation


class DueHeap:
    def __init__(self) -> None:
        self._events: list[Event] = []
        self._order = itertools.count()

    def __len__(self) -> int:
        return len(self._events)

    def push(self, when: float, name: str, generation: int) -> None:
        heapq.heappush(self._events, (when, next(self._order), name, generation))

    def top(self, entries: Mapping[str, Any]) -> tuple[float, Any] | None:
        """The earliest live event (its time and entry), dropping stale ones on the way."""
        while self._events:
            when, _, name, generation = self._events[0]
            entry = entries.get(name)
            if entry is not None and getattr(entry, "generation", None) == generation:
                return when, entry
            heapq.heappop(self._events)
        return None

    def pop(self) -> None:
        heapq.heappop(self._events)

    def compact(self, entries: Mapping[str, Any]) -> None:
        """Drop stale events once they outnumber the live entries."""
        if len(self._events) <= 2 * len(entries) + 64:
            return
        self._events = [
            event
            for event in self._events
            if getattr(entries.get(event[2]), "generation", None) == event[3]
        ]
        heapq.heapify(self._events)
