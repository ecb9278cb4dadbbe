"""Task names as the database compares them.

``PeriodicTask.name`` is unique. PostgreSQL and SQLite compare names byte for byte; MySQL and
MariaDB compare them under the column's collation, by default case- and accent-insensitive with
trailing spaces ignored (``utf8mb4_general_ci`` on MariaDB, ``utf8mb4_0900_ai_ci`` on MySQL 8):
there ``report``, ``Report`` and ``report `` are one name, and two of them declared together
cannot both exist. The files are right to call them different; the database refuses the second,
the transaction rolls back, and this turns its duplicate-key error into a user error that says
why (a column with a binary collation, ``utf8mb4_bin``, would tell them apart).
"""

from __future__ import annotations

import re

from django.db import IntegrityError, connection

from syncer.core.errors import UserError

_MYSQL_DUPLICATE_NAME = re.compile(r"Duplicate entry '(?P<name>.*)' for key '(?:[\w.]*\.)?name'")
MYSQL_DUP_ENTRY = 1062


class NameClash(UserError):
    """Two declared names that the database compares as one."""


def clash(exc: IntegrityError) -> NameClash | None:
    """The user error behind a duplicate-name error of MySQL/MariaDB; None for anything else."""
    if connection.vendor != "mysql" or len(exc.args) < 2 or exc.args[0] != MYSQL_DUP_ENTRY:
        return None
    match = _MYSQL_DUPLICATE_NAME.search(str(exc.args[1]))
    if match is None:
        return None
    return NameClash(
        f"task name {match['name']!r} is taken by a task whose name differs only in case, accents "
        "or trailing spaces: MySQL/MariaDB compare task names under the column's collation "
        "(case-insensitive by default), so both cannot exist. Rename one of them; nothing was "
        "changed."
    )
