"""Fixtures for the GitOps tests. The workflow tests run the syncer as subprocesses, which cannot
see pytest-django's test database: they get a database of their own, migrated (see
``tests/e2e/conftest.py``: ``database_env``)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import database_env, fresh_database_url  # noqa: F401  (fixtures)


@pytest.fixture
def subprocess_env(database_env: dict[str, str]) -> dict[str, str]:  # noqa: F811
    """The environment of a process that uses the fresh database, after ``manage.py migrate``."""
    return database_env
