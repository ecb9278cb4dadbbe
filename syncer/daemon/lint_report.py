"""``syncer watch``'s lints, as ``validate`` and ``plan`` print them: logged once per distinct
input (not at every resync), one record per group (a DST transition's tasks together, as the
CLI's text), and counted in ``/metrics`` (``syncer_lint_warnings``) at every reconcile."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from prometheus_client import Gauge

from syncer import conf
from syncer.core import render
from syncer.core.errors import Problem
from syncer.core.pipeline import Loaded
from syncer.db.timeline import herd_warnings


class LintReport:
    def __init__(self, log: logging.Logger, gauge: Gauge) -> None:
        self.log = log
        self.gauge = gauge
        self.warned_hash: str | None = None  # input whose lint warnings were last logged
        self.herds: list[Problem] = []  # the herd lint of the input of ``herds_hash``
        self.herds_hash: str | None = None

    def report(self, loaded: Loaded) -> None:
        if loaded.content_hash != self.herds_hash and not loaded.desired.errors:
            # The herd lint needs beat's schedule objects: once per distinct input.
            self.herds = herd_warnings(
                loaded.desired.tasks, datetime.now(UTC), conf.get().herd_threshold
            )
            self.herds_hash = loaded.content_hash
        warnings = [*loaded.warnings, *self.herds]
        self.gauge.set(len(warnings))
        if not warnings or loaded.content_hash == self.warned_hash:
            return
        self.warned_hash = loaded.content_hash
        for group in render.grouped(warnings):
            self._log(group)

    def _log(self, group: list[Problem]) -> None:
        warning = group[0]
        if len(group) == 1:
            self.log.warning(
                "lint: %s",
                warning.message,
                extra={
                    "location": str(warning.location),
                    "task": warning.task,
                    "field": warning.field,
                },
            )
            return
        self.log.warning(
            "lint: %s: %d tasks",
            warning.group,
            len(group),
            extra={
                "location": str(warning.location),
                "tasks": [p.task for p in group[: render.GROUP_SHOWN]],
                "count": len(group),
                "field": warning.field,
            },
        )
