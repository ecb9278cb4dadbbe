"""``syncer pause`` / ``syncer resume`` against a real database, and how apply, plan and status
respect pauses."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from syncer.cli.main import main
from syncer.models import BeatChange, Pause, PauseEvent
from tests.helpers import write_files

pytestmark = pytest.mark.django_db

FILES = {
    "a.yaml": """\
        tasks:
          a: {task: tasks.print_hello, every: 3s}
          b: {task: tasks.print_hello, every: 5s}
          c: {task: tasks.print_hello, every: 7s, enabled: false}
        """
}


@pytest.fixture
def root(tmp_path, capsys):
    root = write_files(tmp_path / "s", FILES)
    assert main(["apply", str(root)]) == 0
    capsys.readouterr()
    return root


def enabled(name: str) -> bool:
    return PeriodicTask.objects.get(name=name).enabled


def bump() -> object:
    return PeriodicTasks.objects.get(ident=1).last_update


def test_pause_disables_at_once_notifies_beat_once_and_logs_who_why_until(root, capsys):
    before = bump()
    code = main(["pause", "a", "b", "--reason", "payments API down", "--for", "2h", "--by", "al"])
    assert code == 0
    out = capsys.readouterr().out
    assert "Paused: a until " in out and "disabled now (beat notified)" in out
    assert not enabled("a") and not enabled("b")
    logged = BeatChange.objects.filter(stamp__gt=before)
    assert bump() > before and set(logged.values_list("stamp", flat=True)) == {bump()}
    assert sorted(logged.values_list("name", flat=True)) == [
        "a",
        "b",
    ]  # one bump, both rows in beat's change log
    pause = Pause.objects.get(task__name="a")
    assert (pause.reason, pause.paused_by) == ("payments API down", "al")
    assert timedelta(minutes=119) < pause.until - timezone.now() <= timedelta(hours=2)
    events = list(PauseEvent.objects.values_list("action", "name", "by"))
    assert sorted(events) == [("pause", "a", "al"), ("pause", "b", "al")]


def test_apply_neither_re_enables_a_paused_task_nor_calls_it_a_change(root, capsys):
    assert main(["pause", "a", "--reason", "r", "--indefinitely"]) == 0
    assert main(["plan", str(root), "--detailed-exitcode"]) == 0
    out = capsys.readouterr().out
    assert "No changes." in out and "|| a  (paused by " in out
    assert main(["apply", str(root), "--detailed-exitcode"]) == 0
    assert not enabled("a")
    capsys.readouterr()
    assert main(["plan", str(root), "-o", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in plan["paused"]] == ["a"] and plan["changes"] == []


def test_every_other_field_of_a_paused_task_is_still_reconciled(root, capsys):
    assert main(["pause", "a", "--reason", "r", "--for", "1h"]) == 0
    (root / "a.yaml").write_text((root / "a.yaml").read_text().replace("every: 3s", "every: 4s"))
    assert main(["apply", str(root)]) == 0
    out = capsys.readouterr().out
    assert "(paused: the row stays disabled; every other field is applied)" in out
    row = PeriodicTask.objects.get(name="a")
    assert row.interval.every == 4 and not row.enabled
    # and the ledger keeps the declaration: resuming enables it
    assert main(["resume", "a"]) == 0
    assert enabled("a")


def test_an_expired_pause_is_ended_by_the_next_apply_without_a_catch_up_run(root, capsys):
    assert main(["pause", "a", "--reason", "r", "--for", "1h"]) == 0
    Pause.objects.update(until=timezone.now() - timedelta(seconds=1))
    assert main(["plan", str(root)]) == 0
    assert "Pauses that expired" in capsys.readouterr().out
    started = timezone.now()
    assert main(["apply", str(root)]) == 0
    row = PeriodicTask.objects.get(name="a")
    assert row.enabled and row.last_run_at is not None and row.last_run_at >= started
    assert not Pause.objects.exists()
    assert PauseEvent.objects.filter(action="expire", name="a").count() == 1


def test_resume_enables_as_declared_counting_the_next_run_from_now(root, capsys):
    assert main(["pause", "a", "c", "--reason", "r", "--indefinitely"]) == 0
    started = timezone.now()
    assert main(["resume", "a", "c", "--by", "bo"]) == 0
    out = capsys.readouterr().out
    assert "Resumed: a; enabled now" in out and "Resumed: c; stays disabled" in out
    row = PeriodicTask.objects.get(name="a")
    assert row.enabled and row.last_run_at >= started
    assert not enabled("c")  # its file declares it disabled
    assert PauseEvent.objects.filter(action="resume", by="bo").count() == 2


def test_pausing_twice_updates_the_reason_and_expiry(root, capsys):
    assert main(["pause", "a", "--reason", "first", "--for", "1h"]) == 0
    capsys.readouterr()
    assert main(["pause", "a", "--reason", "second", "--indefinitely", "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["tasks"][0]["result"] == "pause updated"
    pause = Pause.objects.get()
    assert (pause.reason, pause.until) == ("second", None)


def test_unknown_undeclared_and_not_paused_names_are_errors_that_change_nothing(root, capsys):
    interval = IntervalSchedule.objects.create(every=9, period="seconds")
    PeriodicTask.objects.create(name="by-hand", task="tasks.print_hello", interval=interval)
    capsys.readouterr()
    assert main(["pause", "a", "nope", "--reason", "r", "--for", "1h"]) == 1
    assert "no periodic task named 'nope'" in capsys.readouterr().err
    assert main(["pause", "by-hand", "--reason", "r", "--for", "1h"]) == 1
    assert "not declared in a schedule file" in capsys.readouterr().err
    assert main(["pause", "a", "--reason", "r"]) == 1
    assert "--indefinitely" in capsys.readouterr().err
    assert main(["pause", "a", "--reason", " ", "--for", "1h"]) == 1
    assert main(["resume", "a"]) == 1
    assert "not paused: 'a'" in capsys.readouterr().err
    assert enabled("a") and not Pause.objects.exists() and not PauseEvent.objects.exists()


def test_removing_a_paused_task_from_the_files_deletes_it_and_its_pause(root, capsys):
    assert main(["pause", "a", "--reason", "r", "--indefinitely"]) == 0
    (root / "a.yaml").write_text(
        "tasks:\n  b: {task: tasks.print_hello, every: 5s}\n"
        "  c: {task: tasks.print_hello, every: 7s, enabled: false}\n"
    )
    assert main(["apply", str(root)]) == 0
    assert not PeriodicTask.objects.filter(name="a").exists() and not Pause.objects.exists()
    assert PauseEvent.objects.filter(action="delete", name="a").count() == 1


def test_status_reports_pauses_apart_from_drift(root, capsys):
    assert main(["status", str(root), "--detailed-exitcode"]) == 0
    assert main(["pause", "a", "--reason", "hammering billing", "--for", "1h"]) == 0
    capsys.readouterr()
    assert main(["status", str(root), "--detailed-exitcode", "-o", "json"]) == 4
    data = json.loads(capsys.readouterr().out)
    assert data["drift"] == {} and data["paused"][0]["reason"] == "hammering billing"
    assert {h["name"]: h["state"] for h in data["health"]}["a"] == "paused"
    # drift as well: drift wins (2)
    PeriodicTask.objects.filter(name="b").update(queue="edited")
    assert main(["status", str(root), "--detailed-exitcode"]) == 2
    out = capsys.readouterr().out
    assert "Paused:      1 task" in out and "a: by " in out and "hammering billing" in out


def test_status_warns_about_indefinite_pauses_older_than_a_day(root, capsys):
    assert main(["pause", "a", "--reason", "r", "--indefinitely"]) == 0
    Pause.objects.update(paused_at=timezone.now() - timedelta(days=3))
    capsys.readouterr()
    assert main(["status", str(root)]) == 0
    assert "warning: a paused indefinitely 3 days ago" in capsys.readouterr().out


def test_status_history_lists_applies_pauses_and_resumes(root, capsys):
    assert main(["pause", "a", "--reason", "why not", "--for", "1h", "--by", "al"]) == 0
    assert main(["resume", "a", "--by", "bo"]) == 0
    capsys.readouterr()
    assert main(["status", str(root), "--history", "-o", "json"]) == 0
    events = [(row["event"], row["by"]) for row in json.loads(capsys.readouterr().out)["history"]]
    assert events[:2] == [("resume", "bo"), ("pause", "al")] and events[2][0] == "apply"
    assert main(["status", str(root), "--history", "2"]) == 0
    text = capsys.readouterr().out
    assert "resume a (by bo)" in text and "pause a until " in text and "apply " not in text


def test_export_writes_a_paused_task_as_declared_not_disabled(root, tmp_path, capsys):
    assert main(["pause", "a", "--reason", "r", "--indefinitely"]) == 0
    out = tmp_path / "exported.yaml"
    assert main(["export", "--managed", "--output-file", str(out)]) == 0
    text = out.read_text()
    assert "paused now (the pause is not exported)" in text
    a_block = text[text.index("\n  a:") : text.index("\n  b:")]
    assert "enabled: false" not in a_block
    assert "enabled: false" in text[text.index("\n  c:") :]  # declared disabled: stays so
