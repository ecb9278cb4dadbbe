"""The scenario corpus under ``tests/data/``: one directory per scenario, copied to a temporary
directory before each run so that the test can add what git cannot hold (a symbolic link loop, a
directory named ``x.yaml``, a 50 MB file) and the CLI can run from inside it.

Normalisation: the CLI runs with the scenario copy as its working directory and ``.`` as the path,
so every path it prints is relative to the scenario (``a.yaml``, ``sub/b.yaml``), exactly as the
``expected.txt`` files spell them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    PeriodicTasks,
    SolarSchedule,
)

from syncer.cli.main import main
from syncer.models import ApplyRecord, ManagedSchedule, ManagedTask

DATA = Path(__file__).resolve().parent.parent / "data"
INVALID_DIR = DATA / "invalid"
VALID_DIR = DATA / "valid"
INVALID = sorted(p.name for p in INVALID_DIR.iterdir() if p.is_dir())
VALID = sorted(p.name for p in VALID_DIR.iterdir() if p.is_dir())
BIG_FILE_BYTES = 50 * 1024 * 1024


def _directory_named_yaml(root: Path) -> None:
    (root / "x.yaml").mkdir()


def _symlink_loop(root: Path) -> None:
    (root / "loop.yaml").symlink_to("loop.yaml")


def _symlink_broken(root: Path) -> None:
    (root / "link.yaml").symlink_to("gone.yaml")


def _file_too_large(root: Path) -> None:
    with (root / "big.yaml").open("wb") as handle:
        handle.write(b"tasks:\n")
        handle.write(b"#" * BIG_FILE_BYTES)
        handle.write(b"\n")


# Entries git cannot hold (or that should not be committed), made by the test in the copy.
SETUPS: dict[str, Callable[[Path], None]] = {
    "directory-named-yaml": _directory_named_yaml,
    "symlink-loop": _symlink_loop,
    "symlink-broken": _symlink_broken,
    "file-too-large": _file_too_large,
}
# Problems about a whole file: they name the file but no line.
FILE_LEVEL = set(SETUPS)


def materialise(source: Path, tmp_path: Path) -> Path:
    """A copy of the scenario directory (without its expectations), plus its special entries."""
    root = tmp_path / source.name
    shutil.copytree(source, root, symlinks=True, ignore=shutil.ignore_patterns("expected*.txt"))
    setup = SETUPS.get(source.name)
    if setup is not None:
        setup(root)
    return root


def run_cli(capsys, monkeypatch, cwd: Path, *argv: str) -> tuple[int, str, str]:
    """``syncer ARGV`` in-process from ``cwd``: (exit code, stdout, stderr)."""
    capsys.readouterr()
    with monkeypatch.context() as patch:
        patch.chdir(cwd)
        code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


SCHEDULE_TABLES = (
    PeriodicTask,
    IntervalSchedule,
    CrontabSchedule,
    SolarSchedule,
    ClockedSchedule,
    PeriodicTasks,
    ManagedTask,
    ManagedSchedule,
    ApplyRecord,
)


def dump_tables() -> str:
    """Every row of every table apply may write, ids and timestamps included, as sorted text."""
    lines = []
    for model in SCHEDULE_TABLES:
        for row in model.objects.order_by("pk").values():
            lines.append(f"{model._meta.label} {json.dumps(row, sort_keys=True, default=str)}")
    return "\n".join(sorted(lines)) + "\n"
