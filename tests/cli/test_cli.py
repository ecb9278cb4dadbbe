"""The command line: exit codes, output formats, and that validate needs no database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django_celery_beat.models import PeriodicTask

from syncer.cli.main import main
from tests.helpers import HELLO, write_files

BROKEN = "tasks:\n  a:\n    task: tasks.print_hello\n    every: soon\n  b:\n    task: nope\n    every: 1s\n"


@pytest.fixture
def schedules(tmp_path: Path) -> Path:
    return write_files(tmp_path / "schedules", {"hello.yaml": HELLO})


def test_validate_reports_every_problem_and_exits_1(tmp_path, capsys):
    root = write_files(tmp_path / "s", {"a.yaml": BROKEN, "b.yaml": "tasks: [\n"})
    assert main(["validate", str(root)]) == 1
    err = capsys.readouterr().err.replace(str(root) + "/", "")
    assert "a.yaml:4:5: task 'a': every: cannot read 'soon' as a duration" in err
    assert "a.yaml:6:5: task 'b': task: 'nope' is not a task registered in the Celery app" in err
    assert "b.yaml:2:1: " in err
    assert "3 problems in 2 files; nothing was changed" in err


def test_validate_json(tmp_path, capsys):
    root = write_files(tmp_path / "s", {"a.yaml": BROKEN})
    assert main(["validate", str(root), "--output", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["valid"] is False
    assert [(p["line"], p["field"]) for p in data["problems"]] == [(4, "every"), (6, "task")]


def test_validate_needs_no_database(schedules):
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    result = subprocess.run(
        [sys.executable, "-m", "syncer.cli.main", "validate", str(schedules)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "1 file, 2 tasks: valid" in result.stdout


def test_plan_on_an_unreachable_database_is_a_clear_error_not_a_traceback(schedules):
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    result = subprocess.run(
        [sys.executable, "-m", "syncer.cli.main", "plan", str(schedules)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    assert "error: database error" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.django_db
def test_plan_detailed_exitcode_and_apply(schedules, capsys):
    assert main(["plan", str(schedules)]) == 0
    assert main(["plan", str(schedules), "--detailed-exitcode"]) == 2
    out = capsys.readouterr().out
    assert "+ create print-hello" in out and "Plan: 2 to create" in out
    assert main(["apply", str(schedules), "--dry-run"]) == 0
    assert PeriodicTask.objects.count() == 0
    assert main(["apply", str(schedules)]) == 0
    assert PeriodicTask.objects.count() == 2
    capsys.readouterr()
    assert main(["plan", str(schedules), "--detailed-exitcode"]) == 0
    assert "No changes" in capsys.readouterr().out


@pytest.mark.django_db
def test_plan_json_shape(schedules, capsys):
    assert main(["plan", str(schedules), "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format_version"] == 1
    assert data["summary"] == {
        "create": 2,
        "update": 0,
        "rename": 0,
        "adopt": 0,
        "take-over": 0,
        "delete": 0,
        "unchanged": 0,
        "fires_immediately": 0,
    }
    assert (data["scope"], data["other_scopes"], data["other_scope_tasks"]) == ("default", {}, [])
    change = data["changes"][0]
    assert set(change) >= {"action", "name", "source", "before", "after"}
    assert (change["fires_immediately"], change["held_back"]) == (False, False)
    assert change["first_run"] == change["preview"]["after"]["next_runs"][0]["utc"]
    assert change["source"].endswith("hello.yaml:2")
    assert change["after"]["schedule"] == {"kind": "interval", "every": 3, "period": "seconds"}


@pytest.mark.django_db
def test_invalid_files_abort_apply_and_unsafe_plans_are_refused(schedules, tmp_path, capsys):
    assert main(["apply", str(schedules)]) == 0
    (schedules / "broken.yaml").write_text(BROKEN)
    assert main(["apply", str(schedules)]) == 1
    (schedules / "broken.yaml").unlink()
    (schedules / "hello.yaml").write_text("tasks: {}\n")
    capsys.readouterr()
    assert main(["apply", str(schedules)]) == 1
    assert "--allow-empty" in capsys.readouterr().err
    assert PeriodicTask.objects.count() == 2
    missing = tmp_path / "nowhere"
    assert main(["apply", str(missing), "--allow-empty"]) == 1  # a missing path is an error
    assert PeriodicTask.objects.count() == 2
    assert main(["apply", str(schedules), "--allow-empty"]) == 0
    assert PeriodicTask.objects.count() == 0


@pytest.mark.django_db
def test_apply_reviewed_plan_only_if_unchanged(schedules, tmp_path, capsys):
    assert main(["plan", str(schedules), "-o", "json"]) == 0
    reviewed = tmp_path / "plan.json"
    reviewed.write_text(capsys.readouterr().out)
    (schedules / "hello.yaml").write_text(HELLO.replace("every: 5s", "every: 6s"))
    assert main(["apply", str(schedules), "--plan", str(reviewed)]) == 1
    assert "the schedule changed since the plan was reviewed" in capsys.readouterr().err
    assert PeriodicTask.objects.count() == 0
    (schedules / "hello.yaml").write_text(HELLO)
    assert main(["apply", str(schedules), "--plan", str(reviewed)]) == 0
    assert PeriodicTask.objects.count() == 2
    capsys.readouterr()
    # The same pipeline step again (a re-run): already applied, a success, nothing written.
    assert main(["apply", str(schedules), "--plan", str(reviewed), "--detailed-exitcode"]) == 0
    captured = capsys.readouterr()
    assert "The reviewed plan was already applied at" in captured.err
    assert "Nothing to apply." in captured.out
    # Once the tables moved on, the old reviewed plan is stale again.
    (schedules / "hello.yaml").write_text(HELLO.replace("every: 5s", "every: 6s"))
    assert main(["apply", str(schedules)]) == 0
    (schedules / "hello.yaml").write_text(HELLO)
    assert main(["apply", str(schedules), "--plan", str(reviewed)]) == 1


@pytest.mark.django_db
def test_management_command_runs_the_same_cli(schedules):
    from django.core.management import call_command

    call_command("syncer", "apply", str(schedules))
    assert PeriodicTask.objects.count() == 2


@pytest.mark.django_db
def test_plan_shows_description_and_next_runs_before_and_after(tmp_path, capsys):
    root = write_files(
        tmp_path / "s",
        {
            "a.yaml": "tasks:\n  r: {task: tasks.print_hello, cron: '0 3 * * *', timezone: Europe/Berlin}\n"
        },
    )
    assert main(["apply", str(root)]) == 0
    (root / "a.yaml").write_text(
        "tasks:\n  r: {task: tasks.print_hello, cron: '0 4 * * mon', timezone: Europe/Berlin}\n"
    )
    capsys.readouterr()
    assert main(["plan", str(root)]) == 0
    out = capsys.readouterr().out
    assert "runs before: At 03:00 AM Europe/Berlin" in out
    assert "runs after (counted from the apply): At 04:00 AM, only on Monday Europe/Berlin" in out
    assert out.count("(Europe/Berlin)  =  ") == 10
    assert main(["plan", str(root), "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    preview = data["changes"][0]["preview"]
    assert preview["before"]["description"] == "At 03:00 AM Europe/Berlin"
    runs = preview["after"]["next_runs"]
    assert len(runs) == 5 and all(r["local"].startswith(r["local"][:10]) for r in runs)
    assert all("T04:00:00+0" in r["local"] for r in runs)


def test_strict_turns_lints_into_errors(tmp_path, capsys):
    root = write_files(
        tmp_path / "s", {"a.yaml": "tasks:\n  t: {task: tasks.print_hello, cron: '* 9 * * *'}\n"}
    )
    assert main(["validate", str(root)]) == 0
    assert "warning: minute is '*'" in capsys.readouterr().err
    assert main(["validate", str(root), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "minute is '*'" in err and "warning:" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["plan", "--detailed-exitcode", "--stict"],
        ["apply", "--detailed-exitcode", "--stict"],
        ["status", "--detailed-exitcode", "--bogus"],
        ["plan", "--output", "yaml"],
        ["watch", "--metrics-port", "abc"],
        ["no-such-command"],
        [],
    ],
)
def test_a_usage_error_exits_1_never_the_changes_code(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("usage: syncer") and "error: " in err


def test_a_usage_error_of_the_console_script_and_manage_py_exits_1(tmp_path):
    env = {**os.environ, "DEBUG": "1"}
    for command in (
        [sys.executable, "-m", "syncer.cli.main", "plan", "--stict"],
        [sys.executable, "manage.py", "syncer", "plan", "--stict"],
    ):
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            cwd=Path(__file__).parents[2],
        )
        assert result.returncode == 1, (command, result.stderr)
        assert "unrecognized arguments: --stict" in result.stderr


@pytest.mark.django_db
def test_plan_says_when_apply_will_refuse_it_and_how_to_apply_after_review(tmp_path, capsys):
    def files(changed: int) -> dict[str, str]:
        lines = ["tasks:"]
        for i in range(14):
            every = "7s" if i < changed else "3s"
            lines.append(f"  t{i:02}: {{task: tasks.print_hello, every: {every}}}")
        return {"a.yaml": "\n".join(lines) + "\n"}

    root = write_files(tmp_path / "s", files(0))
    assert main(["apply", str(root)]) == 0
    write_files(root, files(5))
    capsys.readouterr()
    assert main(["plan", str(root), "--detailed-exitcode"]) == 2
    text = capsys.readouterr().out
    assert (
        "Apply will refuse this plan: refusing to change 5 of 14 managed tasks (0 deletes), "
        "more than 30%. After review, apply it with --force." in text
    )
    assert main(["plan", str(root), "-o", "json"]) == 0
    safety = json.loads(capsys.readouterr().out)["safety"]
    assert safety == {
        "apply_refused": True,
        "reason": "refusing to change 5 of 14 managed tasks (0 deletes), more than 30%",
        "override": "--force",
    }
    assert main(["apply", str(root)]) == 1
    assert "use --force to apply it" in capsys.readouterr().err
    assert main(["apply", str(root), "--force"]) == 0
    capsys.readouterr()
    assert main(["plan", str(root), "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["safety"]["apply_refused"] is False


@pytest.mark.django_db
def test_the_plan_says_which_runs_start_at_once_and_which_the_policy_holds_back(tmp_path, capsys):
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    hour = (now - timedelta(hours=1)).hour  # today's slot at this hour passed an hour ago
    root = write_files(
        tmp_path / "s",
        {
            "a.yaml": f"tasks:\n  nightly: {{task: tasks.print_hello, cron: '0 {(hour + 12) % 24} * * *', timezone: UTC}}\n  paused: {{task: tasks.print_hello, every: 1h, enabled: false}}\n"
        },
    )
    assert main(["apply", str(root)]) == 0
    PeriodicTask.objects.filter(name="nightly").update(last_run_at=now - timedelta(hours=25))
    PeriodicTask.objects.filter(name="paused").update(last_run_at=now - timedelta(days=2))
    past = (now - timedelta(days=1)).isoformat()
    write_files(
        root,
        {
            "a.yaml": f"tasks:\n  nightly: {{task: tasks.print_hello, cron: '0 {hour} * * *', timezone: UTC}}\n  paused: {{task: tasks.print_hello, every: 1h}}\n  started: {{task: tasks.print_hello, every: 1h, start_time: '{past}'}}\n  once: {{task: tasks.print_hello, clocked: '{past}'}}\n"
        },
    )
    capsys.readouterr()
    assert main(["plan", str(root), "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    changes = {c["name"]: c for c in data["changes"]}
    assert (
        changes["nightly"]["held_back"] is True and changes["nightly"]["fires_immediately"] is False
    )
    first = datetime.fromisoformat(changes["nightly"]["first_run"])
    assert first.hour == hour and timedelta(hours=22) < first - now < timedelta(hours=24)
    assert changes["paused"]["held_back"] is True  # re-enabled: beat alone would catch up at once
    assert changes["started"]["fires_immediately"] is True  # start_time in the past
    assert changes["once"]["fires_immediately"] is True  # a clocked time in the past
    assert data["summary"]["fires_immediately"] == 2
    assert main(["plan", str(root)]) == 0
    text = capsys.readouterr().out
    assert "2 tasks will run AT ONCE after the apply: once, started" in text
    assert "django-celery-beat alone would run it at once" in text
    assert "first run: AT ONCE after the apply (a slot is already due)" in text


def test_watch_waits_a_tenth_of_a_second_of_quiet_by_default():
    """#17: an editor's save is a burst of events within milliseconds; 0.3 s of quiet was most of
    the save -> committed latency of a small schedule."""
    from syncer.cli.parser import build_parser
    from syncer.daemon.loop import Options

    assert build_parser().parse_args(["watch"]).debounce == 0.1
    assert Options(paths=["schedules"]).debounce == 0.1


@pytest.mark.django_db(transaction=True)
def test_the_program_closes_its_connections_and_freezes_the_heap_before_it_ends(schedules):
    """``console`` (the ``syncer`` program, ``manage.py syncer``): the plan ran on a connection
    that is closed when it returns (a server logs a client that just vanishes), and the heap is
    frozen (the interpreter's exit does not walk it again); ``main`` alone leaves both as they
    are, for a caller that goes on."""
    import gc

    from django.db import connection

    from syncer.cli.main import console

    try:
        assert main(["plan", str(schedules)]) == 0
        assert connection.connection is not None and gc.get_freeze_count() == 0
        assert console(["plan", "--detailed-exitcode", str(schedules)]) == 2
        assert connection.connection is None
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
