"""In the worker: when a run of a task with ``overlap: skip`` starts and ends, recorded on its
slot's claim, so that beat skips the task's next slots while it runs.

Beat marks such messages with the header ``syncer_claim`` (the claim's id); every other message
costs nothing here. Connected when the ``syncer`` app is ready, in every process that loads
Django with it installed (the worker included). A retried run stays unfinished until the retry
ends; a run whose worker died never reports its end: beat stops waiting for it after
``SYNCER_BEAT_OVERLAP_TIMEOUT``.
"""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import task_postrun, task_prerun, task_revoked
from django.db import DatabaseError

from syncer.db import claims

HEADER = "syncer_claim"
logger = logging.getLogger(__name__)


def claim_of(request: Any) -> int | None:
    """The claim id a message carries, wherever this Celery version puts custom headers."""
    value = getattr(request, HEADER, None)
    if value is None:
        headers = getattr(request, "headers", None) or {}
        value = headers.get(HEADER) if isinstance(headers, dict) else None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _guarded(action: Any, *args: Any, **kwargs: Any) -> None:
    try:
        action(*args, **kwargs)
    except DatabaseError:  # never fail the task for the bookkeeping
        logger.warning("syncer.beat: could not record a run on its claim", exc_info=True)


def run_started(sender: Any = None, task: Any = None, **kwargs: Any) -> None:
    claim_id = claim_of(getattr(task, "request", None))
    if claim_id is not None:
        _guarded(claims.started, claim_id)


def run_finished(sender: Any = None, task: Any = None, state: str = "", **kwargs: Any) -> None:
    claim_id = claim_of(getattr(task, "request", None))
    if claim_id is not None and state != "RETRY":
        _guarded(claims.finished, claim_id)


def run_revoked(sender: Any = None, request: Any = None, **kwargs: Any) -> None:
    message = getattr(request, "request_dict", None) or {}
    if message.get(HEADER) is not None or claim_of(request) is not None:
        _guarded(claims.finished, None, getattr(request, "id", None))


def connect() -> None:
    task_prerun.connect(run_started, weak=False, dispatch_uid="syncer-beat-run-started")
    task_postrun.connect(run_finished, weak=False, dispatch_uid="syncer-beat-run-finished")
    task_revoked.connect(run_revoked, weak=False, dispatch_uid="syncer-beat-run-revoked")
