"""``tasks.write_to_file``: appends one timestamped line per run, so each run leaves a trace."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from celery import shared_task
from django.conf import settings


@shared_task(name="tasks.write_to_file")
def write_to_file(path: str | None = None, text: str | None = None) -> str:
    target = Path(path or settings.WRITE_TO_FILE_DEFAULT_PATH)
    target.parent.mkdir(parents=True, exist_ok=True)
    line = datetime.now(UTC).isoformat(timespec="microseconds")
    if text:
        line = f"{line} {text}"
    with target.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    return str(target)
