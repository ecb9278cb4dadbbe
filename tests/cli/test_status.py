import json

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from syncer.cli.main import main
from tests.helpers import write_files

pytestmark = pytest.mark.django_db

HELLO = (
    "tasks:\n  a: {task: tasks.print_hello, every: 3s}\n  b: {task: tasks.print_hello, every: 5s}\n"
)


def test_status_reports_last_apply_drift_unmanaged_and_pending(tmp_path, capsys, monkeypatch):
    root = write_files(tmp_path / "s", {"a.yaml": HELLO})
    monkeypatch.setenv("SYNCER_REVISION", "abc123")
    assert main(["apply", str(root)]) == 0
    interval = IntervalSchedule.objects.create(every=9, period="seconds")
    PeriodicTask.objects.create(name="admin-made", task="tasks.print_hello", interval=interval)
    PeriodicTask.objects.filter(name="a").update(queue="edited-in-admin")
    (root / "a.yaml").write_text(HELLO + "  c: {task: tasks.print_hello, every: 7s}\n")
    capsys.readouterr()
    assert main(["status", str(root), "-o", "json", "--detailed-exitcode"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["last_apply"]["revision"] == "abc123"
    assert data["last_apply"]["summary"]["create"] == 2
    assert data["managed"] == 2
    assert data["unmanaged"] == ["admin-made"]
    assert data["drift"] == {"a": ["queue"]}
    assert data["pending"]["summary"]["create"] == 1 and data["pending"]["summary"]["update"] == 1
    assert main(["status", str(root)]) == 0
    text = capsys.readouterr().out
    assert "Revision:    abc123" in text and "a: queue" in text


def test_status_is_clean_after_apply(tmp_path, capsys):
    root = write_files(tmp_path / "s", {"a.yaml": HELLO})
    assert main(["apply", str(root)]) == 0
    assert main(["status", str(root), "--detailed-exitcode"]) == 0
    assert "Drift:       none" in capsys.readouterr().out


def test_invalid_files_are_an_error_not_changes(tmp_path, capsys):
    root = write_files(tmp_path / "s", {"a.yaml": HELLO})
    assert main(["apply", str(root)]) == 0
    (root / "a.yaml").write_text(HELLO.replace("every: 5s", "every: soon"))
    capsys.readouterr()
    # Still a full report (what is live), then exit 1: the files cannot be applied.
    assert main(["status", str(root), "--detailed-exitcode"]) == 1
    out = capsys.readouterr().out
    assert "Managed:     2 tasks" in out and "Files:       INVALID (1 problem: " in out
    assert main(["status", str(root), "-o", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["pending"]["valid"] is False


def test_status_judges_each_tasks_runs_and_reports_the_unhealthy(tmp_path, capsys):
    from datetime import timedelta

    from django.utils import timezone

    root = write_files(tmp_path / "s", {"a.yaml": HELLO})
    assert main(["apply", str(root)]) == 0
    now = timezone.now()
    PeriodicTask.objects.filter(name="a").update(last_run_at=now - timedelta(minutes=5))
    PeriodicTask.objects.filter(name="b").update(last_run_at=now - timedelta(seconds=1))
    capsys.readouterr()
    assert main(["status", str(root), "-o", "json", "--detailed-exitcode"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert [(h["name"], h["state"]) for h in data["health"]] == [("a", "missed"), ("b", "ok")]
    assert data["health"][0]["late_seconds"] > 290
    assert data["health_summary"]["missed"] == 1 and data["health_summary"]["ok"] == 1
    assert main(["status", str(root)]) == 0
    text = capsys.readouterr().out
    assert "Runs:        1 missed, 1 ok" in text
    assert "  missed    a: due " in text
