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


def load_desired(
    args: argparse.Namespace, *, check_tasks: bool = True, herd: bool = True
) -> Desired:
    """Every problem of every file, or the desired tasks; raises ValidationFailed on any error.

    Lints are warnings (kept in ``desired.problems``); with ``--strict`` they are errors too.
    ``herd=False``: the herd lint is left to ``Warnings`` (never with ``--strict``).
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
    strict = getattr(args, "strict", False)
    if not errors and check_tasks and (herd or strict):  # beat's schedules need the project
        _add_herd_warnings(loaded.desired, now, store)
    if strict and loaded.warnings:
        errors = sorted(errors + [replace(w, severity="error") for w in loaded.warnings])
    if errors:
        raise ValidationFailed(errors)
    return loaded.desired


def _add_herd_warnings(desired: Desired, now: datetime, store: BuildStore | None) -> None:
    from syncer import conf
    from syncer.db.timeline import herd_warnings

    herds = herd_warnings(desired.tasks, now, conf.get().herd_threshold, store)
    desired.problems = sorted(desired.problems + herds)


class Warnings:
    """The files' warnings as text for stderr, the herd lint's included: ``apply`` loads with
    ``herd=False`` and has its helper run it while the database writes (the warnings are printed
    before the plan all the same, and before the error when the apply fails)."""

    def __init__(self, desired: Desired, args: argparse.Namespace, *, herd: bool) -> None:
        self.desired, self.args, self._herd = desired, args, herd

    def text(self) -> str:
        if self._herd:
            self._herd = False
            _add_herd_warnings(self.desired, datetime.now(UTC), build_store(self.args))
        warnings = [p for p in self.desired.problems if p.severity == "warning"]
        return render.problems_text(warnings) if warnings else ""


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
    sys.stderr.write(Warnings(desired, args, herd=False).text())


def use_color(args: argparse.Namespace) -> bool:
    return (
        not getattr(args, "no_color", False)
        and "NO_COLOR" not in os.environ
        and sys.stdout.isatty()
    )
