"""`syncer watch` leader election on the configured vendor, with real processes: exactly one of two
watchers reconciles, the leader keeps its lease by renewing it, a killed leader is replaced within
the TTL, a stopped one at once, and a leader cut off from the database steps down."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.e2e.conftest import wait_until
from tests.e2e.watchproc import Database, TcpProxy, Watcher
from tests.helpers import HELLO

pytestmark = pytest.mark.e2e

TTL = 3.0  # SYNCER_LEADER_TTL for these tests (the default is 15 s)
WAIT = 30
DEFAULT_PORTS = {"postgres": 5432, "postgresql": 5432, "pgsql": 5432, "mysql": 3306}
OTHER = "tasks:\n  other: {task: tasks.print_hello, every: 1m}\n"


@pytest.fixture
def schedules(tmp_path: Path) -> Path:
    root = tmp_path / "schedules"
    root.mkdir()
    (root / "hello.yaml").write_text(HELLO)
    return root


@pytest.fixture
def watchers(database_env: dict[str, str], schedules: Path, tmp_path: Path):
    started: list[Watcher] = []

    def start(ttl: float = TTL, database_url: str | None = None) -> Watcher:
        env = {**database_env, "SYNCER_LEADER_TTL": str(ttl)}
        if database_url is not None:
            env["DATABASE_URL"] = database_url
        log = tmp_path / f"watch-{len(started)}.log"
        watcher = Watcher(env, [schedules], log, "--log-format", "text", "--debounce", "0.2")
        started.append(watcher)
        return watcher

    yield start
    for watcher in started:
        watcher.kill()


def state_of(watcher: Watcher) -> str | None:
    return watcher.readyz().get("state")


def wait_state(watcher: Watcher, state: str, timeout: float = WAIT) -> dict:
    return wait_until(
        lambda: (r := watcher.readyz()).get("state") == state and r,
        timeout,
        f"/readyz state {state!r}",
        lambda: f"{watcher.readyz()}\n{watcher.log()}",
    )


def lease_holder(db: Database) -> str:
    rows = db.query("SELECT holder FROM syncer_lease WHERE name = 'syncer-watch'")
    return str(rows[0][0]) if rows else ""


def leaders(*watchers: Watcher) -> list[float | None]:
    return [w.metric("syncer_leader") for w in watchers]


def test_one_leader_renews_its_lease_and_a_killed_leader_is_replaced_within_the_ttl(
    watchers, database_env, schedules
):
    db = Database(database_env["DATABASE_URL"])
    first = watchers()
    wait_state(first, "ok")
    second = watchers()
    standby = wait_state(second, "standby")
    assert standby["code"] == 200  # a standby is ready
    assert standby["leader"] == lease_holder(db)
    assert f":{first.process.pid}:" in lease_holder(db)

    # Longer than two TTLs: the leader renews, the standby never takes over meanwhile.
    deadline = time.monotonic() + 2.5 * TTL
    while time.monotonic() < deadline:
        assert leaders(first, second) == [1, 0]
        time.sleep(0.25)
    assert f":{first.process.pid}:" in lease_holder(db)

    killed = time.monotonic()
    first.kill()  # kill -9: no release, its lease has to expire
    wait_until(lambda: second.metric("syncer_leader") == 1, WAIT, "the standby to take over")
    took = time.monotonic() - killed
    print(f"takeover {took:.2f} s after kill -9 (TTL {TTL:g} s)")  # shown by pytest -rP
    assert took <= TTL + 1.0, f"takeover after {took:.1f}s, TTL {TTL}s"
    assert f":{second.process.pid}:" in lease_holder(db)
    wait_state(second, "ok")
    (schedules / "other.yaml").write_text(OTHER)
    wait_until(lambda: "other" in db.tasks(), WAIT, "the new leader applies changes")
    assert second.stop() == 0


def test_a_stopped_leader_hands_over_at_once(watchers, database_env):
    first = watchers(ttl=60)
    wait_state(first, "ok")
    second = watchers(ttl=60)
    wait_state(second, "standby")
    stopped = time.monotonic()
    assert first.stop(signal.SIGTERM) == 0  # releases its lease on the way out
    wait_until(lambda: second.metric("syncer_leader") == 1, WAIT, "the standby to take over")
    assert time.monotonic() - stopped < 10  # far less than the 60 s TTL
    wait_state(second, "ok")
    assert second.stop() == 0


def test_a_leader_cut_off_from_the_database_steps_down(watchers, database_env):
    url = urlsplit(database_env["DATABASE_URL"])
    if url.scheme.startswith("sqlite"):
        pytest.skip("SQLite is a file: there is no connection to cut")
    proxy = TcpProxy(url.hostname or "127.0.0.1", url.port or DEFAULT_PORTS[url.scheme])
    try:
        credentials = url.netloc.rsplit("@", 1)[0] + "@" if "@" in url.netloc else ""
        proxied = urlunsplit(url._replace(netloc=f"{credentials}127.0.0.1:{proxy.port}"))
        first = watchers(database_url=proxied)
        wait_state(first, "ok")
        second = watchers()
        wait_state(second, "standby")
        proxy.cut()
        wait_until(lambda: second.metric("syncer_leader") == 1, WAIT, "the standby to take over")
        assert first.metric("syncer_leader") == 0
        proxy.restore()
        wait_state(first, "standby")  # back, it finds the lease taken and stays a standby
        assert leaders(first, second) == [0, 1]
        assert first.stop() == 0 and second.stop() == 0
    finally:
        proxy.close()
