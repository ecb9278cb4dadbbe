"""The write rules shared with ``apply``: schedule rows are never mutated, beat is told once per
write, a no-op writes nothing, and the next run is counted from the change."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask, PeriodicTasks

from syncer.core.errors import TemporaryFault
from syncer.db import lock
from syncer.models import ManagedSchedule
from tests.api.conftest import beat_stamp, interval_body, snapshot

pytestmark = pytest.mark.django_db


def schedule_rows() -> list[tuple[int, int, str]]:
    return list(IntervalSchedule.objects.order_by("id").values_list("id", "every", "period"))


def test_two_tasks_on_one_interval_share_the_row(make_task):
    a, b = make_task("a", 10), make_task("b", 10)
    rows = PeriodicTask.objects.filter(pk__in=[a["id"], b["id"]]).values_list(
        "interval_id", flat=True
    )
    assert len(set(rows)) == 1 and IntervalSchedule.objects.count() == 1


@pytest.mark.parametrize("how", ["patch", "put", "seed"])
def test_changing_one_tasks_interval_leaves_the_other_and_the_shared_row_alone(api, make_task, how):
    a, b = make_task("a", 10), make_task("b", 10)
    shared = PeriodicTask.objects.get(pk=a["id"]).interval_id
    b_before = api.get(f"/api/tasks/{b['id']}/").json()
    if how == "patch":
        response = api.patch(
            f"/api/tasks/{a['id']}/",
            {"schedule": {"kind": "interval", "every": 20, "period": "seconds"}},
            format="json",
        )
    elif how == "put":
        response = api.put(f"/api/tasks/{a['id']}/", interval_body("a", 20), format="json")
    else:
        response = api.post(
            "/api/update",
            {
                "id": a["id"],
                "interval": 20,
                "period_choice": "seconds",
                "name": "a",
                "task": "tasks.print_hello",
            },
            format="json",
        )
    assert response.status_code == 200, response.content
    assert IntervalSchedule.objects.filter(pk=shared).values_list("every", "period").get() == (
        10,
        "seconds",
    )
    assert PeriodicTask.objects.get(pk=b["id"]).interval_id == shared
    assert api.get(f"/api/tasks/{b['id']}/").json() == b_before
    assert PeriodicTask.objects.get(pk=a["id"]).interval_id != shared


def test_a_changed_schedule_reuses_an_equal_existing_row(api, make_task):
    make_task("a", 10)
    b = make_task("b", 30)
    ten = PeriodicTask.objects.get(name="a").interval_id
    api.patch(
        f"/api/tasks/{b['id']}/",
        {"schedule": {"kind": "interval", "every": 10, "period": "seconds"}},
        format="json",
    )
    assert PeriodicTask.objects.get(pk=b["id"]).interval_id == ten
    # the 30 s row, made by the API and now unused, is pruned; rows made by others never are
    assert schedule_rows() == [(ten, 10, "seconds")]


def test_rows_made_by_others_are_never_pruned(api, make_task):
    theirs = IntervalSchedule.objects.create(every=30, period="seconds")
    task = make_task("a", 30)
    assert PeriodicTask.objects.get(pk=task["id"]).interval_id == theirs.pk  # reused, not copied
    api.delete(f"/api/tasks/{task['id']}/")
    assert IntervalSchedule.objects.filter(pk=theirs.pk).exists()
    assert not ManagedSchedule.objects.filter(schedule_id=theirs.pk).exists()


def test_crontab_rows_are_shared_by_value_including_the_zone(api):
    def create(name: str, zone: str) -> int:
        body = {
            "name": name,
            "task": "tasks.print_hello",
            "schedule": {"kind": "crontab", "minute": "0", "hour": "3", "timezone": zone},
        }
        return api.post("/api/tasks/", body, format="json").json()["id"]

    ids = [create("a", "UTC"), create("b", "UTC"), create("c", "Asia/Tokyo")]
    rows = [PeriodicTask.objects.get(pk=i).crontab_id for i in ids]
    assert rows[0] == rows[1] != rows[2] and CrontabSchedule.objects.count() == 2


def test_every_write_advances_beats_stamp(api, make_task):
    stamps = []

    def after(response) -> None:
        assert response.status_code < 300, response.content
        stamps.append(beat_stamp())

    after(api.post("/api/tasks/", interval_body("t"), format="json"))
    task_id = PeriodicTask.objects.get(name="t").pk
    after(api.patch(f"/api/tasks/{task_id}/", {"priority": 1}, format="json"))
    after(api.put(f"/api/tasks/{task_id}/", interval_body("t", 3), format="json"))
    after(
        api.post(
            "/api/create",
            {"interval": 1, "period_choice": "hours", "name": "s", "task": "tasks.print_hello"},
            format="json",
        )
    )
    seed_id = PeriodicTask.objects.get(name="s").pk
    after(
        api.post(
            "/api/update",
            {
                "id": seed_id,
                "interval": 2,
                "period_choice": "hours",
                "name": "s",
                "task": "tasks.print_hello",
            },
            format="json",
        )
    )
    after(api.post("/api/delete", {"id": seed_id}, format="json"))
    after(api.delete(f"/api/tasks/{task_id}/"))
    assert None not in stamps
    assert all(later > earlier for earlier, later in itertools.pairwise(stamps))


def test_the_stamp_passes_a_clock_that_ran_ahead(api, make_task):
    task = make_task("t")
    future = timezone.now() + timedelta(hours=1)
    PeriodicTasks.objects.filter(ident=1).update(last_update=future)
    api.patch(f"/api/tasks/{task['id']}/", {"priority": 3}, format="json")
    assert beat_stamp() > future


def test_a_patch_that_changes_nothing_writes_nothing(api, make_task):
    task = make_task("same", queue="q")
    stamp = beat_stamp()
    with CaptureQueriesContext(connection) as queries:
        response = api.patch(
            f"/api/tasks/{task['id']}/", {"queue": "q", "name": "same"}, format="json"
        )
    assert response.status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "syncer_writelock" not in q["sql"]  # taking the apply lock (MySQL/MariaDB, SQLite)
    ]
    assert writes == [] and beat_stamp() == stamp


def test_next_run_counts_from_a_schedule_change_and_disabling_clears_it(api, make_task):
    task = make_task("t")
    PeriodicTask.objects.filter(pk=task["id"]).update(
        last_run_at=timezone.now() - timedelta(days=1)
    )
    before = timezone.now()
    body = api.patch(
        f"/api/tasks/{task['id']}/",
        {"schedule": {"kind": "interval", "every": 1, "period": "hours"}},
        format="json",
    ).json()
    assert body["last_run_at"] is not None
    assert PeriodicTask.objects.get(pk=task["id"]).last_run_at >= before
    body = api.patch(f"/api/tasks/{task['id']}/", {"enabled": False}, format="json").json()
    assert body["last_run_at"] is None


def test_a_busy_apply_lock_is_a_503_and_nothing_changes(api, make_task, monkeypatch):
    task = make_task("t")
    before = snapshot()

    def busy(cursor: object, timeout: float) -> None:
        raise TemporaryFault("another apply holds the schedule lock (waited 60 s)")

    # A real wait for a real holder, on every vendor: tests/vendors/test_lock_processes.py.
    monkeypatch.setitem(lock.LOCKINGS, connection.vendor, lock.Locking(busy, lambda exc: False))
    response = api.patch(f"/api/tasks/{task['id']}/", {"priority": 1}, format="json")
    assert response.status_code == 503
    assert "another apply holds the schedule lock" in response.json()["detail"]
    assert snapshot() == before
