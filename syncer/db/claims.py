"""Slot claims (``SlotClaim``): before beat sends or skips a slot of a task, it claims the slot
(the task's name and the slot's scheduled time) with one INSERT; the unique constraint on the
pair makes every other claim of that slot fail. So no slot is decided twice, whoever decides
(two beats that both believe they lead, a beat that reloaded, a new leader with stale last-run
times after a failover).

The claim row then records what happened (``sending`` -> ``sent`` / ``send-failed``, or
``skipped:<reason>``), and, for tasks with ``overlap: skip``, when a worker started and finished
the run (``syncer.beat.runs``): the next slot of such a task is skipped while the last one sent
has not finished, for at most the overlap bound. Times written here are the database's clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, ExpressionWrapper, Max, Value

from syncer.db.lease import UtcNow
from syncer.models import SlotClaim

SENDING = "sending"
SENT = "sent"
SEND_FAILED = "send-failed"
RUN_OUTCOMES = (SENDING, SENT)


def skipped(reason: str) -> str:
    return f"skipped:{reason}"


def claim(
    name: str,
    slot: datetime,
    holder: str,
    outcome: str,
    message_id: str = "",
    tracked: bool = False,
) -> int | None:
    """Claim the slot; its id, or None when it was claimed before (by anyone). ``tracked``: the
    worker will report the run's start and end (``overlap: skip``)."""
    try:
        with transaction.atomic():
            row = SlotClaim.objects.create(
                name=name,
                slot=slot,
                holder=holder,
                claimed_at=UtcNow(),
                outcome=outcome,
                message_id=message_id,
                tracked=tracked,
            )
    except IntegrityError:
        return None
    return int(row.pk)


def record(claim_id: int, outcome: str) -> None:
    SlotClaim.objects.filter(pk=claim_id).update(outcome=outcome)


def previous_running(name: str, bound: float) -> bool:
    """Whether a tracked run of the task sent within the last ``bound`` seconds has not
    finished."""
    since = ExpressionWrapper(
        UtcNow() - Value(timedelta(seconds=bound)), output_field=DateTimeField()
    )
    return (
        SlotClaim.objects.filter(
            name=name,
            tracked=True,
            outcome__in=RUN_OUTCOMES,
            finished_at__isnull=True,
            claimed_at__gt=since,
        )
        .order_by()
        .exists()
    )


def started(claim_id: int) -> None:
    SlotClaim.objects.filter(pk=claim_id).update(started_at=UtcNow(), finished_at=None)


def finished(claim_id: int | None = None, message_id: str | None = None) -> None:
    rows = SlotClaim.objects.filter(pk=claim_id) if claim_id else None
    if rows is None and message_id:
        rows = SlotClaim.objects.filter(message_id=message_id)
    if rows is not None:
        rows.update(finished_at=UtcNow())


def latest_slots(since: datetime) -> dict[str, datetime]:
    """The latest slot decided for each task since ``since``: what a new leader folds into the
    last-run times it loaded, which the previous leader may not have written yet."""
    rows = (
        SlotClaim.objects.filter(slot__gte=since)
        .values("name")
        .annotate(last=Max("slot"))
        .values_list("name", "last")
    )
    return dict(rows)


def prune(older_than: datetime) -> int:
    """Delete the claims of slots before ``older_than``: one statement (bounded table growth)."""
    stale = SlotClaim.objects.filter(slot__lt=older_than)
    return int(stale._raw_delete(stale.db))
