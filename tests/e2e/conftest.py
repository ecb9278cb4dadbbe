"""Fixtures for the end-to-end tests: a real worker and a real beat on a database and a broker of
their own.

Nothing here uses pytest-django's test database. Each test gets:

* a fresh database: a uniquely named database on the configured PostgreSQL or MySQL/MariaDB server
  (created with psycopg / mysqlclient, dropped at teardown), or a SQLite file in ``tmp_path``;
* a fresh broker: a new RabbitMQ vhost (``rabbitmqctl``, or the management HTTP API when
  ``rabbitmqctl`` is not available) when the configured broker is AMQP, else kombu's filesystem
  broker under ``tmp_path``;
* its own ``var/`` directory (``BEAT_SYNC_VAR_DIR``), migrated with ``manage.py migrate``;
* ``celery worker`` and ``celery beat`` started with the Procfile's own command lines, logging to
  files in ``tmp_path``, and killed (whole process groups) at teardown, pass or fail.

"Configured" means what ``djbeat.settings`` resolved: ``DATABASE_URL`` / ``CELERY_BROKER_URL`` from
the environment (or ``.env``), else the embedded SQLite + filesystem defaults.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import SplitResult, quote, unquote, urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
T = TypeVar("T")

POLL_SECONDS = 0.2


# --- waiting -------------------------------------------------------------------------------------


def run_syncer(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """``syncer ARGS...`` as a process of its own in the repository; its output (exit 0 asserted)."""
    result = subprocess.run(
        [PYTHON, "-m", "syncer.cli.main", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def wait_until(
    probe: Callable[[], T], timeout: float, what: str, diagnostics: Callable[[], str] = str
) -> T:
    """Poll ``probe`` until it returns something truthy; fail with ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}\n{diagnostics()}")
        time.sleep(POLL_SECONDS)


# --- the Procfile --------------------------------------------------------------------------------


def procfile_argv(name: str) -> list[str]:
    """The Procfile's command for process ``name``, run with this interpreter's environment."""
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        key, sep, command = line.partition(":")
        if sep and key.strip() == name and not key.lstrip().startswith("#"):
            argv = shlex.split(command)
            if argv[0] == "python":
                return [PYTHON, *argv[1:]]
            if argv[0] == "celery":
                return [PYTHON, "-m", "celery", *argv[1:]]
            return [str(Path(PYTHON).parent / argv[0]), *argv[1:]]
    raise LookupError(f"no {name!r} process in the Procfile")


# --- database ------------------------------------------------------------------------------------


def _configured() -> tuple[dict, str]:
    """The configured database (its settings, plus ``vendor``) and broker URL."""
    from django.conf import settings
    from django.db import connections

    database = {**settings.DATABASES["default"], "vendor": connections["default"].vendor}
    return database, settings.CELERY_BROKER_URL


def _credentials(db: dict) -> str:
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    return f"{user}:{password}@" if password else (f"{user}@" if user else "")


def _host_port(db: dict) -> str:
    host = db.get("HOST") or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{host}:{db['PORT']}" if db.get("PORT") else host


def _pg_connect(db: dict, dbname: str):
    import psycopg

    return psycopg.connect(
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname=dbname,
        autocommit=True,
        connect_timeout=10,
    )


@contextlib.contextmanager
def _pg_database(db: dict, tmp_path: Path) -> Iterator[str]:
    from psycopg import sql

    name = f"beatsync_e2e_{uuid.uuid4().hex[:12]}"
    with _pg_connect(db, "postgres") as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    host = db.get("HOST") or ""
    if host.startswith("/"):  # a socket directory: libpq's host query parameter
        url = f"postgres://{_credentials(db)}/{name}?host={quote(host, safe='')}"
    else:
        url = f"postgres://{_credentials(db)}{_host_port(db)}/{name}"
    try:
        yield url
    finally:
        with _pg_connect(db, "postgres") as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def _mysql_connect(db: dict):
    import MySQLdb

    options = {
        "host": db.get("HOST") or "localhost",
        "user": db.get("USER") or "root",
        "password": db.get("PASSWORD") or "",
        "charset": "utf8mb4",
        "autocommit": True,
        "connect_timeout": 10,
    }
    if db.get("PORT"):
        options["port"] = int(db["PORT"])
    return MySQLdb.connect(**options)


