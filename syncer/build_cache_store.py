"""The cache directory of built files (``syncer.core.build_cache``): one file per entry.

``SYNCER_CACHE_DIR`` names it (default ``$XDG_CACHE_HOME/beat-sync``, else
``~/.cache/beat-sync``); ``off`` (or ``--no-cache``) keeps nothing. The cache only ever saves
time: a directory that cannot be created, read or written is a miss, never an error; entries are
written whole (a temporary file renamed into place), so a reader never sees half of one; the
directory is created with mode 0700, and one that another user owns or that others can write to
is not used at all; the least recently used entries go once there are more than
``MAX_ENTRIES``.

The store's ``version`` (part of every key) fingerprints the code that builds: Python's version,
the syncer's core modules and the libraries that parse and validate (each file's size and
modification time: an upgrade or an edit of any of them is a new version, and the old entries
are never read again).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import sys
import tempfile
import zoneinfo
from pathlib import Path

MAX_ENTRIES = 1_000
OFF = "off"
# What a build runs besides the syncer's core: the parser, the validator, Celery's cron and
# schedule objects, django-celery-beat's validators, the time-zone database.
_LIBRARIES = ("yaml", "pydantic", "pydantic_core", "celery", "django_celery_beat", "tzdata")


class DirectoryStore:
    def __init__(self, root: Path, version: str) -> None:
        self.root = root
        self.version = version
        self._trusted: bool | None = None  # None: not checked yet
        self._pruned = False

    def _path(self, key: str) -> Path:
        return self.root / key

    def get(self, key: str) -> bytes | None:
        if not self._trust():
            return None
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        with contextlib.suppress(OSError):  # a read-only directory: still a hit
            os.utime(path)  # recently used: the last to be pruned
        return data

    def has(self, key: str) -> bool:
        return self._trust() and self._path(key).exists()

    def put(self, key: str, data: bytes) -> None:
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not self._trust(recheck=True):
                return
            if not self._pruned:
                self._prune()
                self._pruned = True
            handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, self._path(key))
        except OSError:
            pass  # a read-only home, a full disk: the next command builds the file again

    def _trust(self, recheck: bool = False) -> bool:
        """Only a directory of the user's own that nobody else can write to: an entry planted by
        another user would be a schedule they chose (an entry holds values, never code, but the
        values are what gets applied). Like ssh with ~/.ssh, a directory that fails is ignored."""
        if self._trusted is None or (recheck and not self._trusted):
            self._trusted = _private(self.root)
        return self._trusted

    def _prune(self) -> None:
        """Down to three quarters of ``MAX_ENTRIES``, the least recently used first (once per
        process, before its first write)."""
        entries = []
        for entry in os.scandir(self.root):
            try:
                entries.append((entry.stat().st_mtime_ns, entry.path))
            except OSError:
                continue
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort()
        for _, path in entries[: len(entries) - MAX_ENTRIES * 3 // 4]:
            with contextlib.suppress(OSError):
                os.unlink(path)


def _private(directory: Path) -> bool:
    try:
        stat = directory.stat()
    except OSError:
        return False  # missing (nothing to read yet) or unreadable
    owner = os.getuid() if hasattr(os, "getuid") else stat.st_uid
    return stat.st_uid == owner and not stat.st_mode & 0o022


def default_directory() -> Path | None:
    """``$XDG_CACHE_HOME/beat-sync``, else ``~/.cache/beat-sync``; None when neither is an
    absolute path (a container's user without a home: never a directory under the current one)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "beat-sync" if os.path.isabs(base) else None


def open_store(setting: str) -> DirectoryStore | None:
    """The store ``SYNCER_CACHE_DIR`` names ("" for the default), or None for ``off``."""
    if setting.strip().lower() == OFF:
        return None
    root = Path(setting) if setting else default_directory()
    return DirectoryStore(root, code_version()) if root is not None else None


def code_version() -> str:
    digest = hashlib.sha256(sys.version.encode())
    core = Path(__file__).parent / "core"
    for path in sorted(core.rglob("*.py")):
        _stat_into(digest, path)
    for name in _LIBRARIES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        digest.update(f"{name}\0".encode())
        if origin:
            _stat_into(digest, Path(origin))
    for directory in zoneinfo.TZPATH:  # the system's time zones, when tzdata is not installed
        _stat_into(digest, Path(directory) / "tzdata.zi")
    return digest.hexdigest()


def files_version(paths: list[Path]) -> str:
    """A fingerprint of these files as ``code_version`` takes one (size and modification time)."""
    digest = hashlib.sha256()
    for path in paths:
        _stat_into(digest, path)
    return digest.hexdigest()


def _stat_into(digest: hashlib._Hash, path: Path) -> None:
    try:
        stat = path.stat()
    except OSError:
        digest.update(f"{path}\0missing\0".encode())
        return
    digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
