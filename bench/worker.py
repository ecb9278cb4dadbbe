"""One measured operation in a fresh process: ``python bench/worker.py SCENARIO [options]``.

``bench/run.py`` starts one of these per scenario, with ``DATABASE_URL`` and ``BEAT_SYNC_VAR_DIR``
pointing at the benchmark's own database, so that each scenario's peak RSS is its own and no cache
survives from one scenario to the next. Start-up (interpreter, Django, the Celery app and its task
registry, the database connection) happens before the clock starts; ``run.py`` times the CLI's
start-up separately.

The last line on stdout is the result as JSON: seconds, statements (every statement Django sends,
counted by a connection execute wrapper; ``executemany`` counts one per parameter set), writes
(INSERT/UPDATE/DELETE statements among them), rows written, and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djbeat.settings")

WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "COPY")


class Counter:
    """A connection execute wrapper that counts statements, writes and rows written."""

    def __init__(self) -> None:
        self.statements = 0
        self.writes = 0
        self.rows = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if many:
            params = list(params)
        count = len(params) if many else 1
        self.statements += count
        head = sql.lstrip()[:8].upper()
        is_write = head.startswith(WRITE_VERBS)
        if is_write:
            self.writes += count
        result = execute(sql, params, many, context)
        if is_write:
            rowcount = getattr(context["cursor"], "rowcount", -1)
            self.rows += max(rowcount, 0)
        return result


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@contextmanager
def measured(result: dict[str, Any]) -> Iterator[None]:
    from django.db import connection

    counter = Counter()
    # BEGIN and COMMIT are driver calls, not statements through a cursor: not counted.
    with connection.execute_wrapper(counter):
        start, cpu = time.perf_counter(), time.process_time()
        yield
        result["seconds"] = time.perf_counter() - start
        result["cpu_seconds"] = time.process_time() - cpu
    result.update(statements=counter.statements, writes=counter.writes, rows=counter.rows)


# --- set-up ----------


def reset() -> None:
    """Empty every table the scenarios touch (not timed)."""
    from django.db import connection
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        PeriodicTasks,
        SolarSchedule,
    )

    from syncer.models import ApplyRecord, ManagedSchedule, ManagedTask

    models = (
        ManagedTask,
        ManagedSchedule,
        ApplyRecord,
        PeriodicTask,
        PeriodicTasks,
        IntervalSchedule,
        CrontabSchedule,
        SolarSchedule,
        ClockedSchedule,
    )
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                cursor.execute(f'DELETE FROM "{table}"')
            cursor.execute("DELETE FROM sqlite_sequence")
    analyze()


def analyze() -> None:
    """Fresh planner statistics, as autovacuum would have them on a live database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def count_rows() -> dict[str, int]:
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    return {
        "tasks": PeriodicTask.objects.count(),
        "intervals": IntervalSchedule.objects.count(),
        "crontabs": CrontabSchedule.objects.count(),
    }


# --- the syncer ----------


def syncer(args: argparse.Namespace, result: dict[str, Any]) -> None:
    """What ``syncer plan`` / ``syncer apply`` do after start-up: read and validate the files,
    read the rows, plan, and (apply) write in one transaction."""
    from syncer.cli.inputs import load_desired
    from syncer.db.apply import apply, make_plan

    namespace = argparse.Namespace(paths=[args.files])
    with measured(result):
        start = time.perf_counter()
        desired = load_desired(namespace)
        result["load_validate_seconds"] = time.perf_counter() - start
        if args.scenario == "syncer-plan":
            plan, _ = make_plan(desired.tasks)
            written = False
        else:
            outcome = apply(desired.tasks)
            plan, written = outcome.plan, outcome.written
    result["summary"] = plan.summary()
    result["written"] = written


def parse(args: argparse.Namespace, result: dict[str, Any]) -> None:
    """The files alone: YAML load, then validation into the desired state (no database)."""
    from syncer import project
    from syncer.core.desired import build
    from syncer.core.load import discover, load_files

    context = project.context()
    start = time.perf_counter()
    found, _ = discover([args.files])
    loaded = load_files(found)
    middle = time.perf_counter()
    desired = build(loaded.files, context)
    end = time.perf_counter()
    assert not desired.errors, desired.errors[:3]
    result.update(
        seconds=end - start,
        load_seconds=middle - start,
        validate_seconds=end - middle,
        statements=0,
        writes=0,
        rows=0,
        tasks=len(desired.tasks),
    )


