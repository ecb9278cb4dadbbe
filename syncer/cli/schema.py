"""``syncer schema``: print the JSON Schema of the schedule format (task names as an enum)."""

from __future__ import annotations

import argparse
import json
import sys

from syncer import project
from syncer.core.schema import json_schema


def run(args: argparse.Namespace) -> int:
    names = None if args.no_tasks else project.registered_tasks()
    text = json.dumps(json_schema(names), indent=2, sort_keys=True) + "\n"
    if args.output_file:
        with open(args.output_file, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0
