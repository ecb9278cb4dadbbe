"""Exactly one replica reconciles: the holder of the ``syncer-watch`` lease (``syncer.db.lease``).

One lease per ownership scope: ``syncer-watch`` for the default scope (its name before scopes),
``syncer-watch:<scope>`` for the others, so that the watchers of two scopes each elect their own
leader and reconcile at the same time (their applies serialise on the apply lock).

The leader renews its lease every third of the TTL (``SYNCER_LEADER_TTL``, 15 s) from the reconcile
loop; a standby tries again when the leader's lease expires (at the latest every ``poll``
seconds), so a leader that died or lost the database is replaced within the TTL. A clean
shutdown releases the lease at once. The same on PostgreSQL (PgBouncer included), MySQL/MariaDB
and SQLite.
"""

from __future__ import annotations

import time

from syncer.core.scopes import Scope
from syncer.db import config, lease

LEASE_NAME = "syncer-watch"


class Leadership:
    def __init__(
        self,
        poll: float,
        ttl: float | None = None,
        holder: str | None = None,
        scope: Scope = Scope(),
    ) -> None:
        self.name = scope.lease(LEASE_NAME)
        self.poll = poll
        self.ttl = config.leader_ttl() if ttl is None else ttl
        self.holder = holder or lease.holder_id()
        self.last: lease.Claim | None = None
        self.next_attempt = time.monotonic()

    @property
    def leading(self) -> bool:
        return self.last is not None and self.last.held

    def hold(self) -> bool:
        """Take or renew the lease; True when this replica is the leader."""
        self.last = lease.claim(self.name, self.holder, self.ttl)
        wait = (
            lease.renew_every(self.ttl) if self.last.held else lease.retry_in(self.last, self.poll)
        )
        self.next_attempt = time.monotonic() + wait
        return self.last.held

    def due_in(self) -> float:
        """Seconds until the next renewal (leader) or attempt (standby)."""
        return self.next_attempt - time.monotonic()

    def lost(self, retry_in: float) -> None:
        """The database failed: act as a standby until the next claim, in ``retry_in`` seconds
        (the lease, if still ours in the database, is renewed then)."""
        self.last = None
        self.next_attempt = time.monotonic() + retry_in

    def release(self) -> None:
        if self.leading:
            lease.release(self.name, self.holder)
        self.last = None
