"""Authentication on every endpoint: tokens and sessions; reads for users, writes for staff."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import interval_body, snapshot, token_client

pytestmark = pytest.mark.django_db

SEED = {"interval": 5, "period_choice": "seconds", "name": "n", "task": "tasks.print_hello"}


def reads(task_id: int) -> list[tuple[str, str, dict]]:
    return [("get", "/api/tasks/", {}), ("get", f"/api/tasks/{task_id}/", {})]


def writes(task_id: int) -> list[tuple[str, str, dict]]:
    return [
        ("post", "/api/tasks/", interval_body("new")),
        ("put", f"/api/tasks/{task_id}/", interval_body("x")),
        ("patch", f"/api/tasks/{task_id}/", {"enabled": False}),
        ("delete", f"/api/tasks/{task_id}/", {}),
        ("post", "/api/create", SEED),
        ("post", "/api/update", {**SEED, "id": task_id}),
        ("post", "/api/delete", {"id": task_id}),
    ]


def call(client: APIClient, method: str, path: str, body: dict):
    return getattr(client, method)(path, body, format="json")


@pytest.mark.parametrize("client_kind", ["anonymous", "bad token"])
def test_without_valid_credentials_everything_is_a_401_and_nothing_changes(make_task, client_kind):
    task = make_task("t")
    client = APIClient()
    if client_kind == "bad token":
        client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    before = snapshot()
    for method, path, body in reads(task["id"]) + writes(task["id"]):
        response = call(client, method, path, body)
        assert response.status_code == 401, (method, path, response.content)
        assert response["WWW-Authenticate"] == "Token"
    assert snapshot() == before


def test_a_user_who_is_not_staff_reads_but_cannot_write(reader_api, make_task):
    task = make_task("t")
    before = snapshot()
    for method, path, body in reads(task["id"]):
        assert call(reader_api, method, path, body).status_code == 200
    for method, path, body in writes(task["id"]):
        response = call(reader_api, method, path, body)
        assert response.status_code == 403, (method, path, response.content)
        assert "staff" in response.json()["detail"]
    assert snapshot() == before


def test_tokens_from_the_management_command_work(staff):
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    call_command("drf_create_token", staff.username)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=staff).key}")
    assert client.get("/api/tasks/").status_code == 200


def test_session_login_serves_the_browsable_api_and_enforces_csrf(staff, make_task):
    make_task("t")
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="ops", password="pw")
    page = client.get("/api/tasks/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and b"Task" in page.content
    assert client.get("/api/tasks/", format="json").status_code == 200
    before = snapshot()
    response = client.post("/api/tasks/", interval_body("csrf"), format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert snapshot() == before


def test_the_schema_and_its_docs_are_public(anon):
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/tasks/{id}/" in schema.json()["paths"] and "/api/create" in schema.json()["paths"]
    assert anon.get("/api/docs/").status_code == 200


def test_staff_token_client_writes(staff):
    client = token_client(staff)
    assert client.post("/api/tasks/", interval_body("ok"), format="json").status_code == 201
