"""When the engine may pause Python's cyclic garbage collector: its own module, so the CLI can opt
in without importing the PyTorch engine (an ONNX check never needs it)."""

from __future__ import annotations

import contextlib
import functools
import gc
from typing import Iterator

_GC_PAUSES_ALLOWED = 0  # > 0 inside pausing_gc(): only then may the engine turn the collector off


@contextlib.contextmanager
def pausing_gc() -> Iterator[None]:
    """Opt in, for the block, to the engine pausing Python's cyclic garbage collector while it
    runs (reference counting still frees everything it drops). The CLI opts in; a library call
    outside the block leaves the process's collector alone. The engine allocates a few small
    objects per node; on a large graph those allocations triggered full collections, each scanning
    the whole heap (the graph, and torch and the model in a CLI run), and made the cost per node
    grow with the graph."""
    global _GC_PAUSES_ALLOWED
    _GC_PAUSES_ALLOWED += 1
    try:
        yield
    finally:
        _GC_PAUSES_ALLOWED -= 1


def gc_paused(function):
    """Run `function` with the collector off, when the caller opted in with pausing_gc()."""
    @functools.wraps(function)
    def paused(*args, **kwargs):
        if not _GC_PAUSES_ALLOWED or not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()
    return paused
