"""A process that takes and leaves the apply lock on command, for the lock tests.

Reads one command a line on stdin, answers one line on stdout:

  lock      enter ``locked_transaction()`` (waiting up to SYNCER_LOCK_TIMEOUT) and write a row:
            "locked", or "timeout: <message>" when another holder kept it
  commit    leave the transaction normally (COMMIT): "committed"
  rollback  leave it by an exception (ROLLBACK): "rolled back"
  setting   the connection's own lock wait setting, which the lock changes only while it waits:
            "setting: <value>"
  quit      exit

Between transactions the process and its database connection stay alive, so a lock that belongs
to the session instead of the transaction would still be held.
"""

from __future__ import annotations

import os
import sys


class Rollback(Exception):
    pass


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djbeat.settings")
    import django

    django.setup()
    from django_celery_beat.models import PeriodicTasks

    from syncer.core.errors import TemporaryFault
    from syncer.db.lock import locked_transaction

    def say(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    say("ready")
    commands = iter(sys.stdin.readline, "")
    for line in commands:
        command = line.strip()
        if command == "quit":
            return 0
        if command == "setting":
            say(f"setting: {lock_wait_setting()}")
            continue
        if command != "lock":
            say(f"unknown command {command!r}")
            continue
        try:
            with locked_transaction():
                PeriodicTasks.update_changed()  # a write under the lock, as every writer does
                say("locked")
                if next(commands, "rollback").strip() == "rollback":
                    raise Rollback
            say("committed")
        except Rollback:
            say("rolled back")
        except TemporaryFault as exc:
            say(f"timeout: {exc}")
    return 0


# vendor -> the statement that reads the connection's lock wait setting
LOCK_WAIT_SETTINGS = {
    "postgresql": "SHOW lock_timeout",
    "mysql": "SELECT @@SESSION.innodb_lock_wait_timeout",
    "sqlite": "PRAGMA busy_timeout",
}


def lock_wait_setting() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(LOCK_WAIT_SETTINGS[connection.vendor])
        return str(cursor.fetchone()[0])


if __name__ == "__main__":
    sys.exit(main())
