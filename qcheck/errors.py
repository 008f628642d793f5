"""The one exception the CLI turns into a single `qcheck: error: ...` line and exit code 2."""

from __future__ import annotations

import re

_MAX_LINE = 300
# "RuntimeError: ..." lines inside a message: torch quotes the inner error of a TorchScript run there.
_QUOTED_ERROR = re.compile(r"^[\w.]*(Error|Exception): \S")


class QcheckError(Exception):
    """Bad input or usage: a message the user can act on, naming the file it is about."""

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def innermost(error: BaseException) -> BaseException:
    """The exception at the bottom of `error`'s chain ("The above exception was the direct cause
    of..."): the one that says what went wrong, where torch wraps it in its own."""
    seen = {id(error)}
    while True:
        inner = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
        if inner is None or id(inner) in seen or not str(inner).strip():
            return error
        seen.add(id(inner))
        error = inner


def first_line(error: BaseException) -> str:
    """One line (at most 300 characters) that a one-line error may quote of torch's or a user's
    exception: the innermost exception's message, its first line, or the inner error torch quotes
    at the end of a TorchScript traceback."""
    error = innermost(error)
    if isinstance(error, KeyError) and len(error.args) == 1:
        # A KeyError's message is the key's repr, not a sentence (a module's repr runs to pages).
        key = repr(error.args[0]).strip().splitlines() or [""]
        return _short(f"KeyError: no key {key[0]}{' ...' if len(key) > 1 else ''}")
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    quoted = [line for line in lines[1:] if _QUOTED_ERROR.match(line)]
    return _short(quoted[-1] if quoted else lines[0])


def _short(line: str) -> str:
    return line if len(line) <= _MAX_LINE else line[:_MAX_LINE - 3] + "..."
