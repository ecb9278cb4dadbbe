"""A named lease in the database: at most one holder at a time, for a time to live (TTL), renewed by
its holder, taken by anyone once it has expired. ``syncer watch`` elects its leader with it; a
companion scheduler can elect its own with another name.

Why a lease row and not a session lock (``pg_try_advisory_lock``, ``GET_LOCK``): a session lock
belongs to one server connection. Behind PgBouncer's transaction pooling (or ProxySQL) a client's
consecutive transactions run on different server connections, so such a lock is taken on one,
looked for on another, and released by nobody. A lease is a row written by single autocommit
statements: any pooling mode keeps it intact, a killed holder simply stops renewing, and it works
the same on PostgreSQL, MySQL/MariaDB and SQLite through the ORM.

Times are the database's clock (``UtcNow``), never the holders': replicas on hosts whose clocks
disagree still agree on when a lease expires.

Taking or renewing is one conditional UPDATE ("ours, or expired"), atomic in every database; when
the row does not exist yet, one INSERT, whose primary key makes a concurrent second INSERT fail.
This is not a fencing token: a holder paused past its TTL may act once more before it notices
that it lost the lease. The syncer does not rely on the lease for correctness (every write
serialises on the apply lock and recomputes its plan under it); the lease keeps standbys from
doing the same work twice.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, ExpressionWrapper, F, Func, Q, Value, When

from syncer.models import Lease

MIN_RETRY_SECONDS = 0.05


class UtcNow(Func):
    """The database's current time in UTC, stored as each vendor stores Django's datetimes.

    Django's ``Now()`` is the session time zone's local time on MySQL (CURRENT_TIMESTAMP), while
    Django stores naive UTC there: ``UTC_TIMESTAMP`` instead."""

    template = "CURRENT_TIMESTAMP"
    output_field = DateTimeField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="STATEMENT_TIMESTAMP()", **extra)

    def as_mysql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="UTC_TIMESTAMP(6)", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "STRFTIME('%%%%Y-%%%%m-%%%%d %%%%H:%%%%M:%%%%f', 'NOW')"
        return self.as_sql(compiler, connection, template=template, **extra)


@dataclass(frozen=True)
class Claim:
    """What one attempt found: whether the caller holds the lease now, who does, and for how much
    longer (seconds, on the database's clock; 0 when the lease is free or expired)."""

    held: bool
    holder: str
    expires_in: float


# --- pure helpers --------------------------------------------------------------------------------


def holder_id() -> str:
    """This process, unique across hosts and restarts (a reused pid gets another suffix)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def renew_every(ttl: float) -> float:
    """The holder renews three times per TTL: one failed or late renewal does not lose it."""
    return ttl / 3


def retry_in(claim: Claim, poll: float) -> float:
    """When a standby should try again: at the latest when the holder's lease expires, so that a
    dead holder is replaced within its TTL, and at least every ``poll`` seconds."""
    return max(MIN_RETRY_SECONDS, min(poll, claim.expires_in))


# --- the database --------------------------------------------------------------------------------


def claim(name: str, holder: str, ttl: float) -> Claim:
    """Take the lease ``name`` for ``holder`` if it is free, expired or already theirs (then
    renew it) for ``ttl`` seconds; else report who holds it. Runs in autocommit (outside any
    transaction), one or two statements."""
    expires = ExpressionWrapper(
        UtcNow() + Value(timedelta(seconds=ttl)), output_field=DateTimeField()
    )
    # acquired_at first: MySQL evaluates a single-table UPDATE's assignments left to right, so a
    # CASE after ``holder = ...`` would already see the new holder.
    renewed = Lease.objects.filter(
        Q(name=name) & (Q(holder=holder) | Q(expires_at__lte=UtcNow()))
    ).update(
        acquired_at=Case(When(holder=holder, then=F("acquired_at")), default=UtcNow()),
        holder=holder,
        renewed_at=UtcNow(),
        expires_at=expires,
    )
    if renewed:
        return Claim(True, holder, ttl)
    current = read(name)
    if current is not None:
        return current
    try:
        with transaction.atomic():
            Lease.objects.create(
                name=name,
                holder=holder,
                acquired_at=UtcNow(),
                renewed_at=UtcNow(),
                expires_at=expires,
            )
    except IntegrityError:  # another holder inserted it first
        return read(name) or Claim(False, "", 0.0)
    return Claim(True, holder, ttl)


def read(name: str) -> Claim | None:
    """Who holds the lease and for how much longer; None when it was never taken."""
    row = (
        Lease.objects.filter(name=name)
        .annotate(now=UtcNow())
        .values_list("holder", "expires_at", "now")
        .first()
    )
    if row is None:
        return None
    holder, expires_at, now = row
    return Claim(False, holder, max(0.0, (expires_at - now).total_seconds()))


def release(name: str, holder: str) -> bool:
    """End ``holder``'s lease now (a clean shutdown), so that a standby takes over at its next
    attempt instead of after the TTL. False when it was not theirs any more."""
    return bool(Lease.objects.filter(name=name, holder=holder).update(expires_at=UtcNow()))
