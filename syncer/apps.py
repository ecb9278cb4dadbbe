"""Django app config for the syncer's own tables (ownership ledger, apply history)."""

from django.apps import AppConfig


class SyncerConfig(AppConfig):
    name = "syncer"
    verbose_name = "Schedules as code"
    default_auto_field = "django.db.models.BigAutoField"
