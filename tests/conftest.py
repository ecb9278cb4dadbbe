"""Shared fixtures. The database tests run on the configured database (SQLite by default; in CI
PostgreSQL, then MariaDB and SQLite again, through DATABASE_URL); pytest-django creates and drops
the test database."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading

import pytest

os.environ.setdefault("DEBUG", "1")
# The cache of built files (SYNCER_CACHE_DIR) in a directory of this run's own: the suite's
# commands share it, so every test of a command also checks a result built from the cache, and
# nothing is left in the home directory.
_BUILD_CACHE = tempfile.mkdtemp(prefix="syncer-build-cache-")
os.environ.setdefault("SYNCER_CACHE_DIR", _BUILD_CACHE)
atexit.register(shutil.rmtree, _BUILD_CACHE, True)


@pytest.fixture
def no_other_thread() -> None:
    """``syncer.forked`` forks helpers only in a process without other threads: a thread left
    by an earlier test would make a test of the helpers run everything in one process."""
    others = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    assert not others, f"an earlier test left threads running: {others}"
