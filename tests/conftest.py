"""Shared fixtures. The database tests run on the configured database (SQLite by default; in CI
PostgreSQL, then MariaDB and SQLite again, through DATABASE_URL); pytest-django creates and drops
the test database."""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "1")
