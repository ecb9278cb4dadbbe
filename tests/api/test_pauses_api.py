"""``POST /api/tasks/{id}/pause`` and ``/resume``: the emergency pause of a declared task, staff
only, through ``syncer.db.pause_writes`` (one transaction, beat told once, the audit log)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from syncer.models import BeatChange, Pause, PauseEvent
from tests.api.conftest import beat_stamp, snapshot

pytestmark = pytest.mark.django_db

BEAT_TABLE = PeriodicTasks._meta.db_table


@pytest.fixture
def declared(make_task, manage) -> int:
    task_id = make_task("declared")["id"]
    manage(task_id)
    return task_id


def pause(api, task_id, **body):
    return api.post(f"/api/tasks/{task_id}/pause", {"reason": "downstream down", **body}, "json")


def bumps(queries: CaptureQueriesContext) -> int:
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
        and BEAT_TABLE in query["sql"]
    )


def test_a_pause_disables_the_task_tells_beat_once_and_is_logged(api, declared):
    before = beat_stamp()
    with CaptureQueriesContext(connection) as queries:
        response = pause(api, declared, **{"for": "2h"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == declared and body["enabled"] is False
    assert body["pause"]["reason"] == "downstream down"
    assert body["pause"]["paused_by"] == "ops"
    row = Pause.objects.get(task_id=declared)
    assert (
        timedelta(hours=2) - timedelta(minutes=1) < row.until - row.paused_at <= timedelta(hours=2)
    )
    assert PeriodicTask.objects.get(pk=declared).enabled is False
    assert bumps(queries) == 1 and beat_stamp() > before
    logged = BeatChange.objects.filter(stamp=PeriodicTasks.last_change())
    assert list(logged.values_list("task_id", flat=True)) == [declared]
    event = PauseEvent.objects.get()
    assert (event.action, event.name, event.by, event.reason) == (
        "pause",
        "declared",
        "ops",
        "downstream down",
    )


def test_reads_show_the_pause_and_the_list_filters_on_it(api, declared, make_task):
    other = make_task("other")["id"]
    assert api.get(f"/api/tasks/{declared}/").json()["pause"] is None
    until = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    assert pause(api, declared, until=until.isoformat()).status_code == 200
    shown = api.get(f"/api/tasks/{declared}/").json()["pause"]
    assert set(shown) == {"reason", "paused_by", "paused_at", "until"}
    assert shown["until"] is not None
    assert timezone.datetime.fromisoformat(shown["until"]) == until
    assert [t["id"] for t in api.get("/api/tasks/", {"paused": "true"}).json()["results"]] == [
        declared
    ]
    listed = api.get("/api/tasks/", {"paused": "false"}).json()["results"]
    assert [t["id"] for t in listed] == [other] and listed[0]["pause"] is None
    assert "paused" in api.get("/api/tasks/", {"paused": "maybe"}).json()


def test_resume_enables_the_task_again_and_is_logged(api, declared):
    assert pause(api, declared, indefinitely=True).status_code == 200
    assert Pause.objects.get(task_id=declared).until is None
    before = beat_stamp()
    with CaptureQueriesContext(connection) as queries:
        response = api.post(f"/api/tasks/{declared}/resume")
    assert response.status_code == 200, response.content
    assert response.json()["enabled"] is True and response.json()["pause"] is None
    assert not Pause.objects.exists()
    assert bumps(queries) == 1 and beat_stamp() > before
    assert list(PauseEvent.objects.order_by("id").values_list("action", "by")) == [
        ("pause", "ops"),
        ("resume", "ops"),
    ]


def test_a_trailing_slash_is_accepted(api, declared):
    assert (
        api.post(f"/api/tasks/{declared}/pause/", {"reason": "r", "for": "1h"}, "json").status_code
        == 200
    )
    assert api.post(f"/api/tasks/{declared}/resume/").status_code == 200


def test_pausing_twice_replaces_the_reason_and_the_end(api, declared):
    assert pause(api, declared, **{"for": "1h"}).status_code == 200
    stamp = beat_stamp()
    response = api.post(
        f"/api/tasks/{declared}/pause", {"reason": "still down", "indefinitely": True}, "json"
    )
    assert response.status_code == 200
    assert response.json()["pause"]["reason"] == "still down"
    assert response.json()["pause"]["until"] is None
    assert Pause.objects.count() == 1
    assert beat_stamp() == stamp  # already disabled: nothing for beat to reload
    assert PauseEvent.objects.count() == 2


@pytest.mark.parametrize("path", ["pause", "resume"])
def test_only_staff_may_pause_or_resume(anon, reader_api, declared, path):
    before = snapshot()
    assert (
        anon.post(f"/api/tasks/{declared}/{path}", {"reason": "r", "for": "1h"}, "json").status_code
        == 401
    )
    response = reader_api.post(
        f"/api/tasks/{declared}/{path}", {"reason": "r", "for": "1h"}, "json"
    )
    assert response.status_code == 403
    assert snapshot() == before and not Pause.objects.exists() and not PauseEvent.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"for": "1h"}, "reason", "This field is required."),
        ({"reason": "   ", "for": "1h"}, "reason", "This field may not be blank."),
        ({"reason": "r" * 501, "for": "1h"}, "reason", "no more than 500 characters"),
        ({"reason": "r"}, "non_field_errors", 'say how long the pause lasts: "for" DURATION'),
        (
            {"reason": "r", "for": "1h", "indefinitely": True},
            "non_field_errors",
            'give only one of "for", "until" and "indefinitely": true',
        ),
        (
            {"reason": "r", "for": "1h", "until": "2999-01-01T00:00Z"},
            "non_field_errors",
            "only one",
        ),
        ({"reason": "r", "for": "soon"}, "for", "cannot read 'soon' as a duration"),
        ({"reason": "r", "for": "0s"}, "for", "must be greater than zero"),
        ({"reason": "r", "until": "2020-01-01T00:00:00+00:00"}, "until", "that moment has passed"),
        ({"reason": "r", "until": "2999-01-01T00:00"}, "until", "give a UTC offset"),
        ({"reason": "r", "until": "tomorrow"}, "until", "expected an ISO 8601 date-time"),
        ({"reason": "r", "until": "9999-12-31T23:00-05:00"}, "until", "out of range"),
        ({"reason": "r", "indefinitely": "perhaps"}, "indefinitely", "Must be a valid boolean."),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, declared, body, field, message):
    before = snapshot()
    response = api.post(f"/api/tasks/{declared}/pause", body, "json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert snapshot() == before and not Pause.objects.exists()


def test_a_body_that_is_not_json_is_refused(api, declared):
    response = api.post(f"/api/tasks/{declared}/pause", "reason=r", content_type="text/plain")
    assert response.status_code == 415


@pytest.mark.parametrize("path", ["pause", "resume"])
@pytest.mark.parametrize("task_id", ["999999", "not-a-number"])
def test_an_unknown_task_is_a_404(api, declared, path, task_id):
    response = api.post(f"/api/tasks/{task_id}/{path}", {"reason": "r", "for": "1h"}, "json")
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("path", ["pause", "resume"])
def test_a_task_no_file_declares_is_a_409(api, make_task, path):
    mine = make_task("by-hand")["id"]
    before = snapshot()
    response = api.post(f"/api/tasks/{mine}/{path}", {"reason": "r", "for": "1h"}, "json")
    assert response.status_code == 409
    assert "'by-hand': not declared in a schedule file" in response.json()["detail"]
    assert snapshot() == before and not PauseEvent.objects.exists()


def test_resuming_a_task_that_is_not_paused_is_a_409(api, declared):
    before = snapshot()
    response = api.post(f"/api/tasks/{declared}/resume")
    assert response.status_code == 409
    assert response.json() == {"detail": "not paused: 'declared'"}
    assert snapshot() == before and not PauseEvent.objects.exists()
