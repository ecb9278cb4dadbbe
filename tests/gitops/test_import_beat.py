"""``syncer import-beat-schedule``: a Celery ``beat_schedule`` -> a file -> rows whose schedules,
as beat builds them (``ModelEntry(row).schedule``), fire exactly when the originals do, with the
same arguments and options."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from celery import current_app
from celery.beat import ScheduleEntry
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from syncer import project
from syncer.cli.main import main
from syncer.db.firetimes import run_times
from tests.data import beat_schedule_example

EXAMPLE = "tests.data.beat_schedule_example"
# From the first of March: New York and Berlin both change to summer time within the runs.
START = datetime(2026, 3, 1, 0, 0, 0, tzinfo=UTC)
RUNS = 120
ZONE = project.context(check_tasks=False).default_timezone  # beat's zone here (TIME_ZONE)


class InItsZone:
    """A schedule driven as Celery's beat drives it: ``last_run_at`` in the schedule's time zone
    (beat passes ``app.now()``, which is in the app's zone; crontab reads its wall-clock fields)."""

    def __init__(self, schedule: Any) -> None:
        self.schedule = schedule

    @property
    def nowfun(self) -> Any:
        return self.schedule.nowfun

    @nowfun.setter
    def nowfun(self, value: Any) -> None:
        self.schedule.nowfun = value

    def is_due(self, last_run_at: datetime) -> Any:
        return self.schedule.is_due(last_run_at.astimezone(self.schedule.tz))


@pytest.mark.django_db
def test_the_example_converts_applies_and_runs_as_beat_ran_it(tmp_path, capsys):
    out = tmp_path / "schedules" / "beat.yaml"
    assert main(["import-beat-schedule", EXAMPLE, "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"converted 13 beat_schedule entries to {out}" in err
    assert f"note: 4 crontab entries use time zone {ZONE} (the project's Celery time zone)" in err
    assert main(["apply", str(out.parent)]) == 0

    schedule = beat_schedule_example.beat_schedule
    assert set(PeriodicTask.objects.values_list("name", flat=True)) == set(schedule)
    for name, entry in schedule.items():
        # What Celery's own beat made of the entry, and what django-celery-beat makes of the row.
        original = ScheduleEntry(name=name, app=current_app._get_current_object(), **entry)
        row = PeriodicTask.objects.get(name=name)
        beat = ModelEntry(row)
        one_off = row.clocked is not None
        assert row.one_off is one_off
        expected = run_times(InItsZone(original.schedule), START, RUNS, one_off=one_off)
        assert len(expected) == (1 if one_off else RUNS), name
        assert run_times(InItsZone(beat.schedule), START, RUNS, one_off=one_off) == expected, name
        assert (beat.task, beat.args, beat.kwargs) == (
            original.task,
            list(original.args),
            original.kwargs,
        )
        options = dict(original.options)
        options["headers"] = {**options.get("headers", {}), "periodic_task_name": name}
        assert beat.options == options, name


def test_the_file_names_zones_and_spellings(capsys):
    assert main(["import-beat-schedule", f"{EXAMPLE}:beat_schedule"]) == 0
    text = capsys.readouterr().out
    assert (
        "    every: 30s\n" in text and "    every: 500ms\n" in text and "    every: 90s\n" in text
    )
    assert "    every: 1h\n" in text and "    every: 5m\n" in text
    assert f'    cron: "30 7 * * mon-fri"\n    timezone: {ZONE}\n' in text  # monday-friday
    assert '    cron: "0,30 8,10,12,14,16 1-15 * *"\n' in text  # a set and a range
    assert '    cron: "0 2 * * *"\n    timezone: Europe/Berlin\n' in text  # TzAwareCrontab's
    # Beat gives a crontab(app=other) its own app: it runs in beat's zone.
    assert (
        f'  cron-other-app:\n    task: tasks.print_hello\n    cron: "45 */6 * * *"\n    timezone: {ZONE}\n'
        in text
    )
    assert '    cron: "15 6,18 * * *"\n    timezone: America/New_York\n' in text
    assert "    expire_seconds: 3600\n" in text
    assert "    expires: '2031-06-01T12:00:00+00:00'\n" in text
    assert "    clocked: '2030-12-31T23:00:00+00:00'\n" in text
    assert "remove these entries from beat_schedule" in text


def write_module(tmp_path: Path, body: str) -> str:
    path = tmp_path / "beatconf.py"
    path.write_text(textwrap.dedent(body))
    return str(path)


def test_time_zones_module_option_and_app(tmp_path, capsys):
    module = write_module(
        tmp_path,
        """
        from celery import Celery
        from celery.schedules import crontab

        timezone = "Asia/Tokyo"
        beat_schedule = {"t": {"task": "tasks.print_hello", "schedule": crontab(minute=5)}}
        app = Celery("other", set_as_current=False)
        app.conf.timezone = "Asia/Kolkata"
        app.conf.beat_schedule = beat_schedule
        """,
    )
    assert main(["import-beat-schedule", module]) == 0
    assert "    timezone: Asia/Tokyo\n" in capsys.readouterr().out
    assert main(["import-beat-schedule", module, "--timezone", "Europe/Paris"]) == 0
    assert "    timezone: Europe/Paris\n" in capsys.readouterr().out
    assert main(["import-beat-schedule", f"{module}:app"]) == 0
    assert "    timezone: Asia/Kolkata\n" in capsys.readouterr().out
    assert main(["import-beat-schedule", module, "--timezone", "Mars/Olympus"]) == 1
    assert "unknown time zone" in capsys.readouterr().err


def test_a_django_settings_module(tmp_path, capsys):
    module = write_module(
        tmp_path,
        """
        from datetime import timedelta
        CELERY_TIMEZONE = "Europe/Vienna"
        CELERY_BEAT_SCHEDULE = {
            "five": {"task": "tasks.print_hello", "schedule": timedelta(minutes=5)},
        }
        """,
    )
    assert main(["import-beat-schedule", module]) == 0
    assert "  five:\n    task: tasks.print_hello\n    every: 5m\n" in capsys.readouterr().out


def test_what_a_row_cannot_hold_is_an_error_naming_the_entry(tmp_path, capsys):
    module = write_module(
        tmp_path,
        """
        from datetime import datetime, timedelta
        from celery.schedules import crontab, schedule

        class EveryOtherRun(schedule):
            pass

        beat_schedule = {
            "custom": {"task": "tasks.print_hello", "schedule": EveryOtherRun(timedelta(seconds=5))},
            "relative": {"task": "tasks.print_hello", "schedule": 30, "relative": True},
            "relative-schedule": {
                "task": "tasks.print_hello", "schedule": schedule(timedelta(hours=1), relative=True)
            },
            "object-args": {"task": "tasks.print_hello", "schedule": 30, "args": (object(),)},
            "set-kwargs": {"task": "tasks.print_hello", "schedule": 30, "kwargs": {"s": {1, 2}}},
            "countdown": {"task": "tasks.print_hello", "schedule": 30, "options": {"countdown": 5}},
            "naive-expiry": {
                "task": "tasks.print_hello", "schedule": 30, "options": {"expires": datetime(2030, 1, 1)}
            },
            "no-task": {"schedule": 30},
            "zero": {"task": "tasks.print_hello", "schedule": 0},
            "fine": {"task": "tasks.print_hello", "schedule": 30},
        }
        """,
    )
    out = tmp_path / "out.yaml"
    assert main(["import-beat-schedule", module, "-o", str(out)]) == 1
    err = capsys.readouterr().err
    where = f"{module}:beat_schedule: task"
    for expected in (
        "'custom': schedule: beatconf.EveryOtherRun is a custom schedule class",
        "'relative': relative: relative=True rounds run times",
        "'relative-schedule': schedule: schedule(relative=True) rounds run times",
        "'object-args': args[0]: object value <object object at",
        "'set-kwargs': kwargs.s: set value {1, 2} is not JSON",
        "'countdown': options.countdown: no django-celery-beat column holds this option",
        "'naive-expiry': options.expires: 2030-01-01 00:00:00 has no time zone",
        "'no-task': task: required",
        "'zero': schedule: the interval 0:00:00 is not greater than zero",
    ):
        assert f"{where} {expected}" in err
    assert "'fine'" not in err
    assert "error: 9 beat_schedule entries cannot be represented" in err
    assert not out.exists()


def test_module_errors(tmp_path, capsys):
    assert main(["import-beat-schedule", "no_such_module_here"]) == 1
    assert "cannot import no_such_module_here: ModuleNotFoundError" in capsys.readouterr().err
    module = write_module(tmp_path, "x = 1\n")
    assert main(["import-beat-schedule", module]) == 1
    assert (
        "none of beat_schedule, CELERY_BEAT_SCHEDULE, CELERYBEAT_SCHEDULE"
        in capsys.readouterr().err
    )
    assert main(["import-beat-schedule", f"{module}:x"]) == 1
    assert "is a int, not a beat_schedule dict" in capsys.readouterr().err
    assert main(["import-beat-schedule", f"{module}:y"]) == 1
    assert "no attribute 'y'" in capsys.readouterr().err


def test_importing_a_module_that_makes_its_own_celery_app_keeps_the_projects_task_check(
    tmp_path,
):
    """The docs' `import-beat-schedule proj.celery:app`: importing the module makes a new Celery
    app, which becomes Celery's current app; the task names are still checked against the
    project's app (here djbeat's, which registers tasks.print_hello)."""
    import os
    import subprocess
    import sys

    (tmp_path / "otherproj_celery.py").write_text(
        textwrap.dedent(
            """\
            from celery import Celery

            app = Celery("otherproj")
            app.conf.beat_schedule = {
                "hello": {"task": "tasks.print_hello", "schedule": 30},
                "ghost": {"task": "otherproj.not_a_task", "schedule": 60},
            }
            """
        )
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DEBUG": "1", "PYTHONPATH": f"{tmp_path}{os.pathsep}{root}"}
    result = subprocess.run(
        [sys.executable, "-m", "syncer.cli.main", "import-beat-schedule", "otherproj_celery:app"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "task 'hello'" not in result.stderr  # registered in the project's app
    assert "task 'ghost': 'otherproj.not_a_task' is not registered" in result.stderr
    assert "task: tasks.print_hello" in result.stdout
