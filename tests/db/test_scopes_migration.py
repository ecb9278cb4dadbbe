"""The scopes migration on a database that already has a ledger: every entry and every apply
record made before scopes existed belongs to `default`, and nothing else changes; the next plan
of the default scope finds nothing to do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from syncer.core.diff import compute
from syncer.core.scopes import Scope
from syncer.db.actual import read_snapshot
from syncer.models import ApplyRecord, ManagedTask
from tests.helpers import desired_from

APPLIED = datetime(2026, 11, 1, 12, tzinfo=UTC)
FILE = "tasks:\n  kept: {task: tasks.print_hello, every: 1m}\n"


def scopes_migration() -> tuple[tuple[str, str], tuple[str, str]]:
    """The migration that adds scopes and the one before it, found by name (the number may
    change when branches merge)."""
    graph = MigrationExecutor(connection).loader.graph
    (node,) = [key for key in graph.nodes if key[0] == "syncer" and key[1].endswith("_scopes")]
    (parent,) = [p.key for p in graph.node_map[node].parents if p.key[0] == "syncer"]
    return parent, node


@pytest.mark.django_db(transaction=True)
def test_existing_ledger_rows_and_apply_records_move_to_the_default_scope(tmp_path):
    before, scopes = scopes_migration()
    executor = MigrationExecutor(connection)
    leaves = [key for key in executor.loader.graph.leaf_nodes() if key[0] == "syncer"]
    executor.migrate([before])
    try:
        old = MigrationExecutor(connection).loader.project_state([before]).apps
        _fill_an_old_ledger(old, tmp_path)

        executor = MigrationExecutor(connection)
        executor.migrate([scopes])
        # Later migrations (the beat scheduler's tables) leave the ledger alone; the models
        # below are today's, so the database must be at the latest state to read them.
        MigrationExecutor(connection).migrate(leaves)

        ledger = ManagedTask.objects.select_related("task").get()
        assert (ledger.task.name, ledger.scope, ledger.revision) == ("kept", "default", "r0")
        assert (ledger.source_path, ledger.source_line) == (str(tmp_path / "s" / "a.yaml"), 2)
        assert ledger.applied_state["schedule"]["every"] == 1
        record = ApplyRecord.objects.get()
        assert (record.scope, record.taken_over, record.created, record.revision) == (
            "default",
            0,
            1,
            "r0",
        )
        snapshot = read_snapshot()
        desired = desired_from(tmp_path / "s", {"a.yaml": FILE}).tasks
        plan = compute(desired, snapshot.states, snapshot.ledger, APPLIED, Scope())
        assert plan.writes_nothing and plan.managed == 1 and plan.others == ()
    finally:
        MigrationExecutor(connection).migrate(leaves)


def _fill_an_old_ledger(apps, tmp_path) -> None:
    """A ledger as the syncer before scopes wrote it (through the models of that migration
    state): one managed task, one apply record."""
    interval = apps.get_model("django_celery_beat", "IntervalSchedule").objects.create(
        every=1, period="minutes"
    )
    task = apps.get_model("django_celery_beat", "PeriodicTask").objects.create(
        name="kept", task="tasks.print_hello", interval=interval
    )
    desired = desired_from(tmp_path / "s", {"a.yaml": FILE}).tasks["kept"]
    apps.get_model("syncer", "ManagedTask").objects.create(
        task=task,
        source_path=desired.source.path,
        source_line=desired.source.line,
        spec_hash=desired.spec_hash,
        revision="r0",
        applied_at=APPLIED,
        applied_state=desired.state.to_json(),
    )
    apps.get_model("syncer", "ApplyRecord").objects.create(
        applied_at=APPLIED, revision="r0", created=1
    )
