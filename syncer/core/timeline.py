"""The load picture: how many runs start in each minute of a window, per queue (or per task).

Pure: the shells compute each schedule's fire times with beat's own schedule objects
(``syncer.db.timeline``) and add them here; this module counts them per minute, finds the peaks,
spots herds (too many runs of one queue in one minute) and gives the JSON form. Minutes are
UTC, counted from the window's start rounded down to the minute.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from syncer.core.errors import Location, Problem

DEFAULT_QUEUE = "(default)"  # a task without a queue goes where its routing sends it
PEAKS_PER_GROUP = 3
WINDOWS = {"1h": timedelta(hours=1), "24h": timedelta(days=1), "7d": timedelta(days=7)}


@dataclass(frozen=True)
class Runner:
    """Tasks that run at the same times: how many, for which group (a queue or a task name), and
    the names of some of them (for messages)."""

    group: str
    count: int
    names: tuple[str, ...] = ()


@dataclass
class Timeline:
    start: datetime  # the first minute, UTC
    end: datetime  # exclusive
    by: str = "queue"  # what a group is: "queue" or "task"
    minutes: dict[int, Counter[str]] = field(default_factory=dict)  # minute index -> runs
    # Each runner with the minutes it runs in, in the order added: the names of a minute's tasks
    # are looked up only for the minutes a message names (a herd), not kept for every minute.
    runners: list[tuple[Runner, Container[int]]] = field(default_factory=list)

    @classmethod
    def over(cls, start: datetime, window: timedelta, by: str = "queue") -> Timeline:
        first = start.astimezone(UTC).replace(second=0, microsecond=0)
        return cls(first, first + window, by)

    @property
    def total_runs(self) -> int:
        return sum(sum(groups.values()) for groups in self.minutes.values())

    def minute(self, index: int) -> datetime:
        return self.start + timedelta(minutes=index)

    def add_times(self, times: Iterable[datetime], *runners: Runner) -> None:
        """Runs at these instants (those outside the window are left out), for each runner."""
        span = (self.end - self.start).total_seconds()
        indices = []
        for moment in times:
            offset = (moment - self.start).total_seconds()
            if 0 <= offset < span:
                indices.append(int(offset // 60))
        counts = [(index, 1) for index in indices]
        for runner in runners:
            self._add_counts(counts, runner)
            self.runners.append((runner, indices))

    def add_periodic(self, first: datetime, period: timedelta, *runners: Runner) -> None:
        """Runs at ``first + k * period`` (k >= 0) within the window, by arithmetic: run by run
        when runs are at least a minute apart, else minute by minute (an every-3-seconds task
        is 28,800 runs a day but 1,440 minutes). The minutes are worked out once for all the
        runners (the queues of the tasks sharing the schedule)."""
        found = self._periodic_minutes(first, period)
        if found is None:
            return
        counts, minutes = found
        for runner in runners:
            self._add_counts(counts, runner)
            self.runners.append((runner, minutes))

    def _periodic_minutes(
        self, first: datetime, period: timedelta
    ) -> tuple[list[tuple[int, int]], Container[int]] | None:
        """The runs of ``first + k * period`` per minute index, and the minutes as a container
        (for ``names_at``); None when none falls in the window."""
        step = period.total_seconds()
        span = (self.end - self.start).total_seconds()
        offset = (first - self.start).total_seconds()
        if step <= 0 or offset >= span:
            return None
        if offset < 0:  # the first run inside the window
            offset += _ceil_div(-offset, step) * step
        if step >= 60:  # one run per minute at most
            minutes = _Runs(offset, step, _ceil_div(span - offset, step))
            counts = [(int((offset + k * step) // 60), 1) for k in range(minutes.count)]
            return counts, minutes
        counts = []
        first_index, last_index = int(offset // 60), int(span // 60)
        for index in range(first_index, last_index + 1):
            low, high = max(index * 60.0, offset), min((index + 1) * 60.0, span)
            if low < high:  # the runs offset + k * step in [low, high)
                runs = _ceil_div(high - offset, step) - _ceil_div(low - offset, step)
                if runs > 0:
                    counts.append((index, runs))
        return counts, range(first_index, last_index + 1)

    def _add_counts(self, counts: Iterable[tuple[int, int]], runner: Runner) -> None:
        """``runs`` runs of each of the runner's tasks in each (minute, runs). The innermost loop
        of a timeline (per minute, per schedule and queue): no method call per minute, and
        ``dict.get`` rather than ``Counter``'s missing-key hook, which is Python code."""
        minutes, group, count = self.minutes, runner.group, runner.count
        for index, runs in counts:
            groups = minutes.get(index)
            if groups is None:
                groups = minutes[index] = Counter()
            groups[group] = groups.get(group, 0) + runs * count

    def names_at(self, index: int, group: str, limit: int = 5) -> tuple[str, ...]:
        """Some of the tasks that run in minute ``index`` of ``group``, in the order added."""
        names: list[str] = []
        for runner, indices in self.runners:
            if runner.group == group and index in indices:
                names.extend(runner.names[: limit - len(names)])
                if len(names) >= limit:
                    break
        return tuple(names)

    def peaks(self, per_group: int = PEAKS_PER_GROUP) -> list[dict[str, Any]]:
        """The busiest minutes of each group, busiest group first."""
        best: dict[str, list[tuple[int, int]]] = {}
        for index, groups in self.minutes.items():
            for group, runs in groups.items():
                best.setdefault(group, []).append((runs, -index))
        found: list[tuple[int, str, str]] = []
        for group, entries in best.items():
            for runs, negative in sorted(entries, reverse=True)[:per_group]:
                found.append((runs, _iso(self.minute(-negative)), group))
        found.sort(key=lambda p: (-p[0], p[1], p[2]))
        return [{self.by: group, "minute": minute, "runs": runs} for runs, minute, group in found]

    def herds(self, threshold: int) -> list[Herd]:
        """Minutes in which more than ``threshold`` runs of one group start."""
        found = [
            Herd(self.minute(index), group, runs, index)
            for index, groups in sorted(self.minutes.items())
            for group, runs in groups.items()
            if runs > threshold
        ]
        return found

    def worst_herds(self, threshold: int) -> dict[str, tuple[Herd, int]]:
        """Per group with herds (``herds``): its busiest minute (the earliest of equals) and how
        many minutes are herds, without a ``Herd`` per minute (a crowded queue has one in
        every minute of the window)."""
        best: dict[str, tuple[int, int]] = {}  # group -> (runs, -index): the earliest of equals
        minutes: dict[str, int] = {}  # group -> its minutes over the threshold
        for index, groups in self.minutes.items():
            for group, runs in groups.items():
                if runs > threshold:
                    minutes[group] = minutes.get(group, 0) + 1
                    candidate = (runs, -index)
                    if group not in best or candidate > best[group]:
                        best[group] = candidate
        return {
            group: (Herd(self.minute(-negative), group, runs, -negative), minutes[group])
            for group, (runs, negative) in best.items()
        }

    def to_json(self) -> dict[str, Any]:
        key = "queues" if self.by == "queue" else "tasks"
        return {
            "start": _iso(self.start),
            "end": _iso(self.end),
            "by": self.by,
            "total_runs": self.total_runs,
            "minutes": [
                {
                    "minute": _iso(self.minute(index)),
                    "runs": sum(groups.values()),
                    key: dict(sorted(groups.items())),
                }
                for index, groups in sorted(self.minutes.items())
            ],
            "peaks": self.peaks(),
        }

    def peak_by_group(self) -> dict[str, int]:
        """The most runs that start in one minute, per group."""
        peaks: dict[str, int] = {}
        for groups in self.minutes.values():
            for group, runs in groups.items():
                peaks[group] = max(peaks.get(group, 0), runs)
        return peaks

    def per_hour(self) -> list[tuple[datetime, int]]:
        hours: Counter[int] = Counter()
        for index, groups in self.minutes.items():
            hours[index // 60] += sum(groups.values())
        span = int((self.end - self.start).total_seconds() // 3600)
        return [(self.start + timedelta(hours=h), hours[h]) for h in range(span)]


@dataclass(frozen=True)
class Herd:
    minute: datetime
    group: str
    runs: int
    index: int  # of the minute in its timeline (``Timeline.names_at``)


@dataclass(frozen=True)
class _Runs:
    """The minutes of ``count`` runs ``offset + k * step`` seconds into the window, a minute or
    more apart: which minutes, by arithmetic (a week of an hourly task is 168 of them)."""

    offset: float
    step: float
    count: int

    def __contains__(self, index: object) -> bool:
        if not isinstance(index, int):
            return False
        k = max(_ceil_div(index * 60 - self.offset, self.step), 0)  # the first run from it on
        return k < self.count and int((self.offset + k * self.step) // 60) == index


def _ceil_div(a: float, b: float) -> int:
    return int(-(-a // b))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def herd_warnings(
    timeline: Timeline, threshold: int, where: Callable[[str], Location]
) -> list[Problem]:
    """One warning per group whose runs pile up in one minute past ``threshold``: the busiest
    such minute, how many minutes of the window are like it, and some of the tasks.
    ``where(name)`` is the declaration of a task, where the warning points."""
    out = []
    for group, (worst, minutes) in sorted(timeline.worst_herds(threshold).items()):
        others = minutes - 1
        more = f" (and {others} more minute{'s' if others != 1 else ''} of the window)"
        found = timeline.names_at(worst.index, group)
        names = ", ".join(found)
        out.append(
            Problem(
                where(found[0]) if found else Location("."),
                f"{worst.runs} runs start on {timeline.by} {group!r} in the minute of "
                f"{worst.minute:%Y-%m-%d %H:%M} UTC{more if others else ''}, more than "
                f"{threshold} (SYNCER_HERD_THRESHOLD): {names}, ... Spread them: a `jitter:` "
                "(with the companion scheduler, syncer.beat:Scheduler), or other cron minutes",
                task=found[0] if found else None,
                field="schedule",
                severity="warning",
            )
        )
    return out
