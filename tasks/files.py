"""``tasks.write_to_file``: appends one timestamped line per run, so each run leaves a trace.

When beat's companion scheduler sent the run, the line ends with the slot it stands for
(``slot=<ISO time>``, from the message's ``syncer_slot`` header): the end-to-end tests count runs
per slot with it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings


def slot_of(request: Any) -> str | None:
    """The slot a message was sent for (Celery keeps custom headers on the request)."""
    slot = getattr(request, "syncer_slot", None)
    if slot is None:
        headers = getattr(request, "headers", None)
        slot = headers.get("syncer_slot") if isinstance(headers, dict) else None
    return slot


def append_line(path: str | None, text: str | None, slot: str | None = None) -> Path:
    target = Path(path or settings.WRITE_TO_FILE_DEFAULT_PATH)
    target.parent.mkdir(parents=True, exist_ok=True)
    line = datetime.now(UTC).isoformat(timespec="microseconds")
    if text:
        line = f"{line} {text}"
    if slot:
        line = f"{line} slot={slot}"
    with target.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    return target


@shared_task(name="tasks.write_to_file", bind=True)
def write_to_file(self: Any, path: str | None = None, text: str | None = None) -> str:
    return str(append_line(path, text, slot_of(self.request)))
