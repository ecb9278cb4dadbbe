"""The benchmark (issue #9): the syncer against the ways people do it today, and against the floor.

    python bench/run.py                                  # 1,000 and 10,000 tasks, configured DB
    python bench/run.py --tasks 100000 --database postgres --baseline-max 10000
    python bench/run.py --database both --output var/bench.json

For each database and each N it generates N declared tasks (``bench/generate.py``), and on the
benchmark's own database (a fresh PostgreSQL database ``beatsync_bench_<pid>``, dropped at the end,
or a temporary SQLite file) measures, each scenario in a fresh process (``bench/worker.py``):

- the syncer: cold apply on empty tables, no-op plan, no-op apply, an apply that changes 1 % of the
  tasks, one that deletes 1 %; the YAML load and the validation alone; the CLI's start-up
  (``syncer validate`` on one task) and a no-op ``syncer apply`` end to end;
- beat (#14): from a 1-task apply to the new entry being live, the companion scheduler
  (``syncer.beat:Scheduler``) against django-celery-beat's ``DatabaseScheduler``;
- the baselines: the seed API's per-row path, django-celery-beat's ``update_from_dict`` (cold,
  then repeated on the same rows), and the floor, bare ``bulk_create`` in one transaction.

It prints one table per database and N (seconds, statements, writes, rows written, peak RSS) with
the ratios baseline / syncer and syncer / floor, and writes every figure to ``--output`` as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402

PYTHON = sys.executable
WORKER = str(ROOT / "bench" / "worker.py")
SYNCER = str(Path(sys.executable).with_name("syncer"))
# The "before" syncer (``--before``) as its own console script ran it: the installed script is
# the current version's, and its entry point (``console``, since #17) may not exist in REF. -P:
# no current directory first on sys.path, where the current ``syncer`` would win over REF's.
BEFORE_PROGRAM = [
    PYTHON,
    "-P",
    "-c",
    "import sys; from syncer.cli.main import main; sys.exit(main())",
]
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"

TINY = """\
version: 1
tasks:
  hello:
    task: tasks.print_hello
    every: 10s
"""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so that the benchmark's database is dropped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = [int(n.replace("_", "")) for n in args.tasks.split(",") if n.strip()]
    results: dict[str, Any] = {"machine": machine(), "command": " ".join(sys.argv), "runs": []}
    for vendor in databases(args.database):
        with bench_database(vendor, args) as env:
            info = json.loads(worker(env, "migrate")["stdout"].strip().splitlines()[-1])
            results["machine"][f"{vendor}_version"] = info["server"]
            for n in sizes:
                bench = bench_cli_only if args.cli_only else bench_size
                run = bench(env, vendor, n, args)
                results["runs"].append(run)
                print_table(run, results["machine"][f"{vendor}_version"])
    if len(sizes) > 1:
        print_growth(results["runs"])
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"\nresults written to {args.output}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="syncer benchmark (issue #9)", formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--tasks", default="1000,10000", help="comma-separated task counts (default 1000,10000)"
    )
    parser.add_argument(
        "--database",
        choices=("configured", "sqlite", "postgres", "both"),
        default="configured",
        help="configured: PostgreSQL if DATABASE_URL points at one, else SQLite",
    )
    parser.add_argument(
        "--postgres-url",
        default=None,
        help="server to create the bench database on (default: DATABASE_URL if PostgreSQL, "
        f"else {DEFAULT_POSTGRES})",
    )
    parser.add_argument(
        "--baseline-max",
        type=int,
        default=2_000,
        help="run the per-row baselines (seed, django-celery-beat) on at most this many tasks\n"
        "(they take minutes: ~10-50 ms a task); above it they run at this N, and so does\n"
        "the syncer once more for the ratios (default 2000; 10000 for the issue's targets)",
    )
    parser.add_argument("--skip-baselines", action="store_true", help="syncer and floor only")
    parser.add_argument(
        "--beat-only",
        action="store_true",
        help="only the cold apply (to fill the tables) and beat's reload, both schedulers",
    )
    parser.add_argument(
        "--cli-only",
        action="store_true",
        help="only the end-to-end commands (#17) and django-celery-beat's cold import",
    )
    parser.add_argument(
        "--before",
        metavar="REF",
        help="also run the end-to-end commands with the syncer of this git ref (same run)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each quick scenario (median; default 3)"
    )
    parser.add_argument("--output", "-o", help="write every figure to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    return parser


# --- environment ----------


def databases(choice: str) -> list[str]:
    if choice == "both":
        return ["sqlite", "postgres"]
    if choice == "configured":
        url = os.environ.get("DATABASE_URL") or _dotenv().get("DATABASE_URL", "")
        return ["postgres" if url.startswith(("postgres", "pgsql")) else "sqlite"]
    return [choice]


def _dotenv() -> dict[str, str]:
    """The project's ``.env`` (settings read it too, under the real environment)."""
    values: dict[str, str] = {}
    path = ROOT / ".env"
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and not key.startswith("#"):
                values[key.strip()] = value.strip().strip("'\"")
    return values


