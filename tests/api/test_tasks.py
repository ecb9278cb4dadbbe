"""``/api/tasks/``: every operation's success path, filters and pages, PUT vs PATCH."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from tests.api.conftest import HELLO, interval_body

pytestmark = pytest.mark.django_db

FULL = {
    "args": [1, "two", {"three": 3}],
    "kwargs": {"path": "/tmp/x", "text": "hi"},
    "queue": "files",
    "exchange": "ex",
    "routing_key": "rk",
    "priority": 7,
    "headers": {"h": 1},
    "enabled": False,
    "expire_seconds": 30,
    "start_time": "2030-01-02T03:04:05Z",
    "one_off": True,
    "description": "every field",
}
CRON = {
    "kind": "crontab",
    "minute": "*/15",
    "hour": "9-17",
    "day_of_month": "*",
    "month_of_year": "*",
    "day_of_week": "mon-fri",
    "timezone": "Europe/Berlin",
}


def test_create_with_every_field_and_read_it_back(api):
    response = api.post("/api/tasks/", interval_body("full", **FULL), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {key: body[key] for key in FULL} == FULL
    assert (body["managed"], body["source"], body["last_run_at"]) == (False, None, None)
    row = PeriodicTask.objects.get(pk=body["id"])
    assert json.loads(row.kwargs) == FULL["kwargs"] and row.queue == "files"
    assert api.get(f"/api/tasks/{body['id']}/").json() == body


def test_create_a_crontab_task_with_its_time_zone(api):
    response = api.post(
        "/api/tasks/", {"name": "cron", "task": HELLO, "schedule": CRON}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["schedule"] == CRON
    row = PeriodicTask.objects.get(name="cron")
    assert str(row.crontab.timezone) == "Europe/Berlin" and row.interval is None


def test_crontab_fields_default_to_star_and_the_zone_to_celerys(api, settings):
    response = api.post(
        "/api/tasks/",
        {"name": "c", "task": HELLO, "schedule": {"kind": "crontab", "minute": "0"}},
        format="json",
    )
    assert response.json()["schedule"] == {
        "kind": "crontab", "minute": "0", "hour": "*", "day_of_month": "*",
        "month_of_year": "*", "day_of_week": "*", "timezone": settings.CELERY_TIMEZONE,
    }  # fmt: skip


def test_put_replaces_and_omitted_optional_fields_take_their_defaults(api, make_task):
    task = make_task("put", **FULL)
    response = api.put(
        f"/api/tasks/{task['id']}/", interval_body("put", 5, "minutes", queue="q2"), format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["schedule"] == {"kind": "interval", "every": 5, "period": "minutes"}
    assert (body["queue"], body["args"], body["kwargs"], body["priority"]) == ("q2", [], {}, None)
    assert (body["enabled"], body["one_off"], body["description"]) == (True, False, "")


def test_patch_changes_only_what_it_names(api, make_task):
    task = make_task("patch", **FULL)
    response = api.patch(f"/api/tasks/{task['id']}/", {"priority": 9, "queue": ""}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["priority"], body["queue"]) == (9, None)
    unchanged = {k: v for k, v in FULL.items() if k not in ("priority", "queue")}
    assert {key: body[key] for key in unchanged} == unchanged
    assert body["schedule"] == task["schedule"]


def test_patch_to_a_crontab_and_back(api, make_task):
    task = make_task("switch")
    body = api.patch(f"/api/tasks/{task['id']}/", {"schedule": CRON}, format="json").json()
    assert body["schedule"] == CRON
    body = api.patch(
        f"/api/tasks/{task['id']}/", {"schedule": task["schedule"]}, format="json"
    ).json()
    assert body["schedule"] == task["schedule"]
    row = PeriodicTask.objects.get(pk=task["id"])
    assert row.crontab is None and row.interval is not None


def test_delete(api, make_task):
    task = make_task("gone")
    assert api.delete(f"/api/tasks/{task['id']}/").status_code == 204
    assert api.get(f"/api/tasks/{task['id']}/").status_code == 404
    assert not PeriodicTask.objects.filter(pk=task["id"]).exists()


def test_list_is_paginated(api):
    schedule = IntervalSchedule.objects.create(every=1, period="minutes")
    PeriodicTask.objects.bulk_create(
        [PeriodicTask(name=f"t{i:03}", task=HELLO, interval=schedule) for i in range(55)]
    )
    first = api.get("/api/tasks/").json()
    assert first["count"] == 55 and len(first["results"]) == 50 and first["next"]
    second = api.get("/api/tasks/", {"page": 2}).json()
    assert [t["name"] for t in second["results"]] == [f"t{i:03}" for i in range(50, 55)]
    assert api.get("/api/tasks/", {"page": 9}).status_code == 404
    assert api.get("/api/tasks/", {"page": "x"}).status_code == 404


def test_list_filters(api, make_task, manage):
    make_task("alpha", queue="files")
    beta = make_task("beta", enabled=False)
    gamma = make_task("Gamma-cron")
    api.patch(
        f"/api/tasks/{gamma['id']}/",
        {"schedule": CRON, "task": "tasks.write_to_file"},
        format="json",
    )
    manage(beta["id"])

    def names(**params: str) -> list[str]:
        response = api.get("/api/tasks/", params)
        assert response.status_code == 200, response.content
        return [t["name"] for t in response.json()["results"]]

    assert names() == ["alpha", "beta", "Gamma-cron"]
    assert names(enabled="false") == ["beta"]
    assert names(enabled="true", queue="files") == ["alpha"]
    assert names(managed="true") == ["beta"] and names(managed="false") == ["alpha", "Gamma-cron"]
    assert names(task="tasks.write_to_file") == ["Gamma-cron"]
    assert names(kind="crontab") == ["Gamma-cron"] and names(kind="solar") == []
    assert names(search="GAMMA") == ["Gamma-cron"] and names(search="a") == [
        "alpha",
        "beta",
        "Gamma-cron",
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"enabled": "maybe"}, "enabled"),
        ({"kind": "weekly"}, "kind"),
        ({"search": "a\x00b"}, "search"),
        ({"task": "t" * 201}, "task"),
    ],
)
def test_bad_filters_are_400s(api, params, field):
    response = api.get("/api/tasks/", params)
    assert response.status_code == 400 and field in response.json()


def test_read_shows_runtime_fields_of_rows_made_elsewhere(api):
    schedule = IntervalSchedule.objects.create(every=3, period="hours")
    row = PeriodicTask.objects.create(
        name="by-hand",
        task=HELLO,
        interval=schedule,
        headers="not json",
        last_run_at=timezone.now(),
    )
    body = api.get(f"/api/tasks/{row.pk}/").json()
    assert body["headers"] == "not json" and body["last_run_at"] is not None
    assert body["schedule"] == {"kind": "interval", "every": 3, "period": "hours"}
