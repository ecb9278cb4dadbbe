"""Shared fixtures. The database tests run on the configured database (SQLite by default; in CI
PostgreSQL, then MariaDB and SQLite again, through DATABASE_URL); pytest-django creates and drops
the test database."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DEBUG", "1")
# The cache of built files (SYNCER_CACHE_DIR) in a directory of this run's own: the suite's
# commands share it, so every test of a command also checks a result built from the cache, and
# nothing is left in the home directory.
_BUILD_CACHE = tempfile.mkdtemp(prefix="syncer-build-cache-")
os.environ.setdefault("SYNCER_CACHE_DIR", _BUILD_CACHE)
atexit.register(shutil.rmtree, _BUILD_CACHE, True)
