"""A schedule file over SYNCER_MAX_FILE_BYTES is refused without being read into memory."""

from __future__ import annotations

import os
import tracemalloc

from syncer.core.load import MAX_FILE_BYTES, discover, load_files


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
