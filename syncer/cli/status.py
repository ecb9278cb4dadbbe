"""``syncer status``: what is live (last apply and its revision, managed and unmanaged rows, drift),
and what an apply of the files would change."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from django.utils import timezone

from syncer.cli.error_handler import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, EXIT_PAUSED
from syncer.cli.inputs import load_desired, scope_of
from syncer.core.diff import compute
from syncer.core.errors import ValidationFailed
from syncer.core.escape import escape_lines
from syncer.core.health import UNHEALTHY, counts, worst_first
from syncer.core.scopes import DEFAULT_SCOPE
from syncer.core.words import plural
from syncer.db.actual import read_snapshot
from syncer.db.health import judged_names, read_health
from syncer.db.status import history, read_status


def run(args: argparse.Namespace) -> int:
    scope = scope_of(args)
    snapshot = read_snapshot()  # one read of the rows for both what is live and what is pending
    # The overview lists every scope that shares the database, or only the one asked for.
    status = read_status(snapshot, scope.name, every_scope=args.scope is None)
    pending: dict[str, Any]
    try:
        desired = load_desired(args)
    except ValidationFailed as exc:
        pending = {"valid": False, "problems": [str(p) for p in exc.problems]}
    else:
        plan = compute(
            desired.tasks,
            snapshot.states,
            snapshot.ledger,
            timezone.now(),
            scope,
            pauses=snapshot.pauses,
        )
        pending = {"valid": True, "summary": plan.summary(), "changes": not plan.is_empty}
        if plan.conflicts:  # valid files that declare names other scopes own: not applicable
            problems = [str(p) for p in plan.conflicts]
            pending = {"valid": False, "problems": problems, "conflicts": True}
    healths = worst_first(read_health(timezone.now(), judged_names(snapshot, scope.name), snapshot))
    data = {
        **status.to_json(),
        "pending": pending,
        "health": [h.to_json() for h in healths],
        "health_summary": counts(healths),
    }
    if args.history is not None:
        data["history"] = history(scope.name, max(1, args.history))
    if args.output == "json":
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        sys.stdout.write(_text(data))
    if not pending["valid"]:
        return EXIT_ERROR  # the files cannot be applied: an error, not "changes present"
    if not args.detailed_exitcode:
        return EXIT_OK
    if status.drift or pending.get("changes") or any(h.unhealthy for h in healths):
        return EXIT_CHANGES
    # Paused tasks are not drift: an operator decided it; reported apart from it.
    return EXIT_PAUSED if any(not p["expired"] for p in status.paused) else EXIT_OK


def _text(data: dict[str, Any]) -> str:
    lines = []
    if data["scope"] != DEFAULT_SCOPE:
        lines.append(f"Scope:       {data['scope']}")
    last = data["last_apply"]
    if last is None:
        lines.append("Last apply:  never")
    else:
        s = last["summary"]
        lines.append(f"Last apply:  {last['applied_at']} by {last['applied_by'] or '?'}")
        lines.append(f"Revision:    {last['revision'] or '(unknown)'}")
        lines.append(
            f"             {s['create']} created, {s['update']} updated, {s['delete']} deleted, "
            f"{s['adopt']} adopted, {s['rename']} renamed, {s['unchanged']} unchanged"
        )
    lines.append(f"Managed:     {plural(data['managed'], 'task')}")
    unmanaged = data["unmanaged"]
    names = ", ".join(unmanaged[:10]) + (", ..." if len(unmanaged) > 10 else "")
    lines.append(
        f"Unmanaged:   {plural(len(unmanaged), 'task')}" + (f" ({names})" if unmanaged else "")
    )
    drift = data["drift"]
    if drift:
        lines.append(
            f"Drift:       {plural(len(drift), 'managed task')} changed outside the files:"
        )
        lines.extend(
            f"               {name}: {', '.join(fields)}" for name, fields in drift.items()
        )
    else:
        lines.append("Drift:       none")
    lines.extend(_paused_text(data["paused"]))
    lines.extend(_scopes_text(data["scopes"], data["scope"]))
    lines.extend(_health_text(data["health"], data["health_summary"]))
    pending = data["pending"]
    if pending.get("conflicts"):
        lines.append(
            f"Files:       {plural(len(pending['problems']), 'name')} owned by other scopes "
            "(run syncer plan)"
        )
    elif not pending["valid"]:
        lines.append(
            f"Files:       INVALID ({plural(len(pending['problems']), 'problem')}: "
            "run syncer validate)"
        )
    else:
        s = pending["summary"]
        lines.append(
            f"Pending:     {s['create']} to create, {s['update']} to update, {s['rename']} to "
            f"rename, {s['adopt']} to adopt, {s['delete']} to delete"
        )
    lines.extend(_history_text(data.get("history")))
    return "\n".join(escape_lines(lines)) + "\n"  # names, revisions, users: from rows


def _paused_text(paused: list[dict[str, Any]]) -> list[str]:
    if not paused:
        return ["Paused:      none"]
    lines = [f"Paused:      {plural(len(paused), 'task')} (kept disabled; syncer resume NAME):"]
    for p in paused:
        until = f"until {p['until'][:16]}" if p["until"] else "indefinitely"
        if p["expired"]:
            until = f"EXPIRED {p['until'][:16]}: the next apply or resync enables it"
        lines.append(
            f"               {p['name']}: by {p['paused_by']} since {p['paused_at'][:16]}, "
            f"{until}: {p['reason']}"
        )
        if p["warning"]:
            lines.append(f"               warning: {p['name']} {p['warning']}")
    return lines


def _history_text(rows: list[dict[str, Any]] | None) -> list[str]:
    if rows is None:
        return []
    lines = ["History (latest first):"]
    if not rows:
        lines.append("  none")
    for row in rows:
        at = row["at"][:19].replace("T", " ")
        if row["event"] == "apply":
            what = f"apply {row['revision'] or '(revision unknown)'}: {row['summary']}"
        else:
            until = f" until {row['until'][:16]}" if row.get("until") else ""
            reason = f": {row['reason']}" if row.get("reason") else ""
            what = f"{row['event']} {row['task']}{until}{reason}"
        lines.append(f"  {at}  {what} (by {row['by'] or '?'})")
    return lines


def _scopes_text(scopes: dict[str, dict[str, Any]], current: str) -> list[str]:
    """One line per scope sharing the database; none while the default scope is the only one."""
    if not scopes or set(scopes) == {DEFAULT_SCOPE} == {current}:
        return []
    lines = ["Scopes:"]
    for name, info in scopes.items():
        last = info["last_apply"]
        applied = "never applied"
        if last is not None:
            applied = f"last apply {last['applied_at']} ({last['revision'] or 'revision unknown'})"
        drift = f", {info['drift']} drifted" if info["drift"] else ""
        marker = "*" if name == current else " "
        lines.append(
            f"  {marker} {name}: {plural(info['managed'], 'managed task')}{drift}; {applied}"
        )
    return lines


HEALTH_SHOWN = 20


def _health_text(healths: list[dict[str, Any]], summary: dict[str, int]) -> list[str]:
    """The counts per state, then the unhealthy tasks, the worst first."""
    shown = ", ".join(f"{n} {state}" for state, n in summary.items() if n) or "no task"
    lines = [f"Runs:        {shown}"]
    unhealthy = [h for h in healths if h["state"] in UNHEALTHY]
    for h in unhealthy[:HEALTH_SHOWN]:
        queue = f" (queue {h['queue']})" if h["queue"] else ""
        expected = (h["expected_last_run"] or "?")[:19].replace("T", " ")
        lines.append(
            f"  {h['state']:<9} {h['name']}{queue}: due {expected} UTC, "
            f"{h['late_seconds']:g} s late; last run {h['last_run_at'] or 'never'}"
        )
    if len(unhealthy) > HEALTH_SHOWN:
        lines.append(f"  ... and {len(unhealthy) - HEALTH_SHOWN} more (syncer status -o json)")
    return lines
