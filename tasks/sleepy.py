"""``tasks.sleep_then_write``: a run that takes a while (``seconds``), writing a line when it
starts and one when it ends, so that overlapping runs show in the file (``overlap: skip``)."""

from __future__ import annotations

import time
from typing import Any

from celery import shared_task

from tasks.files import append_line, slot_of


@shared_task(name="tasks.sleep_then_write", bind=True)
def sleep_then_write(
    self: Any, seconds: float = 1.0, path: str | None = None, text: str | None = None
) -> str:
    slot = slot_of(self.request)
    append_line(path, f"start {text or ''}".strip(), slot)
    time.sleep(seconds)
    return str(append_line(path, f"end {text or ''}".strip(), slot))
