"""File-system events (watchdog) -> one "something changed" flag, debounced by the loop."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer


class ChangeFlag(FileSystemEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.changed = threading.Event()
        self.last_event = 0.0

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        self.last_event = time.monotonic()
        self.changed.set()


def start_observer(roots: Sequence[tuple[str, bool]], flag: ChangeFlag) -> Observer:  # type: ignore[valid-type]
    observer = Observer()
    for root, recursive in roots:
        observer.schedule(flag, root, recursive=recursive)
    observer.daemon = True
    observer.start()
    return observer
