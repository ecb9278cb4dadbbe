"""Run health in ``/metrics``: a gauge per state (how many tasks are late, missed...), and per
task its last and next run, its lateness and its state, labelled with the task's name and queue.

Cardinality: four series a task (``syncer_task_state`` has the state as a label, value 1, one
series a task), so 10,000 tasks are 40,000 series; ``SYNCER_METRICS_PER_TASK=false`` keeps only
the counts per state. Series of tasks that are gone are removed at the next update.
"""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Gauge

from syncer.core.health import Health, counts

LABELS = ("task", "queue")


class RunMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        r = registry
        self.by_state = Gauge("syncer_tasks", "Tasks by run health state", ["state"], registry=r)
        self.paused = Gauge(
            "syncer_paused_tasks",
            "Declared tasks kept disabled by an operator's pause (syncer pause)",
            registry=r,
        )
        self.state = Gauge(
            "syncer_task_state",
            "1 for the task's run health state (ok, late, missed, never-ran, paused, disabled)",
            [*LABELS, "state"],
            registry=r,
        )
        self.last_run = Gauge(
            "syncer_task_last_run_timestamp_seconds", "When the task last ran", LABELS, registry=r
        )
        self.next_run = Gauge(
            "syncer_task_next_run_timestamp_seconds", "When the task runs next", LABELS, registry=r
        )
        self.late = Gauge(
            "syncer_task_late_seconds",
            "How long the task's due run is overdue (0 when on time)",
            LABELS,
            registry=r,
        )

    def update(self, healths: Sequence[Health], per_task: bool = True) -> None:
        for state, count in counts(healths).items():
            self.by_state.labels(state).set(count)
            if state == "paused":
                self.paused.set(count)
        for gauge in (self.state, self.last_run, self.next_run, self.late):
            gauge.clear()
        if not per_task:
            return
        for health in healths:
            labels = (health.name, health.queue or "")
            self.state.labels(*labels, health.state).set(1)
            self.late.labels(*labels).set(health.late_seconds)
            if health.last_run_at is not None:
                self.last_run.labels(*labels).set(health.last_run_at.timestamp())
            if health.next_run is not None:
                self.next_run.labels(*labels).set(health.next_run.timestamp())
