"""When ``syncer watch`` reads run health (``syncer.daemon.health_reads``): after a reconcile at
once, unless the last read was recent (a read that takes a while is not paid at every save of a
burst); a read that is due still happens when the loop is free; the metrics follow the rows."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django_celery_beat.models import CrontabSchedule
from prometheus_client import CollectorRegistry, generate_latest

from syncer.core.context import Context
from syncer.daemon import health_reads
from syncer.daemon.health import Metrics, Readiness
from syncer.daemon.health_reads import PACE, HealthReads
from syncer.daemon.loop import Options, Reconciler
from syncer.daemon.run_metrics import RunMetrics
from syncer.db import apply as apply_module
from syncer.db.apply import apply
from tests.helpers import KNOWN_TASKS, desired_from


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Timed(HealthReads):
    """A read that takes ``duration`` seconds of the fake clock, counted."""

    def __init__(self, duration: float) -> None:
        self.clock_ = Clock()
        super().__init__(RunMetrics(CollectorRegistry()), "default", self.clock_)
        self.duration = duration
        self.reads: list[float] = []

    def _read(self) -> None:
        self.reads.append(self.clock_.now)
        self.clock_.now += self.duration


def test_a_quick_read_follows_every_reconcile():
    reads = Timed(0.005)
    for _ in range(3):
        reads.after_reconcile({})
        reads.clock_.now += 0.5  # the next save's reconcile
    assert len(reads.reads) == 3
    assert reads.due_in() is None


def test_a_slow_read_is_not_paid_at_every_save_of_a_burst_but_still_happens():
    reads = Timed(0.3)
    reads.after_reconcile({})  # the first: at once
    assert reads.reads == [100.0]
    reads.clock_.now += 1.0  # the next save committed 1 s later: too soon after a 0.3 s read
    reads.after_reconcile({})
    assert len(reads.reads) == 1
    due = reads.due_in()
    assert due == pytest.approx(100.3 + PACE * 0.3 - 101.3)
    reads.read_if_due()  # the loop woke early (a file event): still not
    assert len(reads.reads) == 1
    reads.clock_.now += due
    reads.read_if_due()  # the loop's timeout (``due_in``) came: the read that was due
    assert len(reads.reads) == 2
    assert reads.due_in() is None
    reads.read_if_due()
    assert len(reads.reads) == 2  # nothing more until the next reconcile


def test_a_standby_reconcile_keeps_the_last_declared_states():
    reads = Timed(0.0)
    declared = {"a": object()}
    reads.after_reconcile(declared)  # type: ignore[arg-type]
    reads.after_reconcile()
    assert reads.declared is declared


@pytest.mark.django_db
def test_a_read_puts_the_rows_health_in_the_metrics(tmp_path, monkeypatch):
    desired = desired_from(
        tmp_path, {"a.yaml": "tasks:\n  tick: {task: tasks.print_hello, every: 1h}\n"}
    )
    assert apply(desired.tasks).written
    declared = {name: task.state for name, task in desired.tasks.items()}
    registry = CollectorRegistry()
    reads = HealthReads(RunMetrics(registry), "default")
    states: list[object] = []
    real = health_reads.read_snapshot

    def reading(given):  # type: ignore[no-untyped-def]
        snapshot = real(given)
        states.append(snapshot.states["tick"])
        return snapshot

    monkeypatch.setattr(health_reads, "read_snapshot", reading)
    reads.after_reconcile(desired.tasks)
    assert states == [declared["tick"]]  # the row read as its declaration
    text = generate_latest(registry).decode()
    assert 'syncer_task_state{queue="",state="ok",task="tick"} 1.0' in text


@pytest.mark.django_db
def test_the_watch_plans_once_after_a_change_and_reads_health_once_per_pace(tmp_path, monkeypatch):
    """A reconcile after the files changed plans under the apply lock only (a write is likely);
    a resync of the same files plans first without it (a no-op leaves without the lock)."""
    plans: list[object] = []
    real = apply_module.read_snapshot
    monkeypatch.setattr(apply_module, "read_snapshot", lambda d: plans.append(d) or real(d))
    health: list[object] = []
    monkeypatch.setattr(HealthReads, "_read", lambda self: health.append(self.declared))
    (tmp_path / "a.yaml").write_text("tasks:\n  tick: {task: tasks.print_hello, every: 1h}\n")
    watch = reconciler(tmp_path)
    watch.reconcile("start")  # created, planned once (under the lock)
    assert len(plans) == 1 and watch.status.state == "ok"
    assert len(health) == 1 and set(health[0]) == {"tick"}
    watch.reconcile("resync")  # nothing to write: one plan, without the lock
    assert len(plans) == 2
    (tmp_path / "a.yaml").write_text("tasks:\n  tick: {task: tasks.print_hello, every: 2h}\n")
    watch.reconcile("file event")
    assert len(plans) == 3
    assert len(health) == 3  # a read that takes no time is not held back


@pytest.mark.django_db
def test_a_live_row_that_cannot_be_read_makes_the_watch_not_ready_not_crash(tmp_path):
    (tmp_path / "a.yaml").write_text("tasks:\n  c: {task: tasks.print_hello, cron: '0 3 * * *'}\n")
    watch = reconciler(tmp_path)
    watch.reconcile("start")
    assert watch.status.state == "ok"
    table = CrontabSchedule._meta.db_table
    with connection.cursor() as cursor:  # a hand edit in SQL, past the field's validation
        cursor.execute(f"UPDATE {table} SET timezone = %s", ["Mars/Olympus"])
    watch.reconcile("resync")
    assert (watch.status.ready, watch.status.state) == (False, "invalid-rows")
    assert "timezone 'Mars/Olympus' is refused" in watch.status.reason


def reconciler(root) -> Reconciler:  # type: ignore[no-untyped-def]
    context = Context("UTC", KNOWN_TASKS)
    log = logging.getLogger("test.watch.health")
    return Reconciler(Options([str(root)]), context, Readiness(), Metrics(), log)
