"""syncer.db.lease on the configured vendor: take, renew, refuse, expire, release, on the
database's clock; and its pure helpers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from syncer.db import lease
from syncer.db.lease import Claim, UtcNow
from syncer.models import Lease

pytestmark = pytest.mark.django_db

TTL = 30.0


def expire(name: str) -> None:
    """Make the lease expired now, on the database's clock (no sleeping)."""
    Lease.objects.filter(name=name).update(expires_at=UtcNow() - timedelta(seconds=1))


def row(name: str) -> Lease:
    return Lease.objects.get(name=name)


def test_the_first_claim_takes_the_lease_and_others_are_refused():
    assert lease.claim("l", "a", TTL) == Claim(True, "a", TTL)
    refused = lease.claim("l", "b", TTL)
    assert (refused.held, refused.holder) == (False, "a")
    assert TTL - 5 < refused.expires_in <= TTL
    assert row("l").holder == "a"


def test_the_holder_renews_and_keeps_its_acquisition_time():
    lease.claim("l", "a", TTL)
    first = row("l")
    with CaptureQueriesContext(connection) as queries:
        assert lease.claim("l", "a", TTL).held
    assert len(queries.captured_queries) == 1  # a renewal is one UPDATE
    renewed = row("l")
    assert renewed.acquired_at == first.acquired_at
    assert renewed.renewed_at >= first.renewed_at and renewed.expires_at >= first.expires_at
    assert renewed.expires_at - renewed.renewed_at == timedelta(seconds=TTL)


def test_an_expired_lease_is_taken_over_with_a_new_acquisition_time():
    lease.claim("l", "a", TTL)
    before = row("l")
    expire("l")
    assert lease.claim("l", "b", TTL) == Claim(True, "b", TTL)
    after = row("l")
    assert after.holder == "b" and after.acquired_at >= before.acquired_at
    assert after.acquired_at == after.renewed_at  # taken, not renewed
    assert not lease.claim("l", "a", TTL).held  # the old holder lost it


def test_release_lets_the_next_claim_take_it_at_once():
    lease.claim("l", "a", TTL)
    assert not lease.release("l", "b")  # not theirs
    assert not lease.claim("l", "b", TTL).held
    assert lease.release("l", "a")
    assert lease.claim("l", "b", TTL).held


def test_leases_are_independent_by_name_and_read_reports_the_holder():
    assert lease.read("x") is None
    assert lease.claim("x", "a", TTL).held and lease.claim("y", "b", TTL).held
    current = lease.read("x")
    assert current is not None and (current.held, current.holder) == (False, "a")


def test_the_database_clock_is_utc_whatever_the_session_time_zone():
    """MySQL's CURRENT_TIMESTAMP is the session's local time: the lease must not use it."""
    if connection.vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute("SET time_zone = '+05:00'")
    try:
        lease.claim("l", "a", TTL)
        current = lease.read("l")
        assert current is not None and TTL - 5 < current.expires_in <= TTL
        from django.utils import timezone

        assert abs(row("l").renewed_at - timezone.now()) < timedelta(seconds=60)
    finally:
        if connection.vendor == "mysql":
            with connection.cursor() as cursor:
                cursor.execute("SET time_zone = DEFAULT")


def test_pure_helpers():
    assert lease.renew_every(15) == 5
    assert lease.retry_in(Claim(False, "a", 10.0), poll=2) == 2  # poll while it lasts
    assert lease.retry_in(Claim(False, "a", 0.5), poll=2) == 0.5  # then try when it expires
    assert lease.retry_in(Claim(False, "", 0.0), poll=2) == lease.MIN_RETRY_SECONDS
    a, b = lease.holder_id(), lease.holder_id()
    assert a != b and a.split(":")[:2] == b.split(":")[:2]
