"""Files built ahead by forked helpers (``syncer.core.prebuild``, ``syncer.forked``): a
load that takes their results gives exactly what a load in one process gives (tasks, problems
and their order, files, the words read as booleans), fills the cache the same way, and any file a
helper could not build (a problem, a dead helper, a file that changed since) is built by the
command itself. Real forks: each test counts what the helpers built."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from syncer import forked
from syncer.build_cache_store import DirectoryStore
from syncer.core import prebuild
from syncer.core.context import Context
from syncer.core.pipeline import Loaded, Pipeline
from syncer.core.prebuild import Handed, hand_out, split
from syncer.forked import ForkedBuilders
from tests.helpers import KNOWN_TASKS

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
CONTEXT = Context("UTC", KNOWN_TASKS)


def tasks(prefix: str, count: int, *, task: str = "tasks.print_hello") -> str:
    lines = ["tasks:"]
    for n in range(count):
        lines += [f"  {prefix}-{n}:", f"    task: {task}", f"    every: {n % 50 + 1}m"]
        if n % 3 == 0:
            lines += ["    cron: '*/5 * * * *'", "    timezone: Europe/Berlin"]
            del lines[-3]
        if n % 7 == 0:
            lines += ["    enabled: NO"]  # a word YAML reads as a boolean (a lint)
    return "\n".join(lines) + "\n"


# Six files: a duplicate name across files, an invalid one, an unknown task name, ${VAR}.
FILES = {
    "a.yaml": tasks("a", 40),
    "b.yaml": tasks("b", 40) + "  a-3:\n    task: tasks.print_hello\n    every: 9s\n",
    "c.yaml": tasks("c", 40) + "  bad:\n    task: tasks.print_hello\n    every: 10 parsecs\n",
    "d.yaml": tasks("d", 40, task="tasks.gone"),
    "e.yaml": tasks("e", 40) + "  env:\n    task: tasks.print_hello\n    every: 5s\n"
    "    queue: ${QUEUE}\n",
    "f.yaml": tasks("f", 40),
}


@pytest.fixture(autouse=True)
def small_files_are_worth_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prebuild, "MIN_HANDED_BYTES", 1)


pytestmark = pytest.mark.usefixtures("no_other_thread")


@pytest.fixture
def built_by_helpers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A log of the files the helpers built, one line each, written by the helpers."""
    log = tmp_path / "helpers.log"
    real = prebuild.build_alone

    def logged(name: str, content: bytes, context: Context) -> bytes | None:
        result = real(name, content, context)
        with open(log, "a") as out:
            out.write(f"{os.getpid()} {Path(name).name} {'built' if result else 'none'}\n")
        return result

    monkeypatch.setattr(prebuild, "build_alone", logged)
    return log


