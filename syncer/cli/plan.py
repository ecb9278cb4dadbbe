"""``syncer plan``: the changes ``apply`` would make, field by field; writes nothing."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import TextIO

from syncer.cli.error_handler import EXIT_CHANGES, EXIT_OK
from syncer.cli.inputs import load_desired, report_warnings, scope_of, use_color
from syncer.core import render
from syncer.core.plan import Plan
from syncer.core.state import TaskState


def run(args: argparse.Namespace) -> int:
    scope = scope_of(args)
    desired = load_desired(args)
    report_warnings(desired, args)
    from syncer.db.apply import make_plan

    plan, snapshot = make_plan(desired.tasks, scope=scope)
    show(plan, args, snapshot.states)
    return EXIT_CHANGES if args.detailed_exitcode and not plan.is_empty else EXIT_OK


def show(
    plan: Plan,
    args: argparse.Namespace,
    live: Mapping[str, TaskState] | None = None,
    *,
    last_runs: Mapping[str, datetime | None] | None = None,
    now: datetime | None = None,
    out: TextIO | None = None,
) -> None:
    """The plan in the chosen format, with its consequences: previews, the runs that start at
    once, and (given the ``live`` rows) the change in each touched queue's busiest minute.
    ``last_runs`` (else read now) and ``now``: as an apply read them before it wrote."""
    from django.utils import timezone

    from syncer import project
    from syncer.db.firetimes import previews
    from syncer.db.timeline import load_change

    out = out or sys.stdout
    now = now or timezone.now()
    last_runs = last_runs if last_runs is not None else last_runs_of(plan)
    shown = previews(plan, now, project.default_timezone(), last_runs)
    load = load_change(plan, live, now) if live is not None else None
    if args.output == "json":
        out.write(render.plan_json(plan, shown, load))
    elif args.output == "markdown":
        out.write(render.plan_markdown(plan, shown, load))
    else:
        for part in render.plan_text_parts(plan, color=use_color(args), previews=shown, load=load):
            out.write(part)


def last_runs_of(plan: Plan) -> dict[str, datetime | None]:
    """The last runs of the rows whose schedule or enabled flag changes: whether beat alone
    would run them at once (one query, only when there are such changes)."""
    if not any(
        c.before and c.after and {"schedule", "enabled"} & set(c.fields) for c in plan.changes
    ):
        return {}
    from django_celery_beat.models import PeriodicTask

    return dict(PeriodicTask.objects.values_list("name", "last_run_at").iterator(chunk_size=5000))
