"""A real production web process for the deployment tests: Procfile.production's gunicorn on a
free port, with ``DEBUG`` off, ``ENVIRONMENT=production`` and the static files collected (as the
Dockerfile does), on a SQLite database of its own that the migrations Job's command migrated and
``syncer apply`` filled from ``schedules/``. Started once per session, stopped at teardown.

The browser speaks plain http to it, as to a stand-in for the TLS-terminating ingress: the HTTPS
redirect and secure-only cookies are off (the documented switches, as in .env.docker.example).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from djbeat.health import READY
from tests.deploy.processes import ROOT, normalise, procfile, replace_option, wait_until

HOST = "beat.test"  # the browser resolves it to 127.0.0.1: a page origin that is not localhost
USER, PASSWORD = "admin", secrets.token_urlsafe(16)
# The settings a project sets in its environment; the tests give their own.
CLEARED = re.compile(
    r"^(DEBUG|SECRET_KEY|ENVIRONMENT|ALLOWED_HOSTS|DATABASE_URL|SECURE_.*|.*_SECURE|STATIC_ROOT|BEAT_SYNC_VAR_DIR|DJANGO_SETTINGS_MODULE)$"
)


@dataclass
class WebServer:
    port: int
    log: Path
    env: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]


def program(name: str) -> str:
    """A console script of this interpreter's environment (the venv), else from PATH."""
    if name == "python":
        return sys.executable
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is not installed"
    return found


def run(argv: list[str], env: dict[str, str]) -> None:
    argv = [program(argv[0]), *argv[1:]]
    result = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{argv}: {result.stdout}{result.stderr}"


def production_env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not CLEARED.match(k)}
    env.update(
        DJANGO_SETTINGS_MODULE="djbeat.settings",
        ENVIRONMENT="production",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS=f"{HOST},127.0.0.1,localhost",
        BEAT_SYNC_VAR_DIR=str(var),
        STATIC_ROOT=str(var / "static"),
        DATABASE_URL=f"sqlite:///{var / 'db.sqlite3'}",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    return env


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    var = tmp_path_factory.mktemp("web-var")
    env = production_env(var)
    # What the image build and the release do, in that order.
    run(["python", "manage.py", "collectstatic", "--no-input", "-v", "0"], env)
    run(normalise("python manage.py migrate --no-input"), env)
    run(["syncer", "apply", "schedules/"], env)
    run(["python", "manage.py", "createsuperuser", "--no-input", "--username", USER,
         "--email", "admin@example.com"], env)  # fmt: skip

    argv = normalise(procfile("Procfile.production")["web"])
    # Port 0: the kernel picks a free port, and gunicorn logs it.
    argv = replace_option(argv, "--bind", "127.0.0.1:0")
    log = var / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [program(argv[0]), *argv[1:]],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = WebServer(port=0, log=log, env=env)
    try:
        listening = wait_until(
            lambda: re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", server.tail()),
            60,
            "gunicorn to listen",
            server.tail,
        )
        server.port = int(listening[1])
        wait_until(lambda: answers(server.url + READY), 60, f"{READY} to answer", server.tail)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (gunicorn's arbiter and its workers), then SIGKILL."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
