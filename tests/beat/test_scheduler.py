"""The companion scheduler on the real database: drop-in behaviour, the lease, slot claims,
reloads in O(change), the run policies. Sends are recorded, not published (conftest)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from syncer.beat.leadership import LEASE_NAME
from syncer.db import claims, lease
from syncer.models import BeatChange, SlotClaim
from tests.beat.conftest import run_until_idle

pytestmark = pytest.mark.django_db


def tasks_yaml(**tasks: str) -> dict[str, str]:
    lines = ["tasks:"]
    lines += [f"  {name}: {{task: tasks.print_hello, {body}}}" for name, body in tasks.items()]
    return {"a.yaml": "\n".join(lines) + "\n"}


def ran_ago(name: str, delta: timedelta) -> None:
    PeriodicTask.objects.filter(name=name).update(last_run_at=timezone.now() - delta)


def sent_names(scheduler) -> list[str]:
    return [s.name for s in scheduler.sent if s.name != "celery.backend_cleanup"]


# --- drop-in ------------------------------------------------------------------------------------


def test_due_tasks_are_sent_once_and_others_wait(apply_files, make_scheduler):
    apply_files(tasks_yaml(due="every: 1h", later="every: 1h", idle="every: 1h, enabled: false"))
    ran_ago("due", timedelta(hours=1, minutes=1))
    ran_ago("later", timedelta(minutes=10))
    scheduler = make_scheduler()
    run_until_idle(scheduler)
    run_until_idle(scheduler)
    assert sent_names(scheduler) == ["due"]
    sent = scheduler.sent[-1]
    assert sent.options["headers"]["periodic_task_name"] == "due"
    assert SlotClaim.objects.get(name="due").outcome == claims.SENT
    # the last run is written back (never earlier than what the table has)
    scheduler.sync()
    row = PeriodicTask.objects.get(name="due")
    assert row.total_run_count == 1
    assert row.last_run_at > timezone.now() - timedelta(minutes=2)


def test_beat_schedule_entries_are_written_like_database_scheduler(make_scheduler, celery_app):
    scheduler = make_scheduler()
    assert "celery.backend_cleanup" in scheduler.schedule  # result_expires is set by default
    assert PeriodicTask.objects.filter(name="celery.backend_cleanup").exists()


def test_the_admin_sees_a_database_scheduler():
    from django_celery_beat.utils import is_database_scheduler

    assert is_database_scheduler("syncer.beat:Scheduler")


def test_sync_never_moves_a_last_run_back(apply_files, make_scheduler):
    apply_files(tasks_yaml(job="every: 1h"))
    ran_ago("job", timedelta(hours=2))
    scheduler = make_scheduler()
    run_until_idle(scheduler)
    later = timezone.now() + timedelta(minutes=5)  # e.g. an apply reset it meanwhile
    PeriodicTask.objects.filter(name="job").update(last_run_at=later)
    scheduler.sync()
    assert PeriodicTask.objects.get(name="job").last_run_at == later


# --- the lease and the claims ---------------------------------------------------------------------


def test_only_the_lease_holder_sends(apply_files, make_scheduler):
    apply_files(tasks_yaml(job="every: 1h"))
    ran_ago("job", timedelta(hours=2))
    leader, standby = make_scheduler(), make_scheduler()
    run_until_idle(leader)
    run_until_idle(standby)
    assert sent_names(leader) == ["job"]
    assert standby.sent == []
    assert lease.read(LEASE_NAME).holder == leader._leadership.holder


def test_a_new_leader_does_not_send_a_slot_the_old_one_claimed(apply_files, make_scheduler):
    apply_files(tasks_yaml(job="every: 1h"))
    ran_ago("job", timedelta(hours=1, minutes=30))
    old, new = make_scheduler(), make_scheduler()
    run_until_idle(old)
    assert sent_names(old) == ["job"]
    # the old leader dies before writing its last runs: the table still has the old last run
    old._dirty.clear()
    lease.release(LEASE_NAME, old._leadership.holder)
    run_until_idle(new)
    assert new._leadership.leading
    assert new.sent == []
    assert SlotClaim.objects.filter(name="job").count() == 1


def test_two_leaders_in_a_split_brain_send_each_slot_once(apply_files, make_scheduler):
    apply_files(tasks_yaml(job="every: 1h"))
    ran_ago("job", timedelta(hours=1, minutes=30))
    first, second = make_scheduler(), make_scheduler()
    for scheduler in (first, second):  # both believe they lead (a paused leader wakes up)
        scheduler._leadership.hold = lambda s=scheduler: _force_lead(s)
    run_until_idle(first)
    run_until_idle(second)
    assert len(sent_names(first)) + len(sent_names(second)) == 1


def _force_lead(scheduler) -> bool:
    scheduler._leadership.leading = True
    scheduler._leadership.valid_until = float("inf")
    scheduler._leadership.next_attempt = float("inf")
    return True


def test_a_standby_takes_over_when_the_lease_expires(apply_files, make_scheduler, monkeypatch):
    apply_files(tasks_yaml(job="every: 1h"))
    leader, standby = make_scheduler(), make_scheduler()
    run_until_idle(leader)
    run_until_idle(standby)
    assert not standby._leadership.leading
    from syncer.models import Lease

    Lease.objects.filter(name=LEASE_NAME).update(expires_at=timezone.now() - timedelta(seconds=1))
    standby._leadership.next_attempt = 0
    run_until_idle(standby)
    assert standby._leadership.leading
    leader._leadership.next_attempt = 0
    run_until_idle(leader)
    assert not leader._leadership.leading


def test_claims_are_pruned_after_the_retention(apply_files, make_scheduler):
    old = timezone.now() - timedelta(days=3)
    claims.claim("gone", old, "x", claims.SENT)
    claims.claim("kept", timezone.now(), "x", claims.SENT)
    scheduler = make_scheduler()
    run_until_idle(scheduler)
    assert set(SlotClaim.objects.values_list("name", flat=True)) == {"kept"}


# --- reloads in O(change) -------------------------------------------------------------------------


def _many(n: int) -> dict[str, str]:
    return tasks_yaml(**{f"t{i:04d}": "every: 1h" for i in range(n)})


@pytest.mark.parametrize("n", [20, 200])
def test_a_one_task_change_costs_the_same_whatever_the_number_of_tasks(
    apply_files, make_scheduler, n
):
    files = _many(n)
    apply_files(files)
    scheduler = make_scheduler()
    scheduler.refresh()
    files["a.yaml"] = files["a.yaml"].replace(
        "t0007: {task: tasks.print_hello, every: 1h}", "t0007: {task: tasks.print_hello, every: 2h}"
    )
    apply_files(files)
    with CaptureQueriesContext(connection) as queries:
        scheduler.refresh()
    assert len(queries) <= 6, [q["sql"][:80] for q in queries]
    assert str(scheduler.schedule["t0007"].schedule.run_every) == "2:00:00"


def test_creates_renames_and_deletes_are_seen(apply_files, make_scheduler):
    apply_files(tasks_yaml(keep="every: 1h", old="every: 1h", gone="every: 1h"))
    scheduler = make_scheduler()
    apply_files(
        tasks_yaml(
            keep="every: 1h", new="{every: 1h, previous_names: [old]}".strip("{}"), born="every: 5m"
        )
    )
    scheduler.refresh()
    names = set(scheduler.schedule) - {"celery.backend_cleanup"}
    assert names == {"keep", "new", "born"}


def test_disabling_removes_the_entry(apply_files, make_scheduler):
    apply_files(tasks_yaml(job="every: 1h"))
    scheduler = make_scheduler()
    apply_files(tasks_yaml(job="every: 1h, enabled: false"))
    scheduler.refresh()
    assert "job" not in scheduler.schedule


def test_an_orm_save_is_reloaded_incrementally(apply_files, make_scheduler, caplog):
    apply_files(tasks_yaml(job="every: 1h"))
    scheduler = make_scheduler()
    scheduler.refresh()
    interval = IntervalSchedule.objects.create(every=7, period="minutes")
    task = PeriodicTask(name="admin-made", task="tasks.print_hello", interval=interval)
    task.save()  # what the admin does
    caplog.clear()
    scheduler.refresh()
    assert "admin-made" in scheduler.schedule
    assert "full reload" not in caplog.text
    task.delete()
    scheduler.refresh()
    assert "admin-made" not in scheduler.schedule
    assert "full reload" not in caplog.text


def test_a_raw_write_with_a_bump_is_a_full_reload(apply_files, make_scheduler, caplog):
    apply_files(tasks_yaml(job="every: 1h"))
    scheduler = make_scheduler()
    scheduler.refresh()
    PeriodicTask.objects.filter(name="job").update(enabled=False)  # no signal, no log
    PeriodicTasks.update_changed()
    scheduler.refresh()
    assert "full reload" in caplog.text
    assert "job" not in scheduler.schedule


def test_a_reload_keeps_a_later_last_run_and_never_sends_twice(apply_files, make_scheduler):
    apply_files(tasks_yaml(job="every: 1h, kwargs: {}"))
    ran_ago("job", timedelta(hours=1, minutes=5))
    scheduler = make_scheduler()
    run_until_idle(scheduler)
    assert sent_names(scheduler) == ["job"]
    # a change that is not a schedule change: the table's last run is not reset
    apply_files(tasks_yaml(job="every: 1h, description: changed"))
    scheduler.refresh()
    run_until_idle(scheduler)
    assert sent_names(scheduler) == ["job"]


def test_the_change_log_is_written_in_the_apply(apply_files):
    before = BeatChange.objects.count()
    apply_files(tasks_yaml(a1="every: 1h", a2="every: 1h"))
    rows = list(BeatChange.objects.order_by("seq")[before:])
    assert {r.name for r in rows} == {"a1", "a2"}
    assert {r.stamp for r in rows} == {PeriodicTasks.last_change()}


def test_an_edit_of_a_shared_schedule_row_reloads_its_tasks(make_scheduler, caplog):
    interval = IntervalSchedule.objects.create(every=7, period="minutes")
    for name in ("x1", "x2"):
        PeriodicTask(name=name, task="tasks.print_hello", interval=interval).save()
    scheduler = make_scheduler()
    scheduler.refresh()
    interval.every = 9
    interval.save()  # the admin's edit of the schedule row: every task on it changes
    caplog.clear()
    scheduler.refresh()
    assert "full reload" not in caplog.text
    assert {str(scheduler.schedule[n].schedule.run_every) for n in ("x1", "x2")} == {"0:09:00"}


def test_a_save_of_a_shared_schedule_row_with_its_own_values_logs_no_task():
    """django-celery-beat's ``update_from_dict`` saves the schedule row of every entry it
    writes: an unchanged row must not log every task on it (quadratic in the tasks per row)."""
    interval = IntervalSchedule.objects.create(every=7, period="minutes")
    for name in ("x1", "x2", "x3"):
        PeriodicTask(name=name, task="tasks.print_hello", interval=interval).save()
    before = BeatChange.objects.count()
    IntervalSchedule.objects.get(pk=interval.pk).save()
    assert BeatChange.objects.count() == before
    from django_celery_beat.schedulers import ModelEntry

    for name in ("x4", "x5"):  # one schedule row (420 seconds), saved again for x5
        ModelEntry.from_entry(name, schedule=timedelta(minutes=7), task="tasks.print_hello")
    logged = list(BeatChange.objects.order_by("seq")[before:].values_list("name", flat=True))
    # each row's save, then again with the stamp of the bump that follows it; never x4 for x5
    assert logged == ["x4", "x4", "x5", "x5"]
    interval.every = 8
    interval.save()
    logged = list(BeatChange.objects.order_by("seq")[before + 4 :].values_list("name", flat=True))
    assert set(logged) == {"x1", "x2", "x3"}  # a real edit: every task on the row
