"""A command's time after the project's start (issue #17's "in-process" figure):
``python bench/inprocess.py [--runs 5] -- ARGS...``.

Each run is a fresh process (the syncer's caches cold, as for a real command) that starts the
Django project first (``setup_django``, not timed), then times ``syncer ARGS`` from its ``main``
to its return, output to /dev/null. Prints every run and the median, wall and CPU seconds.

    python bench/inprocess.py -- plan --detailed-exitcode var/bench/schedules
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

_RUN = """
import json, os, sys, time
from contextlib import redirect_stderr, redirect_stdout
from syncer.project import setup_django
setup_django()
from syncer.cli.main import main
start, cpu = time.perf_counter(), time.process_time()
with open(os.devnull, "w") as devnull, redirect_stdout(devnull), redirect_stderr(devnull):
    code = main(sys.argv[1:])
print(json.dumps([code, time.perf_counter() - start, time.process_time() - cpu]))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("args", nargs=argparse.REMAINDER, help="-- then the syncer arguments")
    options = parser.parse_args()
    argv = [a for a in options.args if a != "--"]
    walls, cpus = [], []
    for number in range(options.runs):
        out = subprocess.run(
            [sys.executable, "-c", _RUN, *argv], capture_output=True, text=True, env=os.environ
        )
        code, wall, cpu = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"run {number + 1}: exit {code}, {wall:.3f} s wall, {cpu:.3f} s CPU")
        walls.append(wall)
        cpus.append(cpu)
    print(f"median: {statistics.median(walls):.3f} s wall, {statistics.median(cpus):.3f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
