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


class RunPolicy(models.Model):
    """A task's run policies (``starting_deadline``, ``overlap``, ``jitter``), which
    django-celery-beat has no columns for: written by ``apply`` with the task's row, read by the
    companion scheduler (``syncer.beat``). A task without a row has the defaults (run every slot,
    however late, overlapping allowed, no jitter). Durations in microseconds."""

    task = models.OneToOneField(
        PeriodicTask, on_delete=models.CASCADE, primary_key=True, related_name="syncer_run_policy"
    )
    starting_deadline_us = models.BigIntegerField(null=True, blank=True)
    overlap = models.CharField(max_length=16, default="allow")
    jitter_us = models.BigIntegerField(null=True, blank=True)
    # Not a beat policy: how late a run may start before `syncer status` calls it late.
    grace_us = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "run policy"
        verbose_name_plural = "run policies"

    def __str__(self) -> str:
        return f"{self.task_id}: deadline={self.starting_deadline_us} overlap={self.overlap}"


class BeatChange(models.Model):
    """The change log beat reads to reload in O(change): one row per task row written (created,
    changed, renamed or deleted), appended in the writer's transaction after its bump of
    ``PeriodicTasks`` (``syncer.db.changelog``). ``stamp`` is the ``PeriodicTasks.last_update``
    value of that bump: a bump that no row carries was made by a writer that does not log (raw
    SQL), and makes beat rebuild everything. ``task_id`` is not a foreign key: deletions are
    logged too."""

    seq = models.BigAutoField(primary_key=True)
    task_id = models.BigIntegerField()
    name = models.CharField(max_length=200)
    stamp = models.DateTimeField()

    class Meta:
        verbose_name = "beat change"

    def __str__(self) -> str:
        return f"#{self.seq} {self.name}"


class SlotClaim(models.Model):
    """One slot of one task (its name and scheduled time), claimed by the beat that decided it
    before anything is sent: the unique constraint makes a second claim of the same slot fail, so
    no slot is sent twice, even by two beats that both believe they lead. ``outcome`` is what
    the claiming beat did: ``sending`` then ``sent`` (or ``send-failed``), or ``skipped:<reason>``.
    Workers fill ``started_at`` / ``finished_at`` for tasks with ``overlap: skip``. Pruned by the
    leader after ``SYNCER_BEAT_CLAIM_RETENTION``."""

    name = models.CharField(max_length=200)
    slot = models.DateTimeField(db_index=True)  # pruning
    holder = models.CharField(max_length=200)
    claimed_at = models.DateTimeField()
    outcome = models.CharField(max_length=32)
    message_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    # The worker reports start and end (``overlap: skip`` tasks only): only such runs can block.
    tracked = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "beat slot claim"
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="syncer_slot_claim_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M:%S} ({self.outcome})"


class Pause(models.Model):
    """An operator's emergency pause of a declared task (``syncer.core.pauses``): the task stays
    disabled whatever its file says, until ``until`` (None: until resumed). Reconciliation reads
    these rows; deleting the task deletes its pause."""

    task = models.OneToOneField(
        PeriodicTask, on_delete=models.CASCADE, primary_key=True, related_name="syncer_pause"
    )
    reason = models.CharField(max_length=500)
    paused_by = models.CharField(max_length=200)
    paused_at = models.DateTimeField()
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "pause"

    def __str__(self) -> str:
        return f"{self.task_id} paused by {self.paused_by}"


class PauseEvent(models.Model):
    """The audit log of pauses: every pause, change of a pause, resume and expiry, with who and
    why. ``name`` is not a foreign key: the log outlives the task."""

    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=16)  # pause | resume | expire
    name = models.CharField(max_length=200)
    by = models.CharField(max_length=200, blank=True, default="")
    reason = models.CharField(max_length=500, blank=True, default="")
    until = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(max_length=SCOPE_MAX, default=DEFAULT_SCOPE)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "pause event"

    def __str__(self) -> str:
        return f"{self.action} {self.name} by {self.by}"
