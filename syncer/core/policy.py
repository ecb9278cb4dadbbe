"""Per-task run policies and the decisions the companion scheduler (``syncer.beat``) takes with
them: which slot is due, whether it runs or is skipped, and when. Pure: no clock, no database,
no Celery; the schedule is a function ``next_after(t)`` (the first fire time after ``t``).

A **slot** is one scheduled time of one task: the instant its schedule says it is due. Beats
claim slots (``syncer.beat.claims``), so a slot is identified by the task's name and that
instant, computed the same way by every beat from the same last run.

- ``starting_deadline``: a slot that beat reaches later than this after its run time is skipped,
  not run (Kubernetes' ``startingDeadlineSeconds``, APScheduler's ``misfire_grace_time``).
- ``overlap: skip``: a slot is skipped while the task's previous run has not finished
  (Kubernetes' ``concurrencyPolicy: Forbid``).
- ``jitter``: every run is delayed by a stable offset in [0, jitter), a hash of the task's name:
  the same on every beat replica and after every restart.

When several slots were missed (beat was down), beat decides once, for the latest of them, as
Celery does (one catch-up run, never a burst); the earlier ones are passed over.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# Searching the latest due slot steps through the missed ones: bounded, so that a beat that was
# down for days does not spend seconds per task on it (past the bound it anchors on "now").
MAX_SLOT_STEPS = 100
_US = timedelta(microseconds=1)


class Overlap(StrEnum):
    ALLOW = "allow"
    SKIP = "skip"


class SkipReason(StrEnum):
    STARTING_DEADLINE = "starting_deadline"
    OVERLAP = "overlap"


@dataclass(frozen=True, slots=True)
class RunPolicy:
    starting_deadline: timedelta | None = None
    overlap: Overlap = Overlap.ALLOW
    jitter: timedelta | None = None

    @property
    def is_default(self) -> bool:
        return self == DEFAULT_POLICY

    def offset(self, name: str) -> timedelta:
        return jitter_offset(name, self.jitter)


DEFAULT_POLICY = RunPolicy()


def jitter_offset(name: str, jitter: timedelta | None) -> timedelta:
    """The task's stable delay in [0, jitter): a hash of its name (SHA-256, not Python's
    ``hash``, which changes with every process), to the microsecond."""
    span = 0 if jitter is None else jitter // _US
    if span <= 0:
        return timedelta(0)
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return timedelta(microseconds=int.from_bytes(digest[:8], "big") % span)


@dataclass(frozen=True, slots=True)
class DueSlot:
    """The slot to decide now, how many earlier missed slots it stands for, and the last-run
    time to record once it is decided (the schedule counts its next slot from there)."""

    slot: datetime
    passed_over: int
    anchor: datetime


def latest_due_slot(
    first: datetime,
    now: datetime,
    next_after: Callable[[datetime], datetime],
    deadline: timedelta | None = None,
    max_steps: int = MAX_SLOT_STEPS,
) -> DueSlot:
    """From ``first`` (a due slot: ``first <= now``), the latest slot ``<= now``.

    ``now`` is the clock minus the task's jitter offset. With a deadline, the search starts at the
    first slot inside the deadline's window when ``first`` is older (the older ones would be
    skipped anyway), so it takes at most deadline/period steps. Normally (beat on time) it is
    ``first`` itself, after one call of ``next_after``. The anchor is the slot (intervals keep
    their phase, and every beat computes the same next slot); past ``max_steps`` it is ``now``.
    """
    slot, passed = first, 0
    if deadline is not None and first < now - deadline:
        jumped = next_after(now - deadline - _US)
        if jumped <= now:
            passed = 1  # at least ``first``: exactly how many is not worth the steps
            slot = jumped
    for _ in range(max_steps):
        following = next_after(slot)
        if following > now or following <= slot:
            return DueSlot(slot, passed, slot)
        slot, passed = following, passed + 1
    return DueSlot(slot, passed, now)


def skip_reason(
    slot: datetime,
    now: datetime,
    policy: RunPolicy,
    previous_running: Callable[[], bool],
    offset: timedelta = timedelta(0),
) -> SkipReason | None:
    """Why the slot must not run, or None. ``previous_running`` is asked only for ``overlap:
    skip`` (it costs a query). Lateness counts from the run time, the slot plus its offset."""
    if policy.starting_deadline is not None and now - (slot + offset) > policy.starting_deadline:
        return SkipReason.STARTING_DEADLINE
    if policy.overlap == Overlap.SKIP and previous_running():
        return SkipReason.OVERLAP
    return None


def format_duration(value: timedelta) -> str:
    """A duration as the files spell it: ``30s``, ``5m``, ``1h30m``, ``250ms``."""
    total = value // _US
    parts: list[str] = []
    for unit, size in (("d", 86_400_000_000), ("h", 3_600_000_000), ("m", 60_000_000)):
        if total >= size:
            parts.append(f"{total // size}{unit}")
            total %= size
    if total % 1_000_000 == 0:
        if total or not parts:
            parts.append(f"{total // 1_000_000}s")
    elif total % 1_000 == 0:
        parts.append(f"{total // 1_000}ms")
    else:
        parts.append(f"{total}us")
    return "".join(parts)
