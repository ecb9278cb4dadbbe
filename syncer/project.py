"""The bridge to the host Django project: find it as ``manage.py`` would, start Django, and read
what validation needs from it (the Celery app's task names, its time zone, the settings).

Finding the settings, first found: ``--settings``; ``$DJANGO_SETTINGS_MODULE``; the
``DJANGO_SETTINGS_MODULE`` default that ``manage.py`` in the current directory sets. The current
directory (or ``--pythonpath``) goes first on ``sys.path``, as it does for ``manage.py``. Every
mistake a user can make here is a ``ConfigurationError`` with the fix, never a traceback.
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from syncer import conf
from syncer.conf import ConfigurationError
from syncer.core.context import Context, Limits

_MANAGE_PY_DEFAULT = re.compile(
    r"""environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']\s*\)"""
)
_REQUIRED_APPS = {
    "django_celery_beat": "django-celery-beat's tables",
    "syncer": "the syncer's ownership ledger and apply history",
}
# The Celery app of the project, captured once Django is set up (importing a module that makes
# another Celery app, as `import-beat-schedule` does, changes `current_app`).
_project_app: list[Any] = []


def locate_settings(explicit: str | None = None, cwd: Path | None = None) -> str | None:
    if explicit:
        return explicit
    if os.environ.get("DJANGO_SETTINGS_MODULE"):
        return os.environ["DJANGO_SETTINGS_MODULE"]
    manage = (cwd or Path.cwd()) / "manage.py"
    try:
        match = _MANAGE_PY_DEFAULT.search(manage.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    return match.group(1) if match else None


def setup_django(settings_module: str | None = None, pythonpath: str | None = None) -> None:
    """Start the host project's Django (settings, apps, its Celery app): no database connection,
    no broker connection."""
    from django.apps import apps

    if apps.ready:
        _capture_celery_app()
        return
    module = _settings_module(settings_module, pythonpath)
    _start(module)
    _check_apps()
    _capture_celery_app()


def _settings_module(settings_module: str | None, pythonpath: str | None) -> str:
    """The settings' module, found as ``manage.py`` would, with its directory on ``sys.path``."""
    search = os.path.abspath(pythonpath) if pythonpath else os.getcwd()
    if search not in sys.path:
        sys.path.insert(0, search)
    module = locate_settings(settings_module)
    if module is None:
        raise ConfigurationError(
            "no Django settings: set DJANGO_SETTINGS_MODULE (e.g. DJANGO_SETTINGS_MODULE="
            "myproject.settings), pass --settings, run syncer in the directory of manage.py, or "
            "use `python manage.py syncer ...`"
        )
    os.environ["DJANGO_SETTINGS_MODULE"] = module
    return module


def early_context(
    settings_module: str | None, pythonpath: str | None, check_tasks: bool
) -> Context | None:
    """The context files will be built with, read before the project starts: its settings
    module only (the time zone, the limits), no task names. None when the settings cannot be
    read: the project's start reports why (``syncer.core.prebuild`` checks each result against
    the real context's key anyway)."""
    if check_tasks:
        try:
            _settings_module(settings_module, pythonpath)
            from django.conf import settings

            settings.TIME_ZONE  # noqa: B018 - loads the settings module
        except Exception:  # whatever it is, the project's start reports it
            return None
    return context(check_tasks=False)  # the settings loaded: their time zone and limits count


def _start(module: str) -> None:
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise ConfigurationError(f"configuration error in {module}: {exc}") from None
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if module == missing or module.startswith(f"{missing}."):
            raise ConfigurationError(
                f"cannot import the Django settings {module!r} ({exc}): run syncer in the "
                "directory of manage.py, or add the project's directory to --pythonpath / "
                "PYTHONPATH"
            ) from None
        raise ConfigurationError(
            f"the Django project {module!r} needs a module that is not installed: {exc}"
            + (" (pip install django-celery-beat)" if missing == "django_celery_beat" else "")
        ) from None
    except Exception as exc:  # the project's own settings or app code raised
        raise ConfigurationError(
            f"the Django project {module!r} failed to start: {type(exc).__name__}: {exc}"
        ) from None


def _check_apps() -> None:
    from django.apps import apps

    missing = [name for name in _REQUIRED_APPS if not apps.is_installed(name)]
    if missing:
        listed = ", ".join(f'"{name}"' for name in missing)
        raise ConfigurationError(
            f"add {listed} to INSTALLED_APPS ({'; '.join(_REQUIRED_APPS[m] for m in missing)}), "
            "then run `python manage.py migrate`"
        )


def _capture_celery_app() -> None:
    if _project_app:
        return
    setting = conf.get().celery_app
    if setting:
        from celery.utils.imports import symbol_by_name

        try:
            app = symbol_by_name(setting)
        except Exception as exc:
            raise ConfigurationError(
                f"SYNCER_CELERY_APP = {setting!r} cannot be imported: {type(exc).__name__}: {exc}"
            ) from None
        _project_app.append(app)
        return
    from celery import _state, current_app

    if _state.default_app is None and getattr(_state._tls, "current_app", None) is None:
        raise ConfigurationError(
            "no Celery app: the project creates none when Django starts. Import it in your "
            "project package's __init__.py (`from .celery import app as celery_app`, as "
            "Celery's Django guide shows), or set SYNCER_CELERY_APP = 'myproject.celery:app'"
        )
    _project_app.append(current_app._get_current_object())


def celery_app() -> Any:
    setup_django()
    return _project_app[0]


@lru_cache(maxsize=1)
def registered_tasks() -> frozenset[str]:
    """The task names of the project's Celery app, after autodiscovery (no broker needed)."""
    app = celery_app()
    # Celery's Django fix-up runs Django's system checks before it imports the task modules
    # (which imports the URLconf and every view: a third of a second in a small project); a worker
    # or beat runs them at its start, the syncer only reads the task names.
    skip = os.environ.get("CELERY_SKIP_CHECKS")
    os.environ["CELERY_SKIP_CHECKS"] = "1"
    try:
        app.loader.import_default_modules()
    finally:
        if skip is None:
            del os.environ["CELERY_SKIP_CHECKS"]
        else:
            os.environ["CELERY_SKIP_CHECKS"] = skip
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
    """The loader's limits, from the settings (``SYNCER_MAX_FILE_BYTES``, ``SYNCER_MAX_TASKS``,
    ``SYNCER_MAX_YAML_NODES``; the core reads no environment variable itself)."""
    settings = conf.get()
    return Limits(
        max_file_bytes=settings.max_file_bytes,
        max_tasks=settings.max_tasks,
        max_yaml_nodes=settings.max_yaml_nodes,
    )


def default_timezone() -> str:
    """Celery's time zone (the default of cron schedules); ``$TIME_ZONE`` without the project."""
    settings = conf.django_settings()
    if settings is None:
        return os.environ.get("TIME_ZONE", "UTC")
    return getattr(settings, "CELERY_TIMEZONE", None) or settings.TIME_ZONE or "UTC"


def default_paths() -> list[str]:
    return [conf.get().schedules_dir]


def unapplied_migrations() -> list[tuple[str, str]]:
    """(app, migration) pairs that the syncer's tables need and the database has not applied."""
    from django.apps import apps

    if not apps.ready:
        return []
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    targets = [key for key in executor.loader.graph.leaf_nodes() if key[0] in _REQUIRED_APPS]
    return [(m.app_label, m.name) for m, _ in executor.migration_plan(targets)]
