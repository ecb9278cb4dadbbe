"""Fault injection with real processes: kill -9 mid-transaction, concurrent applies, a broker
that is down. Each test has a database of its own on the configured vendor (CI runs them on
PostgreSQL, MariaDB and SQLite)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import wait_until
from tests.e2e.watchproc import ROOT, Database

pytestmark = pytest.mark.e2e

SYNCER = [sys.executable, "-m", "syncer.cli.main"]


def spec(prefix: str, n: int, every: str) -> str:
    lines = ["tasks:"]
    for i in range(n):
        lines.append(
            f"  {prefix}-{i}: {{task: tasks.print_hello, every: {every}, kwargs: {{i: {i}}}}}"
        )
    return "\n".join(lines) + "\n"


@pytest.fixture
def env(database_env: dict[str, str]) -> dict[str, str]:
    return database_env


def write(tmp_path: Path, name: str, text: str) -> Path:
    directory = tmp_path / name
    directory.mkdir(exist_ok=True)
    (directory / "s.yaml").write_text(text)
    return directory


def apply(env: dict[str, str], directory: Path, *args: str) -> subprocess.Popen:
    """`syncer apply` in the background; its stderr goes to ``<directory>.log`` (see `_peek`)."""
    log = directory.with_suffix(".log").open("w")
    process = subprocess.Popen(
        [*SYNCER, "apply", str(directory), "--force", "--allow-empty", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    process.log_path = directory.with_suffix(".log")  # type: ignore[attr-defined]
    return process


def state(db: Database) -> list[tuple]:
    """The declared content of the schedule tables (ids and timestamps aside)."""
    rows = db.query(
        "SELECT t.name, t.kwargs, t.enabled, i.every, i.period FROM django_celery_beat_periodictask t"
        " JOIN django_celery_beat_intervalschedule i ON t.interval_id = i.id ORDER BY t.name"
    )
    return [
        (name, json.loads(kwargs), bool(enabled), every, period)
        for name, kwargs, enabled, every, period in rows
    ]


def expected(prefix: str, n: int, every: int, period: str) -> list[tuple]:
    return [(f"{prefix}-{i}", {"i": i}, True, every, period) for i in range(n)]


def test_kill_9_mid_transaction_leaves_the_old_state(env, tmp_path):
    db = Database(env["DATABASE_URL"])
    old = write(tmp_path, "old", spec("a", 200, "1m"))
    assert apply(env, old).wait(120) == 0
    before = state(db)
    new = write(
        tmp_path, "new", spec("b", 300, "2m") + "  a-0: {task: tasks.print_hello, every: 9m}\n"
    )
    victim = apply({**env, "SYNCER_FAILPOINT_BEFORE_COMMIT": "60"}, new)
    # the apply has written everything and holds the transaction open: kill it there
    wait_until(lambda: "failpoint" in _peek(victim), 60, "the failpoint")
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(30)
    assert state(db) == before  # nothing of the new spec, no mix
    assert apply(env, new).wait(120) == 0  # the lock died with the process
    after = state(db)
    assert {row[0] for row in after} == {f"b-{i}" for i in range(300)} | {"a-0"}


def _peek(process: subprocess.Popen) -> str:
    return process.log_path.read_text()  # type: ignore[attr-defined]


def test_concurrent_applies_serialise_and_the_last_one_wins(env, tmp_path):
    db = Database(env["DATABASE_URL"])
    first = write(tmp_path, "first", spec("x", 150, "1m"))
    second = write(
        tmp_path, "second", spec("x", 100, "3m") + spec("y", 50, "5m").replace("tasks:\n", "")
    )
    a = apply({**env, "SYNCER_FAILPOINT_BEFORE_COMMIT": "3"}, first)
    wait_until(lambda: "failpoint" in _peek(a), 60, "the first apply holding its transaction")
    started = time.monotonic()
    b = apply(env, second)
    assert b.wait(120) == 0, _peek(b)
    assert a.wait(120) == 0
    assert time.monotonic() - started > 1.0  # b waited for a's lock
    assert state(db) == sorted(expected("x", 100, 3, "minutes") + expected("y", 50, 5, "minutes"))


def test_a_broker_that_is_down_does_not_affect_the_syncer(env, tmp_path):
    db = Database(env["DATABASE_URL"])
    dead = {**env, "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:1//"}
    directory = write(tmp_path, "s", spec("z", 5, "1m"))
    started = time.monotonic()
    for command in (["validate"], ["plan"], ["apply"], ["status"]):
        result = subprocess.run(
            [*SYNCER, *command, str(directory)],
            cwd=ROOT,
            env=dead,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, (command, result.stderr)
    assert time.monotonic() - started < 60
    assert len(state(db)) == 5
