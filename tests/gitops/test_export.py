"""``syncer export``: live rows of every kind and every optional field -> a file that, applied,
changes nothing (unowned rows are adopted with no field change; owned rows are unchanged)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from syncer.cli.main import main
from syncer.core.kinds.clocked import ClockedKey
from syncer.core.kinds.crontab import CrontabKey
from syncer.core.kinds.interval import IntervalKey
from syncer.core.kinds.solar import SolarKey
from syncer.core.state import TaskState
from syncer.db.actual import read_snapshot
from tests.gitops.rows import make_row
from tests.helpers import write_files

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 17, 8, 30, 15, 123456, tzinfo=UTC)
ROWS = [
    # Beat itself stores a beat_schedule interval in seconds: 60 s is read as 1 minute.
    TaskState(
        "every-60-seconds",
        "tasks.write_to_file",
        IntervalKey(60, "seconds"),
        args='["var/out.txt", "x", 1, 2.5, null, true, {"deep": [1, {"a": "b"}]}]',
        kwargs='{"text": "cost: $5 or ${PRICE}", "n": -3}',
        queue="reports",
        exchange="periodic",
        routing_key="reports.daily",
        priority=255,
        headers='{"origin": "admin", "list": [1, 2]}',
        expire_seconds=0,
        description="Ünïcödé, 'quotes', \"double\", # not a comment\nsecond line: yes",
    ),
    TaskState(
        "hourly-in-seconds",
        "tasks.print_hello",
        IntervalKey(3600, "seconds"),
        start_time=T0,
        one_off=True,
        enabled=False,
    ),
    TaskState("quarter-second", "tasks.print_hello", IntervalKey(250000, "microseconds")),
    TaskState("ninety-minutes", "tasks.print_hello", IntervalKey(90, "minutes"), priority=0),
    TaskState("weekly", "tasks.print_hello", IntervalKey(7, "days"), expire_seconds=86400),
    TaskState(
        "office-hours",
        "tasks.print_hello",
        CrontabKey("*/15", "9-17", "*", "*", "mon-fri", "Europe/Berlin"),
        expires=T0,
        description="yes",
    ),
    TaskState(
        "new-york-twice-a-month",
        "tasks.write_to_file",
        CrontabKey("0", "6", "1,15", "*", "*", "America/New_York"),
        kwargs='{"path": null}',
    ),
    TaskState(
        "sunset-berlin",
        "tasks.print_hello",
        SolarKey("sunset", "52.520000", "13.405000"),
        description="at sunset",
    ),
    TaskState(
        "dawn-null-island", "tasks.print_hello", SolarKey("dawn_civil", "0.000000", "-0.000001")
    ),
    TaskState(
        "new-year-done",  # beat ran it and disabled it
        "tasks.print_hello",
        ClockedKey(datetime(2030, 12, 31, 23, 0, 0, 1, tzinfo=UTC)),
        one_off=True,
        enabled=False,
    ),
    TaskState(
        "celery.backend_cleanup",
        "celery.backend_cleanup",
        CrontabKey("0", "4", "*", "*", "*", "UTC"),
    ),
]
MANAGED = "tasks:\n  managed-one:\n    task: tasks.print_hello\n    every: 10s\n    queue: q\n"


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """The rows above, unowned, plus one task the syncer owns (declared in managed/a.yaml)."""
    for state in ROWS:
        make_row(state)
    managed = write_files(tmp_path / "managed", {"a.yaml": MANAGED})
    assert main(["apply", str(managed)]) == 0
    return managed


def plan_json(capsys, *paths: Path) -> dict:
    capsys.readouterr()
    assert main(["plan", *map(str, paths), "-o", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_export_then_plan_adopts_with_no_field_change_then_apply_changes_nothing(
    live, tmp_path, capsys
):
    before = read_snapshot()
    last_runs = dict(PeriodicTask.objects.values_list("name", "last_run_at"))
    out = tmp_path / "exported" / "all.yaml"
    assert main(["export", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"exported 11 tasks to {out}; left out: 1 celery.* rows" in err

    plan = plan_json(capsys, out)
    adopted = {c["name"]: c["changed_fields"] for c in plan["changes"]}
    unowned = {s.name for s in ROWS} - {"celery.backend_cleanup"}
    assert adopted == {name: [] for name in unowned}
    assert {c["action"] for c in plan["changes"]} == {"adopt"}
    assert plan["summary"]["unchanged"] == 1  # the managed task

    assert main(["apply", str(out)]) == 0
    capsys.readouterr()
    assert main(["plan", str(out), "--detailed-exitcode"]) == 0
    after = read_snapshot()
    assert after.states == before.states  # no row changed
    assert set(after.ledger) == {s.name for s in ROWS} - {"celery.backend_cleanup"} | {
        "managed-one"
    }
    assert dict(PeriodicTask.objects.values_list("name", "last_run_at")) == last_runs
    # The 60-second row still points at its own schedule row: nothing was rewritten.
    row = PeriodicTask.objects.get(name="every-60-seconds")
    assert (row.interval.every, row.interval.period) == (60, "seconds")


def test_the_exported_text(live, capsys):
    assert main(["export", "--unmanaged"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# Exported by `syncer export --unmanaged`")
    assert "  every-60-seconds:\n    task: tasks.write_to_file\n    every: 1m\n" in text
    assert "every: 1h\n" in text and "every: 250ms\n" in text and "every: 90m\n" in text
    assert "every: 1w\n" in text
    assert '    cron: "*/15 9-17 * * mon-fri"\n    timezone: Europe/Berlin\n' in text
    assert "    solar: {event: sunset, latitude: 52.52, longitude: 13.405}\n" in text
    assert "    clocked: '2030-12-31T23:00:00.000001+00:00'\n" in text
    # A literal $ is written $$: a loaded file expands ${VAR}.
    assert "cost: $$5 or $${PRICE}" in text
    assert "    description: 'yes'\n" in text
    assert "managed-one" not in text and "celery.backend_cleanup" not in text


def test_scopes_celery_rows_and_declared_names(live, tmp_path, capsys):
    def exported(*argv: str) -> set[str]:
        capsys.readouterr()
        assert main(["export", *argv]) == 0
        text = capsys.readouterr().out
        return {
            line[2:-1]
            for line in text.splitlines()
            if line.startswith("  ") and line.endswith(":") and not line.startswith("   ")
        }

    everything = {s.name for s in ROWS} | {"managed-one"}
    assert exported() == exported("--all") == everything - {"celery.backend_cleanup"}
    assert exported("--managed") == {"managed-one"}
    assert exported("--unmanaged", "--include-celery") == {s.name for s in ROWS}
    # Names declared in the given files are left out, so the export can go next to them.
    assert exported(str(live)) == everything - {"celery.backend_cleanup", "managed-one"}
    capsys.readouterr()
    assert main(["export", "--managed", "-o", str(live / "recovered.yaml"), str(live)]) == 0
    assert "left out: 1 declared in the given files" in capsys.readouterr().err
    assert "managed-one" not in (live / "recovered.yaml").read_text()


def test_a_file_is_not_overwritten_without_force_and_rewriting_it_keeps_its_tasks(
    live, tmp_path, capsys
):
    schedules = tmp_path / "schedules"
    schedules.mkdir()
    assert main(["export", "--unmanaged", "-o", f"{schedules}/"]) == 0
    target = schedules / "exported.yaml"
    first = target.read_text()
    assert main(["export", "--unmanaged", "-o", str(schedules)]) == 1
    assert "exists; use --force" in capsys.readouterr().err
    # The file being rewritten does not count as "declared": its tasks stay in it.
    assert main(["export", "--unmanaged", "--force", "-o", str(schedules), str(schedules)]) == 0
    assert target.read_text() == first
    assert [p.name for p in schedules.iterdir()] == ["exported.yaml"]  # no temporary file left
    with pytest.raises(SystemExit) as usage:
        main(["export", "-o", "json"])
    assert usage.value.code == 1
    assert "the output format of `export` is yaml" in capsys.readouterr().err


def test_rows_the_format_cannot_express_are_named_and_nothing_is_written(live, tmp_path, capsys):
    # Only through SQL or a bulk update: save() would refuse the last two.
    PeriodicTask.objects.filter(name="office-hours").update(args="[1, 2")
    PeriodicTask.objects.filter(name="new-year-done").update(one_off=False)
    PeriodicTask.objects.filter(name="weekly").update(expires=T0)
    zero = IntervalSchedule.objects.create(every=0, period="seconds")
    PeriodicTask.objects.filter(name="ninety-minutes").update(interval=zero)
    out = tmp_path / "x.yaml"
    assert main(["export", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "database: task 'office-hours': args: the column holds invalid JSON: [1, 2" in err
    assert (
        "database: task 'new-year-done': a clocked schedule runs once: one_off cannot be false"
        in err
    )
    assert "database: task 'weekly': set expires or expire_seconds, not both" in err
    assert (
        "database: task 'ninety-minutes': schedule: an interval of 0 seconds cannot be declared"
        in err
    )
    assert "error: 4 tasks cannot be written exactly" in err
    assert not out.exists()

    assert main(["export", "-o", str(out), "--skip-unrepresentable"]) == 0
    text = out.read_text()
    assert "office-hours" not in text and "sunset-berlin" in text
    plan = plan_json(capsys, out)
    assert all(c["action"] == "adopt" and c["changed_fields"] == [] for c in plan["changes"])
    assert len(plan["changes"]) == 6


def test_unregistered_task_names_are_exported_with_a_warning(db, capsys):
    make_row(TaskState("other-app", "billing.tasks.invoice", IntervalKey(5, "minutes")))
    assert main(["export"]) == 0
    captured = capsys.readouterr()
    assert "  other-app:\n    task: billing.tasks.invoice\n    every: 5m\n" in captured.out
    assert "warning: task 'other-app': 'billing.tasks.invoice' is not registered" in captured.err


def test_an_empty_table_exports_an_empty_valid_file(db, tmp_path, capsys):
    out = tmp_path / "empty.yaml"
    assert main(["export", "-o", str(out)]) == 0
    assert out.read_text().endswith("version: 1\ntasks: {}\n")
    assert main(["validate", str(out)]) == 0
