"""Run health: has each task run when its schedule said it would?

Pure. The shells give, for each task, the slots its schedule had due since its last run (from
beat's own schedule objects, ``syncer.db.health``) and its next slot; this module judges:

* ``ok``: nothing is due, or the slot due became due less than ``grace`` ago;
* ``late``: a slot has been due for more than ``grace``, and no later slot is (yet) past grace;
* ``missed``: a later slot too has been due for more than ``grace``: at least one run is lost;
* ``never-ran``: no run was ever recorded and a first slot is past grace;
* ``paused``, ``disabled``: not expected to run.

A last run that beat records late (``DatabaseScheduler`` writes ``last_run_at`` back every
three minutes) is allowed that ``lag`` on top of the grace. The grace defaults to a tenth of the
period (the time between the due slot and the next), between 30 seconds (beat checks its schedule
every few seconds) and an hour; a task sets its own with ``grace:``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

STATES = ("missed", "late", "never-ran", "paused", "disabled", "ok")  # the worst first
UNHEALTHY = frozenset({"missed", "late", "never-ran"})
GRACE_MIN, GRACE_MAX = timedelta(seconds=30), timedelta(hours=1)


@dataclass(frozen=True)
class Slots:
    """What the schedule says around now, for one task: the slots due since its last run (at
    most a few, oldest first) and the first slot after now."""

    due: tuple[datetime, ...]
    next_run: datetime | None


@dataclass(frozen=True)
class Health:
    name: str
    state: str
    queue: str | None
    last_run_at: datetime | None
    expected_last_run: datetime | None
    next_run: datetime | None
    late_seconds: float = 0.0

    @property
    def unhealthy(self) -> bool:
        return self.state in UNHEALTHY

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "expected_last_run": _iso(self.expected_last_run),
            "last_run_at": _iso(self.last_run_at),
            "late_seconds": round(self.late_seconds, 3),
            "next_run": _iso(self.next_run),
            "queue": self.queue,
        }


def default_grace(period: timedelta | None) -> timedelta:
    if period is None:
        return GRACE_MAX
    return min(max(period / 10, GRACE_MIN), GRACE_MAX)


def judge(
    name: str,
    *,
    slots: Slots,
    now: datetime,
    last_run_at: datetime | None,
    ran_before: bool,
    grace: timedelta | None,
    queue: str | None = None,
    enabled: bool = True,
    paused: bool = False,
    lag: timedelta = timedelta(0),
) -> Health:
    expected = slots.due[-1] if slots.due else last_run_at
    base = Health(name, "ok", queue, last_run_at, expected, slots.next_run)
    if paused:
        return _with(base, "paused", next_run=None)
    if not enabled:
        return _with(base, "disabled", next_run=None)
    if not slots.due:
        return base
    first = slots.due[0]
    after = slots.due[1] if len(slots.due) > 1 else slots.next_run
    # ``lag``: how stale the recorded last run may be (beat writes it back every few minutes).
    allowed = (grace if grace is not None else default_grace(_period(first, after))) + lag
    late = now - first
    if late <= allowed:
        return base
    if not ran_before:
        return _with(base, "never-ran", late_seconds=late.total_seconds())
    later_past_grace = len(slots.due) > 1 and now - slots.due[1] > allowed
    state = "missed" if later_past_grace else "late"
    return _with(base, state, late_seconds=late.total_seconds())


def worst_first(healths: Sequence[Health]) -> list[Health]:
    return sorted(healths, key=lambda h: (STATES.index(h.state), -h.late_seconds, h.name))


def counts(healths: Sequence[Health]) -> dict[str, int]:
    out = dict.fromkeys(STATES, 0)
    for health in healths:
        out[health.state] += 1
    return out


def _period(first: datetime, after: datetime | None) -> timedelta | None:
    return None if after is None else after - first


def _with(base: Health, state: str, **changes: Any) -> Health:
    values = {**base.__dict__, "state": state, **changes}
    return Health(**values)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
