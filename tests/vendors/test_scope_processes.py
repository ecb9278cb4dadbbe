"""Ownership scopes between real processes, on the configured vendor: applies of two scopes at
the same time serialise on the one apply lock and neither loses nor duplicates a row; two
`syncer watch` daemons of two scopes each lead their own scope (a lease per scope) and reconcile
only its rows, while a second daemon of the same scope stands by."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.conftest import wait_until
from tests.e2e.watchproc import Database, Watcher
from tests.vendors.test_lock_processes import apply as run_apply
from tests.vendors.test_lock_processes import log_of, spec, state, write

pytestmark = pytest.mark.e2e

WAIT = 60


def apply_scope(env: dict[str, str], directory: Path, scope: str, **extra: str):
    return run_apply({**env, "SYNCER_SCOPE": scope}, directory, **extra)


def owners(db: Database) -> dict[str, str]:
    rows = db.query(
        "SELECT t.name, m.scope FROM syncer_managedtask m"
        " JOIN django_celery_beat_periodictask t ON m.task_id = t.id"
    )
    return {name: scope for name, scope in rows}


def records(db: Database) -> list[tuple]:
    rows = db.query("SELECT scope, created, updated, deleted FROM syncer_applyrecord ORDER BY id")
    return [tuple(r) for r in rows]


def test_applies_of_two_scopes_at_the_same_time_serialise_and_keep_both(database_env, tmp_path):
    db = Database(database_env["DATABASE_URL"])
    first = write(tmp_path, "a", spec("a", 120, "1m"))
    second = write(tmp_path, "b", spec("b", 80, "3m"))
    holding = apply_scope(database_env, first, "team-a", SYNCER_FAILPOINT_BEFORE_COMMIT="3")
    wait_until(lambda: "failpoint" in log_of(holding), WAIT, "team-a holding its transaction")
    started = time.monotonic()
    waiting = apply_scope(database_env, second, "team-b")
    assert waiting.wait(120) == 0, log_of(waiting)
    assert holding.wait(120) == 0, log_of(holding)
    assert time.monotonic() - started > 1.5  # team-b waited for team-a's lock
    expected = [(f"a-{i}", {"i": i}, 1, "minutes") for i in range(120)]
    expected += [(f"b-{i}", {"i": i}, 3, "minutes") for i in range(80)]
    assert state(db) == sorted(expected)
    scopes = owners(db)
    assert {scopes[f"a-{i}"] for i in range(120)} == {"team-a"}
    assert {scopes[f"b-{i}"] for i in range(80)} == {"team-b"}
    assert records(db) == [("team-a", 120, 0, 0), ("team-b", 80, 0, 0)]


def test_racing_applies_of_two_scopes_end_as_the_union_every_round(database_env, tmp_path):
    """Started together, round after round (creates, then updates and prunes): whichever takes
    the lock first, neither scope deletes, duplicates or takes the other's rows."""
    db = Database(database_env["DATABASE_URL"])
    rounds = [(60, "1m", 40, "2m"), (30, "5m", 50, "2m"), (45, "5m", 10, "7m")]
    for index, (a_count, a_every, b_count, b_every) in enumerate(rounds):
        a = write(tmp_path, f"a{index}", spec("a", a_count, a_every))
        b = write(tmp_path, f"b{index}", spec("b", b_count, b_every))
        processes = [apply_scope(database_env, a, "team-a"), apply_scope(database_env, b, "team-b")]
        for process in processes:
            assert process.wait(120) == 0, log_of(process)
        expected = [(f"a-{i}", {"i": i}, int(a_every[:-1]), "minutes") for i in range(a_count)]
        expected += [(f"b-{i}", {"i": i}, int(b_every[:-1]), "minutes") for i in range(b_count)]
        assert state(db) == sorted(expected), f"round {index}"
        assert set(owners(db).values()) == {"team-a", "team-b"}
    assert len(records(db)) == 2 * len(rounds)


# --- two daemons, two scopes -------------------------------------------------------------------


def lease_holders(db: Database) -> dict[str, str]:
    return {name: holder for name, holder in db.query("SELECT name, holder FROM syncer_lease")}


def wait_state(watcher: Watcher, state: str) -> dict:
    return wait_until(
        lambda: (r := watcher.readyz()).get("state") == state and r,
        WAIT,
        f"/readyz state {state!r}",
        lambda: f"{watcher.readyz()}\n{watcher.log()}",
    )


