"""Where a command's document goes: stdout, or a file written atomically."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from syncer.core.errors import UserError


def write_document(text: str, destination: Path | None, force: bool) -> None:
    """To stdout, or atomically to a file (a watching syncer never sees half of it)."""
    if destination is None:
        sys.stdout.write(text)
        return
    if destination.exists() and not force:
        raise UserError(f"{destination} exists; use --force to overwrite it")
    destination.parent.mkdir(parents=True, exist_ok=True)
    # A name starting with "." is skipped by the loader until it is renamed into place.
    fd, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)  # as open() would have made it, not mkstemp's 0600
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
