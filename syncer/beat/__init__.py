"""The companion scheduler: ``celery beat -S syncer.beat:Scheduler``, a drop-in replacement for
django-celery-beat's ``DatabaseScheduler`` (same tables, same admin) with a leader lease (any
number of beats, one sends), a claim per slot (no slot sent twice), per-task run policies
(``starting_deadline``, ``overlap``, ``jitter``) and reloads in O(change). See docs/scheduler.md.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Lazy: the worker imports ``syncer.beat.runs`` (through the app's ready()), and should not
    # import the scheduler, nor django-celery-beat's, with it.
    if name == "Scheduler":
        from syncer.beat.scheduler import Scheduler

        return Scheduler
    raise AttributeError(name)
