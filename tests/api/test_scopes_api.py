"""The owning scope in the API and the admin: the task JSON says which scope manages a task, the
list filters on it, a write to a task of another scope answers 409 naming that scope; the admin
shows and filters it beside the file:line."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_celery_beat.models import PeriodicTask

from syncer.models import ManagedTask

pytestmark = pytest.mark.django_db

TASKS = "/admin/django_celery_beat/periodictask/"


@pytest.fixture
def three(make_task, manage) -> dict[str, int]:
    """A task of scope payments, one of the default scope, one made by hand."""
    ids = {name: make_task(name)["id"] for name in ("pay-1", "plain", "by-hand")}
    manage(ids["pay-1"], path="pay/tasks.yaml", line=12, revision="r9")
    ManagedTask.objects.filter(task_id=ids["pay-1"]).update(scope="payments")
    manage(ids["plain"])
    return ids


def test_the_task_json_names_the_owning_scope(api, three):
    body = api.get(f"/api/tasks/{three['pay-1']}/").json()
    assert (body["scope"], body["source"]["scope"], body["source"]["location"]) == (
        "payments",
        "payments",
        "pay/tasks.yaml:12",
    )
    assert api.get(f"/api/tasks/{three['plain']}/").json()["scope"] == "default"
    assert api.get(f"/api/tasks/{three['by-hand']}/").json()["scope"] is None


def test_the_list_filters_on_the_scope(api, three):
    names = [t["name"] for t in api.get("/api/tasks/", {"scope": "payments"}).json()["results"]]
    assert names == ["pay-1"]
    assert api.get("/api/tasks/", {"scope": "nobody"}).json()["results"] == []


def test_a_write_to_a_task_of_a_scope_is_a_409_naming_it(api, three):
    response = api.patch(f"/api/tasks/{three['pay-1']}/", {"enabled": False}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "managed by scope `payments`, pay/tasks.yaml:12 (revision r9): edit that file "
        "instead",
        "source": "pay/tasks.yaml:12",
        "revision": "r9",
        "scope": "payments",
    }
    assert PeriodicTask.objects.get(pk=three["pay-1"]).enabled is True


def test_the_admin_shows_and_filters_the_scope(three):
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw"))
    page = client.get(TASKS).content.decode()
    assert "ownership scope" in page and "payments" in page
    only = client.get(TASKS, {"scope": "payments"}).content.decode()
    assert "pay-1" in only and "plain" not in only and "by-hand" not in only
    detail = client.get(f"{TASKS}{three['pay-1']}/change/").content.decode()
    assert "pay/tasks.yaml:12 (revision r9)" in detail and "payments" in detail
    ledger = client.get("/admin/syncer/managedtask/", {"scope": "payments"}).content.decode()
    assert "pay-1" in ledger and "plain" not in ledger
