"""The grammar of ``syncer``: every subcommand, its options and their checks (argparse).

Usage errors exit 1 (``ArgumentParser``), never argparse's 2: that is the code of "changes
present" under ``--detailed-exitcode``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

from syncer.cli import error_handler
from syncer.core.escape import escape


class ArgumentParser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error, the code of "changes present" (``--detailed-exitcode``):
    a mistyped flag in a CI step would read as a successful plan or apply. Usage errors exit 1."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(error_handler.EXIT_ERROR, f"{self.prog}: error: {escape(message)}\n")


class _SubParser(ArgumentParser):
    """Every subcommand finds the Django project as ``manage.py`` does, or as told."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = self.add_argument_group("Django project")
        project.add_argument(
            "--settings",
            metavar="MODULE",
            help="settings module (default: $DJANGO_SETTINGS_MODULE, else manage.py's default)",
        )
        project.add_argument(
            "--pythonpath",
            metavar="DIR",
            help="directory to put first on sys.path (default: the current directory)",
        )


def _common(parser: argparse.ArgumentParser, formats: tuple[str, ...] = ("text", "json")) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories (default: schedules/)"
    )
    parser.add_argument("--output", "-o", choices=formats, default="text")
    parser.add_argument("--no-color", action="store_true", help="plain text even on a terminal")
    parser.add_argument("--strict", action="store_true", help="treat warnings (lints) as errors")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="validate every file again, neither reading nor writing the cache of built files "
        "(SYNCER_CACHE_DIR)",
    )


PLAN_FORMATS = ("text", "json", "markdown")


def _scope_name(text: str) -> str:
    from syncer.core.scopes import scope_problem

    problem = scope_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return text


def _scope_option(parser: argparse.ArgumentParser, text: str | None = None) -> None:
    parser.add_argument(
        "--scope",
        type=_scope_name,
        metavar="NAME",
        help=text
        or "the ownership scope: only its rows are created, changed, adopted or deleted "
        "(default: $SYNCER_SCOPE, else 'default')",
    )


def _take_over_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--take-over",
        type=_scope_name,
        action="append",
        default=[],
        metavar="FROM_SCOPE",
        help="take the declared tasks that scope FROM_SCOPE owns into this scope (repeatable)",
    )


def _pause_parsers(sub: Any) -> None:
    pause = sub.add_parser(
        "pause",
        help="emergency pause: disable declared tasks now, respected by apply and watch",
        description="Disable declared tasks at once, whatever their files say, until the pause "
        "expires or `syncer resume`. apply and watch keep them disabled and reconcile every "
        "other field; when the pause expires, the next reconcile enables them again.",
    )
    pause.add_argument("names", nargs="+", metavar="NAME", help="task names (as in the files)")
    pause.add_argument("--reason", required=True, help="why (shown in plans, status, the admin)")
    until = pause.add_mutually_exclusive_group()
    until.add_argument("--for", dest="duration", metavar="DURATION", help="e.g. 30m, 2h, 1d")
    until.add_argument(
        "--until", metavar="DATETIME", help="ISO 8601 with a UTC offset, e.g. 2026-12-01T09:00Z"
    )
    until.add_argument(
        "--indefinitely", action="store_true", help="no expiry: until `syncer resume`"
    )
    resume = sub.add_parser("resume", help="end the pause of tasks now (enabled as declared)")
    resume.add_argument("names", nargs="+", metavar="NAME", help="task names (as in the files)")
    for parser in (pause, resume):
        parser.add_argument(
            "--by",
            metavar="USER",
            help="who, for the audit log (default: $SYNCER_APPLIED_BY, "
            "the CI's actor, else user@host)",
        )
        parser.add_argument("--output", "-o", choices=("text", "json"), default="text")


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="syncer", description="Schedules as code for Celery beat (django-celery-beat)."
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_SubParser
    )

    validate = sub.add_parser("validate", help="check the files (no database needed)")
    _common(validate)
    _scope_option(validate, "accepted (and checked) so that every step takes the same flags")
    validate.add_argument(
        "--skip-task-check",
        action="store_true",
        help="do not check task names against the Celery app (no Django project needed)",
    )

    # markdown: the text plan in a fence its content cannot close (a job summary, a comment)
    plan = sub.add_parser("plan", help="show the changes apply would make")
    _common(plan, PLAN_FORMATS)
    _scope_option(plan)
    _take_over_option(plan)
    plan.add_argument(
        "--detailed-exitcode", action="store_true", help="exit 2 when there are changes (Terraform)"
    )

    apply = sub.add_parser("apply", help="make the tables match the files, in one transaction")
    _common(apply, PLAN_FORMATS)
    _scope_option(apply)
    _take_over_option(apply)
    apply.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    apply.add_argument(
        "--force", action="store_true", help="allow updating/deleting > 30%% of tasks"
    )
    apply.add_argument(
        "--allow-empty", action="store_true", help="allow deleting every managed task"
    )
    apply.add_argument(
        "--detailed-exitcode", action="store_true", help="exit 2 when changes were applied"
    )
    apply.add_argument(
        "--revision", help="the revision to record (default: git, or $SYNCER_REVISION)"
    )
    apply.add_argument(
        "--plan", dest="plan_file", help="apply only if the plan still matches this JSON plan"
    )

    _watch_parser(sub)
    _timeline_parser(sub)
    _pause_parsers(sub)

    status = sub.add_parser("status", help="what is live: last apply, revision, drift, pending")
    _common(status)
    _scope_option(
        status,
        "the ownership scope to report on, and the only one listed (default: $SYNCER_SCOPE, "
        "else 'default'; every scope sharing the database is listed)",
    )
    status.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 2 on drift, pending changes or unhealthy runs; 4 when paused tasks are all "
        "there is to report",
    )
    status.add_argument(
        "--history",
        nargs="?",
        type=int,
        const=20,
        metavar="N",
        help="also list the last N applies, pauses and resumes (default 20)",
    )

    schema = sub.add_parser("schema", help="print the JSON Schema of the schedule format")
    _output_file(schema, "json", "FILE", "write it to FILE (default: stdout)")
    schema.add_argument(
        "--no-tasks", action="store_true", help="do not list the registered task names"
    )
    _gitops_parsers(sub)
    return parser


