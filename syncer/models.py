"""The syncer's own tables: which rows it owns (and where they are declared), and what it applied.

``ManagedTask`` is the ownership ledger: the syncer changes or deletes only rows listed here (and
adopts unowned rows only when a file declares their name). ``ManagedSchedule`` lists the schedule
rows the syncer created, so that it deletes only those, and only once no task uses them.
``ApplyRecord`` is the audit trail of applies.
"""

from __future__ import annotations

from django.db import models
from django_celery_beat.models import PeriodicTask

from syncer.core.scopes import DEFAULT_SCOPE, SCOPE_MAX


class ManagedTask(models.Model):
    task = models.OneToOneField(
        PeriodicTask, on_delete=models.CASCADE, primary_key=True, related_name="managed_by_syncer"
    )
    source_path = models.CharField(max_length=1024)
    source_line = models.PositiveIntegerField()
    spec_hash = models.CharField(max_length=64)
    revision = models.CharField(max_length=200, blank=True, default="")
    applied_at = models.DateTimeField()
    # The declared fields as applied (TaskState JSON): `syncer status` compares the live row with it
    # to tell drift (edited elsewhere since the last apply) from pending file changes.
    applied_state = models.JSONField(default=dict, blank=True)
    # The owner (``syncer.core.scopes``): only applies of this scope change or delete the row.
    # A default in the database too: ledger rows written without the column (by code that
    # predates scopes) belong to the default scope.
    scope = models.CharField(
        max_length=SCOPE_MAX, default=DEFAULT_SCOPE, db_default=DEFAULT_SCOPE, db_index=True
    )

    class Meta:
        verbose_name = "managed task"

    @property
    def source(self) -> str:
        return f"{self.source_path}:{self.source_line}"

    def __str__(self) -> str:
        return f"{self.task_id} <- {self.source}"


class ManagedSchedule(models.Model):
    """A schedule row (interval, crontab, solar or clocked) that the syncer created."""

    kind = models.CharField(max_length=16)
    schedule_id = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "schedule_id"], name="syncer_schedule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.schedule_id}"


class ApplyRecord(models.Model):
    applied_at = models.DateTimeField(db_index=True)
    revision = models.CharField(max_length=200, blank=True, default="")
    applied_by = models.CharField(max_length=200, blank=True, default="")
    source = models.CharField(max_length=1024, blank=True, default="")
    checksum = models.CharField(max_length=64, blank=True, default="")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    adopted = models.PositiveIntegerField(default=0)
    renamed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    taken_over = models.PositiveIntegerField(default=0, db_default=0)
    scope = models.CharField(
        max_length=SCOPE_MAX, default=DEFAULT_SCOPE, db_default=DEFAULT_SCOPE, db_index=True
    )

    class Meta:
        ordering = ["-applied_at"]
        verbose_name = "apply record"

    def __str__(self) -> str:
        return f"apply {self.applied_at:%Y-%m-%d %H:%M:%S} {self.revision}".strip()


class WriteLock(models.Model):
    """Rows a writer writes first in its transaction to serialise with the others: on MySQL/MariaDB
    the write holds the row's lock, on SQLite the database's write lock, until the transaction
    ends (commit or rollback). PostgreSQL uses a transaction advisory lock instead
    (``syncer.db.lock``). The migration creates the ``apply`` row."""

    name = models.CharField(max_length=64, primary_key=True)
    locked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Lease(models.Model):
    """A named lease (``syncer.db.lease``): held by ``holder`` until ``expires_at``, renewed by it,
    taken by anyone once expired. Times are the database's clock, naive UTC where the vendor
    stores them so."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=200)
    acquired_at = models.DateTimeField()
    renewed_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} <- {self.holder}"
