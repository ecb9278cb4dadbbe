"""Which beat sends: the holder of the ``syncer-beat`` lease (``syncer.db.lease``: a row renewed
on the database's clock; PostgreSQL behind PgBouncer, MySQL/MariaDB and SQLite alike).

The leader renews every third of the TTL (``SYNCER_BEAT_LEASE_TTL``, 10 s) and sends only while
its last renewal is younger than two thirds of the TTL, counted from before that renewal's
statement on its own monotonic clock; past that it renews first. Standbys try again when the
leader's lease expires (at the latest every ``poll`` seconds), so a leader that died is replaced
within the TTL. The lease is not a fencing token (a leader paused past its TTL can wake up and
send once more before it notices): the slot claims make that harmless.
"""

from __future__ import annotations

import time

from syncer.db import lease

LEASE_NAME = "syncer-beat"


class Leadership:
    def __init__(self, ttl: float, poll: float, holder: str | None = None) -> None:
        self.ttl = ttl
        self.poll = poll
        self.holder = holder or lease.holder_id()
        self.leading = False
        self.current_holder = ""
        self.next_attempt = time.monotonic()
        self.valid_until = 0.0

    def hold(self) -> bool:
        """Take or renew the lease (one or two statements); True while this beat leads."""
        started = time.monotonic()
        claim = lease.claim(LEASE_NAME, self.holder, self.ttl)
        self.leading = claim.held
        self.current_holder = claim.holder
        if claim.held:
            self.valid_until = started + self.ttl
            self.next_attempt = started + lease.renew_every(self.ttl)
        else:
            self.valid_until = 0.0
            self.next_attempt = time.monotonic() + lease.retry_in(claim, self.poll)
        return claim.held

    def attempt_due(self) -> bool:
        return time.monotonic() >= self.next_attempt

    def may_send(self) -> bool:
        """Whether the lease is surely still ours (renewed within two thirds of the TTL); else
        renew first."""
        if self.leading and time.monotonic() < self.valid_until - self.ttl / 3:
            return True
        return self.hold()

    def due_in(self) -> float:
        return max(0.0, self.next_attempt - time.monotonic())

    def lost(self, retry_in: float) -> None:
        """The database failed: a standby until the next attempt."""
        self.leading = False
        self.valid_until = 0.0
        self.next_attempt = time.monotonic() + retry_in

    def release(self) -> None:
        if self.leading:
            lease.release(LEASE_NAME, self.holder)
        self.leading = False
