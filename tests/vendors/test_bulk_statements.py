"""syncer.db.bulk on the configured vendor: one statement whatever the number of rows, the values as
the ORM reads them back, ids without ``RETURNING`` (MySQL 8), and a payload split only past the
server's packet limit."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import IntervalSchedule, PeriodicTask, SolarSchedule

from syncer.db import bulk, jsonrows
from syncer.models import ManagedTask

pytestmark = pytest.mark.django_db

COLUMNS = (
    "name", "task", "interval_id", "enabled", "one_off", "expires", "priority", "args",
    "kwargs", "headers", "total_run_count", "date_changed", "description",
)  # fmt: skip
NOW = datetime(2030, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


def rows(n: int, interval: int, prefix: str = "t") -> list[tuple]:
    return [
        (f"{prefix}{i}", "tasks.print_hello", interval, i % 2 == 0, False, None, i % 10,
         f'["é😀\\"{i}"]', "{}", "{}", 0, NOW, "")
        for i in range(n)
    ]  # fmt: skip


def statements(fn) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        out = fn()
    return len(queries.captured_queries), out


@pytest.mark.parametrize("n", [3, 3_000])
def test_insert_update_delete_are_one_statement_whatever_n(n):
    interval = IntervalSchedule.objects.create(every=1, period="minutes").pk
    count, created = statements(
        lambda: bulk.insert(PeriodicTask, COLUMNS, rows(n, interval), returning=("name", "id"))
    )
    assert count == 1 and len(created) == n  # type: ignore[arg-type]
    ids = dict(created)  # type: ignore[arg-type]
    changed = [(ids[f"t{i}"], f"u{i}", True, NOW + timedelta(days=i)) for i in range(n)]
    count, matched = statements(
        lambda: bulk.update(PeriodicTask, "id", ("name", "enabled", "last_run_at"), changed)
    )
    assert (count, matched) == (1, n)
    row = PeriodicTask.objects.get(pk=ids["t1"])
    assert (row.name, row.enabled, row.last_run_at) == ("u1", True, NOW + timedelta(days=1))
    assert row.args == '["é😀\\"1"]' and row.priority == 1 and row.expires is None
    count, deleted = statements(lambda: bulk.delete(PeriodicTask, "id", list(ids.values())))
    assert (count, deleted) == (1, n)
    assert not PeriodicTask.objects.exists()


def test_values_of_every_type_round_trip():
    interval = IntervalSchedule.objects.create(every=2, period="hours").pk
    expires = datetime(2031, 1, 2, 3, 4, 5, 678901, tzinfo=timezone(timedelta(hours=-5)))
    ids = dict(
        bulk.insert(
            PeriodicTask,
            COLUMNS,
            [("a", "t", interval, False, True, expires, None, "[]", '{"k": [1, null]}', "{}", 7,
              NOW, "ünïcode ' \\ \" text")],
            returning=("name", "id"),
        )
    )  # fmt: skip
    task = PeriodicTask.objects.get(pk=ids["a"])
    assert (task.enabled, task.one_off, task.priority, task.total_run_count) == (
        False,
        True,
        None,
        7,
    )
    assert task.expires == expires and task.date_changed == NOW
    assert task.kwargs == '{"k": [1, null]}' and task.description == "ünïcode ' \\ \" text"
    state = {"schedule": {"kind": "interval", "every": 2}, "enabled": True, "args": "[]"}
    bulk.insert(
        ManagedTask,
        ("task_id", "source_path", "source_line", "spec_hash", "revision", "applied_at",
         "applied_state"),
        [(ids["a"], "f.yaml", 3, "h", "", NOW, state)],
    )  # fmt: skip
    assert ManagedTask.objects.get(task_id=ids["a"]).applied_state == state
    assert ManagedTask.objects.filter(applied_state__enabled=True).count() == 1
    solar = bulk.insert(
        SolarSchedule,
        ("event", "latitude", "longitude"),
        [("sunrise", Decimal("48.856600"), Decimal("-2.352200"))],
        returning=("id",),
    )
    row = SolarSchedule.objects.get(pk=solar[0][0])
    assert (row.latitude, row.longitude) == (Decimal("48.856600"), Decimal("-2.352200"))


def test_an_insert_that_returns_nothing_writes_the_same_values(vendor):
    """On PostgreSQL (psycopg 3) such an insert is a streamed COPY: the same values result."""
    interval = IntervalSchedule.objects.create(every=2, period="hours").pk
    expires = datetime(2031, 1, 2, 3, 4, 5, 678901, tzinfo=timezone(timedelta(hours=-5)))
    values = (interval, False, True, expires, None, "[]", '{"k": [1, null]}', "{}", 7, NOW,
              "ünïcode ' \\ \" text\ttab\nline")  # fmt: skip
    ids = dict(bulk.insert(PeriodicTask, COLUMNS, [("a", "t", *values)], returning=("name", "id")))
    seen: list[tuple[str, int]] = []

    def watch(execute, sql, params, many, context):  # an execute wrapper sees every statement
        result = execute(sql, params, many, context)
        seen.append((sql.split()[0], context["cursor"].rowcount))
        return result

    with connection.execute_wrapper(watch):
        count, _ = statements(lambda: bulk.insert(PeriodicTask, COLUMNS, [("b", "t", *values)]))
    assert count == 1 and len(seen) == 1 and seen[0][1] == 1
    fields = [c for c in COLUMNS if c != "name"]
    a, b = (PeriodicTask.objects.values_list(*fields).get(name=n) for n in ("a", "b"))
    assert a == b and b[-1] == "ünïcode ' \\ \" text\ttab\nline"
    state = {"kwargs": {"k": 'é \\ "', "n": [1.5, None, True]}, "schedule": {"every": 2}}
    bulk.insert(ManagedTask, ("task_id", "source_path", "source_line", "spec_hash", "revision",
                              "applied_at", "applied_state"),
                [(ids["a"], "f.yaml", 3, "h", "", NOW, state)])  # fmt: skip
    entry = ManagedTask.objects.get(task_id=ids["a"])
    assert (entry.applied_state, entry.applied_at) == (state, NOW)
    bulk.insert(SolarSchedule, ("event", "latitude", "longitude"),
                [("sunset", Decimal("48.856600"), Decimal("-2.352200"))])  # fmt: skip
    row = SolarSchedule.objects.get(event="sunset")
    assert (row.latitude, row.longitude) == (Decimal("48.856600"), Decimal("-2.352200"))


def test_without_returning_ids_are_read_back_in_one_more_statement(monkeypatch, vendor):
    """MySQL 8 has no INSERT ... RETURNING (MariaDB has): its path, run on MariaDB."""
    if vendor != "mysql":
        pytest.skip("reading ids back after the insert is MySQL's path")
    interval = IntervalSchedule.objects.create(every=3, period="minutes").pk
    bulk.insert(PeriodicTask, COLUMNS, rows(5, interval, "old"))
    mysql8 = dataclasses.replace(jsonrows.DIALECTS["mysql"], returning=lambda c: False)
    monkeypatch.setitem(jsonrows.DIALECTS, "mysql", mysql8)
    count, created = statements(
        lambda: bulk.insert(
            PeriodicTask, COLUMNS, rows(50, interval, "new"), returning=("name", "id")
        )
    )
    assert count == 2
    ids = dict(created)  # type: ignore[arg-type]
    assert set(ids) == {f"new{i}" for i in range(50)}  # none of the older rows
    assert dict(PeriodicTask.objects.filter(name__startswith="new").values_list("name", "id")) == {
        name: int(pk) for name, pk in ids.items()
    }


def test_a_payload_past_the_packet_limit_is_split_and_nothing_is_lost(monkeypatch):
    vendor = jsonrows.dialect(connection)
    monkeypatch.setattr(jsonrows, "SAFE_PAYLOAD_BYTES", 0)
    monkeypatch.setitem(
        jsonrows.DIALECTS,
        connection.vendor,
        dataclasses.replace(vendor, packet_limit=lambda c: 4_000),
    )
    interval = IntervalSchedule.objects.create(every=4, period="minutes").pk
    count, created = statements(
        lambda: bulk.insert(PeriodicTask, COLUMNS, rows(200, interval), returning=("name", "id"))
    )
    assert 5 <= count <= 20 and len(created) == 200  # type: ignore[arg-type]
    ids = [pk for _, pk in created]  # type: ignore[union-attr]
    assert bulk.delete(PeriodicTask, "id", ids) == 200
    assert not PeriodicTask.objects.exists()


def test_split_keeps_every_row_in_order_and_refuses_a_row_too_large():
    rows_ = [[i, "x" * (i % 50)] for i in range(500)]
    payload = jsonrows.dumps(rows_)
    parts = jsonrows.split(rows_, payload, 2_000)
    assert len(parts) > 1 and all(len(p.encode()) <= 2_000 for p in parts)
    import json

    assert [row for part in parts for row in json.loads(part)] == rows_
    assert jsonrows.split(rows_, payload, len(payload)) == [payload]
    with pytest.raises(ValueError, match="packet limit"):
        jsonrows.split([["x" * 100]], jsonrows.dumps([["x" * 100]]), 50)


def test_a_value_longer_than_its_column_is_refused_not_cut(vendor):
    interval = IntervalSchedule.objects.create(every=5, period="minutes").pk
    too_long = [("n" * 201, *row[1:]) for row in rows(1, interval)]
    if vendor == "sqlite":  # SQLite does not enforce varchar lengths: the value is kept whole
        bulk.insert(PeriodicTask, COLUMNS, too_long)
        assert PeriodicTask.objects.get().name == "n" * 201
        return
    with pytest.raises(Exception, match="too long"):
        bulk.insert(PeriodicTask, COLUMNS, too_long)
