"""``syncer export``: the live rows as a schedule file, to adopt them or to recover lost files.

Applying the file written plans no field change: unmanaged rows show as ``adopt`` (owned from then
on), managed rows as unchanged. ``celery.*`` rows (beat's own ``celery.backend_cleanup``, which
beat rewrites at every start) are left out unless ``--include-celery``. Tasks declared in the
``PATH`` arguments are left out, so that the file can go next to them.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from syncer.cli.inputs import load_desired
from syncer.cli.output import write_document
from syncer.core import render
from syncer.core.errors import UserError
from syncer.core.escape import escape
from syncer.core.export import Item, export
from syncer.core.load import SUFFIXES
from syncer.core.plan import LedgerEntry
from syncer.core.scopes import DEFAULT_SCOPE

DEFAULT_FILE_NAME = "exported.yaml"
BEAT_OWN_PREFIX = "celery."


def run(args: argparse.Namespace) -> int:
    rows = _rows(args)
    destination = output_path(args.output_file, DEFAULT_FILE_NAME)
    declared = _declared(args, destination)
    from syncer.db.actual import read_snapshot

    snapshot = read_snapshot()
    items: list[Item] = []
    left_out = {"celery": 0, "declared": 0}
    for name, state in snapshot.states.items():
        entry = snapshot.ledger.get(name)
        if not _selected(entry, rows, args.scope):
            continue
        if name in declared:
            left_out["declared"] += 1
        elif name.startswith(BEAT_OWN_PREFIX) and not args.include_celery:
            left_out["celery"] += 1
        else:
            pause = snapshot.pauses.get(name)
            if pause is not None and entry is not None and entry.applied_enabled:
                # The row is disabled by a pause, not by its declaration: export the declaration
                # (a file that said `enabled: false` would outlive the pause).
                state = replace(state, enabled=True)
                comment = f"{_comment(entry)}; paused now (the pause is not exported)"
                items.append(Item(state, comment))
            else:
                items.append(Item(state, _comment(entry)))
    managed = sum(1 for item in items if item.state.name in snapshot.ledger)
    command = f"--scope {args.scope}" if args.scope else f"--{rows}"
    header = (
        f"Exported by `syncer export {command}` from the live django-celery-beat tables: "
        f"{len(items)} tasks\n({managed} managed, {len(items) - managed} unmanaged). Applying "
        "this file changes no field: unmanaged\ntasks are adopted (owned by the syncer from then "
        "on), managed ones stay as they are."
    )
    if args.scope:
        header += f"\nThe tasks belong to scope `{args.scope}`: apply it with --scope {args.scope}."
    result = export(items, header, source="database")
    warn_unregistered(result.names, {i.state.name: i.state.task for i in items})
    if result.problems:
        sys.stderr.write(render.problems_text(result.problems))
        if not args.skip_unrepresentable:
            raise UserError(
                f"{len({p.task for p in result.problems})} tasks cannot be written exactly as "
                "schedule files (see above); nothing was written. --skip-unrepresentable "
                "writes the others"
            )
    write_document(result.text, destination, args.force)
    notes = [f"{n} {what}" for what, n in _left_out_notes(left_out) if n]
    where = str(destination) if destination else "stdout"
    suffix = f"; left out: {', '.join(notes)}" if notes else ""
    sys.stderr.write(escape(f"exported {len(result.names)} tasks to {where}{suffix}") + "\n")
    return 0


def _rows(args: argparse.Namespace) -> str:
    """Which rows: ``--managed``, ``--unmanaged`` or ``--all`` (default); ``--scope NAME`` means
    the rows that scope owns (managed rows only)."""
    if args.scope is None:
        return str(args.rows or "all")
    if args.rows in ("unmanaged", "all"):
        raise UserError(f"--scope selects rows that a scope owns: not with --{args.rows}")
    return "managed"


def _selected(entry: LedgerEntry | None, rows: str, scope: str | None) -> bool:
    if rows == "unmanaged":
        return entry is None
    if rows == "managed" and entry is None:
        return False
    return scope is None or (entry is not None and entry.scope == scope)


def _comment(entry: LedgerEntry | None) -> str:
    if entry is None:
        return ""
    owner = "" if entry.scope == DEFAULT_SCOPE else f" by scope `{entry.scope}`"
    return f"managed{owner}, declared at {entry.source}"


def _left_out_notes(left_out: dict[str, int]) -> list[tuple[str, int]]:
    return [
        ("celery.* rows of beat itself (--include-celery)", left_out["celery"]),
        ("declared in the given files", left_out["declared"]),
    ]


def _declared(args: argparse.Namespace, destination: Path | None) -> set[str]:
    """The names declared in the PATH arguments, but for the file being (re)written."""
    if not args.paths:
        return set()
    desired = load_desired(args, check_tasks=False)
    target = destination.resolve() if destination else None
    return {
        name
        for name, task in desired.tasks.items()
        if target is None or Path(task.source.path).resolve() != target
    }


def warn_unregistered(names: list[str], tasks: dict[str, str]) -> None:
    from syncer import project

    known = project.registered_tasks()
    for name in names:
        if tasks[name] not in known:
            message = (
                f"warning: task {name!r}: {tasks[name]!r} is not registered in the Celery app; "
                "validate and plan refuse the file until it is"
            )
            sys.stderr.write(f"{escape(message)}\n")


def output_path(value: str | None, default_name: str) -> Path | None:
    """``-o FILE``, or ``-o DIR`` (an existing directory, or a path ending in ``/``): DIR/name."""
    if value is None or value == "-":
        return None
    path = Path(value)
    if value.endswith(("/", os.sep)) or path.is_dir():
        return path / default_name
    if not path.name.endswith(SUFFIXES) or path.name.startswith("."):
        # Discovery reads only *.yaml / *.yml files not starting with ".": the tasks of any other
        # file would not be declared, and the next apply would delete them.
        raise UserError(
            f"{value}: a schedule file's name must end in .yaml or .yml (and not start with "
            "'.'), or `syncer apply` would skip it and delete its tasks; to write into a "
            f"directory, end the path with /: {value.rstrip(os.sep)}/"
        )
    return path
