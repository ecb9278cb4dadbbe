"""The change log beat reads to reload in O(change) (``syncer.beat``): every writer of task rows
appends the ids and names of the rows it wrote, in its own transaction, right after its bump of
``PeriodicTasks.last_update``, tagged with the value of that bump.

Writers: ``apply`` and the REST API's single-task writes (``syncer.db.apply``,
``syncer.db.task_writes``), and Django's signals for every other ORM write (the admin, code that
calls ``PeriodicTask.save()``, django-celery-beat's ``update_from_dict`` at beat's start):
``syncer.db.signals``. A bump that no log row carries (raw SQL, ``QuerySet.update`` followed by
a hand-made bump) is how beat knows that the log cannot explain it: it rebuilds everything then.

Order: a writer appends after its bump, which locks the ``PeriodicTasks`` row until it commits,
so writers that bump commit in the order of their log rows' sequence numbers, and a reader that
follows the sequence never skips a row that commits later with a smaller number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django_celery_beat.models import PeriodicTasks

from syncer.db import bulk
from syncer.models import BeatChange

COLUMNS = ("task_id", "name", "stamp")


@dataclass(frozen=True)
class Entry:
    seq: int
    task_id: int
    name: str
    stamp: datetime


def append(tasks: Iterable[tuple[int, str]], stamp: datetime) -> None:
    """Log these (id, name) rows as changed by the bump ``stamp``: one statement."""
    rows = [(task_id, name, stamp) for task_id, name in dict.fromkeys(tasks)]
    bulk.insert(BeatChange, COLUMNS, rows)


def current_stamp() -> datetime | None:
    """``PeriodicTasks.last_update``: what beat polls."""
    stamp: datetime | None = (
        PeriodicTasks.objects.filter(ident=1).values_list("last_update", flat=True).first()
    )
    return stamp


def read_since(seq: int) -> list[Entry]:
    rows = BeatChange.objects.filter(seq__gt=seq).order_by("seq")
    return [Entry(*row) for row in rows.values_list("seq", "task_id", "name", "stamp")]


def last_seq() -> int:
    last = BeatChange.objects.order_by("-seq").values_list("seq", flat=True).first()
    return int(last or 0)


def prune(older_than: datetime) -> int:
    """Delete the rows older than ``older_than`` (a beat that has not read them by then rebuilds
    everything: the bump it finds is carried by no row it can read)."""
    stale = BeatChange.objects.filter(stamp__lt=older_than)
    return int(stale._raw_delete(stale.db))


def retention_cutoff(now: datetime, retention: float) -> datetime:
    return now - timedelta(seconds=retention)
