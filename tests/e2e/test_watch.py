"""`syncer watch` as a real process on real files and a database of its own."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.e2e.conftest import run_syncer, wait_until
from tests.e2e.watchproc import Database, TcpProxy, Watcher
from tests.helpers import HELLO

pytestmark = pytest.mark.e2e

OTHER = """\
tasks:
  other:
    task: tasks.print_hello
    every: 1m
"""
WAIT = 30


@pytest.fixture
def env(database_env: dict[str, str]) -> dict[str, str]:
    return database_env


@pytest.fixture
def db(env: dict[str, str]) -> Database:
    return Database(env["DATABASE_URL"])


@pytest.fixture
def schedules(tmp_path: Path) -> Path:
    root = tmp_path / "schedules"
    root.mkdir()
    (root / "hello.yaml").write_text(HELLO)
    return root


@pytest.fixture
def watchers(tmp_path: Path) -> Iterator[list[Watcher]]:
    started: list[Watcher] = []
    yield started
    for watcher in started:
        watcher.kill()


def start(
    watchers: list[Watcher], env: dict[str, str], paths: list[Path], tmp_path: Path, *args: str
) -> Watcher:
    watcher = Watcher(
        env,
        paths,
        tmp_path / f"watch-{len(watchers)}.log",
        "--log-format",
        "text",
        "--debounce",
        "0.2",
        *args,
    )
    watchers.append(watcher)
    return watcher


def wait_ready(watcher: Watcher, state: str = "ok") -> dict:
    return wait_until(
        lambda: (r := watcher.readyz()).get("state") == state and r,
        WAIT,
        f"/readyz state {state!r}",
        lambda: f"{watcher.readyz()}\n{watcher.log()}",
    )


def test_follows_edits_renames_deletes_and_editor_saves(env, db, schedules, tmp_path, watchers):
    watcher = start(watchers, env, [schedules], tmp_path)
    wait_ready(watcher)
    assert set(db.tasks()) == {"print-hello", "write-to-file"}

    (schedules / "hello.yaml").write_text(HELLO.replace("every: 5s", "every: 7s"))
    wait_until(lambda: db.tasks()["write-to-file"][1] == 7, WAIT, "modified file applied")

    # An editor that saves through a temporary file and a rename.
    tmp = schedules / ".hello.yaml.swp"
    tmp.write_text(HELLO.replace("every: 3s", "every: 4s"))
    tmp.replace(schedules / "hello.yaml")
    wait_until(lambda: db.tasks()["print-hello"][1] == 4, WAIT, "editor save applied")

    (schedules / "other.yaml").write_text(OTHER)
    wait_until(lambda: "other" in db.tasks(), WAIT, "new file applied")

    (schedules / "other.yaml").rename(schedules / "moved.yaml")  # same tasks, another file
    wait_until(
        lambda: (
            db.query(
                "SELECT m.source_path FROM syncer_managedtask m JOIN django_celery_beat_periodictask t"
                " ON m.task_id = t.id WHERE t.name = 'other'"
            )
            == [(str(schedules / "moved.yaml"),)]
        ),
        WAIT,
        "ledger follows the renamed file",
    )
    assert "other" in db.tasks()

    (schedules / "moved.yaml").unlink()
    wait_until(lambda: "other" not in db.tasks(), WAIT, "deleted file pruned")
    assert set(db.tasks()) == {"print-hello", "write-to-file"}
    assert watcher.stop() == 0


def test_invalid_file_applies_nothing_and_readyz_names_it(env, db, schedules, tmp_path, watchers):
    watcher = start(watchers, env, [schedules], tmp_path)
    wait_ready(watcher)
    before = db.dump()
    (schedules / "hello.yaml").write_text(HELLO.replace("every: 5s", "every: 6s"))
    (schedules / "broken.yaml").write_text(
        "tasks:\n  x:\n    task: tasks.print_hello\n    every: -1\n"
    )
    status = wait_ready(watcher, "invalid")
    assert status["code"] == 503
    assert "broken.yaml" in status["reason"]
    assert any(
        "broken.yaml:4:5: task 'x': every: must be greater than zero" in p
        for p in status["problems"]
    )
    assert watcher.metric("syncer_invalid_files") == 1
    assert db.dump() == before  # not even the valid edit of hello.yaml is applied
    (schedules / "broken.yaml").unlink()
    wait_ready(watcher)
    assert db.tasks()["write-to-file"][1] == 6
    assert watcher.stop() == 0


def test_whole_directory_replaced(env, db, schedules, tmp_path, watchers):
    watcher = start(watchers, env, [schedules], tmp_path)
    wait_ready(watcher)
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "other.yaml").write_text(OTHER)
    schedules.rename(tmp_path / "old")
    staged.rename(schedules)
    wait_until(
        lambda: set(db.tasks()) == {"other"},
        WAIT,
        "replaced directory applied",
        lambda: watcher.log(),
    )
    assert watcher.stop() == 0


def test_configmap_style_symlink_swap(env, db, tmp_path, watchers):
    mount = tmp_path / "mount"
    (mount / "..2026_01").mkdir(parents=True)
    (mount / "..2026_01" / "hello.yaml").write_text(HELLO)
    (mount / "..data").symlink_to("..2026_01")
    (mount / "hello.yaml").symlink_to("..data/hello.yaml")
    watcher = start(watchers, env, [mount], tmp_path)
    wait_ready(watcher)
    assert set(db.tasks()) == {"print-hello", "write-to-file"}
    (mount / "..2026_02").mkdir()
    (mount / "..2026_02" / "hello.yaml").write_text(HELLO.replace("every: 3s", "every: 9s"))
    (mount / "..data_tmp").symlink_to("..2026_02")
    (mount / "..data_tmp").replace(mount / "..data")
    wait_until(
        lambda: db.tasks()["print-hello"][1] == 9,
        WAIT,
        "symlink swap applied",
        lambda: watcher.log(),
    )
    assert watcher.stop() == 0


def test_resync_repairs_drift_or_only_reports_it(env, db, schedules, tmp_path, watchers):
    watcher = start(watchers, env, [schedules], tmp_path, "--resync-interval", "1")
    wait_ready(watcher)
    db.query(
        "UPDATE django_celery_beat_periodictask SET queue = 'hacked' WHERE name = 'print-hello'"
    )
    wait_until(lambda: db.tasks()["print-hello"][3] is None, WAIT, "drift repaired")
    wait_until(
        lambda: (watcher.metric("syncer_drift_detected_total") or 0) >= 1, WAIT, "drift metric"
    )
    assert watcher.stop() == 0

    reporter = start(
        watchers, env, [schedules], tmp_path, "--resync-interval", "1", "--no-self-heal"
    )
    wait_ready(reporter)
    db.query(
        "UPDATE django_celery_beat_periodictask SET queue = 'hacked' WHERE name = 'print-hello'"
    )
    wait_ready(reporter, "drift")
    assert db.tasks()["print-hello"][3] == "hacked"
    assert reporter.stop() == 0


def test_sigterm_exits_zero_promptly(env, schedules, tmp_path, watchers):
    watcher = start(watchers, env, [schedules], tmp_path)
    wait_ready(watcher)
    started = time.monotonic()
    assert watcher.stop(signal.SIGTERM) == 0
    assert time.monotonic() - started < 10
    assert "stopped" in watcher.log()


def _server_only(env: dict[str, str]) -> None:
    if env["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("a database outage needs a server to cut off (PostgreSQL or MySQL/MariaDB)")


# Leader election (two watchers, kill -9, hand-over, step-down) is tested on every vendor in
# tests/vendors/test_leader_election.py.

DEFAULT_PORTS = {"postgres": 5432, "postgresql": 5432, "pgsql": 5432, "mysql": 3306}


def test_database_outage_then_recovery(env, db, schedules, tmp_path, watchers):
    _server_only(env)
    parts = urlsplit(env["DATABASE_URL"])
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or DEFAULT_PORTS[parts.scheme])
    try:
        netloc = parts.netloc.rsplit("@", 1)
        creds = netloc[0] + "@" if len(netloc) == 2 else ""
        proxied = urlunsplit(parts._replace(netloc=f"{creds}127.0.0.1:{proxy.port}"))
        watcher = start(
            watchers,
            {**env, "DATABASE_URL": proxied},
            [schedules],
            tmp_path,
            "--max-backoff",
            "2",
            "--resync-interval",
            "1",
        )
        wait_ready(watcher)
        proxy.cut()
        (schedules / "other.yaml").write_text(OTHER)
        status = wait_ready(watcher, "database-unavailable")
        assert status["code"] == 503
        proxy.restore()
        wait_until(lambda: "other" in db.tasks(), WAIT, "recovered and applied", watcher.log)
        wait_ready(watcher)
        assert watcher.process.poll() is None  # recovered without a restart
        assert watcher.stop() == 0
    finally:
        proxy.close()


def test_a_pause_survives_resyncs_and_its_expiry_re_enables_the_task(
    env, db, schedules, tmp_path, watchers
):
    watcher = start(watchers, env, [schedules], tmp_path, "--resync-interval", "1")
    wait_ready(watcher)
    run_syncer(env, "pause", "print-hello", "--reason", "billing is down", "--for", "15s")
    assert not db.tasks()["print-hello"][0]
    ok = 'syncer_reconcile_total{result="ok"}'
    seen = watcher.metric(ok) or 0
    wait_until(lambda: (watcher.metric(ok) or 0) >= seen + 2, WAIT, "two resyncs")
    # Two reconciles later: still disabled, not drift, and visible in /metrics.
    assert not db.tasks()["print-hello"][0]
    assert watcher.readyz()["state"] == "ok"
    assert watcher.metric("syncer_paused_tasks") == 1
    assert (watcher.metric("syncer_drift_detected_total") or 0) == 0
    # Expired: the next resync enables it again and ends the pause.
    wait_until(lambda: db.tasks()["print-hello"][0], WAIT, "re-enabled after the pause expired")
    wait_until(lambda: watcher.metric("syncer_paused_tasks") == 0, WAIT, "no paused task")
    assert db.query("SELECT COUNT(*) FROM syncer_pause")[0][0] == 0
    assert db.query("SELECT action FROM syncer_pauseevent ORDER BY id") == [("pause",), ("expire",)]
    assert watcher.stop() == 0
