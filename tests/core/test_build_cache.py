"""The cache of built files: an unchanged file is not validated again, and an entry is used only
when a build would give the same result (issue #17). A stale entry would apply a wrong schedule,
so most of these tests change one input the build reads and check that the result follows it."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from syncer import build_cache_store
from syncer.build_cache_store import DirectoryStore, code_version, open_store
from syncer.core import desired as desired_module
from syncer.core.build_cache import FileBuild, decode, encode
from syncer.core.context import Context, Limits
from syncer.core.desired_task import DesiredTask, FieldMarks
from syncer.core.errors import Location
from syncer.core.kinds.interval import IntervalKey
from syncer.core.pipeline import Loaded, Pipeline
from syncer.core.state import TaskState
from tests.helpers import KNOWN_TASKS

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
CONTEXT = Context("UTC", KNOWN_TASKS)
CRON = "tasks:\n  nightly:\n    task: tasks.print_hello\n    cron: '0 3 * * *'\n"
TWO = (
    "tasks:\n"
    "  a:\n    task: tasks.print_hello\n    every: 10s\n    kwargs: {x: [1, 2]}\n"
    "  b:\n    task: tasks.write_to_file\n    cron: '0 3 * * 1'\n    timezone: Europe/Berlin\n"
    "    expires: 2030-01-01T00:00:00Z\n    enabled: NO\n"
)


@pytest.fixture
def store(tmp_path: Path) -> DirectoryStore:
    return DirectoryStore(tmp_path / "cache", "test-version")


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the files actually validated (not taken from the cache)."""
    seen: list[str] = []
    real = desired_module.add_file

    def counting(desired, source, context):  # type: ignore[no-untyped-def]
        seen.append(Path(source.path).name)
        return real(desired, source, context)

    monkeypatch.setattr("syncer.core.pipeline.add_file", counting)
    return seen


def load(root: Path, store: DirectoryStore | None, context: Context = CONTEXT) -> Loaded:
    return Pipeline(context, keep=False, store=store).load([str(root)], NOW)