@pytest.fixture
def watchers(database_env: dict[str, str], tmp_path: Path):
    started: list[Watcher] = []

    def start(directory: Path, scope: str) -> Watcher:
        env = {**database_env, "SYNCER_LEADER_TTL": "3"}
        log = tmp_path / f"watch-{scope}-{len(started)}.log"
        watcher = Watcher(
            env, [directory], log, "--log-format", "text", "--debounce", "0.2", "--scope", scope
        )
        started.append(watcher)
        return watcher

    yield start
    for watcher in started:
        watcher.kill()


def test_two_scopes_watchers_each_lead_and_reconcile_their_own(watchers, database_env, tmp_path):
    db = Database(database_env["DATABASE_URL"])
    a = write(tmp_path, "a", spec("a", 3, "1m"))
    b = write(tmp_path, "b", spec("b", 2, "2m"))
    team_a, team_b = watchers(a, "team-a"), watchers(b, "team-b")
    assert wait_state(team_a, "ok")["scope"] == "team-a"
    assert wait_state(team_b, "ok")["scope"] == "team-b"
    assert (team_a.metric("syncer_leader"), team_b.metric("syncer_leader")) == (1, 1)
    holders = lease_holders(db)
    assert set(holders) == {"syncer-watch:team-a", "syncer-watch:team-b"}
    assert f":{team_a.process.pid}:" in holders["syncer-watch:team-a"]
    assert f":{team_b.process.pid}:" in holders["syncer-watch:team-b"]
    both = {"a-0": "team-a", "a-1": "team-a", "a-2": "team-a", "b-0": "team-b", "b-1": "team-b"}
    wait_until(lambda: owners(db) == both, WAIT, "both scopes applied")

    # A second daemon of team-a stands by: the lease is per scope, not per database.
    standby = watchers(a, "team-a")
    assert wait_state(standby, "standby")["leader"] == holders["syncer-watch:team-a"]

    # Team a edits and drops a task: only its rows move, team b's stay as they are.
    b_rows = [row for row in state(db) if row[0].startswith("b-")]
    (a / "s.yaml").write_text(spec("a", 2, "5m"))
    wait_until(
        lambda: [r[2] for r in state(db) if r[0].startswith("a-")] == [5, 5],
        WAIT,
        "team a's edit applied",
        team_a.log,
    )
    assert [row for row in state(db) if row[0].startswith("b-")] == b_rows
    (b / "s.yaml").write_text(spec("b", 3, "2m"))
    wait_until(lambda: "b-2" in owners(db), WAIT, "team b's new task applied", team_b.log)
    assert owners(db) == {
        "a-0": "team-a",
        "a-1": "team-a",
        "b-0": "team-b",
        "b-1": "team-b",
        "b-2": "team-b",
    }
    assert "delete a-2" in team_a.log()  # the logs list the changes each daemon applied
    assert "delete b-" not in team_a.log() and "delete a-" not in team_b.log()
    scopes = {row[0] for row in db.query("SELECT scope FROM syncer_applyrecord")}
    assert scopes == {"team-a", "team-b"}
    for watcher in (standby, team_a, team_b):
        assert watcher.stop() == 0


def test_a_watcher_declaring_a_name_another_scope_owns_applies_nothing(
    watchers, database_env, tmp_path
):
    db = Database(database_env["DATABASE_URL"])
    a = write(tmp_path, "a", spec("a", 2, "1m"))
    assert apply_scope(database_env, a, "team-a").wait(120) == 0
    clash = write(
        tmp_path, "b", spec("b", 1, "2m") + "  a-0: {task: tasks.print_hello, every: 9m}\n"
    )
    team_b = watchers(clash, "team-b")
    report = wait_state(team_b, "invalid")
    assert report["code"] == 503
    assert any("task 'a-0': this name is owned by scope `team-a`" in p for p in report["problems"])
    assert owners(db) == {"a-0": "team-a", "a-1": "team-a"}
    # Team a lets the name go (its apply deletes a-0); at the next change of its files, team b's
    # reconcile creates a-0 as its own.
    released = write(tmp_path, "a-next", spec("a", 2, "1m").replace("  a-0:", "  # a-0:"))
    assert apply_scope(database_env, released, "team-a").wait(120) == 0
    assert owners(db) == {"a-1": "team-a"}
    (clash / "s.yaml").write_text(
        spec("b", 1, "2m") + "  a-0: {task: tasks.print_hello, every: 8m}\n"
    )
    wait_until(lambda: owners(db).get("a-0") == "team-b", WAIT, "team b creating a-0", team_b.log)
    wait_state(team_b, "ok")
    assert team_b.stop() == 0
