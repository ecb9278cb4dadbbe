"""``celery beat -S syncer.beat:Scheduler``: django-celery-beat's ``DatabaseScheduler`` (same
tables, same entries, same admin) made safe to run on several hosts, with per-task run policies
and reloads that cost O(change).

- **One sender**: every beat keeps the schedule warm, but only the holder of the ``syncer-beat``
  lease sends (``syncer.beat.leadership``). A standby that takes over first reads the last-run
  times the previous leader wrote and the slots it claimed since, then builds its heap.
- **One send per slot**: before sending (or skipping) a slot, the leader claims it
  (``syncer.db.claims``, a unique row per task and scheduled time); a claim that fails means
  that slot was decided already, and it is passed over. At most once per slot, whatever happens.
- **Policies** (``syncer.core.policy``): the decision for a due slot is pure; this class gathers
  its inputs (the slot, the clock, whether the previous run finished) and carries it out.
- **Reload in O(change)**: the change log (``syncer.beat.follow``) names the changed tasks; only
  they are read again and re-pushed on the heap (``syncer.beat.heap``). A bump the log cannot
  explain (raw SQL) rebuilds everything.

Every decision is logged; skips at WARNING with the task, the slot and the reason, and counted.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.db import DatabaseError, InterfaceError, close_old_connections
from django.db.models import Q
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from syncer import conf
from syncer.beat import entries, timing
from syncer.beat.entries import PolicyEntry
from syncer.beat.follow import ChangeFollower
from syncer.beat.heap import DueHeap
from syncer.beat.leadership import LEASE_NAME, Leadership
from syncer.beat.runs import HEADER
from syncer.core.policy import DueSlot, Overlap, SkipReason, skip_reason
from syncer.db import changelog, claims

logger = logging.getLogger("syncer.beat")

CHANGES_POLL_SECONDS = 1.0  # one one-row query a second: a change is live within about a second
PRUNE_EVERY_SECONDS = 600.0
DB_RETRY_SECONDS = 2.0
SLOT_HEADER = "syncer_slot"


class Scheduler(DatabaseScheduler):  # type: ignore[misc]  # django-celery-beat ships no types
    Entry = PolicyEntry

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._settings = conf.get()
        self._schedule: dict[str, PolicyEntry] | None = None
        self._names: dict[int, str] = {}  # task id -> entry name (renames, deletions)
        self._follower = ChangeFollower()
        self._due: DueHeap | None = None  # the leader's heap; None on a standby
        self._generations = iter(range(1, 1 << 62))
        self._next_poll = 0.0
        self._next_prune = 0.0
        self.skips: Counter[tuple[str, str]] = Counter()
        self._leadership = Leadership(self._settings.beat_lease_ttl, poll=2.0)
        super().__init__(*args, **kwargs)
        self._leadership.poll = min(2.0, float(self.max_interval))

    # --- the schedule ---------------------------------------------------------------------------

    @property
    def schedule(self) -> dict[str, PolicyEntry]:
        if self._schedule is None:
            self.load_all()
        assert self._schedule is not None
        return self._schedule

    def load_all(self) -> None:
        """Read every enabled task (at start, and when the change log cannot explain a change)."""
        self._follower.start()
        if self._schedule is not None:
            self.sync()
        old = self._schedule or {}
        fresh: dict[str, PolicyEntry] = {}
        for model in entries.iter_models():
            entry = self._make(model, old.get(model.name))
            if entry is not None:
                fresh[entry.name] = entry
        self._schedule = fresh
        self._names = {entry.task_id: name for name, entry in fresh.items()}
        logger.info("syncer.beat: schedule loaded: %d enabled task(s)", len(fresh))
        if self._due is not None:
            self._rebuild_heap()

    def reload(self, task_ids: Iterable[int]) -> int:
        """Read these tasks again (changed, renamed, disabled or deleted): O(len(task_ids))."""
        schedule = self.schedule
        ids = set(task_ids)
        previous: dict[int, PolicyEntry] = {}
        for task_id in ids:
            name = self._names.pop(task_id, None)
            if name is not None and name in schedule:
                self._save_runtime_of([name])
                previous[task_id] = schedule.pop(name)
        loaded = 0
        for model in entries.iter_models(ids):
            entry = self._make(model, previous.get(int(model.pk)))
            if entry is not None:
                self._put(entry)
                loaded += 1
        return loaded

    def _make(self, model: PeriodicTask, old: PolicyEntry | None) -> PolicyEntry | None:
        try:
            entry = self.Entry(model, app=self.app)
        except ValueError:
            return None
        if old is not None and old.task_id == entry.task_id:
            entry.catch_up(old.last_run(), old.total_run_count)
        entry.generation = next(self._generations)
        return entry

    def _put(self, entry: PolicyEntry) -> None:
        schedule = self.schedule
        clash = schedule.get(entry.name)
        if clash is not None:
            self._names.pop(clash.task_id, None)
        schedule[entry.name] = entry
        self._names[entry.task_id] = entry.name
        if self._due is not None:
            self._push(entry)

    def update_from_dict(self, mapping: dict[str, Any]) -> None:
        """``beat_schedule`` and ``celery.backend_cleanup`` into the tables, as
        ``DatabaseScheduler`` does at start; then those entries are read again."""
        written = []
        for name, fields in mapping.items():
            try:
                written.append(int(self.Entry.from_entry(name, app=self.app, **fields).model.pk))
            except Exception:
                logger.exception("Cannot add entry %r to database schedule: %r", name, fields)
        if written:
            self.reload(written)

    # --- the loop -------------------------------------------------------------------------------

    def tick(self, *args: Any, **kwargs: Any) -> float:
        """One step of beat's loop: follow changes, hold the lease, decide at most one due slot.
        Returns how long to sleep."""
        try:
            self._follow_changes()
            if not self._lead():
                return self._sleep(self._leadership.due_in())
            self._maybe_prune()
            return self._run_next()
        except (DatabaseError, InterfaceError) as exc:
            logger.warning(
                "syncer.beat: database error (%s); standing by, trying again in %.0f s",
                exc,
                DB_RETRY_SECONDS,
            )
            close_old_connections()
            self._leadership.lost(DB_RETRY_SECONDS)
            self._due = None
            return DB_RETRY_SECONDS

    def _sleep(self, wait: float) -> float:
        poll = self._next_poll - time.monotonic()
        return max(0.0, min(wait, float(self.max_interval), poll, self._leadership.due_in()))

    def _follow_changes(self) -> None:
        if time.monotonic() < self._next_poll:
            return
        self._next_poll = time.monotonic() + min(CHANGES_POLL_SECONDS, float(self.max_interval))
        self.refresh()

    def refresh(self) -> None:
        """Apply what changed since the last look (the bench and the tests call it directly)."""
        self.schedule  # noqa: B018  (loads the schedule once)
        changes = self._follower.poll()
        if changes is None:
            return
        if changes.full:
            logger.info("syncer.beat: schedule changed outside the change log: full reload")
            self.load_all()
            return
        loaded = self.reload(changes.task_ids)
        logger.info(
            "syncer.beat: schedule changed: %d task(s) reloaded, %d enabled",
            len(changes.task_ids),
            loaded,
        )

    def _lead(self) -> bool:
        was_leading = self._leadership.leading
        if self._leadership.attempt_due():
            self._leadership.hold()
        if not self._leadership.leading:
            if was_leading or self._due is not None:
                logger.warning(
                    "syncer.beat: lost the lease to %s; standing by",
                    self._leadership.current_holder,
                )
            self._due = None
            return False
        if self._due is None:
            logger.info("syncer.beat: leading (lease %s)", self._leadership.holder)
            self._take_over()
        return True

    def _take_over(self) -> None:
        """A new leader: the last runs the previous one recorded, and the slots it claimed since
        (up to a sync interval plus a TTL ago), then the heap."""
        schedule = self.schedule
        for task_id, last_run_at, count in entries.runtime_rows():
            entry = schedule.get(self._names.get(task_id, ""))
            if entry is not None:
                entry.catch_up(last_run_at, count)
        lookback = float(self.sync_every) + self._settings.beat_lease_ttl + 60.0
        since = datetime.now(UTC) - timedelta(seconds=lookback)
        for name, slot in claims.latest_slots(since).items():
            if name in schedule:
                schedule[name].catch_up(slot)
        self._rebuild_heap()

    def _rebuild_heap(self) -> None:
        self._due = DueHeap()
        for entry in self.schedule.values():
            self._push(entry)

    def _push(self, entry: PolicyEntry, at: float | None = None) -> None:
        assert self._due is not None
        if at is None:
            # A due entry is looked at now (its offset may have passed already: _handle knows);
            # another one when its slot plus its offset comes.
            due, next_seconds = self._is_due(entry)
            at = time.time()
            if not due:
                at += next_seconds + entry.offset.total_seconds()
        self._due.push(at, entry.name, entry.generation)

    def _is_due(self, entry: PolicyEntry) -> tuple[bool, float]:
        try:
            due, next_seconds = entry.is_due()
        except Exception:
            logger.exception("beat: Cannot calculate the next run of %r", entry.name)
            return False, float(self.max_interval)
        return bool(due), float(next_seconds)

    def _run_next(self) -> float:
        assert self._due is not None
        top = self._due.top(self.schedule)
        if top is None:
            return self._sleep(float(self.max_interval))
        when, entry = top
        wait = when - time.time()
        if wait > 0:
            return self._sleep(wait)
        self._due.pop()
        self._handle(entry)
        self._due.compact(self.schedule)
        return 0.0

    # --- one due entry --------------------------------------------------------------------------

    def _handle(self, entry: PolicyEntry) -> None:
        due, next_seconds = self._is_due(entry)
        if not due:
            self._push(entry, time.time() + next_seconds + entry.offset.total_seconds())
            return
        now = datetime.now(UTC)
        slot = timing.due_slot(entry.schedule, entry.last_run(), now, entry.policy, entry.offset)
        run_at = slot.slot + entry.offset
        if run_at > now:  # its jitter offset has not passed yet
            self._push(entry, run_at.timestamp())
            return
        if not self._leadership.may_send():
            logger.warning("syncer.beat: lease not renewed; %s not sent", entry.name)
            self._due = None
            return
        self._decide(entry, slot, now)
        self._push(entry)

    def _decide(self, entry: PolicyEntry, slot: DueSlot, now: datetime) -> None:
        bound = self._settings.beat_overlap_timeout
        reason = skip_reason(
            slot.slot,
            now,
            entry.policy,
            lambda: claims.previous_running(entry.name, bound),
            entry.offset,
        )
        message_id = str(uuid.uuid4()) if reason is None else ""
        outcome = claims.SENDING if reason is None else claims.skipped(reason)
        holder = self._leadership.holder
        tracked = reason is None and entry.policy.overlap == Overlap.SKIP
        claim_id = claims.claim(entry.name, slot.slot, holder, outcome, message_id, tracked)
        one_off = bool(entry.model.one_off)
        if claim_id is None:
            logger.info(
                "syncer.beat: %s slot %s was claimed already; passed over",
                entry.name,
                slot.slot.isoformat(),
            )
            entry.advance(slot.anchor, counted=one_off)
        elif reason is not None:
            self._log_skip(entry, slot, reason, now)
            entry.advance(slot.anchor, counted=one_off)
        else:
            sent = self._send(entry, slot, claim_id, message_id)
            claims.record(claim_id, claims.SENT if sent else claims.SEND_FAILED)
            entry.advance(slot.anchor, counted=True)
        self._dirty.add(entry.name)

    def _log_skip(
        self, entry: PolicyEntry, slot: DueSlot, reason: SkipReason, now: datetime
    ) -> None:
        self.skips[(entry.name, str(reason))] += 1
        late = (now - slot.slot - entry.offset).total_seconds()
        logger.warning(
            "syncer.beat: skipped %s slot %s: %s (%.1f s after its run time; %d such skip(s) of "
            "this task since start)",
            entry.name,
            slot.slot.isoformat(),
            reason,
            late,
            self.skips[(entry.name, str(reason))],
        )

    def _send(self, entry: PolicyEntry, slot: DueSlot, claim_id: int, message_id: str) -> bool:
        logger.info("Scheduler: Sending due task %s (%s)", entry.name, entry.task)
        headers = dict(entry.options.get("headers") or {})
        headers[SLOT_HEADER] = slot.slot.isoformat()
        if entry.policy.overlap == Overlap.SKIP:
            headers[HEADER] = claim_id
        options = {**entry.options, "headers": headers, "task_id": message_id}
        # What Celery's apply_async reads of an entry (a copy: the entry's options stay as
        # they are).
        message = SimpleNamespace(
            name=entry.name, task=entry.task, args=entry.args, kwargs=entry.kwargs, options=options
        )
        try:
            self.apply_async(message, producer=self.producer, advance=False)
        except Exception as exc:
            logger.error("Message Error: %s", exc, exc_info=True)
            return False
        return True

    # --- bookkeeping ----------------------------------------------------------------------------

    def sync(self) -> None:
        """Write the last-run times and run counts of the entries that ran, never moving a
        row's last run back (an apply may have reset it since: the next-run policy)."""
        if not self._dirty or self._schedule is None:
            return
        try:
            self._save_runtime_of(list(self._dirty))
        except (DatabaseError, InterfaceError) as exc:
            logger.warning("syncer.beat: could not save last runs (%s); trying again later", exc)
            close_old_connections()

    def _save_runtime_of(self, names: Iterable[str]) -> None:
        schedule = self._schedule or {}
        for name in names:
            entry = schedule.get(name)
            if name not in self._dirty:
                continue
            if entry is not None:
                last = entry.last_run()
                PeriodicTask.objects.filter(pk=entry.task_id).filter(
                    Q(last_run_at__isnull=True) | Q(last_run_at__lt=last)
                ).update(last_run_at=last, total_run_count=entry.total_run_count)
            self._dirty.discard(name)

    def _maybe_prune(self) -> None:
        if time.monotonic() < self._next_prune:
            return
        self._next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
        settings = self._settings
        keep = max(settings.beat_claim_retention, settings.beat_overlap_timeout + 60.0)
        cutoff = datetime.now(UTC) - timedelta(seconds=keep)
        pruned = claims.prune(cutoff), changelog.prune(cutoff)
        if any(pruned):
            logger.info("syncer.beat: pruned %d slot claim(s), %d change log row(s)", *pruned)

    def close(self) -> None:
        try:
            super().close()
        finally:
            with contextlib.suppress(DatabaseError, InterfaceError):
                self._leadership.release()

    @property
    def info(self) -> str:
        return f"    . syncer.beat: lease {LEASE_NAME} (ttl {self._settings.beat_lease_ttl:g} s)"
