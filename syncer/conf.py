"""The syncer's settings: Django settings with documented defaults; an environment variable of the
same name wins over the setting (CI jobs and containers set the environment, not settings.py).

- ``SYNCER_SCHEDULES_DIR`` (``schedules``): PATH when a command is given none, relative to
  the current directory;
- ``SYNCER_CELERY_APP`` (the current app): ``"proj.celery:app"``, the app whose task names are
  checked, when the project does not import its app when Django starts;
- ``SYNCER_LOCK_TIMEOUT`` (60): seconds an apply waits for another apply's lock;
- ``SYNCER_LEADER_TTL`` (15): seconds before a standby ``syncer watch`` takes over;
- ``SYNCER_SCOPE`` (``default``): the ownership scope of ``plan``, ``apply``, ``watch`` and
  ``status`` when they get no ``--scope`` (a short slug, see ``syncer.core.scopes``);
- ``SYNCER_BEAT_LEASE_TTL`` (10): seconds before a standby beat (``syncer.beat:Scheduler``) takes
  over from a leader that stopped renewing its lease;
- ``SYNCER_BEAT_CLAIM_RETENTION`` (86,400): seconds slot claims are kept (at least the overlap
  bound);
- ``SYNCER_BEAT_OVERLAP_TIMEOUT`` (3,600): seconds after which a run of an ``overlap: skip`` task
  that never reported its end (a worker killed mid-run) stops blocking the next slots;
- ``SYNCER_MAX_FILE_BYTES`` (10 MiB), ``SYNCER_MAX_TASKS`` (1,000,000),
  ``SYNCER_MAX_YAML_NODES`` (5,000,000): loader limits against hostile files;
- ``SYNCER_HERD_THRESHOLD`` (50): a warning when more runs than this start on one queue in the
  same minute (the herd lint);
- ``SYNCER_CACHE_DIR`` (``$XDG_CACHE_HOME/beat-sync``, else ``~/.cache/beat-sync``): where
  files that validated without a problem are kept, so that an unchanged file is not validated
  again (``syncer.core.build_cache``); ``off`` keeps nothing;
- ``SYNCER_WORKERS`` (the CPUs the process may use, at most 4): how many processes a command
  runs at once: helpers that validate the files not in that cache while the project starts, and
  render ``apply``'s plan while the database writes (``syncer.forked``); 1: the command's own
  process only;
- ``SYNCER_METRICS_PER_TASK`` (true): ``syncer watch`` exports run health per task (a few series
  a task); false keeps only the counts per state, for very large installations.

Without a configured Django project (``validate --skip-task-check``, the pre-commit hook), only
the environment and the defaults count; the settings count as soon as they are loaded. A value
of the wrong type is a ``ConfigurationError`` naming the setting, never a traceback.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, fields
from typing import Any

from syncer.core.errors import UserError
from syncer.core.scopes import DEFAULT_SCOPE, scope_problem


class ConfigurationError(UserError):
    """The host project's configuration is wrong; the message names the setting and the fix."""


@dataclass(frozen=True)
class Settings:
    schedules_dir: str = "schedules"
    celery_app: str = ""
    lock_timeout: float = 60.0
    leader_ttl: float = 15.0
    beat_lease_ttl: float = 10.0
    beat_claim_retention: float = 86_400.0
    beat_overlap_timeout: float = 3_600.0
    max_file_bytes: int = 10 * 1024 * 1024
    max_tasks: int = 1_000_000
    max_yaml_nodes: int = 5_000_000
    herd_threshold: int = 50
    metrics_per_task: bool = True
    cache_dir: str = ""  # "": the default directory (syncer.build_cache_store)
    scope: str = DEFAULT_SCOPE
    workers: int = 0  # 0: the default (syncer.forked.default_workers)


def setting_name(field: str) -> str:
    return f"SYNCER_{field.upper()}"


def get() -> Settings:
    """The current settings (read each time: cheap, and tests may override settings)."""
    values: dict[str, Any] = {}
    for field in fields(Settings):
        name = setting_name(field.name)
        raw = os.environ.get(name)
        origin = f"environment variable {name}"
        if raw is None:
            raw = _django_setting(name)
            origin = f"setting {name}"
        if raw is None:
            continue
        values[field.name] = _convert(raw, field.type, origin)
        problem = _CHECKS.get(field.name, _no_check)(values[field.name])
        if problem is not None:
            raise ConfigurationError(f"{origin}: {problem}")
    return Settings(**values)


def _no_check(value: Any) -> str | None:
    return None


# Checks of a setting's value beyond its type: the message says what is allowed.
_CHECKS = {"scope": scope_problem}


def _django_setting(name: str) -> Any:
    settings = django_settings()
    return None if settings is None else getattr(settings, name, None)


def django_settings() -> Any:
    """The project's Django settings once they are loaded (by Django's start, or by a command
    reading them ahead of it), else None: a command without a project never imports Django
    (importing it only to find that out cost ~5 ms of ``validate --skip-task-check``)."""
    module = sys.modules.get("django.conf")
    if module is None or not module.settings.configured:
        return None
    return module.settings


_CONVERTERS = {"str": str, "int": int, "float": float}


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _boolean(raw: Any, origin: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ConfigurationError(f"{origin}: expected true or false, got {raw!r}")


def _convert(raw: Any, type_name: Any, origin: str) -> Any:
    kind = type_name if isinstance(type_name, str) else type_name.__name__
    if kind == "bool":
        return _boolean(raw, origin)
    convert = _CONVERTERS[kind]
    if isinstance(raw, bool) or (kind != "str" and isinstance(raw, str) and not raw.strip()):
        raise ConfigurationError(f"{origin}: expected a number, got {raw!r}")
    try:
        value = convert(raw)
    except (TypeError, ValueError):
        expected = {"str": "a string", "int": "an integer", "float": "a number"}[kind]
        raise ConfigurationError(f"{origin}: expected {expected}, got {raw!r}") from None
    if kind != "str" and value <= 0:
        raise ConfigurationError(f"{origin}: must be greater than 0, got {raw!r}")
    return value
