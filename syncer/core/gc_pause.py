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


_ENDING: list[bool] = []  # set when the process ends after its command (the ``syncer`` program)


def process_ends_after_command() -> None:
    _ENDING.append(True)


def lives_until_exit() -> None:
    """What exists now lives until the command's process ends: out of the collector's way
    (``gc.freeze``), so that its full passes walk only what is made next. Only in a process
    that ends after its command: a caller that goes on (``call_command``, tests) would never get
    that memory back."""
    if _ENDING:
        gc.freeze()
