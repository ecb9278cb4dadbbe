"""Exactly one replica reconciles: the one holding a session-level PostgreSQL advisory lock.

The lock belongs to the database session, so it is released when the leader's process dies or its
connection drops; a standby's next attempt then takes it. On SQLite there is one writer per file
anyway, so every replica is its own leader.
"""

from __future__ import annotations

from django.db import connection

LEADER_KEY = 0x6265_6174_6C64  # "beatld"


def hold_leadership() -> bool:
    """True when this process holds (or just took) the leader lock."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = %s",
            [LEADER_KEY],
        )
        if cursor.fetchone()[0]:
            return True
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LEADER_KEY])
        return bool(cursor.fetchone()[0])


def release() -> None:
    if connection.vendor != "postgresql" or connection.connection is None:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock_all()")
