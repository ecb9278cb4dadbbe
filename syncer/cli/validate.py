"""``syncer validate``: check every file, report every problem; no database needed."""

from __future__ import annotations

import argparse
import sys

from syncer.cli.inputs import load_desired
from syncer.core import render
from syncer.core.words import plural


def run(args: argparse.Namespace) -> int:
    desired = load_desired(args, check_tasks=not args.skip_task_check)
    if args.output == "json":
        sys.stdout.write(render.problems_json(desired.problems))
    else:
        sys.stderr.write(render.problems_text(desired.problems))
        print(f"{plural(len(desired.files), 'file')}, {plural(len(desired.tasks), 'task')}: valid")
    return 0