@contextmanager
def bench_database(vendor: str, args: argparse.Namespace) -> Iterator[dict[str, str]]:
    """A database of the benchmark's own, and the environment that points Django at it."""
    workdir = Path(tempfile.mkdtemp(prefix=f"beatsync-bench-{vendor}-"))
    env = dict(os.environ, DEBUG=os.environ.get("DEBUG", "1"), BEAT_SYNC_VAR_DIR=str(workdir))
    env.pop("SYNCER_SCHEDULES_DIR", None)
    name = f"beatsync_bench_{os.getpid()}"
    server = None
    if vendor == "postgres":
        import psycopg

        configured = os.environ.get("DATABASE_URL") or _dotenv().get("DATABASE_URL", "")
        server = args.postgres_url or (
            configured if configured.startswith("postgres") else DEFAULT_POSTGRES
        )
        with psycopg.connect(_with_db(server, "postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = _with_db(server, name)
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    env["BENCH_WORKDIR"] = str(workdir)
    print(f"== {vendor}: {env['DATABASE_URL']}", flush=True)
    try:
        yield env
    finally:
        if args.keep:
            print(f"kept {workdir} and {env['DATABASE_URL']}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
            if server is not None:
                import psycopg

                with psycopg.connect(_with_db(server, "postgres"), autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _with_db(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def worker(env: dict[str, str], scenario: str, *options: str) -> dict[str, Any]:
    completed = subprocess.run(
        [PYTHON, WORKER, scenario, *options], env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"bench: scenario {scenario} failed ({completed.returncode})")
    return {"stdout": completed.stdout}


def measure(env: dict[str, str], scenario: str, *options: str) -> dict[str, Any]:
    out = worker(env, scenario, *options)["stdout"]
    return json.loads(out.strip().splitlines()[-1])


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda r: r["seconds"])
    result = dict(ordered[len(ordered) // 2])
    result["runs_seconds"] = [round(r["seconds"], 4) for r in runs]
    return result


TIME = "/usr/bin/time"  # GNU time: the command's own peak RSS (see ``cli``)


def cli(
    env: dict[str, str], command: list[str], *, ok: tuple[int, ...] = (0,), keep: Path | None = None
) -> dict[str, Any]:
    """The real command in its own process: wall seconds, the process's CPU seconds (user +
    system) and its peak RSS; stdout goes to ``keep`` (else nowhere).

    Through GNU time when there is one: a process forked from this one starts with this one's
    pages (the generated tasks: ~100 MB at 100,000) and Linux counts them in its peak RSS
    (``ru_maxrss`` survives ``exec``); forked from ``time``, it starts with a few MB."""
    usage_file = Path(tempfile.mkstemp(prefix="bench-time-")[1])
    wrapped = os.path.exists(TIME)
    if wrapped:
        command = [TIME, "-q", "-f", "%e %U %S %M", "-o", str(usage_file), *command]
    out = open(keep, "w", encoding="utf-8") if keep else subprocess.DEVNULL  # noqa: SIM115
    try:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.PIPE)
        assert process.stderr is not None
        errors = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        measured = usage_file.read_text(encoding="utf-8").split() if wrapped else []
    finally:
        if keep:
            out.close()  # type: ignore[union-attr]
        usage_file.unlink(missing_ok=True)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in ok:
        sys.stderr.write(errors.decode(errors="replace"))
        raise SystemExit(f"bench: {' '.join(command)} failed ({process.returncode})")
    cpu, rss_kb = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
    if measured:
        cpu, rss_kb = float(measured[1]) + float(measured[2]), int(measured[3])
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "peak_rss_mb": rss_kb / 1024,
        "exit_code": process.returncode,
        "stderr_lines": errors.count(b"\n"),
    }


def cli_median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    result = median_of(runs)
    result["runs_cpu_seconds"] = [round(r["cpu_seconds"], 3) for r in runs]
    return result


# --- one size ----------


def _new_run(
    env: dict[str, str], vendor: str, n: int, title: str
) -> tuple[dict[str, Any], Path, Any]:
    """The record of one database and N, the N tasks' files written, and the function that
    records (and prints) each step's result."""
    files = Path(env["BENCH_WORKDIR"]) / "schedules"
    run: dict[str, Any] = {"database": vendor, "tasks": n, "results": {}}

    def step(label: str, result: dict[str, Any]) -> None:
        run["results"][label] = result
        print(f"   {label:<22} {result['seconds']:9.3f} s", flush=True)

    print(f"-- {vendor}, {n:,} tasks{title}", flush=True)
    run["files"], run["yaml_lines"] = generate.write_files(files, generate.tasks(n))
    return run, files, step


def bench_size(
    env: dict[str, str], vendor: str, n: int, args: argparse.Namespace
) -> dict[str, Any]:
    run, files, step = _new_run(env, vendor, n, "")
    results = run["results"]
    on_files = ("--files", str(files))
    step("cold", measure(env, "syncer-apply", *on_files, "--reset"))
    if args.beat_only:
        _beat_steps(env, on_files, args, step)
        return run
    step("parse", median_of([measure(env, "parse", *on_files) for _ in _r(args)]))
    step("noop_plan", median_of([measure(env, "syncer-plan", *on_files) for _ in _r(args)]))
    step("noop_apply", median_of([measure(env, "syncer-apply", *on_files) for _ in _r(args)]))
    for label in ("noop_plan", "noop_apply"):
        result = results[label]
        assert result["writes"] == 0 and not result["written"], (label, result)
    step("health_timeline", measure(env, "health-timeline", *on_files))

    _cli_steps(env, files, n, args, step, cold=False)

    generate.write_files(files, generate.tasks(n, "changed"))
    step("change_1pct", measure(env, "syncer-apply", "--files", str(files)))
    generate.write_files(files, generate.tasks(n, "deleted"))
    step("delete_1pct", measure(env, "syncer-apply", "--files", str(files)))

    _beat_steps(env, on_files, args, step)
    step("floor", measure(env, "floor", "--tasks", str(n), "--reset"))
    if not args.skip_baselines:
        base_n = min(n, args.baseline_max)
        run["baseline_tasks"] = base_n
        done = _BASELINES.setdefault((vendor, base_n), {})
        if not done:
            done["seed"] = measure(env, "seed", "--tasks", str(base_n), "--reset")
            done["dcb_cold"] = measure(env, "dcb", "--tasks", str(base_n), "--reset")
            done["dcb_repeat"] = measure(env, "dcb", "--tasks", str(base_n))
        for label in ("seed", "dcb_cold", "dcb_repeat"):
            step(label, done[label])
        if base_n != n:  # the syncer at the baselines' N too, for a like-for-like ratio
            generate.write_files(files, generate.tasks(base_n))
            step("cold_at_baseline_n", measure(env, "syncer-apply", *on_files, "--reset"))
            step("noop_apply_at_baseline_n", measure(env, "syncer-apply", *on_files))
    return run


_BASELINES: dict[tuple[str, int], dict[str, Any]] = {}  # (database, N) -> results, run once


def _cli_steps(
    env: dict[str, str], files: Path, n: int, args: argparse.Namespace, step: Any, *, cold: bool
) -> None:
    """Issue #17: what a user or a CI job waits for, the real ``syncer`` command from start to
    exit (interpreter, imports, Django, the Celery app, the work, the output): wall and CPU
    seconds and peak RSS of its process. ``cold``: first a cold apply with the text plan (kept
    and checked: every task listed), which leaves the tables full for the no-op runs. With
    ``--before REF`` each command also runs with the syncer of REF, in the same run."""
    workdir = Path(env["BENCH_WORKDIR"])
    # DEBUG off, as where the commands run for real: with it on, Django keeps the text of every
    # statement (the bulk payloads too: ~100 MB more peak RSS at 100,000 tasks).
    env = dict(env, DEBUG="0", SECRET_KEY=env.get("SECRET_KEY") or "bench-only-not-secret")
    # The cache of built files (#17) in the run's own directory, emptied before each cold apply:
    # the cold apply fills it (as a CI job's first command would), the no-op runs read it; the
    # `_nocache` rows are the same commands validating every file again.
    cache = workdir / "build-cache"
    env["SYNCER_CACHE_DIR"] = str(cache)
    tiny = workdir / "tiny"
    tiny.mkdir(exist_ok=True)
    (tiny / "tiny.yaml").write_text(TINY, encoding="utf-8")
    variants = [("", env, [SYNCER])]
    if args.before:
        tree = before_tree(args.before, workdir)
        before = dict(env, PYTHONPATH=str(tree))
        _check_imports_from(before, tree)
        variants.append(("_before", before, BEFORE_PROGRAM))
    text = workdir / "cold-apply.txt"

    def measured(label: str, command: list[str], cold: bool = False) -> None:
        # The variants alternate run by run, so that a busy moment of the machine hits both.
        # --no-cache is newer than any "before": that row runs the current syncer only.
        chosen = variants[:1] if "--no-cache" in command else variants
        runs: dict[str, list[dict[str, Any]]] = {suffix: [] for suffix, _, _ in chosen}
        for _ in _r(args):
            for suffix, variant, program in chosen:
                if cold:
                    worker(env, "reset")
                    if not suffix:  # the current syncer's runs start with an empty cache
                        shutil.rmtree(cache, ignore_errors=True)
                runs[suffix].append(cli(variant, program + command, keep=text if cold else None))
                if cold:
                    _check_cold_output(text, n)
        for suffix, _, _ in chosen:
            step(label + suffix, cli_median(runs[suffix]))

    if cold:
        measured("cli_cold_apply", ["apply", "--no-color", str(files)], cold=True)
    # --detailed-exitcode: exit 2 (a failed step) if there were anything to change
    measured("cli_noop_apply", ["apply", "--detailed-exitcode", str(files)])
    measured("cli_noop_plan", ["plan", "--detailed-exitcode", str(files)])
    measured("cli_noop_plan_nocache", ["plan", "--detailed-exitcode", "--no-cache", str(files)])
    measured("cli_startup", ["validate", str(tiny)])
    measured("cli_startup_skip", ["validate", "--skip-task-check", str(tiny)])
    measured("cli_startup_skip_nocache", ["validate", "--skip-task-check", "--no-cache", str(tiny)])


def _check_cold_output(text: Path, n: int) -> None:
    """Complete output: every task listed with its previews, the summary, the outcome."""
    created = previews = 0
    last = ""
    with open(text, encoding="utf-8") as lines:
        for line in lines:
            created += line.startswith("  + create ")
            previews += line.startswith("        runs after (counted from the apply)")
            last = line if line.strip() else last
    assert created == n and previews == n, (created, previews, n)
    assert last.strip() == "Applied.", last


def _check_imports_from(env: dict[str, str], tree: Path) -> None:
    """The "before" runs import REF's ``syncer``, not the current one."""
    where = subprocess.run(
        [*BEFORE_PROGRAM[:2], "-c", "import syncer; print(syncer.__file__)"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(tree)), f"the before variant imports {where}, not {tree}"


def before_tree(ref: str, workdir: Path) -> Path:
    """The ``syncer`` package of git ref ``ref``, extracted once under the work directory (put
    first on PYTHONPATH, it wins over the installed, editable one)."""
    target = workdir / f"before-{ref.replace('/', '_')}"
    if not (target / "syncer").is_dir():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "syncer"], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def bench_cli_only(env: dict[str, str], vendor: str, n: int, args: argparse.Namespace) -> dict:
    """``--cli-only``: the end-to-end commands at N, and django-celery-beat's import of the same
    tasks (``update_from_dict``, cold) at min(N, --baseline-max), in the same run."""
    run, files, step = _new_run(env, vendor, n, ", end to end")
    run["cli_only"] = True
    _cli_steps(env, files, n, args, step, cold=True)
    if not args.skip_baselines:
        base_n = min(n, args.baseline_max)
        run["baseline_tasks"] = base_n
        done = _BASELINES.setdefault((vendor, base_n), {})
        if "dcb_cold" not in done:
            done["dcb_cold"] = measure(env, "dcb", "--tasks", str(base_n), "--reset")
        step("dcb_cold", done["dcb_cold"])
        if base_n != n:  # the syncer's cold apply at the baseline's N too, for the ratio
            generate.write_files(files, generate.tasks(base_n))
            worker(env, "reset")
            command = [SYNCER, "apply", "--no-color", str(files)]
            step("cli_cold_apply_at_baseline_n", cli(env, command))
    return run


def _beat_steps(
    env: dict[str, str], on_files: tuple[str, str], args: argparse.Namespace, step: Any
) -> None:
    """Beat (#14): from a 1-task apply to the entry being live, both schedulers, same tables."""
    repeat = str(max(args.repeat, 1))
    for kind, label in (("syncer", "beat_reload_syncer"), ("dcb", "beat_reload_dcb")):
        step(label, measure(env, "beat-reload", *on_files, "--scheduler", kind, "--repeat", repeat))


def _r(args: argparse.Namespace) -> range:
    return range(max(args.repeat, 1))


# --- output ----------

ROWS = (
    ("cold", "syncer: cold apply (load+validate+plan+apply)"),
    ("noop_plan", "syncer: no-op plan"),
    ("noop_apply", "syncer: no-op apply"),
    ("change_1pct", "syncer: apply, 1% of tasks changed"),
    ("delete_1pct", "syncer: apply, 1% of tasks deleted"),
    ("parse", "syncer: YAML load + validation only"),
    ("cli_cold_apply", "CLI cold `syncer apply`, text output, end to end"),
    ("cli_cold_apply_before", "  the same, before"),
    ("cli_noop_apply", "CLI no-op `syncer apply --detailed-exitcode`"),
    ("cli_noop_apply_before", "  the same, before"),
    ("cli_noop_plan", "CLI no-op `syncer plan --detailed-exitcode`"),
    ("cli_noop_plan_before", "  the same, before"),
    ("cli_noop_plan_nocache", "  the same, --no-cache (every file validated)"),
    ("cli_startup", "CLI start-up (syncer validate, 1 task)"),
    ("cli_startup_before", "  the same, before"),
    ("cli_startup_skip", "CLI start-up (validate --skip-task-check)"),
    ("cli_startup_skip_before", "  the same, before"),
    ("cli_startup_skip_nocache", "  the same, --no-cache"),
    ("cli_cold_apply_at_baseline_n", "CLI cold `syncer apply` at the baseline's N"),
    ("beat_reload_syncer", "beat: 1-task apply -> live, syncer.beat"),
    ("beat_reload_dcb", "beat: 1-task apply -> live, DatabaseScheduler"),
    ("floor", "floor: bare bulk_create, 1 transaction"),
    ("seed", "seed API per-row path"),
    ("dcb_cold", "django-celery-beat update_from_dict, cold"),
    ("dcb_repeat", "django-celery-beat update_from_dict, repeated"),
)


def _fmt_int(value: Any) -> str:
    return "-" if value is None else f"{value:,}"


def print_table(run: dict[str, Any], version: str) -> None:
    results, n = run["results"], run["tasks"]
    base_n = run.get("baseline_tasks", n)
    print()
    print(
        f"{run['database']} {version}, {n:,} tasks "
        f"({run['files']} files, {run['yaml_lines']:,} YAML lines)"
    )
    header = (
        f"{'operation':<48} {'seconds':>9} {'CPU s':>7} {'statements':>11} {'writes':>8} "
        f"{'rows':>9} {'peak RSS':>9}"
    )
    print(header)
    print("-" * len(header))
    for key, label in ROWS:
        if key not in results:
            continue
        r = results[key]
        if key in ("seed", "dcb_cold", "dcb_repeat") and base_n != n:
            label += f" (at {base_n:,})"
        rss = f"{r['peak_rss_mb']:.0f} MB" if "peak_rss_mb" in r else "-"
        cpu = f"{r['cpu_seconds']:7.2f}" if "cpu_seconds" in r else f"{'-':>7}"
        print(
            f"{label:<48} {r['seconds']:9.3f} {cpu} {_fmt_int(r.get('statements')):>11} "
            f"{_fmt_int(r.get('writes')):>8} {_fmt_int(r.get('rows')):>9} {rss:>9}"
        )
        if key == "parse":
            print(
                f"{'   of which YAML load / validation':<48} "
                f"{r['load_seconds']:9.3f} / {r['validate_seconds']:.3f}"
            )
    ratios = compute_ratios(run)
    run["ratios"] = ratios
    if ratios:
        print()
        for label, value in ratios.items():
            print(f"  {label:<62} {value:8.1f}x")


def compute_ratios(run: dict[str, Any]) -> dict[str, float]:
    ratios = cli_ratios(run)
    if "cold" in run["results"]:
        ratios.update(_worker_ratios(run))
    return ratios


def cli_ratios(run: dict[str, Any]) -> dict[str, float]:
    """End to end (#17): django-celery-beat's cold import / the real cold ``syncer apply`` (wall
    and CPU seconds), and each command before / now (``--before``)."""
    results, n = run["results"], run["tasks"]
    base_n = run.get("baseline_tasks", n)
    ratios: dict[str, float] = {}
    cold = results.get("cli_cold_apply_at_baseline_n", results.get("cli_cold_apply"))
    if cold is not None and "dcb_cold" in results:
        suffix = f" (both at {base_n:,})" if base_n != n else ""
        dcb = results["dcb_cold"]
        ratios[f"dcb update_from_dict cold / CLI cold syncer apply{suffix}"] = (
            dcb["seconds"] / cold["seconds"]
        )
        ratios[f"  the same in CPU seconds{suffix}"] = dcb["cpu_seconds"] / cold["cpu_seconds"]
    for key in ("cli_cold_apply", "cli_noop_apply", "cli_noop_plan", "cli_startup"):
        for name in (key, f"{key}_skip"):
            if name in results and f"{name}_before" in results:
                before, now = results[f"{name}_before"], results[name]
                ratios[f"{name}: before / now, wall"] = before["seconds"] / now["seconds"]
                ratios[f"{name}: before / now, CPU"] = before["cpu_seconds"] / now["cpu_seconds"]
    return ratios


def _worker_ratios(run: dict[str, Any]) -> dict[str, float]:
    results, n = run["results"], run["tasks"]
    base_n = run.get("baseline_tasks", n)
    cold = results["cold"]["seconds"]
    noop = results.get("noop_apply", results["cold"])["seconds"]
    if base_n != n and "cold_at_baseline_n" in results:
        cold_b = results["cold_at_baseline_n"]["seconds"]
        noop_b = results["noop_apply_at_baseline_n"]["seconds"]
    else:
        cold_b, noop_b = cold, noop
    suffix = f" (both at {base_n:,})" if base_n != n else ""
    ratios = {}
    if "seed" in results:
        ratios[f"seed per-row / syncer cold apply{suffix}"] = results["seed"]["seconds"] / cold_b
    if "dcb_cold" in results:
        ratios[f"dcb update_from_dict cold / syncer cold apply{suffix}"] = (
            results["dcb_cold"]["seconds"] / cold_b
        )
        ratios[f"dcb update_from_dict repeated / syncer no-op apply{suffix}"] = (
            results["dcb_repeat"]["seconds"] / noop_b
        )
    if "floor" in results:
        ratios["syncer cold apply / floor"] = cold / results["floor"]["seconds"]
    if "beat_reload_syncer" in results and "beat_reload_dcb" in results:
        ratios["beat reload: DatabaseScheduler / syncer.beat"] = (
            results["beat_reload_dcb"]["seconds"] / results["beat_reload_syncer"]["seconds"]
        )
    return ratios


def print_growth(runs: list[dict[str, Any]]) -> None:
    if all(run.get("cli_only") for run in runs):
        return
    print("\nstatements per operation by N (do they grow with N?)")
    keys = ("cold", "noop_plan", "noop_apply", "change_1pct", "delete_1pct", "floor")
    keys += ("beat_reload_syncer", "beat_reload_dcb")
    print(f"{'database':<10} {'tasks':>8} " + " ".join(f"{k[-12:]:>12}" for k in keys))
    for run in runs:
        cells = " ".join(
            f"{_fmt_int(run['results'].get(k, {}).get('statements')):>12}" for k in keys
        )
        print(f"{run['database']:<10} {run['tasks']:>8,} {cells}")


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        **{
            pkg: version(pkg)
            for pkg in ("django", "celery", "django-celery-beat", "pyyaml", "pydantic", "psycopg")
        },
    }


if __name__ == "__main__":
    sys.exit(main())
