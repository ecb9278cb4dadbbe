"""End to end: declared schedules drive a real Celery beat (the Procfile's: the companion
scheduler, ``syncer.beat:Scheduler``) and worker.

The stack (tests/e2e/conftest.py) runs the Procfile's worker and beat on a fresh database and
broker. The test declares schedules, then follows them in what the tasks leave behind: the lines
``tasks.write_to_file`` appends (one timestamp per run) and ``Hello World!`` in the worker's log.

Beat notices a change when ``PeriodicTasks.last_update`` moves; it logs
``syncer.beat: schedule changed`` then, which the test uses as the moment the new schedule took
effect. Every ``Sending due task write-to-file`` in beat's log becomes exactly one line in the
file, which tells when no run is still on its way through the broker.
"""

from __future__ import annotations

import itertools
import json
import re
import statistics
import time
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import run_syncer

pytestmark = pytest.mark.e2e

CHANGED = "syncer.beat: schedule changed"
SENT_WRITE = "Sending due task write-to-file (tasks.write_to_file)"
HELLO = "Hello World!"
HELLO_RUN = re.compile(r"Task tasks\.print_hello\[[^\]]+\] succeeded")


def schedule_yaml(out: Path, write_every: str, write_enabled: bool = True) -> str:
    return yaml.safe_dump(
        {
            "version": 1,
            "tasks": {
                "print-hello": {"task": "tasks.print_hello", "every": "3s"},
                "write-to-file": {
                    "task": "tasks.write_to_file",
                    "every": write_every,
                    "kwargs": {"path": str(out), "text": "e2e"},
                    "enabled": write_enabled,
                },
            },
        },
        sort_keys=False,
    )


def run_times(out: Path) -> list[datetime]:
    if not out.exists():
        return []
    # A line being written right now may be incomplete: only count newline-terminated lines.
    complete = out.read_text(encoding="utf-8").split("\n")[:-1]
    return [datetime.fromisoformat(line.split(" ", 1)[0]) for line in complete]


def assert_cadence(times: list[datetime], every: float, tolerance: float) -> None:
    """Consecutive runs ``every`` seconds apart, each within ``tolerance``, the mean within 0.5 s.

    The tolerance covers beat's wake-up granularity and the broker's delivery (kombu's filesystem
    transport polls once a second).
    """
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert gaps, "need at least two runs to measure a cadence"
    assert all(abs(gap - every) <= tolerance for gap in gaps), (every, gaps)
    assert abs(statistics.mean(gaps) - every) <= 0.5, (every, gaps)


# The configured broker (RabbitMQ in CI, the filesystem broker by default) and Redis, the most
# common Celery broker (its client comes with the demo extra).
@pytest.mark.parametrize("fresh_broker_url", ["configured", "redis"], indirect=True)
def test_beat_and_worker_follow_the_declared_schedule(stack, tmp_path: Path) -> None:
    out = tmp_path / "write_to_file.txt"

    def count(log: str, needle: str) -> int:
        return stack.log(log).count(needle)

    def hello_runs() -> int:
        return len(HELLO_RUN.findall(stack.log("worker")))

    # 1. Declare: print-hello every 3 s, write-to-file every 5 s. Beat picks both up.
    stack.declare(schedule_yaml(out, "5s"))
    stack.wait_until(lambda: len(run_times(out)) >= 4, 35, "four write_to_file runs at 5 s")
    assert_cadence(run_times(out)[:4], every=5, tolerance=1.5)
    stack.wait_until(lambda: hello_runs() >= 2, 10, "print_hello runs in the worker log")
    assert HELLO in stack.log("worker")

    # 2. Change write-to-file to every 2 s: the cadence follows once beat has reloaded.
    changes = count("beat", CHANGED)
    stack.declare(schedule_yaml(out, "2s"))
    stack.wait_until(lambda: count("beat", CHANGED) > changes, 15, "beat to reload the schedule")
    # Runs sent before the reload belong to the old cadence; measure only those sent after it.
    beat_log = stack.log("beat")
    before_reload = beat_log[: beat_log.rindex(CHANGED)].count(SENT_WRITE)
    stack.wait_until(
        lambda: len(run_times(out)) >= before_reload + 4, 20, "four write_to_file runs at 2 s"
    )
    assert_cadence(run_times(out)[before_reload : before_reload + 4], every=2, tolerance=1.2)

    # 3. Disable write-to-file: once beat has reloaded and the runs it already sent are done, the
    #    file stops growing while print-hello (still enabled) keeps running.
    changes = count("beat", CHANGED)
    stack.declare(schedule_yaml(out, "2s", write_enabled=False))
    stack.wait_until(lambda: count("beat", CHANGED) > changes, 15, "beat to reload the schedule")
    sent = count("beat", SENT_WRITE)
    stack.wait_until(lambda: len(run_times(out)) >= sent, 10, "the runs already sent to finish")
    assert len(run_times(out)) == sent
    hellos, quiet_since = hello_runs(), time.monotonic()

    def still_quiet_and_hello_ran_twice() -> bool:
        if len(run_times(out)) != sent or count("beat", SENT_WRITE) != sent:
            pytest.fail(f"write_to_file ran after it was disabled\n{stack.diagnostics()}")
        # At least three of the former 2 s intervals, and two print_hello runs (every 3 s) to show
        # that beat and the worker are still at work.
        return time.monotonic() - quiet_since >= 6 and hello_runs() >= hellos + 2

    stack.wait_until(still_quiet_and_hello_ran_twice, 15, "print_hello to run on, alone")


def test_beat_stops_firing_a_paused_task_until_it_is_resumed(stack, tmp_path: Path) -> None:
    """The emergency pause (#15): at once, through an apply of the unchanged files, and back."""
    out = tmp_path / "write_to_file.txt"
    stack.declare(schedule_yaml(out, "2s"))
    stack.wait_until(lambda: len(run_times(out)) >= 2, 30, "two write_to_file runs at 2 s")

    changes = stack.log("beat").count(CHANGED)
    run_syncer(
        stack.env, "pause", "write-to-file", "--reason", "e2e: downstream down", "--for", "1h"
    )
    stack.wait_until(
        lambda: stack.log("beat").count(CHANGED) > changes, 15, "beat to reload the schedule"
    )
    # An apply of the same files (CI, or the daemon's resync) keeps the task paused.
    stack.declare(schedule_yaml(out, "2s"))
    sent = stack.log("beat").count(SENT_WRITE)
    stack.wait_until(lambda: len(run_times(out)) >= sent, 10, "the runs already sent to finish")
    quiet_since = time.monotonic()

    def quiet_for_three_intervals() -> bool:
        if len(run_times(out)) != sent or stack.log("beat").count(SENT_WRITE) != sent:
            pytest.fail(f"write_to_file ran while paused\n{stack.diagnostics()}")
        return time.monotonic() - quiet_since >= 6

    stack.wait_until(quiet_for_three_intervals, 15, "no write_to_file run while paused")
    status = json.loads(run_syncer(stack.env, "status", "-o", "json"))
    assert [p["name"] for p in status["paused"]] == ["write-to-file"]

    run_syncer(stack.env, "resume", "write-to-file")
    stack.wait_until(lambda: len(run_times(out)) >= sent + 2, 20, "runs again after resume")
