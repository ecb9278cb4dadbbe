"""apply on the real database: rows, ownership, beat notification, batching, safety."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import (
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    PeriodicTasks,
)

from syncer.core.errors import UnsafePlan
from syncer.models import ApplyRecord, ManagedSchedule, ManagedTask

pytestmark = pytest.mark.django_db

HELLO = """\
tasks:
  print-hello:
    task: tasks.print_hello
    every: 3s
  write-to-file:
    task: tasks.write_to_file
    every: 5s
    kwargs: {text: hi}
    queue: files
    priority: 7
"""

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def many(n: int, every: str = "1m") -> str:
    lines = ["tasks:"]
    for i in range(n):
        schedule = f"every: {i % 7 + 1}m" if i % 2 else f"cron: '{i % 60} 3 * * *'"
        if every != "1m" and i % 2:
            schedule = f"every: {every}"
        lines += [
            f"  task-{i}:",
            "    task: tasks.print_hello",
            f"    {schedule}",
            f"    kwargs: {{n: {i}}}",
        ]
    return "\n".join(lines) + "\n"


def test_create_writes_rows_ownership_and_history(apply_files):
    outcome = apply_files({"hello.yaml": HELLO})
    assert outcome.written and outcome.plan.summary()["create"] == 2
    task = PeriodicTask.objects.get(name="write-to-file")
    assert (task.interval.every, task.interval.period) == (5, "seconds")
    assert json.loads(task.kwargs) == {"text": "hi"}
    assert (task.queue, task.priority, task.enabled, task.last_run_at) == ("files", 7, True, None)
    ledger = ManagedTask.objects.get(task=task)
    assert ledger.source_path.endswith("hello.yaml") and ledger.source_line == 5
    assert ApplyRecord.objects.get().created == 2


def test_second_apply_writes_nothing_and_does_not_wake_beat(apply_files):
    apply_files({"hello.yaml": HELLO})
    stamp = PeriodicTasks.objects.get().last_update
    with CaptureQueriesContext(connection) as queries:
        outcome = apply_files({"hello.yaml": HELLO})
    assert not outcome.written and outcome.plan.is_empty
    assert writes(queries.captured_queries) == []
    assert PeriodicTasks.objects.get().last_update == stamp


def test_every_changing_apply_bumps_beat_exactly_once_past_the_stored_value(apply_files):
    future = timezone.now() + timedelta(hours=1)  # a clock ahead of ours wrote last
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": future})
    with CaptureQueriesContext(connection) as queries:
        apply_files({"hello.yaml": HELLO})
    bumps = [q for q in writes(queries.captured_queries) if "periodictasks" in q.lower()]
    assert len(bumps) == 1
    assert PeriodicTasks.objects.get().last_update > future


@pytest.mark.parametrize("plan_first", [True, False])
def test_an_apply_that_plans_only_under_the_lock_reads_the_rows_once(
    apply_files, monkeypatch, plan_first
):
    """``syncer watch`` after the files changed: a write is likely, so the plan made without the
    lock (to leave a no-op without taking it) would only be made again under it."""
    from syncer.db import apply as apply_module

    apply_files({"hello.yaml": HELLO})
    reads: list[object] = []
    real = apply_module.read_snapshot
    monkeypatch.setattr(apply_module, "read_snapshot", lambda d: reads.append(d) or real(d))
    changed = HELLO.replace("kwargs: {text: hi}", "kwargs: {text: bye}")
    for written in (True, False):
        reads.clear()
        outcome = apply_files({"hello.yaml": changed}, plan_first=plan_first)
        assert outcome.written is written
        assert len(reads) == (2 if plan_first and written else 1)
    assert json.loads(PeriodicTask.objects.get(name="write-to-file").kwargs) == {"text": "bye"}


def _reset() -> None:
    PeriodicTask.objects.all().delete()
    for model in (IntervalSchedule, CrontabSchedule, ManagedSchedule):
        model.objects.all().delete()


def _statements(apply_files, files: dict[str, str]) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        apply_files(files, force=True, allow_empty=True)
    return len(queries.captured_queries), len(writes(queries.captured_queries))


@pytest.mark.parametrize("scenario", ["create", "update", "delete"])
def test_statements_do_not_grow_with_the_number_of_tasks(apply_files, scenario):
    counts = []
    for n in (20, 400):
        _reset()
        if scenario == "create":
            counts.append(_statements(apply_files, {"many.yaml": many(n)}))
        elif scenario == "update":
            apply_files({"many.yaml": many(n)})
            counts.append(_statements(apply_files, {"many.yaml": many(n, "2h")}))
        else:
            apply_files({"many.yaml": many(n)})
            counts.append(_statements(apply_files, {"many.yaml": many(n // 2)}))
    assert counts[0] == counts[1]
    assert counts[0][0] < 40


def test_update_points_to_an_equal_row_and_never_mutates_a_shared_one(apply_files):
    shared = IntervalSchedule.objects.create(every=5, period="seconds")
    other = PeriodicTask.objects.create(
        name="admin-task", task="tasks.print_hello", interval=shared
    )
    apply_files({"hello.yaml": HELLO})
    mine = PeriodicTask.objects.get(name="write-to-file")
    assert mine.interval_id == shared.id  # an equal row is reused
    apply_files({"hello.yaml": HELLO.replace("every: 5s", "every: 10s")})
    shared.refresh_from_db()
    other.refresh_from_db()
    assert (shared.every, shared.period) == (5, "seconds")
    assert other.interval_id == shared.id
    mine.refresh_from_db()
    assert (mine.interval.every, mine.interval.period) == (10, "seconds")


def test_duplicate_schedule_rows_are_tolerated_and_the_oldest_is_used(apply_files):
    first = IntervalSchedule.objects.create(every=3, period="seconds")
    IntervalSchedule.objects.create(every=3, period="seconds")
    apply_files({"hello.yaml": HELLO})
    assert PeriodicTask.objects.get(name="print-hello").interval_id == first.id


def test_schedule_rows_are_pruned_only_when_created_by_the_syncer_and_unused(apply_files):
    theirs = CrontabSchedule.objects.create(minute="0", hour="4", timezone="UTC")
    apply_files({"a.yaml": "tasks:\n  c:\n    task: tasks.print_hello\n    cron: '0 5 * * *'\n"})
    ours = PeriodicTask.objects.get(name="c").crontab
    assert ManagedSchedule.objects.filter(kind="crontab", schedule_id=ours.id).exists()
    apply_files({"a.yaml": "tasks:\n  c:\n    task: tasks.print_hello\n    cron: '0 4 * * *'\n"})
    assert PeriodicTask.objects.get(name="c").crontab_id == theirs.id
    assert not CrontabSchedule.objects.filter(id=ours.id).exists()
    apply_files({}, allow_empty=True)
    assert CrontabSchedule.objects.filter(id=theirs.id).exists()  # not ours: kept


def test_unowned_rows_are_untouched_and_adopted_only_when_declared(apply_files):
    interval = IntervalSchedule.objects.create(every=3, period="seconds")
    PeriodicTask.objects.create(
        name="print-hello", task="tasks.print_hello", interval=interval, queue="old"
    )
    PeriodicTask.objects.create(name="admin-only", task="tasks.print_hello", interval=interval)
    outcome = apply_files({"hello.yaml": HELLO})
    assert [(c.action, c.name, c.fields) for c in outcome.plan.changes] == [
        ("create", "write-to-file", ()),
        ("adopt", "print-hello", ("queue",)),
    ]
    assert PeriodicTask.objects.get(name="print-hello").queue is None
    assert ManagedTask.objects.filter(task__name="print-hello").exists()
    assert not ManagedTask.objects.filter(task__name="admin-only").exists()
    apply_files({"hello.yaml": "tasks:\n  print-hello: {task: tasks.print_hello, every: 3s}\n"})
    assert PeriodicTask.objects.filter(name="admin-only").exists()
    assert not PeriodicTask.objects.filter(name="write-to-file").exists()


def test_rename_keeps_the_row_and_its_runtime_fields(apply_files):
    apply_files({"hello.yaml": HELLO})
    row = PeriodicTask.objects.get(name="print-hello")
    last_run = timezone.now() - timedelta(minutes=3)
    PeriodicTask.objects.filter(pk=row.pk).update(last_run_at=last_run, total_run_count=42)
    renamed = HELLO.replace("  print-hello:\n", "  hello:\n    previous_names: [print-hello]\n")
    outcome = apply_files({"hello.yaml": renamed})
    assert [(c.action, c.name, c.previous_name) for c in outcome.plan.changes] == [
        ("rename", "hello", "print-hello")
    ]
    row.refresh_from_db()
    assert (row.name, row.total_run_count, row.last_run_at) == ("hello", 42, last_run)


def test_drift_is_shown_as_an_update_and_repaired(apply_files):
    apply_files({"hello.yaml": HELLO})
    PeriodicTask.objects.filter(name="write-to-file").update(queue="hacked", kwargs='{"x": 1}')
    outcome = apply_files({"hello.yaml": HELLO})
    assert [(c.action, c.fields) for c in outcome.plan.changes] == [("update", ("kwargs", "queue"))]
    task = PeriodicTask.objects.get(name="write-to-file")
    assert (task.queue, json.loads(task.kwargs)) == ("files", {"text": "hi"})


def test_json_columns_compare_by_value_whatever_their_spelling(apply_files):
    """A row the syncer wrote holds its declaration's text (taken as it is); a row edited by
    hand is read as JSON: the same value spelled otherwise is no change, another value is."""
    many_keys = HELLO.replace("kwargs: {text: hi}", "kwargs: {text: hi, b: [1, 2], a: null}")
    apply_files({"hello.yaml": many_keys})
    row = PeriodicTask.objects.filter(name="write-to-file")
    assert row.get().kwargs == '{"a":null,"b":[1,2],"text":"hi"}'
    row.update(kwargs='{"text": "hi",\n "b": [1, 2], "a": null}')
    assert apply_files({"hello.yaml": many_keys}).plan.is_empty
    row.update(kwargs='{"text": "hi", "b": [2, 1], "a": null}')
    changes = apply_files({"hello.yaml": many_keys}).plan.changes
    assert [(c.name, c.fields) for c in changes] == [("write-to-file", ("kwargs",))]


def test_runtime_fields_are_not_compared_and_a_schedule_change_does_not_catch_up(apply_files):
    apply_files({"hello.yaml": HELLO})
    long_ago = timezone.now() - timedelta(days=2)
    PeriodicTask.objects.filter(name="print-hello").update(last_run_at=long_ago, total_run_count=9)
    assert apply_files({"hello.yaml": HELLO}).plan.is_empty
    before = timezone.now()
    apply_files({"hello.yaml": HELLO.replace("every: 3s", "every: 1h")})
    task = PeriodicTask.objects.get(name="print-hello")
    assert task.total_run_count == 9
    assert task.last_run_at >= before  # next run one hour after the apply, not at once
    due, _ = task.schedule.is_due(task.last_run_at)
    assert not due


def test_disabling_clears_last_run_and_enabling_restarts_from_now(apply_files):
    apply_files({"hello.yaml": HELLO})
    PeriodicTask.objects.filter(name="print-hello").update(last_run_at=timezone.now())
    disabled = HELLO.replace("every: 3s", "every: 3s\n    enabled: false")
    apply_files({"hello.yaml": disabled})
    assert PeriodicTask.objects.get(name="print-hello").last_run_at is None
    before = timezone.now()
    apply_files({"hello.yaml": HELLO})
    task = PeriodicTask.objects.get(name="print-hello")
    assert task.enabled and task.last_run_at >= before


def test_deleting_all_managed_tasks_is_refused_without_allow_empty(apply_files):
    apply_files({"hello.yaml": HELLO})
    with pytest.raises(UnsafePlan):
        apply_files({})
    assert PeriodicTask.objects.count() == 2
    apply_files({}, allow_empty=True)
    assert PeriodicTask.objects.count() == 0


def test_mass_change_is_refused_without_force_and_changes_nothing(apply_files):
    apply_files({"many.yaml": many(20)}, force=True)
    before = list(PeriodicTask.objects.order_by("id").values())
    with pytest.raises(UnsafePlan, match="--force"):
        apply_files({"many.yaml": many(20, "2h")})
    assert list(PeriodicTask.objects.order_by("id").values()) == before


def test_all_four_schedule_kinds_round_trip(apply_files):
    files = {
        "kinds.yaml": """\
        tasks:
          i: {task: tasks.print_hello, every: 250ms}
          c: {task: tasks.print_hello, cron: '*/5 9-17 * * mon-fri', timezone: America/New_York}
          s: {task: tasks.print_hello, solar: {event: sunrise, latitude: -33.8688, longitude: 151.2093}}
          k: {task: tasks.print_hello, clocked: '2030-01-01T09:00:00+09:00'}
          e: {task: tasks.print_hello, every: 1d, expires: '2031-01-01T00:00:00Z', start_time: '2030-01-01T00:00:00-05:00', headers: {h: 1}, args: [1, "a"], exchange: ex, routing_key: rk, description: d}
        """
    }
    assert apply_files(files).written
    assert apply_files(files).plan.is_empty
    assert PeriodicTask.objects.get(name="k").one_off is True
    assert str(PeriodicTask.objects.get(name="c").crontab.timezone) == "America/New_York"


def test_a_one_off_task_disabled_by_beat_stays_disabled_but_one_disabled_by_a_file_is_enabled(
    apply_files,
):
    once = "tasks:\n  once: {task: tasks.print_hello, every: 1h, one_off: true%s}\n"
    apply_files({"a.yaml": once % ""})
    PeriodicTask.objects.filter(name="once").update(enabled=False)  # what beat does after the run
    assert apply_files({"a.yaml": once % ""}).plan.is_empty
    assert not PeriodicTask.objects.get(name="once").enabled
    apply_files({"a.yaml": once % ", enabled: false"})  # applied state is now enabled: false
    outcome = apply_files({"a.yaml": once % ""})
    assert [(c.action, c.fields) for c in outcome.plan.changes] == [("update", ("enabled",))]
    assert PeriodicTask.objects.get(name="once").enabled


def test_the_ledger_reads_back_the_enabled_flag_it_wrote(apply_files):
    """``applied_state.enabled`` is read as text on every vendor ('true'/'false'), not as JSON:
    true, false, and unknown (an entry without it, as written before the flag was kept)."""
    from syncer.db.actual import read_ledger

    off = HELLO.replace("    every: 5s\n", "    every: 5s\n    enabled: false\n")
    apply_files({"hello.yaml": off})
    ledger = read_ledger()
    assert ledger["print-hello"].applied_enabled is True
    assert ledger["write-to-file"].applied_enabled is False
    ManagedTask.objects.filter(task__name="print-hello").update(applied_state={})
    ManagedTask.objects.filter(task__name="write-to-file").update(applied_state={"enabled": None})
    ledger = read_ledger()
    assert ledger["print-hello"].applied_enabled is None
    assert ledger["write-to-file"].applied_enabled is None
    assert ledger["print-hello"].source.line == 2