def write(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def load(
    root: Path,
    *,
    workers: int = 1,
    store: DirectoryStore | None = None,
    context: Context = CONTEXT,
    change: dict[str, str] | None = None,
) -> Loaded:
    """A load as a command makes it: the files handed out first (before the project starts,
    with no task names), then read again and added in order."""
    handed = hand_out([str(root)], context, store, ForkedBuilders(workers))
    if change:
        write(root, change)
    return Pipeline(context, keep=False, store=store, handed=handed).load([str(root)], NOW)


def same(a: Loaded, b: Loaded) -> None:
    assert a.desired.tasks == b.desired.tasks
    assert list(a.desired.tasks) == list(b.desired.tasks)
    assert [str(p) for p in a.desired.problems] == [str(p) for p in b.desired.problems]
    assert a.desired.files == b.desired.files and a.desired.bool_words == b.desired.bool_words
    assert a.content_hash == b.content_hash


def lines(log: Path) -> list[list[str]]:
    return [line.split() for line in log.read_text().splitlines()] if log.exists() else []


def test_the_helpers_results_make_the_same_load_as_one_process(
    tmp_path: Path, built_by_helpers: Path
) -> None:
    root = write(tmp_path / "s", FILES)
    context = Context("UTC", KNOWN_TASKS, environ={"QUEUE": "q1"})
    alone = load(root, context=context)
    assert not lines(built_by_helpers)  # one worker: no helper
    helped = load(root, workers=3, context=context)
    same(helped, alone)
    built = lines(built_by_helpers)
    # three helpers, each its own process, every file handed out once
    assert len({pid for pid, _, _ in built}) == 3 and os.getpid() not in {p for p, _, _ in built}
    assert sorted(name for _, name, _ in built) == sorted(FILES)
    # the invalid file came back with nothing (the command built it and reported its problem);
    # the unknown task's came back built (helpers have no task names) and was built again
    assert {name for _, name, result in built if result == "none"} == {"c.yaml"}
    assert {p.task for p in helped.errors} == {"a-3", "bad", *(f"d-{n}" for n in range(40))}
    assert helped.desired.tasks["e-0"].state.task == "tasks.print_hello"
    assert helped.desired.bool_words == alone.desired.bool_words != {}


def test_the_helpers_results_fill_the_cache_as_the_command_would(
    tmp_path: Path, built_by_helpers: Path
) -> None:
    valid = {name: FILES[name] for name in ("a.yaml", "f.yaml")}
    root = write(tmp_path / "s", valid)
    one, two = DirectoryStore(tmp_path / "one", "v"), DirectoryStore(tmp_path / "two", "v")
    same(load(root, workers=2, store=two), load(root, store=one))
    assert sorted(os.listdir(one.root)) == sorted(os.listdir(two.root))
    for entry in os.listdir(one.root):
        assert (one.root / entry).read_bytes() == (two.root / entry).read_bytes()
    assert len(lines(built_by_helpers)) == 2
    warm = load(root, workers=2, store=two)  # everything in the cache: nothing handed out
    assert len(lines(built_by_helpers)) == 2 and warm.desired.built_files == 0


def test_a_file_that_changed_after_it_was_handed_out_is_built_again(
    tmp_path: Path, built_by_helpers: Path
) -> None:
    root = write(tmp_path / "s", {"a.yaml": FILES["a.yaml"], "f.yaml": FILES["f.yaml"]})
    changed = {"f.yaml": FILES["f.yaml"].replace("every: 2m", "every: 20m")}
    loaded = load(root, workers=2, change=changed)
    assert loaded.desired.tasks["f-1"].state.schedule.to_json()["every"] == 20  # minutes
    assert loaded.desired.built_files == 2
    same(loaded, load(root))


def test_a_context_that_changed_after_the_hand_out_does_not_use_the_results(
    tmp_path: Path, built_by_helpers: Path
) -> None:
    """The project's start may change a setting the build reads (the default time zone here):
    the key says the results were built for another context."""
    root = write(tmp_path / "s", {"a.yaml": FILES["a.yaml"], "f.yaml": FILES["f.yaml"]})
    handed = hand_out([str(root)], CONTEXT, None, ForkedBuilders(2))
    berlin = Context("Europe/Berlin", KNOWN_TASKS)
    loaded = Pipeline(berlin, keep=False, handed=handed).load([str(root)], NOW)
    same(loaded, Pipeline(berlin, keep=False).load([str(root)], NOW))
    assert loaded.desired.built_files == 2


def test_a_helper_that_dies_leaves_its_files_to_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write(tmp_path / "s", {name: FILES[name] for name in ("a.yaml", "e.yaml", "f.yaml")})
    real = prebuild.build_alone

    def dies_at_f(name: str, content: bytes, context: Context) -> bytes | None:
        if name.endswith("f.yaml"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(name, content, context)

    monkeypatch.setattr(prebuild, "build_alone", dies_at_f)
    helped = load(root, workers=2)  # a.yaml and e.yaml in one helper, f.yaml in the other
    same(helped, load(root))
    assert helped.desired.built_files == 3


def test_the_shares_are_runs_of_about_equal_bytes_in_file_order() -> None:
    jobs = [prebuild._Job(f"{n}.yaml", b"x" * size, str(n)) for n, size in enumerate([10] * 9)]
    shares = split(jobs, 3)
    assert [[job.name for job in share] for share in shares] == [
        ["0.yaml", "1.yaml", "2.yaml"],
        ["3.yaml", "4.yaml", "5.yaml"],
        ["6.yaml", "7.yaml", "8.yaml"],
    ]
    big_first = [prebuild._Job("big", b"x" * 80, "b"), *jobs[:2]]
    assert [[job.name for job in share] for share in split(big_first, 2)] == [
        ["big"],
        ["0.yaml", "1.yaml"],
    ]
    assert len(split(jobs[:2], 4)) == 2  # never more helpers than files


def test_too_little_to_build_hands_nothing_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prebuild, "MIN_HANDED_BYTES", 1000)
    jobs = [prebuild._Job(f"{n}.yaml", b"x" * 100, str(n)) for n in range(9)]
    assert split(jobs, 2) == []
    assert split([], 2) == []


def test_no_helper_is_forked_beside_another_thread_or_with_one_worker() -> None:
    assert ForkedBuilders(1).capacity == 0
    assert ForkedBuilders(3).capacity == 3
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert ForkedBuilders(3).capacity == 0  # a fork would copy locks the thread holds
    finally:
        stop.set()
        thread.join()


def test_closing_ends_helpers_still_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command that stops early (an error, Ctrl-C) leaves no helper behind."""
    root = write(tmp_path / "s", {"a.yaml": FILES["a.yaml"], "f.yaml": FILES["f.yaml"]})
    started = tmp_path / "started"

    def slow(name: str, content: bytes, context: Context) -> bytes | None:
        started.write_text(str(os.getpid()))
        time.sleep(60)
        return None

    monkeypatch.setattr(prebuild, "build_alone", slow)
    handed = hand_out([str(root)], CONTEXT, None, ForkedBuilders(2))
    deadline = time.monotonic() + 10
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    pid = int(started.read_text())
    began = time.monotonic()
    handed.close()
    assert time.monotonic() - began < 5
    with pytest.raises(ProcessLookupError):  # ended and reaped: no zombie left
        os.kill(pid, 0)
    assert handed.take("anything") is None


def test_the_default_is_the_cpus_this_process_may_use_at_most_four() -> None:
    assert forked.default_workers() == min(4, forked.available_cpus())
    assert Handed().take("x") is None
