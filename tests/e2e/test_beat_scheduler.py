"""End to end: the companion scheduler (``syncer.beat:Scheduler``, the Procfile's beat) with real
beats and a real worker, on a database and a broker of the test's own.

Runs are counted from what the tasks leave behind: ``tasks.write_to_file`` appends one line per
run, ending with the slot the message was sent for (``slot=...``, the header the scheduler puts
on it); ``tasks.sleep_then_write`` writes a line when a run starts and one when it ends.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from syncer.core.policy import jitter_offset
from tests.e2e.conftest import ROOT, _stop, procfile_argv, wait_until

pytestmark = pytest.mark.e2e

LEADING = "syncer.beat: leading"
SLOT = re.compile(r"(?:^| )slot=(\S+)$")


@dataclass
class Processes:
    """The worker and any number of beats, each logging to its own file."""

    env: dict[str, str]
    tmp_path: Path
    running: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)
    started: itertools.count = field(default_factory=itertools.count)

    def start(self, kind: str) -> str:
        name = f"{kind}-{next(self.started)}"
        self.logs[name] = self.tmp_path / f"{name}.log"
        with self.logs[name].open("wb") as out:
            self.running[name] = subprocess.Popen(
                procfile_argv(kind),
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return name

    def log(self, name: str) -> str:
        return self.logs[name].read_text(encoding="utf-8", errors="replace")

    def kill9(self, name: str) -> None:
        os.killpg(self.running[name].pid, signal.SIGKILL)
        self.running.pop(name).wait(timeout=10)

    def stop(self, name: str) -> None:
        _stop(self.running.pop(name))

    def wait(self, probe, timeout: float, what: str):
        return wait_until(probe, timeout, what, self.diagnostics)

    def leader(self) -> str | None:
        leaders = [n for n in self.running if n.startswith("beat") and LEADING in self.log(n)]
        return leaders[-1] if leaders else None

    def diagnostics(self) -> str:
        parts = []
        for name, path in self.logs.items():
            tail = "\n".join(self.log(name).splitlines()[-30:])
            parts.append(f"--- {name} ({path}), last lines:\n{tail}")
        return "\n".join(parts)


@pytest.fixture
def processes(stack_env: dict[str, str], tmp_path: Path) -> Iterator[Processes]:
    running = Processes(stack_env, tmp_path)
    try:
        yield running
    finally:
        for process in running.running.values():
            _stop(process)


def declare(env: dict[str, str], tasks: dict) -> None:
    from tests.e2e.conftest import declare as declare_text

    declare_text(env, yaml.safe_dump({"version": 1, "tasks": tasks}, sort_keys=False))


def runs(path: Path) -> list[tuple[datetime, str, datetime | None]]:
    """(time, text, slot) per complete line."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").split("\n")[:-1]:
        stamp, _, rest = line.partition(" ")
        match = SLOT.search(rest)
        slot = datetime.fromisoformat(match.group(1)) if match else None
        out.append((datetime.fromisoformat(stamp), SLOT.sub("", rest), slot))
    return out


def slots(path: Path) -> list[datetime]:
    return [slot for _, _, slot in runs(path) if slot is not None]


def start_stack(processes: Processes, beats: int) -> list[str]:
    worker = processes.start("worker")
    names = [processes.start("beat") for _ in range(beats)]
    processes.wait(
        lambda: re.search(r"celery@\S+ ready\.", processes.log(worker)) and processes.leader(),
        60,
        "the worker and a leading beat",
    )
    return names


def test_failover_after_kill_9_sends_each_slot_once(processes: Processes, tmp_path: Path):
    """Two beats with default settings: the leader is killed with SIGKILL; the standby sends
    the next due slot within 15 s, no slot runs twice, at most one is lost."""
    out = tmp_path / "ha.txt"
    declare(
        processes.env,
        {"ha": {"task": "tasks.write_to_file", "every": "6s", "kwargs": {"path": str(out)}}},
    )
    start_stack(processes, beats=2)
    processes.wait(lambda: len(slots(out)) >= 2, 30, "two runs from the first leader")
    leader = processes.leader()
    assert leader is not None
    before = len(slots(out))
    killed_at = datetime.now(UTC)
    processes.kill9(leader)

    processes.wait(lambda: len(slots(out)) > before, 30, "a run sent by the new leader")
    first_after = next(t for t, _, slot in runs(out)[before:] if slot is not None)
    assert (first_after - killed_at).total_seconds() <= 15
    new_leader = processes.leader()
    assert new_leader is not None and new_leader != leader
    processes.wait(lambda: len(slots(out)) >= before + 3, 30, "the new leader's next runs")

    seen = slots(out)
    assert [s for s, n in Counter(seen).items() if n > 1] == [], "a slot ran twice"
    # The slots of an interval stay on one grid (6 s apart) across the failover: a missing
    # point of the grid is a lost slot.
    gaps = [round((b - a).total_seconds() / 6) for a, b in itertools.pairwise(sorted(seen))]
    assert all(gap >= 1 for gap in gaps)
    assert sum(gap - 1 for gap in gaps) <= 1, gaps


