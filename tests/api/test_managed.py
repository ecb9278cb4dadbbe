"""Living beside git: a task declared in a schedule file is read-only in the API (409 naming the
file and line to edit), and its reads say where it is declared."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_celery_beat.models import PeriodicTask

from syncer.db.apply import Audit, apply
from tests.api.conftest import interval_body, snapshot
from tests.helpers import desired_from

pytestmark = pytest.mark.django_db

MESSAGE = "managed by schedules/hello.yaml:3 (revision abc123): edit that file instead"


@pytest.fixture
def managed(make_task, manage) -> dict:
    task = make_task("declared")
    manage(task["id"])
    return task


def attempts(task_id: int) -> list[tuple[str, str, dict]]:
    seed = {
        "interval": 5,
        "period_choice": "seconds",
        "name": "declared",
        "task": "tasks.print_hello",
    }
    return [
        ("put", f"/api/tasks/{task_id}/", interval_body("declared", 99)),
        ("patch", f"/api/tasks/{task_id}/", {"enabled": False}),
        ("patch", f"/api/tasks/{task_id}/", {"priority": "not even valid"}),
        ("delete", f"/api/tasks/{task_id}/", {}),
        ("post", "/api/update", {**seed, "id": task_id}),
        ("post", "/api/delete", {"id": task_id}),
    ]


def test_every_change_is_a_409_naming_the_file_and_nothing_changes(api, managed):
    before = snapshot()
    for method, path, body in attempts(managed["id"]):
        response = getattr(api, method)(path, body, format="json")
        assert response.status_code == 409, (method, path, response.content)
        assert response.json() == {
            "detail": MESSAGE,
            "source": "schedules/hello.yaml:3",
            "revision": "abc123",
        }
    assert snapshot() == before


def test_reads_show_the_source(api, managed):
    body = api.get(f"/api/tasks/{managed['id']}/").json()
    assert body["managed"] is True
    assert body["source"]["location"] == "schedules/hello.yaml:3"
    assert (body["source"]["path"], body["source"]["line"], body["source"]["revision"]) == (
        "schedules/hello.yaml",
        3,
        "abc123",
    )


def test_without_a_revision_the_message_names_the_file_only(api, make_task, manage):
    task = make_task("declared")
    manage(task["id"], path="schedules/a.yaml", line=7, revision="")
    response = api.delete(f"/api/tasks/{task['id']}/")
    assert response.json()["detail"] == "managed by schedules/a.yaml:7: edit that file instead"


def test_a_task_applied_from_a_file_is_refused(api, tmp_path: Path):
    files = {"hello.yaml": "tasks:\n  print-hello:\n    task: tasks.print_hello\n    every: 3s\n"}
    desired = desired_from(tmp_path / "schedules", files)
    apply(desired.tasks, audit=Audit(revision="deadbeef"))
    row = PeriodicTask.objects.get(name="print-hello")
    response = api.patch(f"/api/tasks/{row.pk}/", {"enabled": False}, format="json")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail.endswith("schedules/hello.yaml:2 (revision deadbeef): edit that file instead")
    assert PeriodicTask.objects.get(pk=row.pk).enabled is True


def test_unmanaged_tasks_stay_writable_beside_managed_ones(api, managed, make_task):
    other = make_task("mine")
    assert (
        api.patch(f"/api/tasks/{other['id']}/", {"priority": 5}, format="json").status_code == 200
    )
    assert api.delete(f"/api/tasks/{other['id']}/").status_code == 204
