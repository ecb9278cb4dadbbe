"""The bridge to the Django project: start Django and read what validation needs from it."""

from __future__ import annotations

import os
from functools import lru_cache

from syncer.core.context import Context, Limits


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djbeat.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


@lru_cache(maxsize=1)
def registered_tasks() -> frozenset[str]:
    """The task names of the project's Celery app, after autodiscovery (no broker needed)."""
    setup_django()
    from celery import current_app

    app = current_app._get_current_object()
    app.loader.import_default_modules()
    return frozenset(app.tasks.keys())


def context(check_tasks: bool = True) -> Context:
    """With ``check_tasks=False`` the Django project is not needed at all (pre-commit hooks in
    other repositories): the default time zone then comes from ``$TIME_ZONE`` (else UTC)."""
    if check_tasks:
        setup_django()
    return Context(
        default_timezone=default_timezone(),
        known_tasks=registered_tasks() if check_tasks else None,
        limits=limits(),
        environ=dict(os.environ),
    )


def limits() -> Limits:
    """The loader's limits: ``SYNCER_MAX_FILE_BYTES``, ``SYNCER_MAX_TASKS``,
    ``SYNCER_MAX_YAML_NODES`` (the core reads no environment variable itself)."""
    default = Limits()
    return Limits(
        max_file_bytes=int(os.environ.get("SYNCER_MAX_FILE_BYTES", default.max_file_bytes)),
        max_tasks=int(os.environ.get("SYNCER_MAX_TASKS", default.max_tasks)),
        max_yaml_nodes=int(os.environ.get("SYNCER_MAX_YAML_NODES", default.max_yaml_nodes)),
    )


def default_timezone() -> str:
    """Celery's time zone (the default of cron schedules); ``$TIME_ZONE`` without the project."""
    if not _django_configured():
        return os.environ.get("TIME_ZONE", "UTC")
    from django.conf import settings

    return getattr(settings, "CELERY_TIMEZONE", None) or settings.TIME_ZONE or "UTC"


def _django_configured() -> bool:
    from django.apps import apps

    return apps.ready


def default_paths() -> list[str]:
    return [os.environ.get("SYNCER_SCHEDULES_DIR", "schedules")]
