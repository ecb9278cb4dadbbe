"""The one boundary that turns errors into messages and exit codes.

0 ok / no changes, 1 user error (bad files, unsafe plan, unreachable database), 2 changes present
(``--detailed-exitcode``), 3 a bug in the syncer, 4 paused tasks and nothing else to report
(``status --detailed-exitcode``), 130 interrupted. Messages may quote input: in
text, they are escaped (``syncer.core.escape``); in JSON, ``json.dumps`` escapes them.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from syncer.core.errors import SyncerError, ValidationFailed
from syncer.core.escape import escape

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_PAUSED = 4


@dataclass
class Exit:
    """The exit code of a command, set by the command or by the boundary."""

    code: int = EXIT_OK


@contextmanager
def boundary(args: argparse.Namespace) -> Iterator[Exit]:
    outcome = Exit()
    as_json = getattr(args, "output", "text") == "json"
    try:
        yield outcome
    except ValidationFailed as exc:
        from syncer.core import render  # the plan's renderer: imported only to report

        if as_json:
            sys.stdout.write(render.problems_json(exc.problems))
        else:
            sys.stderr.write(render.problems_text(exc.problems))
            sys.stderr.write(f"error: {exc.summary()}; nothing was changed\n")
        outcome.code = EXIT_ERROR
    except SyncerError as exc:
        _error(str(exc), as_json)
        outcome.code = exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        outcome.code = EXIT_INTERRUPTED
    except Exception as exc:
        if _is_database_error(exc):
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            _error(f"database error: {message}{_migrate_hint()}", as_json)
            outcome.code = EXIT_ERROR
        elif type(exc).__name__ == "ImproperlyConfigured":
            _error(f"configuration error: {exc}", as_json)
            outcome.code = EXIT_ERROR
        else:
            # An exception's message may quote input: each line escaped, as every message is.
            for line in traceback.format_exc().splitlines():
                sys.stderr.write(f"{escape(line)}\n")
            sys.stderr.write("error: this is a bug in the syncer, please report it\n")
            outcome.code = EXIT_BUG


def _error(message: str, as_json: bool) -> None:
    if as_json:
        import json

        sys.stdout.write(json.dumps({"error": message}) + "\n")
    sys.stderr.write(f"error: {escape(message)}\n")


def _is_database_error(exc: BaseException) -> bool:
    try:
        from django.db import Error as DjangoDatabaseError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, DjangoDatabaseError)


def _migrate_hint() -> str:
    """After a database error: when the tables are missing or out of date, say how to fix it."""
    try:
        from syncer.project import unapplied_migrations

        pending = unapplied_migrations()
    except Exception:  # the database is unreachable, or the project is not set up
        return ""
    if not pending:
        return ""
    apps = ", ".join(sorted({app for app, _ in pending}))
    return (
        f" (the database lacks {len(pending)} migration{'s' if len(pending) != 1 else ''} of "
        f"{apps}: run `python manage.py migrate`)"
    )
