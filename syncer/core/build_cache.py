"""What one schedule file built into, kept so that an unchanged file is not validated again.

Validation is most of what a command does with files that did not change (10,000 tasks: ~1.3 s
CPU on every ``plan``, ``apply`` and ``validate``). A file that built without a single problem
is kept as its ``FileBuild`` (its desired tasks and the words YAML read as booleans), under a key
that covers everything its build read:

- the format of the entry and the code that built it (``BuildStore.version``: the syncer's own
  core modules and the libraries that parse and validate, see ``syncer.build_cache_store``);
- the file's path and the SHA-256 of its bytes;
- the default time zone and the loader's limits;
- the value (or absence) of every environment variable a ``${...}`` in the file could name.

The registered task names are not in the key: each entry's task names are checked again when it
is used, and an entry naming a task the project no longer registers is not used (the file is
built again, which reports the problem where it is). What spans files (a name declared twice,
``previous_names`` claims, the task limit) and the lints are never kept: they run on every load.
A file with a problem is never kept either, so every error message comes from a real build.

Entries are pickles, read back by an unpickler that can only make the few value classes a build
produces (never a function call): a damaged or foreign entry is a miss, not code to run.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from syncer.core.context import Context
from syncer.core.desired_task import DesiredTask, FieldMarks

# Bumped whenever FileBuild, DesiredTask or what they hold change shape.
FORMAT = "2"

# Every name a ``${...}`` could refer to (a superset: ``$${X}`` is literal text, still keyed).
_REFERENCE = re.compile(rb"\$\{([A-Za-z_][A-Za-z0-9_]*)")


class BuildStore(Protocol):
    """Where entries live between processes (``syncer.build_cache_store.DirectoryStore``)."""

    version: str  # of the code that builds: part of every key

    def get(self, key: str) -> bytes | None: ...

    def has(self, key: str) -> bool: ...  # without reading it

    def put(self, key: str, data: bytes) -> None: ...


@dataclass(frozen=True)
class FileBuild:
    tasks: tuple[DesiredTask, ...]
    bool_words: tuple[tuple[int, int, str], ...] = ()


def entry_key(
    store: BuildStore | None, path: str, content: bytes, content_hash: str, context: Context
) -> str:
    """The key of a file's entry in ``store`` (without one: the key a command's own load and its
    helpers share): equal keys mean a build would give the same result."""
    parts = [
        FORMAT,
        store.version if store is not None else "",
        path,
        content_hash,
        context.default_timezone,
        repr(context.limits),
        *_environment(content, context.environ),
    ]
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _environment(content: bytes, environ: Mapping[str, str]) -> list[str]:
    if b"${" not in content:
        return []
    names = sorted({m.decode() for m in _REFERENCE.findall(content)})
    return [f"{name}={environ[name]}" if name in environ else f"{name} unset" for name in names]


def encode(build: FileBuild) -> bytes:
    return pickle.dumps(build, protocol=pickle.HIGHEST_PROTOCOL)


def decode(data: bytes) -> FileBuild | None:
    """The entry, or None when it is not one this code wrote (damaged, foreign, older)."""
    value = load_values(data)
    return value if isinstance(value, FileBuild) else None


def load_values(data: bytes) -> Any:
    """A pickle of the value classes a build produces (and containers of them), or None when
    it is damaged or names any other class: an entry is values, never code to run."""
    try:
        return _Unpickler(io.BytesIO(data)).load()
    except Exception:  # any damage is a miss
        return None


def _allowed() -> dict[tuple[str, str], Any]:
    """The classes an entry may hold, by (module, name) as pickle names them."""
    from datetime import datetime, timedelta, timezone

    from syncer.core.errors import Location
    from syncer.core.kinds import KINDS
    from syncer.core.state import TaskState

    classes: list[Any] = [FileBuild, DesiredTask, FieldMarks, TaskState, Location, datetime]
    classes.append(timedelta)
    classes.append(timezone)
    classes.extend(kind.key_type for kind in KINDS.values())
    return {(c.__module__, c.__qualname__): c for c in classes}


class _Unpickler(pickle.Unpickler):
    _classes: dict[tuple[str, str], Any] | None = None

    def find_class(self, module: str, name: str) -> Any:
        if _Unpickler._classes is None:
            _Unpickler._classes = _allowed()
        try:
            return _Unpickler._classes[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed here") from None
