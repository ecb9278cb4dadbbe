"""Where a command's time goes: ``python bench/phases.py [--output FILE.prof] -- ARGS...``.

Runs ``syncer ARGS`` in this process under cProfile (its output to /dev/null) and prints the
CPU seconds of each phase (inclusive; the profiler's clock is the process's CPU time, so that
other processes on a shared machine do not count, nor does waiting for the database) and its
share of the command's: start-up (Django and the Celery app), reading the files (parse, build,
lints), the herd lint, planning (reading the rows, the diff), writing, and the output
(previews, load picture, text). cProfile roughly doubles the seconds; the shares are what it is
for. Issue #17.

    python bench/phases.py -- apply --no-color var/bench/schedules
    python bench/phases.py -- plan --detailed-exitcode var/bench/schedules
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from contextlib import redirect_stderr, redirect_stdout

# (label, module file suffix, function): inclusive times, nested phases indented.
PHASES = (
    ("start-up: Django, the Celery app, task names", "syncer/project.py", "setup_django"),
    ("read the files (Pipeline.load)", "syncer/core/pipeline.py", "load"),
    ("  parse (YAML)", "syncer/core/load/read.py", "parse_file"),
    ("  build (validation)", "syncer/core/desired.py", "add_file"),
    ("  built files from the cache", "syncer/core/desired.py", "add_built"),
    ("  cache entries read", "syncer/core/build_cache.py", "decode"),
    ("  lints", "syncer/core/lints.py", "lint"),
    ("herd lint (24 h timeline)", "syncer/db/timeline.py", "herd_warnings"),
    ("plan (rows + diff)", "syncer/db/apply.py", "make_plan"),
    ("  read the rows", "syncer/db/actual.py", "read_snapshot"),
    ("  diff", "syncer/core/diff.py", "compute"),
    ("write (one transaction)", "syncer/db/apply.py", "_write"),
    ("  checksum", "syncer/core/plan.py", "checksum"),
    ("  ledger", "syncer/db/apply.py", "_record_ownership"),
    ("output (plan.show)", "syncer/cli/plan.py", "show"),
    ("  previews", "syncer/db/firetimes.py", "previews"),
    ("  load picture", "syncer/db/timeline.py", "load_change"),
    ("  text", "syncer/core/render.py", "plan_text"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", help="also keep the profile (pstats) in this file")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="-- then the syncer arguments")
    options = parser.parse_args()
    argv = [a for a in options.args if a != "--"]
    start, cpu = time.perf_counter(), time.process_time()
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    from syncer.cli.main import main as syncer

    with open(os.devnull, "w") as devnull, redirect_stdout(devnull), redirect_stderr(devnull):
        code = syncer(argv)
    profile.disable()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    if options.output:
        profile.dump_stats(options.output)
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    print(f"syncer {' '.join(argv)}: exit {code}, {wall:.2f} s wall, {cpu:.2f} s CPU (profiled)")
    found = {
        name: sum(
            row[3]
            for (path, _, function), row in stats.items()
            if function == name and path.endswith(suffix)
        )
        for _, suffix, name in PHASES
    }
    for label, _, name in PHASES:
        seconds = found[name]
        if seconds:
            print(f"{label:<46} {seconds:7.2f} s {100 * seconds / cpu:5.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
