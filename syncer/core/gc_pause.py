"""The garbage collector paused around work that makes many objects and keeps most of them (or
frees them by reference counting): its passes would walk the whole heap and free nothing."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Collection off for the block; back on (and so collecting any cycle) as soon as it ends,
    unless it was off already."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
