"""The benchmark's workload: N declared tasks with a realistic mix, as schedule files, and the same
tasks in the forms the baselines take (a ``beat_schedule`` dict, the seed API's requests, rows).

Deterministic for a given N (no random module): task ``i`` always gets the same declaration, so
runs compare. The mix:

- 60 % interval tasks over 50 shared durations (10 s ... 1 week), 40 % cron tasks over 24
  expressions x 10 IANA time zones (a few in the mapping form);
- kwargs on most tasks, args on some, a queue on most, a priority or an expiry on some, a
  description on all, 2 % disabled;
- 1,000 tasks per file (``team-NNN.yaml``), each file with ``defaults`` (its queue).

Variants: ``changed`` rewrites 1 % of the tasks (every 100th: a new kwargs value, and every other
one of those a new schedule too); ``deleted`` additionally drops another 1 % (i % 100 == 50).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

TASKS_PER_FILE = 1000

# 50 distinct durations; the syncer stores each in its largest exact period.
DURATIONS: tuple[tuple[str, int], ...] = tuple(
    [(f"{s}s", s) for s in (10, 15, 20, 30, 45)]
    + [(f"{m}m", m * 60) for m in (1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 45, 50)]
    + [(f"{h}h", h * 3600) for h in (1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 16, 18, 20)]
    + [(f"{h}h30m", h * 3600 + 1800) for h in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)]
    + [("36h", 36 * 3600)]
    + [(f"{d}d", d * 86400) for d in (1, 2, 3, 7)]
)
assert len({seconds for _, seconds in DURATIONS}) == 50, len(DURATIONS)

CRONS: tuple[str, ...] = (
    "*/5 * * * *",
    "*/15 * * * *",
    "0 * * * *",
    "30 * * * *",
    "0 */2 * * *",
    "0 */6 * * *",
    "0 0 * * *",
    "0 3 * * *",
    "30 2 * * *",
    "15 4 * * *",
    "0 6 * * mon-fri",
    "0 9 * * mon-fri",
    "30 17 * * mon-fri",
    "0 12 * * sat,sun",
    "0 0 * * sun",
    "0 8 * * mon",
    "0 0 1 * *",
    "0 6 1 * *",
    "0 0 15 * *",
    "0 0 1 1 *",
    "0 0 1 */3 *",
    "45 23 * * *",
    "10,40 * * * *",
    "0 9-17 * * mon-fri",
)
TIMEZONES: tuple[str, ...] = (
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Africa/Johannesburg",
)
QUEUES = ("default", "reports", "billing", "email", "sync", "cleanup", "exports", "alerts")
TEAMS = ("billing", "reports", "growth", "search", "infra", "mobile", "data", "support")
CRON_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")


@dataclass(frozen=True)
class Task:
    """One declared task, in neutral terms every path below can render."""

    name: str
    task: str
    every: tuple[str, int] | None  # (spelling, seconds)
    cron: str | None
    timezone: str | None
    cron_mapping: bool
    args: list[Any] | None
    kwargs: dict[str, Any] | None
    queue: str | None
    priority: int | None
    expire_seconds: int | None
    enabled: bool
    description: str
    extra: dict[str, Any] = field(default_factory=dict)


def task(i: int, version: int = 0) -> Task:
    """Task number ``i``; ``version`` > 0 is the changed declaration of the 1 % variant."""
    team = TEAMS[i % len(TEAMS)]
    name = f"{team}-job-{i:06d}"
    is_cron = i % 5 in (1, 3)  # 40 %
    shift = version * 7  # a changed task moves to another schedule
    every = None if is_cron else DURATIONS[(i * 7 + shift) % len(DURATIONS)]
    cron = CRONS[(i // 5 + shift) % len(CRONS)] if is_cron else None
    tz = TIMEZONES[(i // 3) % len(TIMEZONES)] if is_cron else None
    writes = i % 3 == 0
    kwargs: dict[str, Any] | None = None
    args: list[Any] | None = None
    if writes:
        kwargs = {"path": f"/var/tmp/beat/{team}/{i}.log", "text": f"run {i} v{version}"}
    elif i % 3 == 1:
        kwargs = {"customer_id": i * 13 % 100_000, "dry_run": i % 2 == 0, "v": version}
    if i % 4 == 0 and not writes:
        args = [i, team]
    return Task(
        name=name,
        task="tasks.write_to_file" if writes else "tasks.print_hello",
        every=every,
        cron=cron,
        timezone=tz,
        cron_mapping=is_cron and i % 10 == 3,
        args=args,
        kwargs=kwargs,
        queue=None if i % 6 == 0 else QUEUES[i % len(QUEUES)],
        priority=(i % 10) if i % 4 == 1 else None,
        expire_seconds=3600 if i % 7 == 0 else None,
        enabled=i % 50 != 49,
        description=f"{team} job {i} ({'cron' if is_cron else 'interval'})",
    )


def tasks(n: int, variant: str = "base") -> list[Task]:
    """The N tasks of a variant: ``base``, ``changed`` (1 % rewritten) or ``deleted`` (plus 1 %
    removed)."""
    out = []
    for i in range(n):
        if variant == "deleted" and i % 100 == 50:
            continue
        changed = variant in ("changed", "deleted") and i % 100 == 0
        out.append(task(i, 1 if changed else 0))
    return out


# --- schedule files ----------


def _scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON scalars are valid YAML flow scalars


def _flow(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def task_yaml(t: Task, file_queue: str) -> list[str]:
    return [
        f"  {t.name}:",
        f"    task: {t.task}",
        *_schedule_yaml(t),
        *_options_yaml(t, file_queue),
    ]


def _schedule_yaml(t: Task) -> list[str]:
    if t.every is not None:
        return [f"    every: {t.every[0]}"]
    assert t.cron is not None
    if not t.cron_mapping:
        return [f"    cron: {_scalar(t.cron)}", f"    timezone: {t.timezone}"]
    lines = ["    cron:"]
    for name, value in zip(CRON_FIELDS, t.cron.split(), strict=True):
        if value != "*":
            lines.append(f"      {name}: {_scalar(value)}")
    lines.append(f"    timezone: {t.timezone}")
    return lines


def _options_yaml(t: Task, file_queue: str) -> list[str]:
    lines = []
    if t.args is not None:
        lines.append(f"    args: {_flow(t.args)}")
    if t.kwargs is not None:
        lines.append("    kwargs:")
        lines.extend(f"      {key}: {_scalar(value)}" for key, value in t.kwargs.items())
    if t.queue != file_queue:
        lines.append(f"    queue: {t.queue}" if t.queue else "    queue: null")
    if t.priority is not None:
        lines.append(f"    priority: {t.priority}")
    if t.expire_seconds is not None:
        lines.append(f"    expire_seconds: {t.expire_seconds}")
    if not t.enabled:
        lines.append("    enabled: false")
    lines.append(f"    description: {_scalar(t.description)}")
    return lines


def write_files(root: Path, items: list[Task]) -> tuple[int, int]:
    """Write the tasks as schedule files under ``root``; return (files, lines)."""
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob("*.yaml"):
        old.unlink()
    files = total_lines = 0
    # Group by the task's number so that a variant keeps each task in the same file.
    groups: dict[int, list[Task]] = {}
    for t in items:
        groups.setdefault(int(t.name.rsplit("-", 1)[1]) // TASKS_PER_FILE, []).append(t)
    for number, group in sorted(groups.items()):
        queue = QUEUES[number % len(QUEUES)]
        lines = [
            f"# team file {number}: {len(group)} tasks (generated by bench/generate.py)",
            "version: 1",
            "defaults:",
            f"  queue: {queue}",
            "tasks:",
        ]
        for t in group:
            lines.extend(task_yaml(t, queue))
        (root / f"team-{number:03d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        files += 1
        total_lines += len(lines)
    return files, total_lines


# --- the baselines' inputs ----------


def beat_schedule(items: list[Task]) -> dict[str, dict[str, Any]]:
    """The same tasks as a Celery ``beat_schedule`` (what django-celery-beat imports at start)."""
    from zoneinfo import ZoneInfo

    from celery.schedules import schedule
    from django_celery_beat.tzcrontab import TzAwareCrontab

    out: dict[str, dict[str, Any]] = {}
    zones = {name: ZoneInfo(name) for name in TIMEZONES}
    for t in items:
        if t.every is not None:
            when: Any = schedule(timedelta(seconds=t.every[1]))
        else:
            assert t.cron is not None and t.timezone is not None
            when = TzAwareCrontab(
                **dict(zip(CRON_FIELDS, t.cron.split(), strict=True)), tz=zones[t.timezone]
            )
        options: dict[str, Any] = {}
        if t.queue:
            options["queue"] = t.queue
        if t.priority is not None:
            options["priority"] = t.priority
        if t.expire_seconds is not None:
            options["expire_seconds"] = t.expire_seconds
        entry: dict[str, Any] = {"task": t.task, "schedule": when, "options": options}
        if t.args is not None:
            entry["args"] = t.args
        if t.kwargs is not None:
            entry["kwargs"] = t.kwargs
        # update_from_dict passes other keys through to the model: the same columns as the files.
        entry["enabled"] = t.enabled
        entry["description"] = t.description
        out[t.name] = entry
    return out


def interval_columns(t: Task) -> dict[str, Any]:
    """(every, period) as the syncer stores them: the largest exact period."""
    assert t.every is not None
    seconds = t.every[1]
    for period, size in (("days", 86400), ("hours", 3600), ("minutes", 60), ("seconds", 1)):
        if seconds % size == 0:
            return {"every": seconds // size, "period": period}
    raise AssertionError(seconds)


def crontab_columns(t: Task) -> dict[str, Any]:
    assert t.cron is not None
    return {**dict(zip(CRON_FIELDS, t.cron.split(), strict=True)), "timezone": t.timezone}


def task_columns(t: Task) -> dict[str, Any]:
    """PeriodicTask columns (without the schedule), as ``save()`` normalises them."""
    return {
        "name": t.name,
        "task": t.task,
        "args": json.dumps(t.args or []),
        "kwargs": json.dumps(t.kwargs or {}),
        "queue": t.queue,
        "priority": t.priority,
        "expire_seconds": t.expire_seconds,
        "enabled": t.enabled,
        "description": t.description,
    }


if __name__ == "__main__":  # python bench/generate.py N DIR: write the files, for a look
    import sys

    n, out = int(sys.argv[1]), Path(sys.argv[2])
    print(write_files(out, tasks(n)))
