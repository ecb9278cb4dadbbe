from __future__ import annotations

from pathlib import Path

import pytest

from syncer.db.apply import Outcome, apply
from tests.helpers import desired_from


@pytest.fixture
def apply_files(tmp_path: Path):
    """apply_files({"a.yaml": "..."}, force=..., ...) -> Outcome, as `syncer apply` does it."""
    root = tmp_path / "schedules"

    def run(files: dict[str, str], **options) -> Outcome:
        desired = desired_from(root, files)
        assert desired.errors == [], [str(p) for p in desired.errors]
        return apply(desired.tasks, **options)

    run.root = root  # type: ignore[attr-defined]
    return run
