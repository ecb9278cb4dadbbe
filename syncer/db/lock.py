"""One writer at a time: applies from the CLI, the daemon, the API and the admin serialise here.

``with locked_transaction():`` is ``transaction.atomic()`` whose first statement takes the apply
lock; the lock lives exactly as long as the transaction (released by COMMIT or ROLLBACK, or when
the connection dies), on every vendor, with a project's ordinary database settings:

- PostgreSQL: ``pg_advisory_xact_lock``, waiting up to ``lock_timeout`` (set for this
  transaction only). Transaction-scoped, so PgBouncer's transaction pooling keeps it intact.
- MySQL / MariaDB: an UPDATE of the ``apply`` row of ``syncer_writelock``, which holds that row's
  lock until the transaction ends, waiting up to ``innodb_lock_wait_timeout`` (set for the
  statement, then restored). Not ``GET_LOCK``: a named lock belongs to the session, not the
  transaction, so it outlives a rollback unless released by hand, and inside an outer transaction
  (the admin's views wrap ``save_model`` in one) it would be released before that transaction
  commits. A row lock has neither problem, and its name is naturally per database.
- SQLite: the same UPDATE, which takes the database's write lock. It must be the transaction's
  first statement: SQLite waits (``busy_timeout``) only for a transaction that has not read yet;
  one that already read gets "database is locked" at once (its deadlock avoidance). This replaces
  ``BEGIN IMMEDIATE`` (the ``transaction_mode`` option), which a project's settings need not have.

A writer that waits longer than ``SYNCER_LOCK_TIMEOUT`` (60 s) gets a ``TemporaryFault``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db import OperationalError as DatabaseOperationalError
from django.utils import timezone

from syncer.core.errors import TemporaryFault
from syncer.db import config
from syncer.models import WriteLock

LOCK_KEY = 0x6265_6174_7379  # "beatsy": the PostgreSQL advisory lock key
LOCK_ROW = "apply"  # the syncer_writelock row (MySQL/MariaDB, SQLite)

Cursor = Any  # django.db.backends.utils.CursorWrapper


@dataclass(frozen=True)
class Locking:
    take: Callable[[Cursor, float], None]  # take the lock, waiting up to ``timeout`` seconds
    timed_out: Callable[[BaseException], bool]  # the error says the wait ran out


@contextmanager
def locked_transaction(timeout: float | None = None) -> Iterator[None]:
    """A transaction holding the apply lock from its first statement to its end."""
    wait = config.lock_timeout() if timeout is None else timeout
    locking = _locking()
    with transaction.atomic():
        started = time.monotonic()
        try:
            with connection.cursor() as cursor:
                locking.take(cursor, wait)
        except DatabaseOperationalError as exc:
            if locking.timed_out(exc):
                waited = time.monotonic() - started
                raise TemporaryFault(
                    f"another apply holds the schedule lock (waited {waited:.1f} s of "
                    f"SYNCER_LOCK_TIMEOUT={wait:g} s)"
                ) from exc
            raise
        yield


def _locking() -> Locking:
    try:
        return LOCKINGS[connection.vendor]
    except KeyError:
        raise NotImplementedError(f"no apply lock for {connection.vendor}") from None


# --- PostgreSQL ----------------------------------------------------------------------------------


def _pg_take(cursor: Cursor, timeout: float) -> None:
    cursor.execute(
        "SELECT set_config('lock_timeout', %s, true)", [f"{math.ceil(timeout * 1000)}ms"]
    )
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _pg_timed_out(exc: BaseException) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == "55P03"  # lock_not_available


# --- MySQL / MariaDB -----------------------------------------------------------------------------


def _mysql_take(cursor: Cursor, timeout: float) -> None:
    cursor.execute(
        "SET @syncer_lock_wait = @@SESSION.innodb_lock_wait_timeout, "
        "SESSION innodb_lock_wait_timeout = %s",
        [max(1, math.ceil(timeout))],
    )
    try:
        _write_lock_row()
    finally:
        _restore("SET SESSION innodb_lock_wait_timeout = @syncer_lock_wait")


def _mysql_timed_out(exc: BaseException) -> bool:
    return bool(exc.args) and exc.args[0] == 1205  # ER_LOCK_WAIT_TIMEOUT


# --- SQLite --------------------------------------------------------------------------------------


def _sqlite_take(cursor: Cursor, timeout: float) -> None:
    cursor.execute("PRAGMA busy_timeout")
    previous = int(cursor.fetchone()[0])
    cursor.execute(f"PRAGMA busy_timeout = {math.ceil(timeout * 1000)}")
    try:
        _write_lock_row()
    finally:
        _restore(f"PRAGMA busy_timeout = {previous}")


def _sqlite_timed_out(exc: BaseException) -> bool:
    return getattr(exc.__cause__, "sqlite_errorcode", None) == 5 or "locked" in str(exc)  # BUSY


def _restore(setting: str) -> None:
    """Put a connection setting back, even after the wait timed out: through the driver's own
    cursor, since Django refuses any statement in a transaction after an error (the server does
    not: a lock wait timeout undoes only that statement)."""
    raw = connection.connection.cursor()
    try:
        raw.execute(setting)
    finally:
        raw.close()


def _write_lock_row() -> None:
    """UPDATE the lock row (the statement that waits); create it if it is missing (a flushed test
    database): then the INSERT holds it, and a concurrent INSERT fails and updates instead."""
    if WriteLock.objects.filter(name=LOCK_ROW).update(locked_at=timezone.now()):
        return
    try:
        with transaction.atomic():
            WriteLock.objects.create(name=LOCK_ROW, locked_at=timezone.now())
    except IntegrityError:
        WriteLock.objects.filter(name=LOCK_ROW).update(locked_at=timezone.now())


LOCKINGS: dict[str, Locking] = {
    "postgresql": Locking(_pg_take, _pg_timed_out),
    "mysql": Locking(_mysql_take, _mysql_timed_out),
    "sqlite": Locking(_sqlite_take, _sqlite_timed_out),
}
