"""API test fixtures: users of each kind with real tokens, clients speaking HTTP to the project,
and a way to make a task managed by the syncer (a ledger row, as ``apply`` writes it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import PeriodicTask, PeriodicTasks
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from syncer.models import ManagedTask

HELLO = "tasks.print_hello"


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """Users are made per test: skip the deliberately slow password hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def token_client(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def staff(db: Any) -> User:
    return User.objects.create_user("ops", password="pw", is_staff=True)


@pytest.fixture
def reader(db: Any) -> User:
    return User.objects.create_user("viewer", password="pw")


@pytest.fixture
def api(staff: User) -> APIClient:
    """A staff user's client, with a token."""
    return token_client(staff)


@pytest.fixture
def reader_api(reader: User) -> APIClient:
    return token_client(reader)


@pytest.fixture
def anon(db: Any) -> APIClient:
    return APIClient()


def interval_body(
    name: str, every: int = 10, period: str = "seconds", **fields: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "task": HELLO,
        "schedule": {"kind": "interval", "every": every, "period": period},
        **fields,
    }


@pytest.fixture
def make_task(api: APIClient) -> Callable[..., dict[str, Any]]:
    """Create a task through the API; returns its JSON."""

    def make(name: str, every: int = 10, period: str = "seconds", **fields: Any) -> dict[str, Any]:
        response = api.post(
            "/api/tasks/", interval_body(name, every, period, **fields), format="json"
        )
        assert response.status_code == 201, response.content
        return response.json()

    return make


@pytest.fixture
def manage() -> Callable[..., ManagedTask]:
    """Mark a task as declared in a file, as ``apply`` does."""

    def mark(
        task_id: int, path: str = "schedules/hello.yaml", line: int = 3, revision: str = "abc123"
    ) -> ManagedTask:
        return ManagedTask.objects.create(
            task_id=task_id,
            source_path=path,
            source_line=line,
            spec_hash="0" * 64,
            revision=revision,
            applied_at=timezone.now(),
        )

    return mark


def beat_stamp() -> Any:
    row = PeriodicTasks.objects.filter(ident=1).first()
    return None if row is None else row.last_update


def snapshot() -> list[tuple[Any, ...]]:
    """Every task row and its schedule: what "nothing changed" compares."""
    return list(
        PeriodicTask.objects.order_by("id").values_list(
            "id",
            "name",
            "task",
            "interval_id",
            "crontab_id",
            "args",
            "kwargs",
            "enabled",
            "date_changed",
        )
    )


@pytest.fixture
def admin_client(db: Any) -> Client:
    """The admin, logged in as the superuser ``root``."""
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw"))
    return client


@pytest.fixture
def pair(make_task: Callable[..., dict[str, Any]], manage: Any) -> tuple[int, int]:
    """A task declared in a file, ``declared``, and one made by hand, ``by-hand``: their ids."""
    managed = make_task("declared", 10)["id"]
    manage(managed)
    return managed, make_task("by-hand", 20)["id"]
