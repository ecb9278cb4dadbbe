"""``python manage.py syncer ...``: the same command line as the ``syncer`` console script."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Schedules as code: syncer validate|plan|apply|... (see `syncer --help`)."

    def run_from_argv(self, argv: list[str]) -> None:
        from syncer.cli.main import console

        sys.exit(console(argv[2:]))

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("argv", nargs="*", help="syncer arguments, e.g. plan schedules/")

    def handle(self, *args: str, **options: object) -> None:
        from syncer.cli.main import main

        code = main([*args, *options.get("argv", [])])  # type: ignore[list-item]
        if code:
            sys.exit(code)
