"""The settings the database layer reads (``syncer.conf``: Django settings with defaults, an
environment variable of the same name winning), in one place for its callers.

``SYNCER_LOCK_TIMEOUT``: seconds a writer waits for the apply lock before giving up with a
``TemporaryFault`` (the daemon retries; the CLI exits 1). ``SYNCER_LEADER_TTL``: seconds a
``syncer watch`` leader's lease lasts without renewal, so the longest a standby waits after the
leader died.
"""

from __future__ import annotations

from syncer import conf


def lock_timeout() -> float:
    return conf.get().lock_timeout


def leader_ttl() -> float:
    return conf.get().leader_ttl
