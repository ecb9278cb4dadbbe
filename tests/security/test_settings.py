"""Production settings refuse unsafe configurations, and pass `check --deploy` when configured."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "ENVIRONMENT": "production",
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "beat.example.com",
}


def check(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ENVIRONMENT")}
    env.update(
        PRODUCTION, BEAT_SYNC_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="djbeat.settings"
    )
    env.update(overrides)
    env = {k: v for k, v in env.items() if v is not None and v != "<unset>"}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_debug(tmp_path):
    result = check(tmp_path, DEBUG="1")
    assert result.returncode != 0
    assert "DEBUG must be off when ENVIRONMENT=production" in result.stderr


def test_default_or_weak_or_missing_secret_key_is_refused(tmp_path):
    missing = check(tmp_path, SECRET_KEY="<unset>", ENVIRONMENT="<unset>")
    assert missing.returncode != 0 and "SECRET_KEY must be set" in missing.stderr
    dev = check(
        tmp_path,
        ENVIRONMENT="<unset>",
        SECRET_KEY="django-insecure-development-only-key-do-not-use-in-production",
    )
    assert dev.returncode != 0 and "development SECRET_KEY" in dev.stderr
    weak = check(tmp_path, SECRET_KEY="short")
    assert weak.returncode != 0 and "too weak" in weak.stderr


def test_a_malformed_database_url_is_one_line_naming_the_variable(tmp_path):
    import os
    import subprocess
    import sys

    for url in ("postgres//nope", "bogus://x", "postgres://u@h:notaport/db"):
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": url}
        result = subprocess.run(
            [sys.executable, "-m", "syncer.cli.main", "validate"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 1, (url, result.stderr)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert "DATABASE_URL" in result.stderr and "postgres://user:pass@host" in result.stderr
