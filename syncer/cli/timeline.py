"""``syncer timeline``: how many runs start in each minute of a window, per queue (or task), from
the files (it works before an apply): text, JSON, or an SVG chart."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from syncer.cli.inputs import load_desired, report_warnings
from syncer.cli.output import write_document
from syncer.core import timeline_render
from syncer.core.durations import DurationError, parse_duration
from syncer.core.errors import UserError


def run(args: argparse.Namespace) -> int:
    window = _window(args.window)
    start = _start(args.start)
    desired = load_desired(args)
    report_warnings(desired, args)
    from syncer.db.timeline import from_states

    timeline = from_states((task.state for task in desired.tasks.values()), start, window, args.by)
    if args.output == "json":
        text = json.dumps(timeline.to_json(), indent=2) + "\n"
    elif args.output == "svg":
        text = timeline_render.svg(timeline)
    else:
        text = timeline_render.text(timeline)
    write_document(text, Path(args.output_file) if args.output_file else None, force=True)
    return 0


def _window(value: str) -> timedelta:
    try:
        window = timedelta(microseconds=parse_duration(value))
    except DurationError as exc:
        raise UserError(f"--window {value}: {exc}") from None
    if not timedelta(minutes=1) <= window <= timedelta(days=31):
        raise UserError(f"--window {value}: between 1 minute and 31 days")
    return window


def _start(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        raise UserError(f"--start {value}: not an ISO date-time") from None
    if start.tzinfo is None:
        raise UserError(f"--start {value}: give its offset (2026-12-01T00:00:00+00:00)")
    return start
