"""Beat's change log for the writes that go through Django's ORM and its signals: the admin,
code that calls ``PeriodicTask.save()`` or ``.delete()``, django-celery-beat's own
``update_from_dict`` (beat's start). ``apply`` and the REST API log their bulk writes themselves
(``syncer.db.changelog``). Connected by the app (``syncer.apps``).

Each handler tags its rows with the stamp it finds. ``PeriodicTask.save()`` and ``.delete()``
bump ``PeriodicTasks`` once more *after* the row's signals, so the rows a thread logged are
logged again with the stamp of the next bump made through the ORM (``PeriodicTasks``' own
``post_save``); a bump that follows no logged row (``QuerySet.update()`` then
``PeriodicTasks.update_changed()``, as django-celery-beat's enable/disable actions do: the
syncer's admin logs those itself) stays unexplained and makes beat rebuild everything, which is
slower but never wrong.
Beat's own bookkeeping saves (``no_changes``: last run time, run count) are not changes.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from syncer.db import changelog
from syncer.db.kinds import KINDS

_local = threading.local()


def _log(rows: list[tuple[int, str]]) -> None:
    if rows:
        changelog.append(rows, changelog.current_stamp() or timezone.now())
        _local.pending = [*getattr(_local, "pending", []), *rows]


def bumped(sender: Any, instance: PeriodicTasks, **kwargs: Any) -> None:
    """A bump through the ORM: the rows this thread logged since the last one are its cause."""
    pending = getattr(_local, "pending", [])
    _local.pending = []
    if pending:
        changelog.append(pending, instance.last_update)


def task_saved(sender: Any, instance: PeriodicTask, **kwargs: Any) -> None:
    if not getattr(instance, "no_changes", False) and instance.pk is not None:
        _log([(int(instance.pk), instance.name)])


def task_deleted(sender: Any, instance: PeriodicTask, **kwargs: Any) -> None:
    if instance.pk is not None:
        _log([(int(instance.pk), instance.name)])


def schedule_saving(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Before a schedule row is saved: its stored values, to tell a change from a save of the
    same values (django-celery-beat's ``update_from_dict`` saves the shared schedule row of
    every entry it writes: logging all its tasks each time made that quadratic)."""
    if instance.pk is None:
        return
    columns = _kind(sender).columns
    instance._syncer_stored = sender.objects.filter(pk=instance.pk).values_list(*columns).first()


def schedule_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A schedule row changed in place (the admin): every task on it changed."""
    if kwargs.get("created"):
        return
    kind = _kind(sender)
    stored = instance.__dict__.pop("_syncer_stored", None)
    if stored is not None and stored == tuple(getattr(instance, c) for c in kind.columns):
        return  # saved with the values it had: no task changed
    tasks = PeriodicTask.objects.filter(**{f"{kind.fk}_id": instance.pk}).values_list("id", "name")
    _log([(int(task_id), name) for task_id, name in tasks])


def _kind(model: Any) -> Any:
    return next(kind for kind in KINDS.values() if kind.model is model)


def connect() -> None:
    post_save.connect(bumped, sender=PeriodicTasks, dispatch_uid="syncer-beat-bumped")
    post_save.connect(task_saved, sender=PeriodicTask, dispatch_uid="syncer-beat-task-saved")
    post_delete.connect(task_deleted, sender=PeriodicTask, dispatch_uid="syncer-beat-task-deleted")
    for kind in KINDS.values():
        pre_save.connect(
            schedule_saving, sender=kind.model, dispatch_uid=f"syncer-beat-{kind.name}-saving"
        )
        post_save.connect(
            schedule_saved, sender=kind.model, dispatch_uid=f"syncer-beat-{kind.name}-saved"
        )
