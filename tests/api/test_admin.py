"""The admin beside git: managed tasks are shown with their file, read-only and undeletable there;
the bulk actions skip them; the syncer's history and ledger are read-only."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from syncer.models import ApplyRecord, BeatChange

pytestmark = pytest.mark.django_db

TASKS = "/admin/django_celery_beat/periodictask/"


def test_the_change_list_shows_the_source_and_filters_on_it(admin_client, pair):
    page = admin_client.get(TASKS)
    assert page.status_code == 200
    assert b"schedules/hello.yaml:3 (revision abc123)" in page.content
    managed_only = admin_client.get(TASKS, {"managed": "yes"}).content
    assert b"declared" in managed_only and b"by-hand" not in managed_only


def test_a_managed_tasks_page_is_read_only_with_a_note(admin_client, pair):
    managed, _ = pair
    page = admin_client.get(f"{TASKS}{managed}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "managed by the syncer" in content and "schedules/hello.yaml:3" in content
    assert 'name="_save"' not in content and 'name="name"' not in content
    response = admin_client.post(f"{TASKS}{managed}/change/", {"name": "hijacked", "enabled": ""})
    assert response.status_code == 403
    assert PeriodicTask.objects.get(pk=managed).name == "declared"


def test_a_managed_task_cannot_be_deleted(admin_client, pair):
    managed, _ = pair
    assert admin_client.get(f"{TASKS}{managed}/delete/").status_code == 403
    assert admin_client.post(f"{TASKS}{managed}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post(
        TASKS, {"action": "delete_selected", "_selected_action": [managed], "post": "yes"}
    )
    assert PeriodicTask.objects.filter(pk=managed).exists()


def test_an_unmanaged_task_stays_editable_and_deletable(admin_client, pair):
    _, mine = pair
    content = admin_client.get(f"{TASKS}{mine}/change/").content.decode()
    assert 'name="_save"' in content
    admin_client.post(f"{TASKS}{mine}/delete/", {"post": "yes"})
    assert not PeriodicTask.objects.filter(pk=mine).exists()


@pytest.mark.parametrize("action", ["disable_tasks", "toggle_tasks"])
def test_bulk_actions_skip_managed_tasks(admin_client, pair, action):
    managed, mine = pair
    response = admin_client.post(
        TASKS, {"action": action, "_selected_action": [managed, mine]}, follow=True
    )
    assert b"1 selected task is managed by the syncer" in response.content
    assert PeriodicTask.objects.get(pk=managed).enabled is True
    assert PeriodicTask.objects.get(pk=mine).enabled is False
    # beat's change log explains the action's bump: the companion scheduler reloads just that row
    logged = BeatChange.objects.filter(stamp=PeriodicTasks.last_change())
    assert set(logged.values_list("task_id", flat=True)) == {mine}


def test_the_schedule_row_of_a_managed_task_is_read_only(admin_client, pair):
    managed, mine = pair
    shared = PeriodicTask.objects.get(pk=managed).interval_id
    url = f"/admin/django_celery_beat/intervalschedule/{shared}/"
    assert 'name="_save"' not in admin_client.get(f"{url}change/").content.decode()
    assert admin_client.post(f"{url}change/", {"every": 1, "period": "days"}).status_code == 403
    assert admin_client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    assert IntervalSchedule.objects.filter(pk=shared, every=10).exists()
    own = PeriodicTask.objects.get(pk=mine).interval_id
    assert (
        'name="_save"'
        in admin_client.get(
            f"/admin/django_celery_beat/intervalschedule/{own}/change/"
        ).content.decode()
    )


def test_history_and_ledger_are_read_only(admin_client, pair):
    record = ApplyRecord.objects.create(applied_at=timezone.now(), revision="abc123", created=2)
    assert b"abc123" in admin_client.get("/admin/syncer/applyrecord/").content
    assert admin_client.get("/admin/syncer/applyrecord/add/").status_code == 403
    assert (
        admin_client.post(
            f"/admin/syncer/applyrecord/{record.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    ledger = admin_client.get("/admin/syncer/managedtask/")
    assert ledger.status_code == 200 and b"schedules/hello.yaml:3" in ledger.content
    assert admin_client.get("/admin/syncer/managedtask/add/").status_code == 403


def test_the_admin_refuses_a_name_with_a_hidden_character(admin_client):
    """The name rule of the files and the API (syncer.core.rules.name_problem), on the form."""
    every = IntervalSchedule.objects.create(every=7, period="days")
    form = {
        "name": "innocent\n  - delete production-billing",
        "regtask": "tasks.print_hello",
        "interval": every.pk,
        "args": "[]",
        "kwargs": "{}",
        "enabled": "on",
    }
    response = admin_client.post(f"{TASKS}add/", form)
    assert response.status_code == 200  # the form again, with its errors
    assert response.context["adminform"].form.errors["name"] == [
        "task name contains U+000A (LINE FEED) at character 9"
    ]
    assert not PeriodicTask.objects.exists()
    response = admin_client.post(f"{TASKS}add/", {**form, "name": "fine"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert PeriodicTask.objects.get().name == "fine"