def write(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def same(a: Loaded, b: Loaded) -> None:
    assert a.desired.tasks == b.desired.tasks
    assert [str(p) for p in a.desired.problems] == [str(p) for p in b.desired.problems]
    assert a.desired.files == b.desired.files and a.desired.bool_words == b.desired.bool_words
    assert a.content_hash == b.content_hash


def test_an_unchanged_file_is_taken_from_the_cache_with_the_same_result(
    tmp_path: Path, store: DirectoryStore, builds: list[str]
) -> None:
    busy = CRON.replace("0 3", "* 9-17")  # a lint: runs every minute for hours
    root = write(tmp_path / "s", {"a.yaml": TWO, "b.yaml": busy})
    cold = load(root, store)
    assert builds == ["a.yaml", "b.yaml"] and len(os.listdir(store.root)) == 2
    warm = load(root, store)
    assert builds == ["a.yaml", "b.yaml"]  # nothing validated again
    same(warm, cold)
    same(warm, load(root, None))
    assert [w.field for w in warm.warnings] == ["cron"]  # the lints ran again


def test_a_changed_file_is_built_again(
    tmp_path: Path, store: DirectoryStore, builds: list[str]
) -> None:
    root = write(tmp_path / "s", {"a.yaml": TWO, "b.yaml": CRON})
    load(root, store)
    write(root, {"b.yaml": CRON.replace("0 3", "0 4")})
    warm = load(root, store)
    assert builds[2:] == ["b.yaml"]
    assert warm.desired.tasks["nightly"].state.schedule.hour == "4"  # type: ignore[attr-defined]


def test_an_environment_variable_the_file_uses_is_part_of_the_key(
    tmp_path: Path, store: DirectoryStore
) -> None:
    text = "tasks:\n  q:\n    task: tasks.print_hello\n    every: 10s\n    queue: ${QUEUE}\n"
    root = write(tmp_path / "s", {"a.yaml": text})
    first = load(root, store, Context("UTC", KNOWN_TASKS, environ={"QUEUE": "one"}))
    second = load(root, store, Context("UTC", KNOWN_TASKS, environ={"QUEUE": "two", "X": "y"}))
    assert first.desired.tasks["q"].state.queue == "one"
    assert second.desired.tasks["q"].state.queue == "two"
    unset = load(root, store, Context("UTC", KNOWN_TASKS, environ={}))
    assert [p.message for p in unset.errors] == [
        "environment variable 'QUEUE' is not set (set it, or write ${QUEUE:-default})"
    ]
    assert not unset.desired.tasks


def test_the_default_time_zone_and_the_limits_are_part_of_the_key(
    tmp_path: Path, store: DirectoryStore
) -> None:
    root = write(tmp_path / "s", {"a.yaml": CRON})
    load(root, store)
    berlin = load(root, store, Context("Europe/Berlin", KNOWN_TASKS))
    assert berlin.desired.tasks["nightly"].state.schedule.zone() == "Europe/Berlin"
    tight = load(root, store, Context("UTC", KNOWN_TASKS, limits=Limits(max_file_bytes=10)))
    assert tight.errors and "SYNCER_MAX_FILE_BYTES" in tight.errors[0].message


def test_a_task_the_project_no_longer_registers_is_reported(
    tmp_path: Path, store: DirectoryStore
) -> None:
    root = write(tmp_path / "s", {"a.yaml": TWO})
    load(root, store)
    fewer = Context("UTC", frozenset({"tasks.print_hello"}))
    loaded = load(root, store, fewer)
    assert [(p.task, p.field) for p in loaded.errors] == [("b", "task")]
    same(loaded, load(root, None, fewer))
    unchecked = load(root, store, Context("UTC", None))  # validate --skip-task-check
    assert not unchecked.errors and set(unchecked.desired.tasks) == {"a", "b"}


def test_names_declared_twice_across_files_are_reported_as_without_the_cache(
    tmp_path: Path, store: DirectoryStore
) -> None:
    root = write(tmp_path / "s", {"b.yaml": CRON})
    load(root, store)
    write(root, {"a.yaml": CRON.replace("0 3", "0 5")})  # sorts first: b's task is the duplicate
    warm, cold = load(root, store), load(root, None)
    assert [p.message for p in warm.errors] == [
        f"duplicate task name: already declared at {root / 'a.yaml'}:2:3"
    ]
    same(warm, cold)


def test_files_with_problems_are_never_kept(tmp_path: Path, store: DirectoryStore) -> None:
    bad = "tasks:\n  x:\n    task: tasks.print_hello\n    every: 10 parsecs\n"
    root = write(tmp_path / "s", {"a.yaml": bad, "b.yaml": "tasks: [\n"})
    assert load(root, store).errors
    assert not store.root.exists() or os.listdir(store.root) == []


def test_another_version_of_the_code_does_not_read_the_entries(
    tmp_path: Path, store: DirectoryStore, builds: list[str]
) -> None:
    root = write(tmp_path / "s", {"a.yaml": TWO})
    load(root, store)
    load(root, DirectoryStore(store.root, "another-version"))
    assert builds == ["a.yaml", "a.yaml"]


def test_a_damaged_or_foreign_entry_is_a_miss_never_code_to_run(
    tmp_path: Path, store: DirectoryStore, builds: list[str]
) -> None:
    root = write(tmp_path / "s", {"a.yaml": TWO})
    cold = load(root, store)
    (entry,) = store.root.iterdir()
    marker = tmp_path / "ran"

    class Exploit:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (os.system, (f"touch {marker}",))

    for payload in (b"garbage", entry.read_bytes()[:40], pickle.dumps(Exploit()), pickle.dumps(1)):
        entry.write_bytes(payload)
        same(load(root, store), cold)
        assert not marker.exists()
    assert builds == ["a.yaml"] * 5
    assert decode(pickle.dumps(Exploit())) is None


def test_an_entry_round_trips_every_kind_of_value(tmp_path: Path) -> None:
    root = write(tmp_path / "s", {"a.yaml": TWO})
    tasks = load(root, None).desired.tasks
    build = FileBuild(tuple(tasks.values()), ((5, 14, "NO"),))
    assert decode(encode(build)) == build


def test_an_unusable_directory_only_costs_the_time(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    store = DirectoryStore(blocker / "cache", "v")
    root = write(tmp_path / "s", {"a.yaml": TWO})
    same(load(root, store), load(root, None))


def test_a_directory_others_can_write_to_is_never_read_nor_written(
    tmp_path: Path, store: DirectoryStore, builds: list[str]
) -> None:
    root = write(tmp_path / "s", {"a.yaml": TWO})
    load(root, store)
    os.chmod(store.root, 0o777)  # anyone could have planted an entry: a schedule of their choice
    (entry,) = os.listdir(store.root)
    shared = DirectoryStore(store.root, store.version)
    same(load(root, shared), load(root, None))
    assert builds == ["a.yaml"] * 3 and os.listdir(store.root) == [entry]
    os.chmod(store.root, 0o700)
    load(root, DirectoryStore(store.root, store.version))
    assert builds == ["a.yaml"] * 3  # its own again: used


def test_a_read_only_directory_is_still_read(
    tmp_path: Path, store: DirectoryStore, builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write(tmp_path / "s", {"a.yaml": TWO})
    load(root, store)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(os, "utime", refuse)
    load(root, DirectoryStore(store.root, store.version))
    assert builds == ["a.yaml"]


def test_the_least_recently_used_entries_go_past_the_limit(
    tmp_path: Path, store: DirectoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_cache_store, "MAX_ENTRIES", 8)
    store.root.mkdir(parents=True)
    for i in range(10):
        path = store.root / f"old-{i}"
        path.write_bytes(b"x")
        os.utime(path, (1_000 + i, 1_000 + i))
    store.put("new", b"y")
    # down to 6 (three quarters of 8) before the write
    assert sorted(os.listdir(store.root)) == ["new"] + [f"old-{i}" for i in range(4, 10)]


def test_the_code_version_follows_the_core_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = code_version()
    assert code_version() == before
    module = Path(desired_module.__file__)
    stat = module.stat()
    try:
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert code_version() != before
    finally:
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_the_setting_names_the_directory_or_turns_it_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert open_store("off") is None and open_store(" OFF ") is None
    named = open_store(str(tmp_path / "c"))
    assert named is not None and named.root == tmp_path / "c"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    default = open_store("")
    assert default is not None and default.root == tmp_path / "xdg" / "beat-sync"
    # a user without a home (a container's arbitrary uid): no cache, never ./~/.cache
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)
    assert open_store("") is None


@pytest.mark.parametrize(
    ("extra", "env", "kept"),
    [
        ([], {}, True),
        (["--no-cache"], {}, False),
        ([], {"SYNCER_CACHE_DIR": "off"}, False),
    ],
)
def test_commands_keep_built_files_unless_told_not_to(
    tmp_path: Path, extra: list[str], env: dict[str, str], kept: bool
) -> None:
    root = write(tmp_path / "s", {"a.yaml": TWO})
    environ = {**os.environ, "SYNCER_CACHE_DIR": "", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    environ.update(env)
    command = [
        sys.executable,
        "-m",
        "syncer.cli.main",
        "validate",
        "--skip-task-check",
        *extra,
        str(root),
    ]
    for _ in range(2):
        done = subprocess.run(command, env=environ, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert "2 tasks: valid" in done.stdout
    cache = tmp_path / "xdg" / "beat-sync"
    assert (cache.exists() and len(os.listdir(cache)) == 1) is kept
    if kept:
        assert oct(cache.stat().st_mode & 0o777) == "0o700"


def test_a_command_whose_files_are_all_cached_never_imports_the_format_models(
    tmp_path: Path,
) -> None:
    root = write(tmp_path / "s", {"a.yaml": TWO})
    environ = {**os.environ, "SYNCER_CACHE_DIR": str(tmp_path / "cache")}
    script = (
        "import sys\n"
        "from syncer.cli.main import main\n"
        f"code = main(['validate', '--skip-task-check', {str(root)!r}])\n"
        "print(code, 'pydantic' in sys.modules, 'syncer.core.spec' in sys.modules)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], env=environ, capture_output=True, text=True, check=True
        ).stdout.splitlines()[-1]
        for _ in range(2)
    ]
    assert runs == ["0 True True", "0 False False"]  # built, then taken from the cache


def test_field_marks_are_kept_compact_and_read_back_as_pairs():
    pairs = [("kwargs", (12, 5)), ("schedule", (70_000, 3)), ("task", (11, 5))]
    marks = FieldMarks.of(pairs)
    assert list(marks) == pairs and len(marks) == 3
    assert marks == FieldMarks.of(pairs) and hash(marks) == hash(FieldMarks.of(pairs))
    assert FieldMarks.of(pairs).keys is marks.keys  # one tuple for every task with these keys
    task = DesiredTask(
        TaskState("a", "t", IntervalKey(5, "seconds")), Location("s.yaml", 9), (), "h", marks
    )
    (back,) = decode(encode(FileBuild((task,), ()))).tasks
    assert back == task and list(back.field_marks) == pairs
    assert back.location_of("schedule") == Location("s.yaml", 70_000, 3)
