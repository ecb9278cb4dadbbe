"""``syncer schema``: print the JSON Schema of the schedule format (task names as an enum)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from syncer import project
from syncer.cli.output import write_document
from syncer.core.schema import json_schema


def run(args: argparse.Namespace) -> int:
    names = None if args.no_tasks else project.registered_tasks()
    text = json.dumps(json_schema(names), indent=2, sort_keys=True) + "\n"
    write_document(text, Path(args.output_file) if args.output_file else None, force=True)
    return 0
