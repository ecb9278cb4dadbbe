"""``syncer apply``: compute the plan and apply it in one transaction (``--dry-run``: plan only)."""

from __future__ import annotations

import argparse
import json
import sys

from syncer.cli import audit
from syncer.cli.error_handler import EXIT_CHANGES, EXIT_OK
from syncer.cli.inputs import Warnings, load_desired, scope_of
from syncer.cli.plan import show
from syncer.cli.rendered_ahead import RenderedAhead
from syncer.core.errors import UserError
from syncer.core.escape import escape


def run(args: argparse.Namespace) -> int:
    scope = scope_of(args)
    # The herd lint waits for the helper that renders the plan, unless --strict makes it an error.
    desired = load_desired(args, herd=args.strict)
    warnings = Warnings(desired, args, herd=not args.strict)
    from syncer.db.apply import apply, make_plan

    if args.dry_run:
        sys.stderr.write(warnings.text())
        plan, snapshot = make_plan(desired.tasks, scope=scope)
        plan.raise_if_unsafe(force=args.force, allow_empty=args.allow_empty)
        show(plan, args, snapshot.states)
        return EXIT_CHANGES if args.detailed_exitcode and not plan.is_empty else EXIT_OK
    ahead = RenderedAhead(args, warnings.text)
    try:
        try:
            outcome = apply(
                desired.tasks,
                force=args.force,
                allow_empty=args.allow_empty,
                audit=audit.from_args(args),
                expected_checksum=_reviewed_checksum(args.plan_file),
                scope=scope,
                # A plan without the lock first, to leave a no-op without taking it, unless files
                # changed since they were last validated here (a write is likely: plan under it
                # once); a reviewed plan always, for its "applied before" answer.
                plan_first=args.plan_file is not None or not desired.built_files,
                before_write=ahead.start,
                checksum=ahead.checksum,
            )
        except Exception:
            sys.stderr.write(warnings.text())  # before the error, as when nothing was deferred
            raise
        if not (outcome.written and ahead.deliver()):
            written = outcome.written
            sys.stderr.write(warnings.text())
            show(
                outcome.plan,
                args,
                outcome.snapshot.states,
                last_runs=ahead.last_runs if written else None,
                now=ahead.now if written else None,
            )
    finally:
        ahead.close()
    done = outcome.already_applied
    if done is not None:
        revision = f" (revision {done.revision})" if done.revision else ""
        sys.stderr.write(
            f"The reviewed plan was already applied at {done.applied_at:%Y-%m-%d %H:%M:%S %Z}"
            f"{escape(revision)}; the tables still match it.\n"
        )
    if args.output in ("text", "markdown"):
        verb = "Applied" if outcome.written else "Nothing to apply"
        sys.stdout.write(f"{verb}.\n")
    return EXIT_CHANGES if args.detailed_exitcode and not outcome.plan.is_empty else EXIT_OK


def _reviewed_checksum(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            checksum = json.load(handle).get("checksum")
    except (OSError, ValueError, AttributeError) as exc:
        raise UserError(f"{path}: cannot read the reviewed plan: {exc}") from None
    if not isinstance(checksum, str):
        raise UserError(f"{path}: not a plan from `syncer plan --output json` (no checksum)")
    return checksum
