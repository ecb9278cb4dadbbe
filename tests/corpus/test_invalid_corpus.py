"""Every invalid scenario in ``tests/data/invalid/`` is refused with its exact messages, and a
refused ``apply`` leaves every schedule table byte-identical.

Each scenario directory holds its files and ``expected.txt``: the exact stderr of the CLI, one
``path:line:col: task 'x': field: message`` line per problem (a problem about a whole file names
only the file), then the ``error: N problems in M files; nothing was changed`` line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from tests.corpus.scenarios import (
    FILE_LEVEL,
    INVALID,
    INVALID_DIR,
    SETUPS,
    VALID_DIR,
    dump_tables,
    materialise,
    run_cli,
)

PROBLEM = re.compile(r"^(?P<path>[^:]+?)(?::(?P<line>\d+)(?::(?P<column>\d+))?)?: (?P<message>.+)$")
SUMMARY = re.compile(r"^error: (\d+) problems? in (\d+) files?; nothing was changed$")
COMMANDS = (
    ("validate", "."),
    ("plan", "."),
    ("apply", "."),
    ("apply", ".", "--force", "--allow-empty", "--revision", "must-not-be-recorded"),
)


def expected(name: str) -> str:
    return (INVALID_DIR / name / "expected.txt").read_text(encoding="utf-8")


def test_the_corpus_is_complete():
    assert len(INVALID) >= 60
    for name in INVALID:
        directory = INVALID_DIR / name
        assert (directory / "expected.txt").is_file(), name
        has_files = any(p.suffix in (".yaml", ".yml") for p in directory.rglob("*"))
        assert has_files or name in SETUPS, f"{name}: no schedule file and no setup"
    assert set(SETUPS) <= set(INVALID)


@pytest.mark.parametrize("name", INVALID)
def test_expected_lines_are_located_problems(name, tmp_path):
    """The expectations themselves: each problem names an entry of the scenario and (unless it is
    about the whole file) a line that exists; the summary counts them."""
    root = materialise(INVALID_DIR / name, tmp_path)
    *problems, summary = expected(name).splitlines()
    counts = SUMMARY.match(summary)
    assert counts, summary
    assert int(counts.group(1)) == len(problems) >= 1
    assert int(counts.group(2)) == len({PROBLEM.match(p).group("path") for p in problems})
    for text in problems:
        match = PROBLEM.match(text)
        assert match, text
        path = root / match.group("path")
        assert path.exists() or path.is_symlink(), text
        if name in FILE_LEVEL:
            continue
        assert match.group("line"), f"{name}: no line number in {text!r}"
        assert 1 <= int(match.group("line")) <= path.read_bytes().count(b"\n") + 1, text


def _baseline(tmp_path: Path, capsys, monkeypatch) -> None:
    """Tables that are not empty: an unmanaged row, and managed tasks of all four kinds."""
    PeriodicTask.objects.create(
        name="made-in-the-admin",
        task="tasks.print_hello",
        interval=IntervalSchedule.objects.create(every=7, period="days"),
    )
    baseline = materialise(VALID_DIR / "all-four-kinds", tmp_path / "baseline")
    code, _, err = run_cli(capsys, monkeypatch, baseline, "apply", ".", "--revision", "baseline")
    assert code == 0, err
    assert PeriodicTask.objects.count() == 8


@pytest.mark.django_db
@pytest.mark.parametrize("name", INVALID)
def test_invalid_scenario_is_refused_and_nothing_changes(name, tmp_path, capsys, monkeypatch):
    _baseline(tmp_path, capsys, monkeypatch)
    before = dump_tables()
    root = materialise(INVALID_DIR / name, tmp_path / "scenario")
    for argv in COMMANDS:
        code, out, err = run_cli(capsys, monkeypatch, root, *argv)
        assert err == expected(name), argv
        assert (code, out) == (1, ""), argv
    assert dump_tables() == before


SUBPROCESS_SCENARIOS = (
    "yaml-python-object-apply",
    "duplicate-name-across-files",
    "non-utf8-latin1",
    "symlink-loop",
)


@pytest.mark.parametrize("name", SUBPROCESS_SCENARIOS)
def test_the_console_script_reports_the_same_lines(name, tmp_path):
    """The installed ``syncer`` entry point, as a real process. ``validate`` needs no database:
    DATABASE_URL points at nothing, which also proves that no connection is attempted."""
    script = Path(sys.executable).with_name("syncer")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "syncer.cli.main"]
    root = materialise(INVALID_DIR / name, tmp_path)
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    result = subprocess.run(
        [*command, "validate", "."], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == expected(name)
    assert not (root / "pwned").exists()  # !!python/object/apply never ran os.system
