"""Run health in ``/metrics``: a gauge per state (how many tasks are late, missed...), and per
task its last and next run, its lateness and its state, labelled with the task's name and queue.

Cardinality: four series a task (``syncer_task_state`` has the state as a label, value 1, one
series a task), so 10,000 tasks are 40,000 series; ``SYNCER_METRICS_PER_TASK=false`` keeps only
the counts per state. Series of tasks that are gone are gone at the next update.

A custom collector (prometheus-client's pattern for series that mirror outside state): an update
keeps the latest healths, and the series are made from them when ``/metrics`` is scraped. With
a labelled ``Gauge`` per series, each update made or looked up 40,000 children (each label
validated, each with its lock) on the reconcile loop: at 10,000 tasks, most of a watch cycle.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from syncer.core.health import Health, counts

LABELS = ("task", "queue")
_STATE = "1 for the task's run health state (ok, late, missed, never-ran, paused, disabled)"


class RunMetrics(Collector):
    def __init__(self, registry: CollectorRegistry) -> None:
        # What the last update gave: read whole by the scraping thread, replaced whole by the
        # loop (one reference assignment, no lock needed).
        self._latest: tuple[tuple[Health, ...], bool] | None = None
        registry.register(self)

    def update(self, healths: Sequence[Health], per_task: bool = True) -> None:
        self._latest = (tuple(healths), per_task)

    def describe(self) -> Iterator[Metric]:
        return iter(self._families())

    def collect(self) -> Iterator[Metric]:
        latest = self._latest
        families = self._families()
        by_state, paused, state, last_run, next_run, late = families
        if latest is None:  # before the first observation: a gauge without labels shows 0
            paused.add_metric([], 0)
            return iter(families)
        healths, per_task = latest
        tally = counts(healths)
        for name, count in tally.items():
            by_state.add_metric([name], count)
        paused.add_metric([], tally["paused"])
        if per_task:
            for health in healths:
                labels = [health.name, health.queue or ""]
                state.add_metric([*labels, health.state], 1)
                late.add_metric(labels, health.late_seconds)
                if health.last_run_at is not None:
                    last_run.add_metric(labels, health.last_run_at.timestamp())
                if health.next_run is not None:
                    next_run.add_metric(labels, health.next_run.timestamp())
        return iter(families)

    @staticmethod
    def _families() -> list[GaugeMetricFamily]:
        return [
            GaugeMetricFamily("syncer_tasks", "Tasks by run health state", labels=["state"]),
            GaugeMetricFamily(
                "syncer_paused_tasks",
                "Declared tasks kept disabled by an operator's pause (syncer pause)",
            ),
            GaugeMetricFamily("syncer_task_state", _STATE, labels=[*LABELS, "state"]),
            GaugeMetricFamily(
                "syncer_task_last_run_timestamp_seconds", "When the task last ran", labels=LABELS
            ),
            GaugeMetricFamily(
                "syncer_task_next_run_timestamp_seconds", "When the task runs next", labels=LABELS
            ),
            GaugeMetricFamily(
                "syncer_task_late_seconds",
                "How long the task's due run is overdue (0 when on time)",
                labels=LABELS,
            ),
        ]
