"""Fixtures for the GitOps tests. The workflow tests run the syncer as subprocesses, which cannot
see pytest-django's test database: they get a database of their own (``fresh_database_url``: a
new PostgreSQL database on the configured server, or a SQLite file in ``tmp_path``), migrated."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, fresh_database_url  # noqa: F401  (a fixture)


@pytest.fixture
def subprocess_env(tmp_path: Path, fresh_database_url: str) -> dict[str, str]:  # noqa: F811
    """The environment of a process that uses the fresh database, after ``manage.py migrate``."""
    var = tmp_path / "var"
    var.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database_url,
        "BEAT_SYNC_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "djbeat.settings",
        "PYTHONUNBUFFERED": "1",
    }
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert migrate.returncode == 0, f"migrate failed:\n{migrate.stdout}\n{migrate.stderr}"
    return env