def health_timeline(args: argparse.Namespace, result: dict[str, Any]) -> None:
    """#16: the run health of every live row (as ``syncer status`` and ``/metrics`` judge it)
    and the load picture of the declared tasks over 24 hours (``syncer timeline``)."""
    from datetime import timedelta

    from django.utils import timezone

    from syncer.cli.inputs import load_desired
    from syncer.db.health import read_health
    from syncer.db.timeline import from_states

    desired = load_desired(argparse.Namespace(paths=[args.files]))
    now = timezone.now()
    start = time.perf_counter()
    healths = read_health(now)
    middle = time.perf_counter()
    timeline = from_states((t.state for t in desired.tasks.values()), now, timedelta(days=1))
    end = time.perf_counter()
    result.update(
        seconds=end - start,
        health_seconds=middle - start,
        timeline_seconds=end - middle,
        tasks=len(healths),
        runs=timeline.total_runs,
        statements=0,
        writes=0,
        rows=0,
    )


# --- the baselines ----------


def _items(args: argparse.Namespace) -> list[Any]:
    import generate

    return generate.tasks(args.tasks)


def floor(args: argparse.Namespace, result: dict[str, Any]) -> None:
    """The least any tool can do: bare ``bulk_create`` of the same schedule and task rows in one
    transaction (no reading, no validation, no ownership, no beat notification)."""
    import generate
    from django.db import transaction
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    items = _items(args)
    with measured(result), transaction.atomic():
        intervals: dict[tuple[Any, ...], Any] = {}
        crontabs: dict[tuple[Any, ...], Any] = {}
        for t in items:
            if t.every is not None:
                columns = generate.interval_columns(t)
                intervals.setdefault(tuple(columns.values()), IntervalSchedule(**columns))
            else:
                columns = generate.crontab_columns(t)
                crontabs.setdefault(tuple(columns.values()), CrontabSchedule(**columns))
        IntervalSchedule.objects.bulk_create(list(intervals.values()))
        CrontabSchedule.objects.bulk_create(list(crontabs.values()))
        rows = []
        for t in items:
            if t.every is not None:
                schedule = {"interval": intervals[tuple(generate.interval_columns(t).values())]}
            else:
                schedule = {"crontab": crontabs[tuple(generate.crontab_columns(t).values())]}
            rows.append(PeriodicTask(**generate.task_columns(t), **schedule))
        PeriodicTask.objects.bulk_create(rows)


def seed(args: argparse.Namespace, result: dict[str, Any]) -> None:
    """The seed API's per-row path, one request's work at a time in autocommit: get_or_create the
    schedule row, then ``PeriodicTask.objects.create`` (``save()``: its unique check, the insert,
    and django-celery-beat's ``PeriodicTasks.changed`` bump)."""
    import generate
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    items = _items(args)
    with measured(result):
        for t in items:
            if t.every is not None:
                interval, _ = IntervalSchedule.objects.get_or_create(**generate.interval_columns(t))
                schedule = {"interval": interval}
            else:
                crontab, _ = CrontabSchedule.objects.get_or_create(**generate.crontab_columns(t))
                schedule = {"crontab": crontab}
            PeriodicTask.objects.create(**generate.task_columns(t), **schedule)


def dcb(args: argparse.Namespace, result: dict[str, Any]) -> None:
    """django-celery-beat's own import path: ``DatabaseScheduler.update_from_dict`` on the
    equivalent ``beat_schedule`` (what beat runs at start for ``beat_schedule`` in settings)."""
    import generate
    from celery import current_app
    from django_celery_beat.schedulers import DatabaseScheduler

    mapping = generate.beat_schedule(_items(args))
    app = current_app._get_current_object()
    scheduler = DatabaseScheduler(app=app, lazy=True)
    with measured(result):
        scheduler.update_from_dict(mapping)
    scheduler._finalize.cancel()  # its sync() at exit is not part of the import


# --- beat: from a 1-task apply to the entry being live ----------


