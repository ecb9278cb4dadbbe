"""The seed's endpoints keep their paths and bodies: the tutorial's requests still work."""

from __future__ import annotations

import pytest
from django_celery_beat.models import PeriodicTask

from tests.api.conftest import HELLO, snapshot

pytestmark = pytest.mark.django_db


def seed_body(name: str = "hello", interval: int = 10, period: str = "seconds") -> dict:
    return {"interval": interval, "period_choice": period, "name": name, "task": HELLO}


@pytest.mark.parametrize(
    "period", ["seconds", "SECONDS", "Minutes", " hours ", "days", "microseconds"]
)
def test_create_takes_the_period_in_any_case(api, period):
    response = api.post("/api/create", seed_body(period=period), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["schedule"] == {"kind": "interval", "every": 10, "period": period.strip().lower()}
    assert (body["name"], body["task"], body["managed"]) == ("hello", HELLO, False)
    row = PeriodicTask.objects.get(pk=body["id"])
    assert (row.interval.every, row.interval.period) == (10, period.strip().lower())


def test_create_takes_a_form_encoded_body_as_curl_sends_it(api):
    response = api.post(
        "/api/create",
        "interval=10&period_choice=seconds&name=form&task=tasks.print_hello",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201, response.content
    assert response.json()["schedule"]["every"] == 10
    assert api.post("/api/create", seed_body(), format="multipart").status_code == 415


def test_json_sent_with_curls_default_form_content_type_is_a_415_with_the_fix(api):
    # `curl -d '{...}'` without -H 'Content-Type: application/json'
    response = api.post(
        "/api/create",
        '{"interval": 10, "period_choice": "seconds", "name": "x", "task": "tasks.print_hello"}',
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415, response.content
    assert "Content-Type: application/json" in response.json()["detail"]
    assert not PeriodicTask.objects.filter(name="x").exists()


def test_update_sets_name_task_and_interval(api):
    created = api.post("/api/create", seed_body(), format="json").json()
    response = api.post(
        "/api/update",
        {
            "id": created["id"],
            "interval": 2,
            "period_choice": "Minutes",
            "name": "renamed",
            "task": "tasks.write_to_file",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == created["id"]
    assert (body["name"], body["task"]) == ("renamed", "tasks.write_to_file")
    assert body["schedule"] == {"kind": "interval", "every": 2, "period": "minutes"}


def test_delete_removes_the_task(api):
    created = api.post("/api/create", seed_body(), format="json").json()
    response = api.post("/api/delete", {"id": created["id"]}, format="json")
    assert response.status_code == 204
    assert not PeriodicTask.objects.filter(pk=created["id"]).exists()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/create", {"period_choice": "seconds", "name": "x", "task": HELLO}, "interval"),
        ("/api/create", {**seed_body(), "interval": 0}, "interval"),
        ("/api/create", {**seed_body(), "interval": -5}, "interval"),
        ("/api/create", {**seed_body(), "interval": 10**30}, "interval"),
        ("/api/create", {**seed_body(), "interval": "ten"}, "interval"),
        (
            "/api/create",
            {**seed_body(), "interval": 1_000_001, "period_choice": "days"},
            "interval",
        ),
        ("/api/create", {**seed_body(), "period_choice": "fortnights"}, "period_choice"),
        ("/api/create", {**seed_body(), "period_choice": None}, "period_choice"),
        ("/api/create", {**seed_body(), "task": "tasks.nope"}, "task"),
        ("/api/create", {**seed_body(), "name": ""}, "name"),
        ("/api/create", {**seed_body(), "name": ["x"]}, "name"),
        ("/api/update", {**seed_body()}, "id"),
        ("/api/update", {**seed_body(), "id": "one"}, "id"),
        ("/api/delete", {}, "id"),
        ("/api/delete", {"id": None}, "id"),
    ],
)
def test_bad_bodies_are_400s_naming_the_field(api, path, body, field):
    before = snapshot()
    response = api.post(path, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert snapshot() == before


def test_unknown_task_name_suggests_the_close_one(api):
    response = api.post("/api/create", {**seed_body(), "task": "tasks.print_helo"}, format="json")
    assert response.status_code == 400
    assert "did you mean 'tasks.print_hello'" in response.json()["task"][0]


def test_duplicate_name_is_a_400(api):
    api.post("/api/create", seed_body("same"), format="json")
    response = api.post("/api/create", seed_body("same"), format="json")
    assert response.status_code == 400
    assert "already exists" in response.json()["name"][0]
    other = api.post("/api/create", seed_body("other"), format="json").json()
    response = api.post("/api/update", {**seed_body("same"), "id": other["id"]}, format="json")
    assert response.status_code == 400 and "name" in response.json()


@pytest.mark.parametrize("task_id", [987654, 2**31, 2**63, 10**30])
def test_unknown_ids_are_404s(api, task_id):
    assert api.post("/api/update", {**seed_body(), "id": task_id}, format="json").status_code == 404
    assert api.post("/api/delete", {"id": task_id}, format="json").status_code == 404


def test_get_is_not_allowed(api):
    assert api.get("/api/create").status_code == 405
