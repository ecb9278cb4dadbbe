"""One writer at a time: applies from the CLI, the daemon and the API serialise here.

PostgreSQL: a transaction-scoped advisory lock (released by COMMIT/ROLLBACK, or when the session
dies, so a killed apply never leaves it held). SQLite: the project opens every transaction with
``BEGIN IMMEDIATE`` (settings), which takes the database's write lock at the start.
"""

from __future__ import annotations

from django.db import connection

from syncer.core.errors import TemporaryFault

LOCK_KEY = 0x6265_6174_7379  # "beatsy"
LOCK_TIMEOUT_SECONDS = 60


def acquire(timeout: float = LOCK_TIMEOUT_SECONDS) -> None:
    """Take the apply lock for the current transaction (call inside ``transaction.atomic``)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(timeout * 1000)}ms"])
        try:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        except Exception as exc:  # psycopg's LockNotAvailable, wrapped by Django
            if "lock timeout" in str(exc) or "canceling statement" in str(exc):
                raise TemporaryFault(
                    f"another apply holds the schedule lock (waited {timeout:.0f} s)"
                ) from exc
            raise


def try_acquire_session(key: int = LOCK_KEY) -> bool:
    """A session-level lock, for leader election among watchers (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        return bool(cursor.fetchone()[0])
