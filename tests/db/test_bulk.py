"""syncer.db.bulk: one INSERT / DELETE with one JSON parameter, read back through the ORM."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from syncer.db import bulk
from syncer.models import ManagedTask

pytestmark = pytest.mark.django_db

# Every NOT NULL column without a database default must be given (bulk.insert fills in nothing).
REQUIRED = ("kwargs", "headers", "one_off", "total_run_count", "date_changed", "description")
COLUMNS = ("name", "task", "interval_id", "enabled", "expires", "priority", "args", *REQUIRED)


def required() -> tuple:
    return ("{}", "{}", False, 0, datetime.now(UTC), "")


def test_insert_round_trips_types_and_returns_ids():
    interval = IntervalSchedule.objects.create(every=5, period="minutes")
    expires = datetime(2031, 1, 2, 3, 4, 5, 678901, tzinfo=timezone(timedelta(hours=2)))
    rows = [
        ("a", "tasks.print_hello", interval.pk, True, expires, 7, '["x", 1]', *required()),
        ("b", "tasks.print_hello", interval.pk, False, None, None, "[]", *required()),
    ]
    with CaptureQueriesContext(connection) as queries:
        ids = dict(bulk.insert(PeriodicTask, COLUMNS, rows, returning=("name", "id")))
    assert len(queries.captured_queries) == 1
    a, b = PeriodicTask.objects.get(pk=ids["a"]), PeriodicTask.objects.get(pk=ids["b"])
    assert (a.enabled, a.priority, a.args, a.interval_id) == (True, 7, '["x", 1]', interval.pk)
    assert a.expires == expires.astimezone(UTC)
    assert (b.enabled, b.expires, b.priority) == (False, None, None)


def test_insert_writes_json_columns_and_delete_takes_many_ids():
    interval = IntervalSchedule.objects.create(every=1, period="hours")
    now = datetime.now(UTC)
    ids = dict(
        bulk.insert(
            PeriodicTask,
            ("name", "task", "interval_id", "enabled", "args", *REQUIRED),
            [
                (f"t{i}", "tasks.print_hello", interval.pk, True, "[]", *required())
                for i in range(3)
            ],
            returning=("name", "id"),
        )
    )
    state = {"kwargs": '{"a":1}', "schedule": {"kind": "interval", "every": 1}}
    bulk.insert(
        ManagedTask,
        (
            "task_id",
            "source_path",
            "source_line",
            "spec_hash",
            "revision",
            "applied_at",
            "applied_state",
        ),
        [(pk, "f.yaml", 3, "h", "", now, state) for pk in ids.values()],
    )
    assert ManagedTask.objects.get(task_id=ids["t0"]).applied_state == state
    # More ids than SQLite binds parameters (32,766): still one statement.
    assert bulk.delete(ManagedTask, "task_id", [*ids.values(), *range(10**6, 10**6 + 40_000)]) == 3
    assert not ManagedTask.objects.exists()


# A value longer than its column: tests/vendors/test_bulk_statements.py (each vendor's answer).
