"""The admin's emergency pause: the "Pause selected declared tasks" action and its form, "Resume
selected paused tasks", the paused column and filter, the pause on a declared task's page; and
"Run selected tasks" on declared tasks (a run changes no declaration)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from celery import current_app
from celery.signals import after_task_publish
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from syncer.models import Pause, PauseEvent
from tests.api.conftest import snapshot

pytestmark = pytest.mark.django_db

TASKS = "/admin/django_celery_beat/periodictask/"
QUEUE = "syncer-test-admin-run-now"


def choose(client: Client, action: str, ids: list[int], **form: Any) -> Any:
    return client.post(TASKS, {"action": action, "_selected_action": ids, **form}, follow=True)


def pause_form(**fields: Any) -> dict[str, Any]:
    return {"apply": "Pause", "reason": "downstream down", "length": "for", **fields}


def shown(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_pause_action_asks_for_the_reason_and_how_long_first(admin_client, pair):
    declared, mine = pair
    before = snapshot()
    response = choose(admin_client, "pause_tasks", [declared, mine])
    assert response.status_code == 200
    assert response.templates[0].name == "admin/syncer/periodictask/pause.html"
    content = response.content.decode()
    assert 'name="reason"' in content and 'name="length"' in content
    assert 'name="duration"' in content and 'name="until"' in content
    assert "declared" in content
    assert "1 selected task is not declared in a schedule file" in content
    assert snapshot() == before and not Pause.objects.exists()


def test_the_form_pauses_the_declared_tasks_and_skips_the_others(admin_client, pair):
    declared, mine = pair
    response = choose(admin_client, "pause_tasks", [declared, mine], **pause_form(duration="2h"))
    assert response.redirect_chain[-1][0].endswith(TASKS)
    messages = shown(response)
    assert any(m.startswith("Paused until ") and m.endswith(": declared.") for m in messages)
    assert (
        "1 task of the selection is not declared in a schedule file and left unchanged (disable"
        in " ".join(messages)
    )
    pause = Pause.objects.get()
    assert (pause.task_id, pause.reason, pause.paused_by) == (declared, "downstream down", "root")
    assert timedelta(hours=2) - timedelta(minutes=1) < pause.until - pause.paused_at
    assert PeriodicTask.objects.get(pk=declared).enabled is False
    assert PeriodicTask.objects.get(pk=mine).enabled is True
    assert list(PauseEvent.objects.values_list("action", "name", "by")) == [
        ("pause", "declared", "root")
    ]


def test_until_and_indefinitely(admin_client, pair):
    declared, _ = pair
    end = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    choose(
        admin_client, "pause_tasks", [declared], **pause_form(length="until", until=end.isoformat())
    )
    assert Pause.objects.get().until == end
    choose(
        admin_client, "pause_tasks", [declared], **pause_form(length="indefinitely", reason="again")
    )
    pause = Pause.objects.get()
    assert (pause.until, pause.reason) == (None, "again")  # pausing twice replaces both


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"reason": ""}, "reason", "This field is required."),
        ({"duration": ""}, "duration", "say how long the pause lasts"),
        ({"duration": "soon"}, "duration", "cannot read 'soon' as a duration"),
        ({"length": "until", "until": "2020-01-01 00:00"}, "until", "that moment has passed"),
        ({"length": "until", "until": "whenever"}, "until", "Enter a valid date/time."),
        ({"length": "sometime"}, "length", "Select a valid choice."),
    ],
)
def test_bad_input_shows_the_form_again_with_the_error(admin_client, pair, fields, field, message):
    declared, _ = pair
    before = snapshot()
    response = choose(admin_client, "pause_tasks", [declared], **pause_form(**fields))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in errors[field][0]
    assert snapshot() == before and not Pause.objects.exists()


def test_a_selection_without_a_declared_task_is_refused(admin_client, pair):
    _, mine = pair
    response = choose(admin_client, "pause_tasks", [mine])
    assert "No selected task is declared in a schedule file" in " ".join(shown(response))
    assert not Pause.objects.exists()


def test_the_resume_action_ends_the_pauses_of_the_selection(admin_client, pair):
    declared, mine = pair
    choose(admin_client, "pause_tasks", [declared], **pause_form(duration="1h"))
    response = choose(admin_client, "resume_tasks", [declared, mine])
    messages = " ".join(shown(response))
    assert "Resumed and enabled again (next run counted from now): declared." in messages
    assert "1 task of the selection is not paused and left unchanged." in messages
    assert not Pause.objects.exists()
    assert PeriodicTask.objects.get(pk=declared).enabled is True
    assert list(PauseEvent.objects.order_by("id").values_list("action", "by")) == [
        ("pause", "root"),
        ("resume", "root"),
    ]


def test_the_list_shows_the_pause_and_filters_on_it_escaping_the_reason(admin_client, pair):
    declared, _ = pair
    reason = "<script>alert(1)</script> db down"
    choose(
        admin_client, "pause_tasks", [declared], **pause_form(length="indefinitely", reason=reason)
    )
    page = admin_client.get(TASKS).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; db down (by root since" in page
    assert "<script>alert(1)" not in page
    paused_only = admin_client.get(TASKS, {"paused": "yes"}).content.decode()
    assert "declared" in paused_only and "by-hand" not in paused_only
    not_paused = admin_client.get(TASKS, {"paused": "no"}).content.decode()
    assert "by-hand" in not_paused and "db down" not in not_paused
    change = admin_client.get(f"{TASKS}{declared}/change/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; db down (by root since" in change
    assert 'name="_save"' not in change  # still read-only


@pytest.fixture
def published() -> Iterator[list[dict[str, Any]]]:
    """The messages Celery publishes (its own signal): what "run now" sent, and where."""
    sent: list[dict[str, Any]] = []

    def record(sender: Any = None, headers: Any = None, routing_key: Any = None, **_: Any) -> None:
        sent.append({"task": sender, "routing_key": routing_key, **(headers or {})})

    after_task_publish.connect(record, weak=False)
    yield sent
    after_task_publish.disconnect(record)
    with current_app.connection_for_write() as connection:
        connection.default_channel.queue_delete(QUEUE)  # nothing left for a worker to run


def test_run_now_sends_a_declared_task_and_changes_nothing(
    admin_client, make_task, manage, published
):
    declared = make_task("declared", 10, queue=QUEUE)["id"]
    manage(declared)
    before = snapshot()
    response = choose(admin_client, "run_tasks", [declared])
    assert "1 task was successfully run" in " ".join(shown(response))
    assert [(m["task"], m["periodic_task_name"], m["routing_key"]) for m in published] == [
        ("tasks.print_hello", "declared", QUEUE)
    ]
    assert snapshot() == before
