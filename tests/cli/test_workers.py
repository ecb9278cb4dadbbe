"""The commands hand the files to build to forked helpers before the project starts
(``SYNCER_WORKERS``, ``syncer.core.prebuild``): first, then the project's start, and the
same plan as with the command's own process only, in a project whose settings set what the build
reads (the default time zone, a limit)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syncer import project
from syncer.cli.main import main
from syncer.forked import ForkedBuilders
from tests.cli.test_project import make_project, migrate, one_line_error, run
from tests.helpers import write_files


def many(prefix: str, count: int, task: str) -> str:
    """``count`` tasks, a third of them crons without a zone (the default zone applies)."""
    lines = ["tasks:"]
    for n in range(count):
        lines += [f"  {prefix}-{n:05d}:", f"    task: {task}"]
        lines.append("    cron: '*/15 * * * *'" if n % 3 == 0 else f"    every: {n % 40 + 1}m")
        lines.append(f"    description: {prefix} number {n} of the benchmark-sized files")
    return "\n".join(lines) + "\n"


def big_files(root: Path, task: str, files: int = 3, per_file: int = 1200) -> Path:
    """Enough bytes for helpers to be worth it (``MIN_HANDED_BYTES``)."""
    root.mkdir(parents=True, exist_ok=True)
    for number in range(files):
        (root / f"team-{number}.yaml").write_text(many(f"t{number}", per_file, task))
    assert sum(p.stat().st_size for p in root.iterdir()) > 256 * 1024
    return root


@pytest.mark.usefixtures("no_other_thread")
def test_the_files_are_handed_out_before_the_project_starts(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    events: list[str] = []
    real_start, real_setup = ForkedBuilders.start, project.setup_django

    def start(self, build, shares):  # type: ignore[no-untyped-def]
        events.append(f"{len(shares)} helpers started")
        return real_start(self, build, shares)

    def setup(*args):  # type: ignore[no-untyped-def]
        events.append("project started")
        return real_setup(*args)

    monkeypatch.setattr(ForkedBuilders, "start", start)
    monkeypatch.setattr(project, "setup_django", setup)
    monkeypatch.setenv("SYNCER_WORKERS", "2")
    monkeypatch.setenv("SYNCER_CACHE_DIR", "off")
    root = big_files(tmp_path / "s", "tasks.print_hello")
    assert main(["validate", str(root)]) == 0
    assert events[:2] == ["2 helpers started", "project started"]
    assert "3 files, 3600 tasks: valid" in capsys.readouterr().out
    monkeypatch.setenv("SYNCER_WORKERS", "1")
    events.clear()
    assert main(["validate", str(root)]) == 0
    assert events and not [e for e in events if "helpers" in e]


def test_helpers_give_the_plan_of_one_process_in_a_project_with_its_own_settings(
    tmp_path: Path,
) -> None:
    shop = make_project(tmp_path / "shop")
    with (shop / "shop" / "settings.py").open("a") as settings:
        settings.write('CELERY_TIMEZONE = "Asia/Tokyo"\nSYNCER_MAX_FILE_BYTES = 2_000_000\n')
    (shop / "schedules" / "shop.yaml").unlink()
    big_files(shop / "schedules", "shop.ping")
    migrate(shop)
    plans = {}
    for workers in ("1", "2"):
        result = run(shop, "plan", "-o", "json", SYNCER_WORKERS=workers, SYNCER_CACHE_DIR="off")
        assert result.returncode == 0, result.stderr
        plans[workers] = json.loads(result.stdout)
    assert plans["1"]["checksum"] == plans["2"]["checksum"]  # the previews move with the clock
    assert [timeless(c) for c in plans["1"]["changes"]] == [
        timeless(c) for c in plans["2"]["changes"]
    ]
    crons = [
        c["after"]["schedule"]
        for c in plans["2"]["changes"]
        if c["after"]["schedule"]["kind"] == "crontab"
    ]
    assert len(crons) == 1200 and {c["timezone"] for c in crons} == {"Asia/Tokyo"}


def timeless(change: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in change.items() if k not in ("preview", "first_run")}


def test_a_number_of_workers_that_is_not_one_or_more_is_refused(tmp_path: Path) -> None:
    shop = make_project(tmp_path / "shop")
    for value, expected in (("0", "must be greater than 0"), ("many", "expected an integer")):
        line = one_line_error(run(shop, "validate", SYNCER_WORKERS=value))
        assert line.startswith("error: environment variable SYNCER_WORKERS: ")
        assert expected in line


def held_back_scenario(root: Path) -> Path:
    """Applied once, then a schedule change and a re-enable of tasks whose last runs are old:
    beat alone would run them at once, the next-run policy holds them back."""
    from datetime import UTC, datetime, timedelta

    from django_celery_beat.models import PeriodicTask

    now = datetime.now(UTC)
    hour = (now - timedelta(hours=1)).hour
    first = (
        f"tasks:\n  nightly: {{task: tasks.print_hello, cron: '0 {(hour + 12) % 24} * * *'}}\n"
        "  paused: {task: tasks.print_hello, every: 1h, enabled: false}\n"
    )
    write_files(root, {"a.yaml": first})
    assert main(["apply", str(root)]) == 0
    PeriodicTask.objects.filter(name="nightly").update(last_run_at=now - timedelta(hours=25))
    PeriodicTask.objects.filter(name="paused").update(last_run_at=now - timedelta(days=2))
    second = (
        f"tasks:\n  nightly: {{task: tasks.print_hello, cron: '0 {hour} * * *'}}\n"
        "  paused: {task: tasks.print_hello, every: 1h}\n"
    )
    return write_files(root, {"a.yaml": second})


@pytest.mark.django_db
@pytest.mark.parametrize("workers", ["1", "2"])
def test_apply_says_which_runs_the_policy_holds_back_as_plan_does(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    workers: str,
) -> None:
    """The previews read the last runs before the apply writes them (after it, they are the
    reset ones), with the plan rendered by a helper or by the command itself."""
    monkeypatch.setenv("SYNCER_WORKERS", workers)
    root = held_back_scenario(tmp_path / "s")
    capsys.readouterr()
    assert main(["apply", str(root), "-o", "json"]) == 0
    changes = {c["name"]: c for c in json.loads(capsys.readouterr().out)["changes"]}
    assert changes["nightly"]["held_back"] is True and changes["paused"]["held_back"] is True


@pytest.mark.django_db
def test_the_plan_a_helper_renders_is_the_one_the_command_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("SYNCER_WORKERS", workers)
        root = held_back_scenario(tmp_path / f"s{workers}")
        capsys.readouterr()
        assert main(["apply", str(root)]) == 0
        out = capsys.readouterr().out.replace(str(root), "S")
        assert out.endswith("Applied.\n") and out.count("the apply holds it back") == 2
        texts[workers] = [line for line in out.splitlines() if " UTC" not in line]
        assert main(["apply", "--allow-empty", "--force", str(write_files(root, {}))]) == 0
    assert texts["1"] == texts["2"]


@pytest.mark.django_db
def test_a_helper_that_fails_leaves_the_plan_to_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from syncer.cli import rendered_ahead

    def fails(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the helper's render failed")

    monkeypatch.setattr(rendered_ahead, "show", fails)  # in the helper only (apply has its own)
    monkeypatch.setenv("SYNCER_WORKERS", "2")
    root = held_back_scenario(tmp_path / "s")
    capsys.readouterr()
    assert main(["apply", str(root)]) == 0
    out = capsys.readouterr().out
    assert (
        "~ update nightly" in out
        and "the apply holds it back" in out
        and out.endswith("Applied.\n")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("helper", ["none", "alive", "dies-first"])
def test_the_record_of_an_apply_holds_the_checksum_of_its_plan(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    helper: str,
) -> None:
    """The helper computes the checksum first and hands it over; a helper that died before it
    leaves it to the command: the record holds the reviewed plan's checksum all the same."""
    import os
    import signal

    from syncer.core.plan import Plan
    from syncer.models import ApplyRecord

    monkeypatch.setenv("SYNCER_WORKERS", "1" if helper == "none" else "2")
    command = os.getpid()
    real = Plan._digest

    def dies_in_the_helper(plan: Plan) -> str:
        if os.getpid() != command:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(plan)

    if helper == "dies-first":
        monkeypatch.setattr(Plan, "_digest", dies_in_the_helper)
    root = held_back_scenario(tmp_path / "s")
    capsys.readouterr()
    assert main(["plan", str(root), "-o", "json"]) == 0
    reviewed = json.loads(capsys.readouterr().out)["checksum"]
    assert main(["apply", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.endswith("Applied.\n") and "~ update nightly" in out
    assert ApplyRecord.objects.order_by("-id").first().checksum == reviewed  # type: ignore[union-attr]


@pytest.mark.django_db
def test_the_warnings_come_before_the_plan_and_the_herd_lint_among_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``apply`` leaves the herd lint to the helper that renders the plan: its warnings are
    printed with the others, sorted, before the plan (or before the error of an apply that
    fails), as the command itself prints them."""
    from tests.cli.test_timeline import herd

    dst = "  berlin: {task: tasks.print_hello, cron: '30 2 * * *', timezone: Europe/Berlin}\n"
    outputs = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("SYNCER_WORKERS", workers)
        root = write_files(tmp_path / f"s{workers}", {"a.yaml": herd(60) + dst})
        capsys.readouterr()
        assert main(["apply", str(root)]) == 0
        out, err = capsys.readouterr()
        outputs[workers] = (err.replace(str(root), "S"), out.replace(str(root), "S"))
        assert main(["apply", "--allow-empty", "--force", str(write_files(root, {}))]) == 0
    err, out = outputs["2"]
    assert outputs["1"][0] == err
    assert [line.split(": ")[2] for line in err.splitlines()] == [
        "schedule",  # the herd lint (a.yaml:2), then the DST lint (a.yaml:62)
        "timezone",
        "timezone",
    ]
    assert out.endswith("Applied.\n")
    # An apply that fails prints the warnings first, then its error.
    monkeypatch.setenv("SYNCER_WORKERS", "2")
    root = write_files(tmp_path / "s3", {"a.yaml": herd(60)})
    reviewed = tmp_path / "plan.json"
    reviewed.write_text('{"checksum": "0000"}')
    assert main(["apply", str(root), "--plan", str(reviewed)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert "SYNCER_HERD_THRESHOLD" in lines[0] and lines[-1].startswith("error: ")
