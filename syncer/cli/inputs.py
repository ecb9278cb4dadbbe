"""Reading the files, shared by every subcommand: paths -> validated desired state, or an error."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime

from syncer import project
from syncer.core import render
from syncer.core.build_cache import BuildStore
from syncer.core.context import Context
from syncer.core.desired import Desired
from syncer.core.errors import UserError, ValidationFailed
from syncer.core.gc_pause import lives_until_exit
from syncer.core.pipeline import Pipeline
from syncer.core.prebuild import Handed, hand_out
from syncer.core.scopes import Scope

# The commands that read files: theirs are handed to helpers before the project starts.
_LOADING = {"validate", "plan", "apply", "timeline", "status"}
# What ``builds_ahead`` handed out, for the command's one ``load_desired``.
_ahead: list[Handed] = []


def paths(args: argparse.Namespace) -> list[str]:
    return list(args.paths) or project.default_paths()


def scope_of(args: argparse.Namespace) -> Scope:
    """``--scope`` (else ``SYNCER_SCOPE``, else ``default``) and its ``--take-over`` scopes."""
    from syncer import conf

    name = getattr(args, "scope", None) or conf.get().scope
    take_over = frozenset(getattr(args, "take_over", None) or ())
    if name in take_over:
        raise UserError(f"--take-over {name}: that is the scope being applied")
    return Scope(name, take_over)


def load_desired(args: argparse.Namespace, *, check_tasks: bool = True) -> Desired:
    """Every problem of every file, or the desired tasks; raises ValidationFailed on any error.

    Lints are warnings (kept in ``desired.problems``); with ``--strict`` they are errors too.
    """
    context = project.context(check_tasks=check_tasks)
    store = build_store(args)
    # The files handed to helpers before the project started, else now.
    handed = _ahead.pop() if _ahead else _hand_out(args, context, store)
    pipeline = Pipeline(context, keep=False, store=store, handed=handed)  # used once
    now = datetime.now(UTC)
    loaded = pipeline.load(paths(args), now)
    lives_until_exit()  # the desired state
    errors = loaded.errors
    warnings = list(loaded.warnings)
    if not errors and check_tasks:  # beat's schedule objects need the project
        from syncer import conf
        from syncer.db.timeline import herd_warnings

        herds = herd_warnings(loaded.desired.tasks, now, conf.get().herd_threshold, store)
        warnings += herds
        loaded.desired.problems = sorted(loaded.desired.problems + herds)
    if getattr(args, "strict", False) and warnings:
        errors = sorted(errors + [replace(w, severity="error") for w in warnings])
    if errors:
        raise ValidationFailed(errors)
    return loaded.desired


@contextmanager
def builds_ahead(args: argparse.Namespace) -> Iterator[None]:
    """Around a command: a command that reads files hands those to build to helper processes
    first (``syncer.core.prebuild``), so that they build while the project starts; every
    helper has ended when the command does."""
    if args.command in _LOADING:
        check_tasks = not getattr(args, "skip_task_check", False)
        context = project.early_context(args.settings, args.pythonpath, check_tasks)
        if context is not None:
            _ahead.append(_hand_out(args, context, build_store(args)))
    try:
        yield
    finally:
        while _ahead:
            _ahead.pop().close()


def _hand_out(args: argparse.Namespace, context: Context, store: BuildStore | None) -> Handed:
    from syncer.forked import ForkedBuilders, workers

    return hand_out(paths(args), context, store, ForkedBuilders(workers()))


def build_store(args: argparse.Namespace) -> BuildStore | None:
    """The cache of built files (``SYNCER_CACHE_DIR``), unless ``--no-cache``."""
    from syncer import conf
    from syncer.build_cache_store import open_store

    return None if getattr(args, "no_cache", False) else open_store(conf.get().cache_dir)


def report_warnings(desired: Desired, args: argparse.Namespace) -> None:
    """Warnings go to stderr (in JSON mode, `validate` puts them in its document instead)."""
    warnings = [p for p in desired.problems if p.severity == "warning"]
    if warnings:
        sys.stderr.write(render.problems_text(warnings))


def use_color(args: argparse.Namespace) -> bool:
    return (
        not getattr(args, "no_color", False)
        and "NO_COLOR" not in os.environ
        and sys.stdout.isatty()
    )
