"""One pipeline for the CLI and the daemon: discover, read, parse (cached by content), build,
lint."""

from datetime import UTC, datetime

from syncer.core.context import Context
from syncer.core.load import read as read_module
from syncer.core.pipeline import Pipeline
from tests.helpers import KNOWN_TASKS

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
BUSY = "tasks:\n  busy:\n    task: tasks.print_hello\n    cron: '* 9-17 * * *'\n"


def test_an_unchanged_file_is_parsed_once(tmp_path, monkeypatch):
    (tmp_path / "a.yaml").write_text(BUSY)
    pipeline = Pipeline(Context("UTC", KNOWN_TASKS))
    first = pipeline.load([str(tmp_path)], NOW)
    calls = []
    monkeypatch.setattr(read_module, "load_fast", lambda text: calls.append(text))
    again = pipeline.load([str(tmp_path)], NOW)
    assert calls == [] and again.content_hash == first.content_hash
    assert list(again.desired.tasks) == ["busy"]


def test_warnings_only_for_valid_input(tmp_path):
    (tmp_path / "a.yaml").write_text(BUSY)
    pipeline = Pipeline(Context("UTC", KNOWN_TASKS))
    loaded = pipeline.load([str(tmp_path)], NOW)
    assert [w.field for w in loaded.warnings] == ["cron"] and not loaded.errors
    (tmp_path / "b.yaml").write_text("tasks: [\n")
    loaded = pipeline.load([str(tmp_path)], NOW)
    assert loaded.errors and not loaded.warnings
    assert loaded.invalid_files == [str(tmp_path / "b.yaml")]
