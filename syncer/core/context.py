"""What validation needs from the project, passed in so that the core stays pure.

The core reads no environment variable and no setting: the shells (``syncer.project`` for the
CLI and the daemon, the tests) fill a ``Context`` and hand it down. ``Limits`` are the loader's
guards against hostile files; their defaults are the documented ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TASKS = 1_000_000
MAX_YAML_NODES = 5_000_000


@dataclass(frozen=True)
class Limits:
    """Bounds on the input: a file's size, the number of tasks, a document's nodes once its
    aliases are expanded (the "billion laughs"). Each is named after its environment variable
    in the messages (``SYNCER_MAX_FILE_BYTES``, ...), which is how users change it."""

    max_file_bytes: int = MAX_FILE_BYTES
    max_tasks: int = MAX_TASKS
    max_yaml_nodes: int = MAX_YAML_NODES


@dataclass(frozen=True)
class Context:
    default_timezone: str = "UTC"
    known_tasks: frozenset[str] | None = None  # None: do not check task names
    limits: Limits = Limits()
    environ: Mapping[str, str] = field(default_factory=dict)  # for ${VAR} in string values
