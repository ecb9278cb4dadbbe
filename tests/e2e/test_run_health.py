"""End to end: run health follows beat. With a real worker, a real beat and a real `syncer
watch`, a task runs and is `ok`; beat stops and the task turns `late`, then `missed`, in /metrics
and in `syncer status`; beat starts again and the task recovers. The Prometheus alert rules
(deploy/prometheus/syncer-alerts.yml) are evaluated against each scrape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, run_syncer
from tests.e2e.promrules import firing, load_rules
from tests.e2e.test_beat_scheduler import Processes, declare, processes, start_stack  # noqa: F401
from tests.e2e.watchproc import Watcher

pytestmark = pytest.mark.e2e


def task_state(watcher: Watcher, task: str) -> str | None:
    _code, body = watcher.get("/metrics")
    for line in body.splitlines():
        wanted = line.startswith("syncer_task_state{") and f'task="{task}"' in line
        if wanted and line.rsplit(" ", 1)[1] == "1.0":
            return line.split('state="', 1)[1].split('"', 1)[0]
    return None


def status_state(env: dict[str, str], schedules: Path, task: str) -> str:
    out = run_syncer(env, "status", str(schedules), "-o", "json")
    return {h["name"]: h["state"] for h in json.loads(out)["health"]}[task]


def test_tasks_turn_late_then_missed_while_beat_is_down_and_recover(
    processes: Processes,  # noqa: F811
    tmp_path: Path,
):
    out = tmp_path / "beat.txt"
    tasks = {"pulse": {"task": "tasks.write_to_file", "every": "3s", "grace": "1s",
                       "kwargs": {"path": str(out)}}}  # fmt: skip
    declare(processes.env, tasks)
    schedules = Path(processes.env["BEAT_SYNC_VAR_DIR"]) / "schedules"
    watcher = Watcher(
        processes.env, [schedules], tmp_path / "watch.log", "--resync-interval", "0.5"
    )
    rules = load_rules(ROOT / "deploy" / "prometheus" / "syncer-alerts.yml")
    try:
        beat = start_stack(processes, beats=1)[0]
        processes.wait(lambda: task_state(watcher, "pulse") == "ok" and out.exists(), 60, "ok")
        assert "ScheduledTaskMissed" not in firing(rules, watcher.get("/metrics")[1])
        assert status_state(processes.env, schedules, "pulse") == "ok"

        processes.stop(beat)
        processes.wait(lambda: task_state(watcher, "pulse") == "late", 20, "late")
        processes.wait(lambda: task_state(watcher, "pulse") == "missed", 20, "missed")
        assert status_state(processes.env, schedules, "pulse") == "missed"
        alerts = firing(rules, watcher.get("/metrics")[1])
        assert {"task": "pulse", "queue": ""} in [
            {k: labels[k] for k in ("task", "queue")} for labels in alerts["ScheduledTaskMissed"]
        ]

        processes.start("beat")
        processes.wait(lambda: task_state(watcher, "pulse") == "ok", 60, "recovered")
        assert status_state(processes.env, schedules, "pulse") == "ok"
        assert "ScheduledTaskMissed" not in firing(rules, watcher.get("/metrics")[1])
    finally:
        watcher.stop()
