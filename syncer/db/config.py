"""The Django settings the database layer reads, with their defaults, in one place (so that a
central settings object can replace these functions without touching their callers).

``SYNCER_LOCK_TIMEOUT``: seconds a writer waits for the apply lock before giving up with a
``TemporaryFault`` (the daemon retries; the CLI exits 1). ``SYNCER_LEADER_TTL``: seconds a
``syncer watch`` leader's lease lasts without renewal, so the longest a standby waits after the
leader died.
"""

from __future__ import annotations

from django.conf import settings

DEFAULT_LOCK_TIMEOUT = 60.0
DEFAULT_LEADER_TTL = 15.0


def lock_timeout() -> float:
    return _positive("SYNCER_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)


def leader_ttl() -> float:
    return _positive("SYNCER_LEADER_TTL", DEFAULT_LEADER_TTL)


def _positive(name: str, default: float) -> float:
    value = float(getattr(settings, name, default))
    if value <= 0:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} must be a positive number of seconds, not {value}")
    return value
