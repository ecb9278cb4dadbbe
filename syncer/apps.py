"""Django app config for the syncer's own tables (ownership ledger, apply history, beat's
change log, run policies and slot claims)."""

from django.apps import AppConfig


class SyncerConfig(AppConfig):
    name = "syncer"
    verbose_name = "Schedules as code"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Beat's change log for ORM writes (the admin, PeriodicTask.save()), and, in workers,
        # the start and end of runs of tasks with `overlap: skip` (syncer.beat).
        from syncer.beat import runs
        from syncer.db import signals

        signals.connect()
        runs.connect()
