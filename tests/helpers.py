"""Test helpers: write schedule files and turn them into the desired state, as the CLI does."""

from __future__ import annotations

import textwrap
from pathlib import Path

from syncer.core.context import Context
from syncer.core.desired import Desired, build
from syncer.core.load import discover, load_files

KNOWN_TASKS = frozenset({"tasks.print_hello", "tasks.write_to_file", "celery.backend_cleanup"})
# The two tasks of schedules/hello.yaml, the smallest realistic declaration.
HELLO = """\
tasks:
  print-hello:
    task: tasks.print_hello
    every: 3s
  write-to-file:
    task: tasks.write_to_file
    every: 5s
"""

CONTEXT = Context(default_timezone="UTC", known_tasks=KNOWN_TASKS)


def write_files(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for existing in root.rglob("*.yaml"):
        existing.unlink()
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def desired_from(
    root: Path, files: dict[str, str] | None = None, context: Context = CONTEXT
) -> Desired:
    if files is not None:
        write_files(root, files)
    found, problems = discover([root])
    loaded = load_files(found)
    desired = build(loaded.files, context)
    desired.problems[:0] = problems + loaded.problems
    return desired


def messages(desired: Desired, root: Path) -> list[str]:
    return [str(p).replace(str(root) + "/", "") for p in desired.problems]
