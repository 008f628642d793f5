"""The CLI's streams: stdout is the report's, stderr carries one line per error.

Importing, building and running a user's model runs their code, and libraries print there
(ultralytics prints a summary table when a model is built). On stdout that text would corrupt a
`--format json` report that a CI job parses; torch's own logging on stderr would bury the one-line
error. Both redirections act on the process's file descriptors, so they are opt-in: only inside
`cli_streams()`, which the CLI enters; a library call leaves the caller's streams alone.
Torch-free, so the cached path stays light.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sys
from typing import Iterator

_STDOUT_FD, _STDERR_FD = 1, 2
_CLI = contextvars.ContextVar("qcheck_cli_streams", default=False)


@contextlib.contextmanager
def cli_streams() -> Iterator[None]:
    """Within the block, captures send the model's prints to stderr (`stdout_to_stderr`) and
    mute torch's stderr while it exports (`torch_stderr_muted`)."""
    token = _CLI.set(True)
    try:
        yield
    finally:
        _CLI.reset(token)


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Within the block, Python's sys.stdout is sys.stderr and file descriptor 1 is a copy of
    descriptor 2, so prints from Python, from C extensions and from child processes all reach
    stderr. Both are restored afterwards, after flushing what was written through the original
    stdout object meanwhile (a logger created earlier keeps a reference to it). Outside
    `cli_streams()` it changes nothing."""
    if not _CLI.get():
        yield
        return
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


@contextlib.contextmanager
def torch_stderr_muted() -> Iterator[None]:
    """torch.export logs warnings and graph dumps on stderr when it gives up; qcheck reports the
    failure itself (and falls back). Its Python warnings are ignored within the block; inside
    `cli_streams()` stderr is muted too, down to the file descriptor (torch also writes from C++)."""
    import warnings

    if not _CLI.get():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (embedded use): nothing to mute
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
        return
    try:
        with open(os.devnull, "w") as devnull, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def _flush(stream) -> None:
    try:
        stream.flush()
    except (OSError, ValueError, AttributeError):  # closed or not a real stream
        pass
