"""``syncer plan``: the changes ``apply`` would make, field by field; writes nothing."""

from __future__ import annotations

import argparse
import sys

from syncer.cli.error_handler import EXIT_CHANGES, EXIT_OK
from syncer.cli.inputs import load_desired, report_warnings, scope_of, use_color
from syncer.core import render
from syncer.core.plan import Plan


def run(args: argparse.Namespace) -> int:
    scope = scope_of(args)
    desired = load_desired(args)
    report_warnings(desired, args)
    from syncer.db.apply import make_plan

    plan, _ = make_plan(desired.tasks, scope=scope)
    show(plan, args)
    return EXIT_CHANGES if args.detailed_exitcode and not plan.is_empty else EXIT_OK


def show(plan: Plan, args: argparse.Namespace) -> None:
    from django.utils import timezone

    from syncer import project
    from syncer.db.firetimes import previews

    shown = previews(plan, timezone.now(), project.default_timezone())
    if args.output == "json":
        sys.stdout.write(render.plan_json(plan, shown))
    elif args.output == "markdown":
        sys.stdout.write(render.plan_markdown(plan, shown))
    else:
        sys.stdout.write(render.plan_text(plan, color=use_color(args), previews=shown))
