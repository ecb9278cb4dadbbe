"""Reading the files, shared by every subcommand: paths -> validated desired state, or an error."""

from __future__ import annotations

import argparse
import os
import sys

from syncer import project
from syncer.core.desired import Desired, build
from syncer.core.errors import ValidationFailed
from syncer.core.load import discover, load_files


def paths(args: argparse.Namespace) -> list[str]:
    return list(args.paths) or project.default_paths()


def load_desired(args: argparse.Namespace, *, check_tasks: bool = True) -> Desired:
    """Every problem of every file, or the desired tasks; raises ValidationFailed on any error."""
    found, problems = discover(paths(args))
    loaded = load_files(found)
    desired = build(loaded.files, project.context(check_tasks=check_tasks))
    errors = sorted(problems + loaded.problems + desired.errors)
    if errors:
        raise ValidationFailed(errors)
    return desired


def use_color(args: argparse.Namespace) -> bool:
    return (
        not getattr(args, "no_color", False)
        and "NO_COLOR" not in os.environ
        and sys.stdout.isatty()
    )
