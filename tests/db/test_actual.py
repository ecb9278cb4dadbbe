"""Reading the live rows (``syncer.db.actual``): a row holding exactly what the syncer writes for
its declaration is read as that declared state (the same object, issue #17: no second state is
made, and the diff compares the two at once); a row that differs in any column is read as its
own values, so the plan shows exactly that field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from syncer.cli.main import main
from syncer.core.errors import UserError
from syncer.db.actual import read_snapshot
from syncer.db.apply import make_plan
from syncer.models import RunPolicy
from tests.helpers import desired_from

pytestmark = pytest.mark.django_db

FILES = {
    "a.yaml": """\
    tasks:
      plain: {task: tasks.print_hello, every: 10s}
      cron: {task: tasks.print_hello, cron: '*/5 9-17 * * mon-fri', timezone: America/New_York}
      solar: {task: tasks.print_hello, solar: {event: sunrise, latitude: -33.8688, longitude: 151.2093}}
      clocked: {task: tasks.print_hello, clocked: '2030-01-01T09:00:00+09:00'}
      full: {task: tasks.write_to_file, every: 1d, expires: '2031-01-01T00:00:00Z', start_time: '2030-01-01T00:00:00-05:00', headers: {h: 1}, args: [1, "a"], kwargs: {text: "é \\"q\\""}, queue: q, exchange: ex, routing_key: rk, priority: 7, description: d}
      seconds: {task: tasks.print_hello, every: 1h, expire_seconds: 30, one_off: true}
      disabled: {task: tasks.print_hello, every: 1h, enabled: false}
      policy: {task: tasks.print_hello, every: 1h, starting_deadline: 30s, overlap: skip, jitter: 1m, grace: 2m}
      jitter: {task: tasks.print_hello, every: 1h, jitter: 1500ms}
    """
}


@pytest.fixture
def desired(apply_files):
    assert apply_files(FILES).written
    return desired_from(apply_files.root).tasks


@pytest.fixture
def declared(desired):
    return {name: task.state for name, task in desired.items()}


def test_a_row_the_syncer_wrote_is_read_as_its_declaration(desired, declared):
    snapshot = read_snapshot(desired)
    assert set(snapshot.states) == set(declared)
    for name, state in declared.items():
        assert snapshot.states[name] is state, name
    # the same values as a read that knows no declaration
    assert read_snapshot().states == declared


EDITS = {
    "task": lambda row: row.update(task="tasks.add"),
    "args": lambda row: row.update(args="[1]"),
    "kwargs": lambda row: row.update(kwargs='{"text": "other"}'),
    "queue": lambda row: row.update(queue=""),
    "exchange": lambda row: row.update(exchange=None),
    "routing_key": lambda row: row.update(routing_key="other"),
    "priority": lambda row: row.update(priority=None),
    "headers": lambda row: row.update(headers="{}"),
    "expires": lambda row: row.update(expires=None),
    "start_time": lambda row: row.update(start_time=None),
    "enabled": lambda row: row.update(enabled=False),
    "description": lambda row: row.update(description=""),
    "schedule": lambda row: row.update(
        interval=None, crontab=CrontabSchedule.objects.create(minute="7", timezone="UTC")
    ),
    "jitter": lambda row: RunPolicy.objects.create(task=row.get(), jitter_us=1),
}


@pytest.mark.parametrize("field", EDITS)
def test_a_row_edited_in_any_column_is_read_as_its_own_values(desired, declared, field):
    row = PeriodicTask.objects.filter(name="full")
    EDITS[field](row)
    snapshot = read_snapshot(desired)
    assert snapshot.states["full"] is not declared["full"]
    assert snapshot.states["full"] == read_snapshot().states["full"]
    assert snapshot.states["plain"] is declared["plain"]
    plan, _ = make_plan(desired)
    assert [(c.name, c.fields) for c in plan.changes] == [("full", (field,))]


@pytest.mark.parametrize(
    ("task", "edit"),
    [
        ("seconds", {"expire_seconds": 31}),
        ("seconds", {"one_off": False}),
        ("disabled", {"enabled": True}),
    ],
)
def test_the_other_plain_columns_are_compared_too(desired, declared, task, edit):
    PeriodicTask.objects.filter(name=task).update(**edit)
    snapshot = read_snapshot(desired)
    assert snapshot.states[task] is not declared[task]
    assert snapshot.states[task] == read_snapshot().states[task]


@pytest.mark.parametrize(
    "edit",
    [
        {"starting_deadline_us": 29_000_000},
        {"overlap": "allow"},
        {"jitter_us": 60_000_001},
        {"grace_us": None},
    ],
)
def test_a_run_policy_edited_by_hand_is_read_as_its_own_values(desired, declared, edit):
    RunPolicy.objects.filter(task__name="policy").update(**edit)
    snapshot = read_snapshot(desired)
    assert snapshot.states["policy"] is not declared["policy"]
    assert snapshot.states["policy"] == read_snapshot().states["policy"]
    assert snapshot.states["policy"].jitter in (timedelta(minutes=1), timedelta(seconds=60.000001))


def test_a_schedule_row_with_a_zone_this_machine_does_not_know_is_an_error_naming_the_row(
    apply_files, desired, capsys
):
    zone = "Mars/Olympus"
    row = CrontabSchedule.objects.create(minute="5", timezone="UTC")
    with connection.cursor() as cursor:  # past the field's validation, as a hand edit in SQL
        table = CrontabSchedule._meta.db_table
        cursor.execute(f"UPDATE {table} SET timezone = %s WHERE id = %s", [zone, row.id])
    PeriodicTask.objects.filter(name="cron").update(crontab=row)
    with pytest.raises(UserError) as error:
        read_snapshot(desired)
    assert str(error.value).startswith(f"{table} row {row.id}: timezone {zone!r} is refused ")
    assert "Correct the row, or update the time-zone database" in str(error.value)
    assert main(["plan", str(apply_files.root)]) == 1  # not a traceback (exit 3)
    assert f"{table} row {row.id}: timezone 'Mars/Olympus' is refused" in capsys.readouterr().err