def test_a_missed_slot_past_its_starting_deadline_is_not_run(processes: Processes, tmp_path):
    # Every 8 s: a beat that takes a few seconds to start (a loaded machine) still decides
    # before the slot after the missed one.
    strict, lax = tmp_path / "strict.txt", tmp_path / "lax.txt"
    declare(
        processes.env,
        {
            "strict": {
                "task": "tasks.write_to_file",
                "every": "8s",
                "starting_deadline": "1s",
                "kwargs": {"path": str(strict)},
            },
            "lax": {"task": "tasks.write_to_file", "every": "8s", "kwargs": {"path": str(lax)}},
        },
    )
    (beat,) = start_stack(processes, beats=1)
    processes.wait(lambda: slots(strict) and slots(lax), 30, "a run of each task")
    processes.stop(beat)  # SIGTERM: beat writes its last runs
    stopped_at = datetime.now(UTC)
    # beats stay down until the next slot of both tasks is older than the deadline (1 s); a run
    # sent before the stop may still be landing: the last slots are read at every poll
    processes.wait(
        lambda: datetime.now(UTC) > max(*slots(strict), *slots(lax)) + timedelta(seconds=8 + 1.5),
        20,
        "a missed slot of each task",
    )
    restarted_at = datetime.now(UTC)
    count_strict, count_lax = len(slots(strict)), len(slots(lax))
    beat = processes.start("beat")

    # without a deadline, the missed slot runs at once (one catch-up run, as Celery does)
    processes.wait(lambda: len(slots(lax)) > count_lax, 20, "lax's catch-up run")
    assert min(slots(lax)[count_lax:]) < restarted_at
    # with the deadline, it is skipped (logged with its reason), and the next slot runs
    processes.wait(lambda: len(slots(strict)) > count_strict, 20, "strict's next slot")
    assert all(slot > restarted_at for slot in slots(strict)[count_strict:])
    assert "skipped strict slot" in processes.log(beat)
    assert "starting_deadline" in processes.log(beat)
    assert stopped_at < restarted_at


def test_overlap_skip_never_runs_a_task_twice_at_once(processes: Processes, tmp_path: Path):
    out = tmp_path / "slow.txt"
    declare(
        processes.env,
        {
            "slow": {
                "task": "tasks.sleep_then_write",
                "every": "1s",
                "overlap": "skip",
                "kwargs": {"seconds": 3.5, "path": str(out)},
            }
        },
    )
    (beat,) = start_stack(processes, beats=1)

    def ended() -> int:
        return sum(1 for _, text, _ in runs(out) if text == "end")

    processes.wait(lambda: ended() >= 3, 40, "three runs of the slow task")
    running = 0
    for _, text, _ in runs(out):  # the lines in the order they were written
        running += 1 if text == "start" else -1
        assert running <= 1, "two runs at once"
    assert "skipped slow slot" in processes.log(beat) and "overlap" in processes.log(beat)


def test_jitter_spreads_runs_at_stable_offsets(processes: Processes, tmp_path: Path):
    """20 tasks on ``* * * * *`` with ``jitter: 30s`` run over the first 30 s of the minute, each
    at its own offset: a hash of its name, computed here in the test's process and by a beat
    started after another one was stopped (a restart)."""
    out = tmp_path / "jitter.txt"
    names = [f"spread-{i:02d}" for i in range(20)]
    declare(
        processes.env,
        {
            name: {
                "task": "tasks.write_to_file",
                "cron": "* * * * *",
                "jitter": "30s",
                "kwargs": {"path": str(out), "text": name},
            }
            for name in names
        },
    )
    (first,) = start_stack(processes, beats=1)
    processes.stop(first)  # the restart: the runs below are sent by a new process
    processes.start("beat")
    processes.wait(lambda: processes.leader(), 30, "the restarted beat to lead")
    processes.wait(lambda: len({text for _, text, _ in runs(out)}) >= 20, 100, "a run of each")

    minute = {}
    for written, text, slot in runs(out):
        minute.setdefault(text, (written, slot))
    offsets = []
    for name in names:
        written, slot = minute[name]
        assert slot is not None and slot.second == 0 and slot.microsecond == 0
        expected = jitter_offset(name, timedelta(seconds=30))
        offsets.append(expected)
        # sent at the slot plus its offset (beat's wake-up and the broker within 2 s)
        delay = written - slot - expected
        assert timedelta(0) <= delay < timedelta(seconds=2), (name, delay)
    # spread over the first 30 s of the minute, not all at minute 0
    assert max(offsets) - min(offsets) > timedelta(seconds=15)
    assert all(offset < timedelta(seconds=30) for offset in offsets)
