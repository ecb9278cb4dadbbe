"""Limits that protect the process: a file over SYNCER_MAX_FILE_BYTES is refused without being
read into memory; a document nested too deeply is refused before libyaml composes it."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

from syncer.core.context import MAX_FILE_BYTES, Context, Limits
from syncer.core.load import discover, load_files


def test_a_huge_file_is_refused_without_reading_it_whole(tmp_path):
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:  # sparse: 4 GiB on paper, nothing on disk
        os.truncate(handle.fileno(), 4 * 1024**3)
    found, _ = discover([tmp_path])
    tracemalloc.start()
    try:
        result = load_files(found)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [str(p) for p in result.problems] == [
        f"{huge}: file is {4 * 1024**3} bytes, larger than the limit of {MAX_FILE_BYTES} "
        "(SYNCER_MAX_FILE_BYTES)"
    ]
    assert peak < 2 * MAX_FILE_BYTES + 1024 * 1024


def test_deep_nesting_is_refused_before_libyaml_recurses_into_it():
    """Composing ~30,000 nested levels crashed the process (SIGSEGV in libyaml's C recursion);
    run in a child process so that a regression fails this test instead of killing pytest."""
    code = (
        "from syncer.core.load import LoadError, load_text\n"
        "text = b'tasks:\\n  a:\\n    args: ' + b'[' * 1_000_000 + b']' * 1_000_000 + b'\\n'\n"
        "try:\n"
        "    load_text('a.yaml', text)\n"
        "except LoadError as exc:\n"
        "    print(exc.line, exc.column, exc)\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )
    # Ours at depth 100 ("nested more than 100 levels deep"), or, with PyYAML >= 6.0.4 whose
    # libyaml scanner stops at 1,000 flow levels before our check sees the events, libyaml's own
    # "maximum nesting depth": refused either way, with its line, and no crash.
    assert result.returncode == 0, result.stderr
    line, _column, message = result.stdout.split(" ", 2)
    assert line == "3" and "nest" in message, result.stdout


def test_the_daemon_reads_files_within_the_same_limit(tmp_path):
    from datetime import UTC, datetime

    from syncer.core.pipeline import Pipeline

    (tmp_path / "big.yaml").write_text("tasks:\n" + "  # padding\n" * 20)
    pipeline = Pipeline(Context(limits=Limits(max_file_bytes=64)))
    loaded = pipeline.load([str(tmp_path)], datetime.now(UTC))
    assert loaded.invalid_files == [str(tmp_path / "big.yaml")]
    assert "larger than the limit" in str(loaded.desired.errors[0])
