"""``syncer``: parse arguments (``syncer.cli.parser``), dispatch (each subcommand is a function
returning an int), and end the process."""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence

from syncer.cli import error_handler
from syncer.cli.parser import build_parser, output_file_of


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    output_file_of(parser, args)
    with error_handler.boundary(args) as outcome:
        outcome.code = _dispatch(args)
    return outcome.code


def console(argv: Sequence[str] | None = None) -> int:
    """The ``syncer`` program and ``manage.py syncer``: ``main``, then the process ends (not for
    a caller that goes on, such as ``call_command``)."""
    from syncer.core.gc_pause import process_ends_after_command

    process_ends_after_command()
    code = main(argv)
    _before_exit()
    return code


def _before_exit() -> None:
    """Close the database connections (a client that vanishes without saying goodbye is an
    aborted connection in the server's log: MariaDB's, by default), then freeze the heap. The
    interpreter's exit would walk every object once more for cycles, only to free memory the
    process gives back anyway: ~0.1 s of a plan of 10,000 tasks. Output is flushed and atexit
    handlers run as before; every file the syncer writes is closed where it is written."""
    if "django.apps" in sys.modules:
        from django.apps import apps

        if apps.ready:
            from django.db import connections

            connections.close_all()
    gc.freeze()


COMMANDS = {
    "validate": "validate",
    "timeline": "timeline",
    "plan": "plan",
    "apply": "apply",
    "watch": "watch",
    "schema": "schema",
    "status": "status",
    "export": "export",
    "import-beat-schedule": "import_beat_schedule",
    "pause": "pause",
    "resume": "pause",
}


def _needs_django(args: argparse.Namespace) -> bool:
    """Checking files without task names, and the bare schema, need no Django project."""
    if args.command == "validate":
        return not args.skip_task_check
    if args.command == "schema":
        return not args.no_tasks
    return True


def _dispatch(args: argparse.Namespace) -> int:
    from syncer.cli.inputs import builds_ahead
    from syncer.core.gc_pause import gc_paused, lives_until_exit
    from syncer.project import setup_django

    with builds_ahead(args):  # the files build in helpers while the project starts
        if _needs_django(args):
            # settings and the Celery app; no database connection, no broker connection
            with gc_paused():
                setup_django(args.settings, args.pythonpath)
        # ~0.1 s of a cold apply of 10,000 tasks, mostly full passes over the helpers' tasks
        lives_until_exit()
        # One module per subcommand, imported only when used (validate needs no database layer).
        module = importlib.import_module(f"syncer.cli.{COMMANDS[args.command]}")
        return int(module.run(args))


if __name__ == "__main__":
    sys.exit(console())
