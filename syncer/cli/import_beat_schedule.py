"""``syncer import-beat-schedule MODULE[:ATTR]``: a Celery ``beat_schedule`` as a schedule file.

MODULE is a module name (imported with the current directory on ``sys.path``, as ``celery -A``
does) or a ``.py`` file. ATTR is a dotted attribute path; by default ``beat_schedule``, then
``CELERY_BEAT_SCHEDULE`` (a Django settings module), then ``CELERYBEAT_SCHEDULE`` (old name). When
ATTR names a Celery app, its ``conf.beat_schedule`` and its time zone are used.

Time zone of a ``crontab``: that of the app running beat (beat gives every crontab of its
schedule its own app, even a ``crontab(app=...)``), first found: ``--timezone``; the Celery app
given as ATTR; the module's ``timezone`` or ``CELERY_TIMEZONE``; the project's Celery time zone
(what this project's beat uses). django-celery-beat's ``TzAwareCrontab(tz=...)`` keeps its own.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
import zoneinfo
from pathlib import Path
from types import ModuleType
from typing import Any

from syncer.cli.export import output_path, warn_unregistered
from syncer.cli.output import write_document
from syncer.core import render
from syncer.core.beat_import import convert
from syncer.core.errors import UserError
from syncer.core.escape import escape
from syncer.core.export import Item, Unrepresentable, export
from syncer.core.kinds.crontab import timezone_name

DEFAULT_ATTRS = ("beat_schedule", "CELERY_BEAT_SCHEDULE", "CELERYBEAT_SCHEDULE")


def run(args: argparse.Namespace) -> int:
    module_name, _, attr = args.target.partition(":")
    module = _import(module_name)
    beat_schedule, source, zone = _find(module, module_name, attr)
    if args.timezone:
        _check_zone(args.timezone)
        zone = args.timezone
    if zone is None:
        from syncer import project

        zone = project.default_timezone()
        zone_origin = "the project's Celery time zone"
    else:
        zone_origin = "--timezone" if args.timezone else source
    converted = convert(beat_schedule, zone, source)
    header = (
        f"Converted by `syncer import-beat-schedule {args.target}`: {len(converted.states)} "
        "tasks.\nOnce this file is applied, remove these entries from beat_schedule: beat's "
        "DatabaseScheduler\nwrites beat_schedule into the tables at every start (update_or_create)."
    )
    result = export([Item(state) for state in converted.states], header, source)
    problems = sorted(converted.problems + result.problems)
    if problems:
        sys.stderr.write(render.problems_text(problems))
        raise UserError(
            f"{len({p.task for p in problems})} beat_schedule entries cannot be represented "
            "as django-celery-beat rows (see above); nothing was written"
        )
    warn_unregistered(result.names, {s.name: s.task for s in converted.states})
    if converted.default_timezone_used:
        note = (
            f"note: {len(converted.default_timezone_used)} crontab entries use time zone "
            f"{zone} ({zone_origin}); --timezone sets another"
        )
        sys.stderr.write(f"{escape(note)}\n")
    destination = output_path(args.output_file, "beat_schedule.yaml")
    write_document(result.text, destination, args.force)
    where = str(destination) if destination else "stdout"
    done = f"converted {len(result.names)} beat_schedule entries to {where}"
    sys.stderr.write(f"{escape(done)}\n")
    return 0


def _import(name: str) -> ModuleType:
    try:
        if name.endswith(".py") or os.sep in name:
            path = Path(name)
            spec = importlib.util.spec_from_file_location(path.stem, path)
            if spec is None or spec.loader is None or not path.is_file():
                raise UserError(f"{name}: no such Python file")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
        if os.getcwd() not in sys.path and "" not in sys.path:
            sys.path.insert(0, os.getcwd())
        return importlib.import_module(name)
    except UserError:
        raise
    except Exception as exc:  # the module's own code runs here: any error is the module's
        raise UserError(f"cannot import {name}: {type(exc).__name__}: {exc}") from None


def _find(module: ModuleType, module_name: str, attr: str) -> tuple[Any, str, str | None]:
    """(the beat_schedule dict, its name for messages, the time zone it comes with, if any)."""
    if attr:
        value: Any = module
        for part in attr.split("."):
            if not hasattr(value, part):
                raise UserError(f"{module_name}: no attribute {attr!r}")
            value = getattr(value, part)
        source = f"{module_name}:{attr}"
    else:
        found = next((a for a in DEFAULT_ATTRS if hasattr(module, a)), None)
        if found is None:
            raise UserError(
                f"{module_name}: none of {', '.join(DEFAULT_ATTRS)} is defined; "
                "name the attribute: MODULE:ATTR"
            )
        value, source = getattr(module, found), f"{module_name}:{found}"
    zone = _module_zone(module)
    conf = getattr(value, "conf", None)
    if conf is not None and hasattr(conf, "beat_schedule"):  # a Celery app
        zone = _app_zone(value, source)
        value = conf.beat_schedule
    if not isinstance(value, dict):
        raise UserError(f"{source} is a {type(value).__name__}, not a beat_schedule dict")
    return value, source, zone


def _module_zone(module: ModuleType) -> str | None:
    for attr in ("timezone", "CELERY_TIMEZONE"):
        value = getattr(module, attr, None)
        if isinstance(value, str) and value:
            return value
    return None


def _app_zone(app: Any, source: str) -> str:
    try:
        return timezone_name(app.timezone)
    except Unrepresentable:
        raise UserError(
            f"{source}: the app's time zone is the machine's local time (enable_utc off, no "
            "timezone setting); pass --timezone"
        ) from None


def _check_zone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise UserError(f"--timezone {name}: unknown time zone (an IANA name)") from None
