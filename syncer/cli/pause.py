"""``syncer pause`` and ``syncer resume``: the emergency override of declared tasks
(``syncer.core.pauses``), written at once (``syncer.db.pause_writes``)."""

from __future__ import annotations

import argparse
import json
import sys

from django.utils import timezone

from syncer.cli.audit import applied_by
from syncer.core.escape import escape_lines
from syncer.core.pauses import expiry, parse_until
from syncer.db import pause_writes


def run(args: argparse.Namespace) -> int:
    by = args.by or applied_by()
    if args.command == "pause":
        until = expiry(
            timezone.now(),
            duration=args.duration,
            until=parse_until(args.until) if args.until else None,
            indefinitely=args.indefinitely,
        )
        done = pause_writes.pause(args.names, reason=args.reason, by=by, until=until)
        until_text = (
            "indefinitely (until `syncer resume`)"
            if until is None
            else (f"until {until.isoformat(timespec='seconds')}")
        )
        data = {
            "action": "pause",
            "by": by,
            "reason": args.reason.strip(),
            "until": None if until is None else until.isoformat(),
            "tasks": [{"name": d.name, "result": d.action, "disabled": d.disabled} for d in done],
        }
        lines = [
            f"{d.action.capitalize()}: {d.name} {until_text}"
            + ("; disabled now (beat notified)" if d.disabled else "")
            for d in done
        ]
    else:
        done = pause_writes.resume(args.names, by=by)
        data = {
            "action": "resume",
            "by": by,
            "tasks": [{"name": d.name, "result": d.action, "enabled": d.enabled} for d in done],
        }
        lines = [
            f"Resumed: {d.name}"
            + (
                "; enabled now, next run counted from now (beat notified)"
                if d.enabled
                else "; stays disabled (its file declares it disabled)"
            )
            for d in done
        ]
    if args.output == "json":
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        sys.stdout.write("\n".join(escape_lines(lines)) + "\n")
    return 0
