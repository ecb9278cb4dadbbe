"""Fixtures for the companion scheduler's tests: a ``syncer.beat.Scheduler`` on the test
database, whose sends are recorded instead of published, and a controllable clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from syncer.beat.scheduler import Scheduler


@dataclass
class Sent:
    name: str
    task: str
    slot: str
    options: dict[str, Any] = field(default_factory=dict)


class RecordingScheduler(Scheduler):
    """Sends nothing: records what would be published."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.sent: list[Sent] = []
        super().__init__(*args, **kwargs)

    def apply_async(self, entry: Any, producer: Any = None, advance: bool = True, **kw: Any) -> Any:
        headers = entry.options.get("headers", {})
        self.sent.append(Sent(entry.name, entry.task, headers.get("syncer_slot"), entry.options))
        return None

    @property
    def producer(self) -> Any:  # no broker connection
        return None


@pytest.fixture
def celery_app():
    from djbeat.celery import app

    return app


@pytest.fixture
def make_scheduler(celery_app) -> Iterator[Any]:
    made: list[RecordingScheduler] = []

    def make(**kwargs: Any) -> RecordingScheduler:
        scheduler = RecordingScheduler(app=celery_app, **kwargs)
        made.append(scheduler)
        return scheduler

    yield make
    for scheduler in made:
        # Nothing to release or save: the test's transaction ends (and exit handlers run after
        # the test database is gone).
        scheduler._leadership.leading = False
        scheduler._dirty.clear()


def run_until_idle(scheduler: Scheduler, limit: int = 1000) -> None:
    """Tick until the scheduler has nothing due right now."""
    for _ in range(limit):
        if scheduler.tick() > 0:
            return
    raise AssertionError("the scheduler never became idle")


def aware(text: str) -> datetime:
    return datetime.fromisoformat(text)


from tests.db.conftest import apply_files  # noqa: E402, F401  (the same fixture as tests/db)
