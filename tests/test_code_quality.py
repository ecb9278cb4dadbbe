"""The code standards, enforced by the suite so that CI keeps them: ruff (complexity included),
the import contracts (the layers; the pure core never imports Django) and mypy --strict on the
core, the database layer and the daemon."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "syncer", "djbeat", "tasks", "tests", "bench"],
        ["lint-imports"],
        ["mypy"],
    ],
    ids=["ruff", "import-contracts", "mypy"],
)
def test_code_quality(command):
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
