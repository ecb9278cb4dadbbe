"""The vendor tests run on the configured database (``DATABASE_URL``): CI runs them on PostgreSQL,
MariaDB and SQLite. The process tests get a fresh database of their own on the same server, with
the end-to-end fixtures."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.e2e.conftest import database_env, fresh_database_url  # noqa: F401 (fixtures)


@pytest.fixture
def vendor() -> str:
    return str(connection.vendor)
