"""File-system events (watchdog) -> one "something changed" flag, debounced by the loop."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver


class ChangeFlag(FileSystemEventHandler):
    """Set on any event at or under the watched paths. The parents of the paths are watched too
    (to see a directory replaced), but their other entries (a SQLite file next to schedules/...)
    are noise and ignored."""

    def __init__(self, paths: Sequence[str] = ()) -> None:
        super().__init__()
        self.changed = threading.Event()
        self.last_event = 0.0
        self.paths = tuple(os.path.abspath(p) for p in paths)

    def relevant(self, path: str | bytes) -> bool:
        text = os.fsdecode(path)
        return not self.paths or any(
            text == p or text.startswith(p.rstrip(os.sep) + os.sep) for p in self.paths
        )

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if not (self.relevant(event.src_path) or self.relevant(getattr(event, "dest_path", ""))):
            return
        self.last_event = time.monotonic()
        self.changed.set()


def start_observer(roots: Sequence[tuple[str, bool]], flag: ChangeFlag) -> BaseObserver:
    observer = Observer()
    for root, recursive in roots:
        observer.schedule(flag, root, recursive=recursive)
    observer.daemon = True
    observer.start()
    return observer
