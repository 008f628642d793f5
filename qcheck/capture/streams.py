"""Keep stdout for the report: whatever the model's own code prints goes to stderr.

Importing, building and running a user's model runs their code, and libraries print there
(ultralytics prints a summary table when a model is built). On stdout that text would corrupt a
`--format json` report that a CI job parses. Torch-free, so the cached path stays light.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator

_STDOUT_FD, _STDERR_FD = 1, 2


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Within the block, Python's sys.stdout is sys.stderr and file descriptor 1 is a copy of
    descriptor 2, so prints from Python, from C extensions and from child processes all reach
    stderr. Both are restored afterwards, after flushing what was written through the original
    stdout object meanwhile (a logger created earlier keeps a reference to it)."""
    original = sys.stdout
    streams = [s for s in (original, sys.__stdout__) if s is not None]
    for stream in streams:
        _flush(stream)
    saved_fd = None
    try:
        saved_fd = os.dup(_STDOUT_FD)
        os.dup2(_STDERR_FD, _STDOUT_FD)
    except OSError:  # no descriptor 1 or 2 (embedded interpreters): Python's level only
        if saved_fd is not None:
            os.close(saved_fd)
            saved_fd = None
    sys.stdout = sys.stderr
    try:
        yield
    finally:
        _flush(sys.stdout)
        for stream in streams:
            _flush(stream)  # still going to stderr: descriptor 1 is restored below
        sys.stdout = original
        if saved_fd is not None:
            os.dup2(saved_fd, _STDOUT_FD)
            os.close(saved_fd)


def _flush(stream) -> None:
    try:
        stream.flush()
    except (OSError, ValueError, AttributeError):  # closed or not a real stream
        pass