def beat_reload(args: argparse.Namespace, result: dict[str, Any]) -> None:
    """How long beat works, after a 1-task apply, until the new entry is live: the first tick
    after the change (its reading of the change and its heap), for the companion scheduler
    (``syncer.beat:Scheduler``) or django-celery-beat's ``DatabaseScheduler``. The scheduler is
    started and its heap built before (not timed), no task is due (sends are switched off
    anyway), and each repeat creates one more task through ``apply``. Not counted: the poll
    interval before beat looks (1 s for the companion scheduler, up to ``beat_max_loop_interval``,
    5 s, for ``DatabaseScheduler``)."""
    import dataclasses
    from datetime import timedelta

    from celery import current_app
    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    from syncer.cli.inputs import load_desired
    from syncer.db.apply import apply

    PeriodicTask.objects.update(last_run_at=timezone.now() + timedelta(days=1))  # nothing due
    desired = load_desired(argparse.Namespace(paths=[args.files])).tasks
    app = current_app._get_current_object()
    scheduler = _started_scheduler(args.scheduler, app, result)
    template = next(iter(desired.values()))
    times: list[float] = []
    for i in range(max(args.repeat, 1)):
        name = f"bench-new-{args.scheduler}-{os.getpid()}-{i}"
        desired[name] = dataclasses.replace(
            template, state=dataclasses.replace(template.state, name=name)
        )
        assert apply(desired).written
        PeriodicTask.objects.filter(name=name).update(
            last_run_at=timezone.now() + timedelta(days=1)
        )
        _ready_to_look(scheduler)
        with measured(result):
            scheduler.tick()
        assert name in scheduler.schedule, f"{name} is not live after one tick"
        times.append(result["seconds"])
    result["runs_seconds"] = [round(t, 4) for t in times]
    result["seconds"] = sorted(times)[len(times) // 2]
    result["entries"] = len(scheduler.schedule)
    scheduler._finalize.cancel()


def _started_scheduler(kind: str, app: Any, result: dict[str, Any]) -> Any:
    """Started, its heap built; how long that took: ``load_seconds`` (reading every enabled
    task: a beat's start, which a warm standby has done already) and ``lead_seconds`` (the first
    tick: for the companion scheduler, taking the lease, reading the last runs and recent claims
    and building the heap, what a standby does when it takes over)."""
    from django_celery_beat.schedulers import DatabaseScheduler

    from syncer.beat.scheduler import Scheduler

    cls = Scheduler if kind == "syncer" else DatabaseScheduler
    start = time.perf_counter()
    scheduler = cls(app=app)
    scheduler.apply_async = lambda *args, **kwargs: None  # nothing is due; never publish
    loaded = time.perf_counter()
    scheduler.tick()  # leads (the companion) and builds its heap
    result["load_seconds"] = round(loaded - start, 3)
    result["lead_seconds"] = round(time.perf_counter() - loaded, 3)
    scheduler.tick()
    return scheduler


def _ready_to_look(scheduler: Any) -> None:
    """Let the scheduler look for changes at its next tick, as after its poll interval."""
    if hasattr(scheduler, "_next_poll"):
        scheduler._next_poll = 0.0


SCENARIOS: dict[str, Callable[[argparse.Namespace, dict[str, Any]], None]] = {
    "syncer-apply": syncer,
    "syncer-plan": syncer,
    "parse": parse,
    "floor": floor,
    "seed": seed,
    "dcb": dcb,
    "beat-reload": beat_reload,
    "health-timeline": health_timeline,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", choices=[*SCENARIOS, "migrate", "reset"])
    parser.add_argument("--tasks", type=int, default=0)
    parser.add_argument("--files", default="")
    parser.add_argument("--reset", action="store_true", help="empty the tables first (not timed)")
    parser.add_argument("--scheduler", choices=("syncer", "dcb"), default="syncer")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if args.scenario == "migrate":
        call_command("migrate", verbosity=0, interactive=False)
        print(json.dumps({"vendor": connection.vendor, "server": _server_version()}))
        return 0
    if args.scenario == "reset" or args.reset:
        reset()
        if args.scenario == "reset":
            return 0
    from syncer import project

    project.context()  # the Celery app and its task registry: start-up, not the operation
    connection.ensure_connection()
    result: dict[str, Any] = {"scenario": args.scenario, "tasks": args.tasks}
    rss_before = peak_rss_mb()
    SCENARIOS[args.scenario](args, result)
    result["rss_start_mb"] = rss_before
    result["peak_rss_mb"] = peak_rss_mb()
    if args.scenario != "parse":
        result["rows_after"] = count_rows()
        analyze()  # not timed: the next scenario plans against fresh statistics
    print(json.dumps(result))
    return 0


def _server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return str(cursor.fetchone()[0])


if __name__ == "__main__":
    sys.exit(main())