def _output_file(parser: argparse.ArgumentParser, fmt: str, metavar: str, text: str) -> None:
    """``-o`` is the output format on every command; where to write is ``--output-file``.

    ``-o PATH`` was the file on these commands before 0.2: a value that is not the format is still
    taken as the path, with a warning (see ``output_file_of``)."""
    parser.add_argument("--output-file", metavar=metavar, help=text)
    parser.add_argument(
        "-o",
        "--output",
        default=fmt,
        metavar=fmt,
        help=f"output format: {fmt}, the only one (-o PATH: deprecated spelling of --output-file)",
    )


def _gitops_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = sub.add_parser("export", help="write the live rows as a schedule file (adoption)")
    export.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="schedule files or directories: the tasks they declare are left out",
    )
    rows = export.add_mutually_exclusive_group()
    for name, text in (
        ("managed", "only the rows the syncer owns"),
        ("unmanaged", "only the rows it does not own (to adopt them)"),
        ("all", "both (default)"),
    ):
        rows.add_argument(f"--{name}", dest="rows", action="store_const", const=name, help=text)
    _scope_option(export, "only the rows this ownership scope owns (with --managed or alone)")
    _output_file(export, "yaml", "FILE|DIR", "write to FILE (.yaml/.yml), or DIR/exported.yaml")
    export.add_argument("--force", action="store_true", help="overwrite an existing file")
    export.add_argument(
        "--include-celery",
        action="store_true",
        help="also export celery.* rows (beat's own celery.backend_cleanup)",
    )
    export.add_argument(
        "--skip-unrepresentable",
        action="store_true",
        help="write the other tasks when some cannot be written exactly (they are listed)",
    )

    beat = sub.add_parser(
        "import-beat-schedule", help="convert a Celery beat_schedule dict into a schedule file"
    )
    beat.add_argument(
        "target",
        metavar="MODULE[:ATTR]",
        help="a module or .py file; ATTR defaults to beat_schedule, then CELERY_BEAT_SCHEDULE",
    )
    _output_file(beat, "yaml", "FILE|DIR", "write to FILE (.yaml/.yml), or DIR/beat_schedule.yaml")
    beat.add_argument("--force", action="store_true", help="overwrite an existing file")
    beat.add_argument(
        "--timezone", metavar="TZ", help="time zone of crontab entries that do not carry one"
    )


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def _timeline_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    timeline = sub.add_parser(
        "timeline", help="runs per minute over a window, per queue: the load picture (files)"
    )
    timeline.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories (default: schedules/)"
    )
    timeline.add_argument(
        "--window", default="24h", metavar="DURATION", help="24h (default), 7d, 90m, ..."
    )
    timeline.add_argument("--by", choices=("queue", "task"), default="queue")
    timeline.add_argument("--output", "-o", choices=("text", "json", "svg"), default="text")
    timeline.add_argument("--output-file", metavar="FILE", help="write to FILE (default: stdout)")
    timeline.add_argument(
        "--start", metavar="ISO", help="the window's start, with an offset (default: now)"
    )


def _watch_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    watch = sub.add_parser("watch", help="keep the tables equal to the files (daemon)")
    watch.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories (default: schedules/)"
    )
    watch.add_argument(
        "--resync-interval",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="full resync to detect and repair drift (0 disables; default 60)",
    )
    watch.add_argument(
        "--no-self-heal",
        dest="self_heal",
        action="store_false",
        help="report drift found by a resync, do not repair it",
    )
    watch.add_argument(
        "--metrics-port",
        type=_port,
        metavar="PORT",
        help="serve /healthz, /readyz and /metrics on this port",
    )
    watch.add_argument(
        "--debounce",
        type=float,
        default=0.1,
        metavar="SECONDS",
        help="wait for this much quiet after a file event (default 0.1)",
    )
    watch.add_argument(
        "--poll-interval",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="also compare file fingerprints this often (default 2)",
    )
    watch.add_argument(
        "--max-backoff",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="cap of the retry delay after a database fault (default 60)",
    )
    watch.add_argument("--force", action="store_true", help="allow changing > 30%% of tasks")
    watch.add_argument(
        "--allow-empty", action="store_true", help="allow deleting every managed task"
    )
    watch.add_argument("--revision", help="the revision to record (default: git)")
    watch.add_argument("--log-format", choices=("json", "text"), default="json")
    _scope_option(watch)
    _take_over_option(watch)


# The one format of the commands that write a document, and thus the one value of their -o.
DOCUMENT_FORMATS = {"export": "yaml", "import-beat-schedule": "yaml", "schema": "json"}


def output_file_of(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """``-o PATH`` (the spelling before 0.2) on a command that writes a document: the path."""
    fmt = DOCUMENT_FORMATS.get(args.command)
    if fmt is None or args.output == fmt:
        return
    if args.output_file is not None or args.output in ("text", "json", "yaml"):
        parser.error(f"-o {args.output}: the output format of `{args.command}` is {fmt}")
    sys.stderr.write(
        f"warning: -o PATH is deprecated on `syncer {args.command}`: -o is the output format on "
        f"every command; use --output-file {escape(args.output)}\n"
    )
    args.output_file, args.output = args.output, fmt
