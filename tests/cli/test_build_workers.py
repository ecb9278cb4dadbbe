"""The commands hand the files to build to forked helpers before the project starts
(``SYNCER_BUILD_WORKERS``, ``syncer.core.prebuild``): first, then the project's start, and the
same plan as with the command's own process only, in a project whose settings set what the build
reads (the default time zone, a limit)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from syncer import project
from syncer.build_workers import ForkedBuilders
from syncer.cli.main import main
from tests.cli.test_project import clean_env, make_project, one_line_error, run


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


def test_the_files_are_handed_out_before_the_project_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
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
    monkeypatch.setenv("SYNCER_BUILD_WORKERS", "2")
    monkeypatch.setenv("SYNCER_CACHE_DIR", "off")
    root = big_files(tmp_path / "s", "tasks.print_hello")
    assert main(["validate", str(root)]) == 0
    assert events[:2] == ["2 helpers started", "project started"]
    assert "3 files, 3600 tasks: valid" in capsys.readouterr().out
    monkeypatch.setenv("SYNCER_BUILD_WORKERS", "1")
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
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=shop,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrate.returncode == 0, migrate.stderr
    plans = {}
    for workers in ("1", "2"):
        result = run(
            shop, "plan", "-o", "json", SYNCER_BUILD_WORKERS=workers, SYNCER_CACHE_DIR="off"
        )
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
        line = one_line_error(run(shop, "validate", SYNCER_BUILD_WORKERS=value))
        assert line.startswith("error: environment variable SYNCER_BUILD_WORKERS: ")
        assert expected in line
