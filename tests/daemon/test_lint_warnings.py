"""`syncer watch` reports lints as `validate` does: logged once per distinct input, counted in
/metrics at every reconcile (no database needed: the pipeline's result goes to the reporter)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from syncer.core.context import Context
from syncer.daemon.health import Metrics, Readiness
from syncer.daemon.loop import Options, Reconciler
from tests.helpers import KNOWN_TASKS

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def reconciler(tmp_path) -> tuple[Reconciler, Records, Metrics]:
    log = logging.getLogger("test.watch.lints")
    log.handlers[:] = [records := Records()]
    log.propagate = False
    metrics = Metrics()
    context = Context("UTC", KNOWN_TASKS)
    return (
        Reconciler(Options([str(tmp_path)]), context, Readiness(), metrics, log),
        records,
        metrics,
    )


def gauge(metrics: Metrics) -> float:
    return metrics.registry.get_sample_value("syncer_lint_warnings") or 0.0


def test_lint_warnings_are_logged_once_per_input_and_counted(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "tasks:\n  busy:\n    task: tasks.print_hello\n    cron: '* 9-17 * * *'\n"
    )
    watch, records, metrics = reconciler(tmp_path)
    for _ in range(2):  # a resync of the same files: counted again, not logged again
        loaded = watch.pipeline.load(watch.options.paths, NOW)
        watch.lints.report(loaded)
    assert gauge(metrics) == 1
    (record,) = records.records
    assert record.levelno == logging.WARNING
    assert "fires every minute of those hours" in record.getMessage()
    assert record.location == f"{tmp_path}/a.yaml:4:5" and record.task == "busy"

    (tmp_path / "a.yaml").write_text(
        "tasks:\n  calm:\n    task: tasks.print_hello\n    every: 1m\n"
    )
    watch.lints.report(watch.pipeline.load(watch.options.paths, NOW))
    assert gauge(metrics) == 0 and len(records.records) == 1


def test_warnings_of_one_dst_transition_are_one_record_naming_the_count(tmp_path):
    body = "".join(
        f"  t{i}: {{task: tasks.print_hello, cron: '{i} 2 * * *', timezone: Europe/Berlin}}\n"
        for i in range(5)
    )
    (tmp_path / "a.yaml").write_text("tasks:\n" + body)
    watch, records, metrics = reconciler(tmp_path)
    watch.lints.report(watch.pipeline.load(watch.options.paths, NOW))
    assert gauge(metrics) == 10  # every warning counted: 5 tasks, 2 transitions
    dst = [r for r in records.records if "Europe/Berlin" in r.getMessage()]
    assert len(dst) == 2  # one record per transition, not one per task
    assert all(r.getMessage().endswith(": 5 tasks") for r in dst)
    assert dst[0].count == 5 and dst[0].tasks == ["t0", "t1", "t2"]