@contextlib.contextmanager
def _mysql_database(db: dict, tmp_path: Path) -> Iterator[str]:
    name = f"beatsync_e2e_{uuid.uuid4().hex[:12]}"
    conn = _mysql_connect(db)
    try:
        conn.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        yield f"mysql://{_credentials(db)}{_host_port(db)}/{name}"
    finally:
        conn.ping()  # reconnect if the test took longer than the server's idle timeout
        conn.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


@contextlib.contextmanager
def _sqlite_database(db: dict, tmp_path: Path) -> Iterator[str]:
    (tmp_path / "var").mkdir(exist_ok=True)
    yield f"sqlite:///{tmp_path / 'var' / 'db.sqlite3'}"


# vendor -> a context manager that creates a database of its own on the configured server (a
# file for SQLite), yields its URL and drops it.
FRESH_DATABASES = {
    "postgresql": _pg_database,
    "mysql": _mysql_database,
    "sqlite": _sqlite_database,
}


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    db, _ = _configured()
    fresh = FRESH_DATABASES.get(db["vendor"])
    if fresh is None:
        pytest.fail(f"the e2e fixtures support {', '.join(FRESH_DATABASES)}, not {db['ENGINE']}")
    with fresh(db, tmp_path) as url:
        yield url


# --- broker --------------------------------------------------------------------------------------


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(
        ["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True, timeout=60
    )


def _management_api(broker: SplitResult, method: str, path: str, body: dict | None = None) -> None:
    token = base64.b64encode(
        f"{unquote(broker.username or 'guest')}:{unquote(broker.password or 'guest')}".encode()
    ).decode()
    request = urllib.request.Request(
        f"http://{broker.hostname or 'localhost'}:15672/api/{path}",
        method=method,
        data=json.dumps(body or {}).encode(),
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


@dataclass
class _Vhost:
    broker: SplitResult  # the configured broker URL
    name: str
    via: str = field(default="")

    def create(self) -> None:
        user = unquote(self.broker.username or "guest")
        local = self.broker.hostname in {"localhost", "127.0.0.1", "::1"}
        if shutil.which("rabbitmqctl") and local:
            try:
                _rabbitmqctl("add_vhost", self.name)
                _rabbitmqctl("set_permissions", "-p", self.name, user, ".*", ".*", ".*")
                self.via = "rabbitmqctl"
                return
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
                error = getattr(exc, "stderr", "") or str(exc)
        else:
            error = "rabbitmqctl not found or broker not on this host"
        vhost = quote(self.name, safe="")
        try:
            _management_api(self.broker, "PUT", f"vhosts/{vhost}")
            _management_api(
                self.broker,
                "PUT",
                f"permissions/{vhost}/{quote(user, safe='')}",
                {"configure": ".*", "write": ".*", "read": ".*"},
            )
        except (OSError, urllib.error.URLError) as exc:
            pytest.fail(
                "cannot create a RabbitMQ vhost for the e2e test: "
                f"rabbitmqctl: {error.strip()}; management API: {exc}"
            )
        self.via = "management API"

    def delete(self) -> None:
        if self.via == "rabbitmqctl":
            _rabbitmqctl("delete_vhost", self.name)
        elif self.via == "management API":
            _management_api(self.broker, "DELETE", f"vhosts/{quote(self.name, safe='')}")


REDIS_URL = os.environ.get("E2E_REDIS_URL", "redis://127.0.0.1:6379")


@contextlib.contextmanager
def _redis_database() -> Iterator[str]:
    """A Redis database (1-15) of the test's own: claimed with a marker key (SET NX), so that
    concurrent runs never share one, and emptied before and after."""
    import redis

    for index in range(1, 16):
        client = redis.Redis.from_url(f"{REDIS_URL}/{index}")
        try:
            claimed = client.set("beatsync-e2e-claim", str(os.getpid()), nx=True, ex=3600)
        except redis.ConnectionError as exc:
            pytest.fail(f"Redis at {REDIS_URL} does not answer: {exc}")
        if not claimed:
            continue
        try:
            for key in client.scan_iter():
                if key != b"beatsync-e2e-claim":
                    client.delete(key)
            yield f"{REDIS_URL}/{index}"
        finally:
            client.flushdb()
        return
    pytest.fail("every Redis database 1-15 is claimed by another e2e run")


@pytest.fixture
def fresh_broker_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The configured broker (a vhost of the test's own), or, with ``indirect`` parametrization
    ``"redis"``, a Redis database of the test's own."""
    if getattr(request, "param", "configured") == "redis":
        with _redis_database() as url:
            yield url
        return
    _, configured = _configured()
    scheme = configured.split("://", 1)[0]
    if scheme == "filesystem":
        # settings put the folders under BEAT_SYNC_VAR_DIR, which the stack sets to tmp_path/var.
        yield "filesystem://"
        return
    if scheme not in {"amqp", "pyamqp", "amqps"}:
        pytest.skip(f"the e2e fixtures support the filesystem and AMQP brokers, not {scheme}")
    broker = urlsplit(configured)
    vhost = _Vhost(broker, f"beatsync-e2e-{uuid.uuid4().hex[:12]}")
    vhost.create()
    try:
        yield urlunsplit(broker._replace(path="/" + quote(vhost.name, safe="")))
    finally:
        vhost.delete()


# --- the stack -----------------------------------------------------------------------------------


def migrated_env(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    """Environment for processes on ``database_url`` (with a var/ of their own), migrated."""
    var = tmp_path / "var"
    var.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BEAT_SYNC_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "djbeat.settings",
        "DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        **extra,
    }
    migrate = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--no-input"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert migrate.returncode == 0, f"migrate failed:\n{migrate.stdout}\n{migrate.stderr}"
    return env


@pytest.fixture
def database_env(tmp_path: Path, fresh_database_url: str) -> dict[str, str]:
    """Environment for syncer processes: a fresh database of their own, migrated."""
    return migrated_env(tmp_path, fresh_database_url)


@pytest.fixture
def stack_env(tmp_path: Path, fresh_database_url: str, fresh_broker_url: str) -> dict[str, str]:
    """Environment for the stack's processes: fresh database, broker and var/, migrated."""
    return migrated_env(
        tmp_path,
        fresh_database_url,
        CELERY_BROKER_URL=fresh_broker_url,
        WRITE_TO_FILE_PATH=str(tmp_path / "var" / "write_to_file.txt"),
    )


@dataclass
class Stack:
    env: dict[str, str]
    tmp_path: Path
    logs: dict[str, Path]

    def log(self, name: str) -> str:
        return self.logs[name].read_text(encoding="utf-8", errors="replace")

    def declare(self, yaml_text: str) -> None:
        declare(self.env, yaml_text)

    def wait_until(self, probe: Callable[[], T], timeout: float, what: str) -> T:
        return wait_until(probe, timeout, what, self.diagnostics)

    def diagnostics(self) -> str:
        parts = []
        for name, path in self.logs.items():
            tail = "\n".join(self.log(name).splitlines()[-40:])
            parts.append(f"--- {name} ({path}), last lines:\n{tail}")
        return "\n".join(parts)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    # The worker's pool children share its process group: make sure none outlives it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def stack(stack_env: dict[str, str], tmp_path: Path) -> Iterator[Stack]:
    """A running worker and beat (the Procfile's commands), ready to take work."""
    logs = {name: tmp_path / f"{name}.log" for name in ("worker", "beat")}
    running = Stack(stack_env, tmp_path, logs)
    processes: list[subprocess.Popen] = []
    try:
        for name, path in logs.items():
            with path.open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        procfile_argv(name),
                        cwd=ROOT,
                        env=stack_env,
                        stdin=subprocess.DEVNULL,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )

        def ready() -> bool:
            for process, name in zip(processes, logs, strict=True):
                if process.poll() is not None:
                    pytest.fail(f"{name} exited with {process.returncode}\n{running.diagnostics()}")
            return bool(
                re.search(r"celery@\S+ ready\.", running.log("worker"))
                and "beat: Starting..." in running.log("beat")
            )

        wait_until(ready, 60, "worker and beat to start", running.diagnostics)
        yield running
    finally:
        for process in processes:
            _stop(process)


# --- declaring schedules -------------------------------------------------------------------------


def declare(env: dict[str, str], yaml_text: str) -> None:
    """Make the database hold exactly the tasks of ``yaml_text`` (a schedules/ file), atomically,
    through `syncer apply`, as `make run` and CI pipelines do."""
    _declare_with_syncer(env, yaml_text)


def _declare_with_syncer(env: dict[str, str], yaml_text: str) -> None:
    """``declare`` through ``syncer apply`` on a directory holding only ``yaml_text``."""
    directory = Path(env["BEAT_SYNC_VAR_DIR"]) / "schedules"
    directory.mkdir(exist_ok=True)
    (directory / "e2e.yaml").write_text(yaml_text, encoding="utf-8")
    result = subprocess.run(
        [str(Path(PYTHON).parent / "syncer"), "apply", str(directory)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"syncer apply failed:\n{result.stdout}\n{result.stderr}"
