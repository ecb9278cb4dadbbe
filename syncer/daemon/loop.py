"""The reconcile loop: wait for a reason (file event, missed change, resync, retry), then load,
validate, plan and apply, and report the outcome in logs, /readyz and /metrics.

Invalid files and unsafe plans are permanent: nothing is applied and nothing is retried until the
files change (the last good state stays live). Database faults are temporary: retried with capped
exponential backoff, forever, while the files keep being watched.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import Error as DatabaseError
from django.db import connection

from syncer.core.context import Context
from syncer.core.errors import TemporaryFault, UnsafePlan, UserError, ValidationFailed
from syncer.core.pipeline import Loaded, Pipeline
from syncer.core.plan import Plan
from syncer.core.scopes import Scope
from syncer.daemon import files
from syncer.daemon.events import ChangeFlag, start_observer
from syncer.daemon.health import Metrics, Readiness
from syncer.daemon.health_reads import HealthReads
from syncer.daemon.leader import Leadership
from syncer.daemon.lint_report import LintReport
from syncer.db.apply import Audit, apply, make_plan


@dataclass
class Options:
    paths: list[str]
    resync_interval: float = 60.0
    self_heal: bool = True
    debounce: float = 0.1  # an editor's save is a burst of events within milliseconds
    poll_interval: float = 2.0
    max_backoff: float = 60.0
    standby_poll: float = 2.0
    force: bool = False
    allow_empty: bool = False
    revision: str | None = None
    applied_by: str = "syncer-watch"
    scope: Scope = Scope()


class Reconciler:
    def __init__(
        self,
        options: Options,
        context: Context,
        status: Readiness,
        metrics: Metrics,
        log: logging.Logger,
        revision: Callable[[], str] = lambda: "",
        leadership: Leadership | None = None,
    ) -> None:
        self.options = options
        self.context = context
        self.status = status
        self.metrics = metrics
        self.log = log
        self.revision = revision
        self.pipeline = Pipeline(context)
        self.lints = LintReport(log, metrics.lint_warnings)
        self.blocked_hash: str | None = None  # input that failed permanently
        self.applied_hash: str | None = None  # input of the last successful reconcile
        self.failures = 0
        self.retry_at: float | None = None
        self.next_resync = time.monotonic() + options.resync_interval
        self.flag = ChangeFlag(options.paths)
        self.health = HealthReads(metrics.runs, options.scope.name)
        self.leadership = leadership or Leadership(options.standby_poll, scope=options.scope)

    def wake(self) -> None:
        """Interrupt the wait (used by the signal handler so that shutdown is immediate)."""
        self.flag.changed.set()

    # --- the loop ---------------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        flag = self.flag
        observer = start_observer(files.watch_roots(self.options.paths), flag)
        identity = files.identity(self.options.paths)
        seen = files.fingerprint(self.options.paths)
        self.reconcile("start")
        try:
            while not stop.is_set():
                flag.changed.wait(self._timeout())
                if stop.is_set():
                    break
                reason = None
                if flag.changed.is_set():
                    self._debounce(flag, stop)
                    reason = "file event"
                current = files.identity(self.options.paths)
                if current != identity:  # the directory itself was replaced: watch the new one
                    observer.stop()
                    observer = start_observer(files.watch_roots(self.options.paths), flag)
                    identity, reason = current, "directory replaced"
                latest = files.fingerprint(self.options.paths)
                if latest != seen:
                    seen, reason = latest, reason or "files changed"
                reason = reason or self._due()
                if reason is not None:
                    self.reconcile(reason)
                if not flag.changed.is_set():  # a save waiting goes first
                    self.health.read_if_due()
        finally:
            observer.stop()

    def _due(self) -> str | None:
        """Why to reconcile when no file changed: a retry, a resync, the lease's heartbeat."""
        now = time.monotonic()
        if self.retry_at is not None and now >= self.retry_at:
            return "retry"
        if self.options.resync_interval and now >= self.next_resync:
            return "resync"
        if self.leadership.due_in() <= 0:
            return self._heartbeat()
        return None

    def _timeout(self) -> float:
        deadlines = [self.options.poll_interval, self.leadership.due_in()]
        now = time.monotonic()
        if self.retry_at is not None:
            deadlines.append(self.retry_at - now)
        if self.options.resync_interval:
            deadlines.append(self.next_resync - now)
        health = self.health.due_in()
        if health is not None:
            deadlines.append(health)
        return max(0.01, min(deadlines))

    def _debounce(self, flag: ChangeFlag, stop: threading.Event) -> None:
        """Wait until events stop for ``debounce`` seconds (at most 10x that), then clear."""
        started = time.monotonic()
        while not stop.is_set():
            quiet = time.monotonic() - flag.last_event
            debounce = self.options.debounce
            if quiet >= debounce or time.monotonic() - started > 10 * debounce:
                break
            stop.wait(debounce - quiet)
        flag.changed.clear()

    # --- one reconcile ----------------------------------------------------------------------
    def reconcile(self, reason: str) -> None:
        started = time.monotonic()
        self.retry_at = None
        if self.options.resync_interval:
            self.next_resync = started + self.options.resync_interval
        loaded = self.pipeline.load(self.options.paths, datetime.now(UTC))
        self.metrics.invalid_files.set(len(loaded.invalid_files))
        self.lints.report(loaded)
        if loaded.desired.errors:
            self._invalid(loaded, reason)
            return
        if loaded.content_hash == self.blocked_hash and reason in ("resync", "retry"):
            return  # still the same refused input: wait for the files to change
        outcome = self._attempt(loaded, started, reason)
        if outcome is not None:
            self._succeeded(loaded, *outcome, started, reason)

    def _attempt(self, loaded: Loaded, started: float, reason: str) -> tuple[Plan, bool] | None:
        """Lead, then plan and apply: the plan and whether it was written; None when this
        replica stands by, or the attempt failed (reported here)."""
        try:
            if not self.leadership.hold():
                self._standby()
                return None
            self.metrics.leader.set(1)
            # Files that changed since the last apply: a write is likely, planned once (under
            # the apply lock); a resync of the same files most likely writes nothing.
            return self._sync(loaded.desired.tasks, loaded.content_hash != self.applied_hash)
        except ValidationFailed as exc:  # names that other scopes own
            self._conflicts(exc, started, reason)
        except UnsafePlan as exc:
            self.blocked_hash = loaded.content_hash
            self._finish("unsafe", started, reason, level=logging.ERROR, error=str(exc))
            self.status.set(False, "unsafe", str(exc))
        except (TemporaryFault, DatabaseError) as exc:
            self._temporary(exc, started, reason)
        except UserError as exc:  # a live row that cannot be read as it is (beat cannot either)
            self._finish("invalid", started, reason, level=logging.ERROR, error=str(exc))
            self.status.set(False, "invalid-rows", str(exc))
        return None

    def _succeeded(
        self, loaded: Loaded, plan: Plan, written: bool, started: float, reason: str
    ) -> None:
        self.blocked_hash = None
        drift = not plan.is_empty and loaded.content_hash == self.applied_hash
        self.applied_hash = loaded.content_hash
        self.failures = 0
        if drift:
            self.metrics.drift.inc()
        if written:
            for change in plan.changes:
                self.metrics.changes.labels(change.action).inc()
        managed = len(loaded.desired.tasks) if (written or plan.is_empty) else plan.managed
        self.metrics.managed.set(managed)
        self.metrics.last_success.set(time.time())
        state = "drift" if (drift and not written) else "ok"
        self.status.set(
            True,
            state,
            "" if state == "ok" else "rows differ from the files (--no-self-heal)",
            managed=managed,
            revision=self.revision(),
            last_reconcile=time.time(),
            scope=self.options.scope.name,
        )
        self._finish(
            "ok",
            started,
            reason,
            summary=plan.summary(),
            applied=written,
            drift=drift,
            changes=[f"{c.action} {c.name}" for c in plan.changes][:50],
            paused=[p.name for p in plan.paused][:50],
            pauses_ended=[p.name for p in plan.expired_pauses][:50] if written else [],
        )
        self.health.after_reconcile(loaded.desired.tasks)

    def _sync(self, desired: dict, changed: bool) -> tuple[Plan, bool]:  # type: ignore[type-arg]
        if not self.options.self_heal:
            plan, _ = make_plan(desired, scope=self.options.scope)
            plan.raise_if_unsafe(force=self.options.force, allow_empty=self.options.allow_empty)
            return plan, False
        outcome = apply(
            desired,
            force=self.options.force,
            allow_empty=self.options.allow_empty,
            audit=Audit(
                self.options.revision or self.revision(),
                self.options.applied_by,
                " ".join(self.options.paths),
            ),
            scope=self.options.scope,
            plan_first=not changed,
        )
        return outcome.plan, outcome.written

    def _invalid(self, loaded: Loaded, reason: str) -> None:
        problems = [str(p) for p in loaded.desired.errors]
        self.blocked_hash = loaded.content_hash
        blocking = ", ".join(loaded.invalid_files)
        self.status.set(
            False,
            "invalid",
            f"invalid schedule files, nothing applied: {blocking}",
            files=loaded.invalid_files,
            problems=problems[:100],
        )
        self.metrics.reconciles.labels("invalid").inc()
        self.log.error(
            "reconcile skipped: invalid files", extra={"reason": reason, "problems": problems[:100]}
        )

    def _conflicts(self, exc: ValidationFailed, started: float, reason: str) -> None:
        """Declared names that other scopes own: nothing applied, reported as invalid input at
        each declaration. Not blocked until the files change: the other scope may let the names
        go, and the next resync applies then."""
        problems = [str(p) for p in exc.problems]
        files = sorted({p.location.path for p in exc.problems})
        self.status.set(
            False,
            "invalid",
            f"names owned by other scopes, nothing applied: {', '.join(files)}",
            files=files,
            problems=problems[:100],
        )
        self._finish("invalid", started, reason, level=logging.ERROR, problems=problems[:100])

    # --- leadership ---------------------------------------------------------------------------
    def _heartbeat(self) -> str | None:
        """Between reconciles: the leader renews its lease, a standby tries to take it. Returns a
        reason to reconcile at once (just elected), else None."""
        was_leading = self.leadership.leading
        started = time.monotonic()
        try:
            leading = self.leadership.hold()
        except DatabaseError as exc:
            self._temporary(exc, started, "lease")
            return None
        if leading:
            self.metrics.leader.set(1)
            return None if was_leading else "elected"
        if was_leading:  # lost it (paused past the TTL, or the database was away): step down
            self._standby()
        return None

    def _standby(self) -> None:
        self.metrics.leader.set(0)
        claim = self.leadership.last
        holder = claim.holder if claim is not None else ""
        if self.status.state != "standby":
            self.log.info(
                "standby: another replica holds the leader lease", extra={"leader": holder}
            )
        self.status.set(
            True,
            "standby",
            "another replica reconciles",
            leader=holder,
            scope=self.options.scope.name,
        )
        self.metrics.reconciles.labels("standby").inc()
        self.health.after_reconcile()

    def _temporary(self, exc: BaseException, started: float, reason: str) -> None:
        self.failures += 1
        delay = min(self.options.max_backoff, 2 ** (self.failures - 1))
        self.retry_at = time.monotonic() + delay
        self.leadership.lost(delay)
        self.metrics.leader.set(0)
        with contextlib.suppress(DatabaseError):
            connection.close()  # the next attempt opens a fresh connection
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        self.status.set(False, "database-unavailable", message, retry_in_seconds=delay)
        self._finish(
            "error", started, reason, level=logging.WARNING, error=message, retry_in_seconds=delay
        )

    def _finish(
        self, result: str, started: float, reason: str, level: int = logging.INFO, **fields: object
    ) -> None:
        duration = time.monotonic() - started
        self.metrics.reconciles.labels(result).inc()
        self.metrics.duration.observe(duration)
        self.log.log(
            level,
            f"reconcile {result}",
            extra={
                "reason": reason,
                "duration_seconds": round(duration, 4),
                "revision": self.options.revision or self.revision(),
                **fields,
            },
        )
