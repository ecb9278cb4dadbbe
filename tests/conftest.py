"""Shared fixtures. The database tests run on the configured database (SQLite by default,
PostgreSQL in CI through DATABASE_URL); pytest-django creates and drops the test database."""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "1")
