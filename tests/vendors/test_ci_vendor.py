"""CI runs the database tests once per vendor and names the vendor of each run in
``SYNCER_TEST_VENDOR``: a run on another database (a mistyped ``DATABASE_URL`` falls back to the
settings' SQLite default) fails here instead of passing on the wrong vendor. In CI (``CI`` set)
the variable is required."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import FRESH_DATABASES

SCHEMES = {
    "postgresql": ("postgres", "postgresql", "pgsql"),
    "mysql": ("mysql",),
    "sqlite": ("sqlite",),
}


def expected_vendor() -> str:
    expected = os.environ.get("SYNCER_TEST_VENDOR", "")
    if not expected:
        if os.environ.get("CI"):
            pytest.fail("CI must name the vendor of each test run in SYNCER_TEST_VENDOR")
        pytest.skip("SYNCER_TEST_VENDOR is not set (CI sets it)")
    if expected not in FRESH_DATABASES:
        pytest.fail(
            f"SYNCER_TEST_VENDOR={expected!r}: expected one of {', '.join(FRESH_DATABASES)}"
        )
    return expected


@pytest.mark.django_db
def test_the_test_database_is_the_vendor_ci_asked_for(vendor):
    assert vendor == expected_vendor()


def test_the_process_tests_get_a_database_of_that_vendor(database_env):
    scheme = urlsplit(database_env["DATABASE_URL"]).scheme
    assert scheme in SCHEMES[expected_vendor()]
