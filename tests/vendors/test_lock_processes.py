"""The apply lock between real processes, on the configured vendor, with the project's ordinary
database settings: held for exactly the transaction (released by COMMIT and by ROLLBACK while the
holder's connection stays open), a writer gives up after SYNCER_LOCK_TIMEOUT with a temporary
fault, and two real ``syncer apply`` runs serialise."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import wait_until
from tests.e2e.watchproc import ROOT, Database

pytestmark = pytest.mark.e2e

SYNCER = [sys.executable, "-m", "syncer.cli.main"]
ANSWER_SECONDS = 30


class LockHolder:
    """``tests/vendors/lockholder.py`` in a process of its own, driven line by line."""

    def __init__(self, env: dict[str, str], **extra: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.vendors.lockholder"],
            cwd=ROOT,
            env={**env, **extra},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.answer() == "ready"

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def answer(self) -> str:
        try:
            return self.lines.get(timeout=ANSWER_SECONDS)
        except queue.Empty:
            pytest.fail(f"no answer from the lock holder within {ANSWER_SECONDS}s")

    def send(self, command: str) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.answer()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


@pytest.fixture
def holders(database_env: dict[str, str]):
    started: list[LockHolder] = []

    def start(**extra: str) -> LockHolder:
        holder = LockHolder(database_env, **extra)
        started.append(holder)
        return holder

    yield start
    for holder in started:
        holder.close()


def timed(holder: LockHolder, command: str) -> tuple[str, float]:
    started = time.monotonic()
    answer = holder.send(command)
    return answer, time.monotonic() - started


def test_the_lock_lasts_exactly_the_transaction(holders):
    first = holders()
    second = holders(SYNCER_LOCK_TIMEOUT="1.5")
    setting = second.send("setting")
    assert first.send("lock") == "locked"

    answer, waited = timed(second, "lock")
    assert answer.startswith("timeout: another apply holds the schedule lock"), answer
    assert waited >= 1.4  # it waited for the lock, up to SYNCER_LOCK_TIMEOUT
    assert second.send("setting") == setting  # the wait's own timeout was put back

    assert first.send("commit") == "committed"  # first's connection stays open
    answer, waited = timed(second, "lock")
    assert answer == "locked" and waited < 1.0  # released by COMMIT
    assert second.send("rollback") == "rolled back"

    answer, waited = timed(first, "lock")
    assert answer == "locked" and waited < 1.0  # released by ROLLBACK too
    assert first.send("rollback") == "rolled back"
    assert timed(second, "lock")[0] == "locked"
    assert second.send("commit") == "committed"


def test_a_writer_waits_for_the_holder_then_takes_the_lock(holders):
    first = holders()
    second = holders(SYNCER_LOCK_TIMEOUT="30")
    assert first.send("lock") == "locked"
    assert second.process.stdin is not None
    second.process.stdin.write("lock\n")
    second.process.stdin.flush()
    time.sleep(1.0)  # the contender is waiting: nothing to poll for, it must not answer yet
    assert second.lines.empty()
    released = time.monotonic()
    assert first.send("commit") == "committed"
    assert second.answer() == "locked"
    assert time.monotonic() - released < 5
    assert second.send("commit") == "committed"


# --- two real `syncer apply` runs ------------------------------------------------------------------


def spec(prefix: str, n: int, every: str) -> str:
    lines = ["tasks:"]
    lines += [
        f"  {prefix}-{i}: {{task: tasks.print_hello, every: {every}, kwargs: {{i: {i}}}}}"
        for i in range(n)
    ]
    return "\n".join(lines) + "\n"


def apply(env: dict[str, str], directory: Path, **extra: str) -> subprocess.Popen:
    log = directory.with_suffix(".log")
    with log.open("w") as out:
        process = subprocess.Popen(
            [*SYNCER, "apply", str(directory), "--force", "--allow-empty"],
            cwd=ROOT,
            env={**env, **extra},
            stdout=subprocess.DEVNULL,
            stderr=out,
            start_new_session=True,
        )
    process.log_path = log  # type: ignore[attr-defined]
    return process


def log_of(process: subprocess.Popen) -> str:
    return process.log_path.read_text()  # type: ignore[attr-defined]


def write(tmp_path: Path, name: str, text: str) -> Path:
    directory = tmp_path / name
    directory.mkdir()
    (directory / "s.yaml").write_text(text)
    return directory


def state(db: Database) -> list[tuple]:
    rows = db.query(
        "SELECT t.name, t.kwargs, i.every, i.period FROM django_celery_beat_periodictask t"
        " JOIN django_celery_beat_intervalschedule i ON t.interval_id = i.id ORDER BY t.name"
    )
    return sorted((name, json.loads(kwargs), every, period) for name, kwargs, every, period in rows)


def test_two_applies_in_two_processes_serialise_and_the_last_one_wins(database_env, tmp_path):
    db = Database(database_env["DATABASE_URL"])
    first = write(tmp_path, "first", spec("x", 120, "1m"))
    second = write(tmp_path, "second", spec("x", 80, "3m") + spec("y", 40, "5m")[len("tasks:\n") :])
    holding = apply(database_env, first, SYNCER_FAILPOINT_BEFORE_COMMIT="3")
    wait_until(
        lambda: "failpoint" in log_of(holding), 60, "the first apply holding its transaction"
    )
    started = time.monotonic()
    waiting = apply(database_env, second)
    assert waiting.wait(120) == 0, log_of(waiting)
    assert holding.wait(120) == 0, log_of(holding)
    assert time.monotonic() - started > 1.5  # the second waited for the first's lock
    expected = [(f"x-{i}", {"i": i}, 3, "minutes") for i in range(80)]
    expected += [(f"y-{i}", {"i": i}, 5, "minutes") for i in range(40)]
    assert state(db) == sorted(expected)
    records = db.query("SELECT created, updated, deleted FROM syncer_applyrecord ORDER BY id")
    assert [tuple(r) for r in records] == [(120, 0, 0), (40, 80, 40)]


def test_an_apply_gives_up_after_the_lock_timeout_and_changes_nothing(database_env, tmp_path):
    db = Database(database_env["DATABASE_URL"])
    holding = apply(
        database_env,
        write(tmp_path, "first", spec("a", 5, "1m")),
        SYNCER_FAILPOINT_BEFORE_COMMIT="5",
    )
    wait_until(
        lambda: "failpoint" in log_of(holding), 60, "the first apply holding its transaction"
    )
    started = time.monotonic()
    refused = apply(
        database_env, write(tmp_path, "second", spec("b", 5, "1m")), SYNCER_LOCK_TIMEOUT="1"
    )
    assert refused.wait(60) == 1
    assert 0.9 <= time.monotonic() - started < 5
    assert "another apply holds the schedule lock" in log_of(refused)
    assert holding.wait(60) == 0
    assert [row[0] for row in state(db)] == [f"a-{i}" for i in range(5)]
