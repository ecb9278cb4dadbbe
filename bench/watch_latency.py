"""How long from saving a schedule file to the change being committed, with `syncer watch`.

    python bench/watch_latency.py                 # SQLite in a temporary directory, 30 saves
    python bench/watch_latency.py --database-url postgres://postgres@127.0.0.1:5432/some_db \\
        --saves 50 --tasks 1000

A real `syncer watch` process (default options: 0.1 s debounce) watches a temporary directory
holding one file of N tasks; each round rewrites the file with a new interval for one task (an
editor-style save: write a temporary file, rename it over) and polls the database every 2 ms until
the row has the new value. Reported: median, p90 and max of save -> committed, in seconds, and
the share of it that is the debounce (a configured wait, not work).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def spec(n: int, every_first: int) -> str:
    lines = ["tasks:", f"  t-0: {{task: tasks.print_hello, every: {every_first}s}}"]
    lines += [f"  t-{i}: {{task: tasks.print_hello, every: {i % 50 + 1}m}}" for i in range(1, n)]
    return "\n".join(lines) + "\n"


def reader(url: str):
    query = (
        "SELECT i.every FROM django_celery_beat_periodictask t JOIN "
        "django_celery_beat_intervalschedule i ON t.interval_id = i.id WHERE t.name = 't-0'"
    )
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]

        def read() -> int | None:
            with closing(sqlite3.connect(path, timeout=30)) as conn:
                row = conn.execute(query).fetchone()
            return row[0] if row else None

        return read
    import psycopg

    conn = psycopg.connect(url, autocommit=True)

    def read_pg() -> int | None:
        row = conn.execute(query).fetchone()
        return row[0] if row else None

    return read_pg


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an EMPTY database (default: a temporary SQLite)")
    parser.add_argument("--saves", type=int, default=30)
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--debounce", type=float, default=0.1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/db.sqlite3"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "1",
            "BEAT_SYNC_VAR_DIR": tmp,
            "DJANGO_SETTINGS_MODULE": "djbeat.settings",
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        schedules = Path(tmp) / "schedules"
        schedules.mkdir()
        target = schedules / "bench.yaml"
        target.write_text(spec(args.tasks, 1))
        read = reader(url)
        watch = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "syncer.cli.main",
                "watch",
                str(schedules),
                "--debounce",
                str(args.debounce),
                "--resync-interval",
                "0",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while read() != 1:
                if time.monotonic() > deadline:
                    raise SystemExit("the watcher did not apply the first file within 60 s")
                time.sleep(0.05)
            latencies = []
            for round_ in range(args.saves):
                value = 2 + round_
                temporary = schedules / ".bench.yaml.tmp"
                temporary.write_text(spec(args.tasks, value))
                saved = time.monotonic()
                temporary.replace(target)
                while read() != value:
                    if time.monotonic() - saved > 30:
                        raise SystemExit(f"save {round_} not applied within 30 s")
                    time.sleep(0.002)
                latencies.append(time.monotonic() - saved)
                time.sleep(0.2)
        finally:
            watch.terminate()
            watch.wait(30)
    latencies.sort()
    p90 = latencies[int(0.9 * (len(latencies) - 1))]
    kind = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(
        f"syncer watch, {kind}, {args.tasks} tasks in one file, {args.saves} saves, "
        f"debounce {args.debounce} s"
    )
    print(
        f"save -> committed: median {statistics.median(latencies):.3f} s, p90 {p90:.3f} s, "
        f"max {latencies[-1]:.3f} s (of which the debounce: {args.debounce:.3f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
