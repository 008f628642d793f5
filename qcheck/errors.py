"""The one exception the CLI turns into a single `qcheck: error: ...` line and exit code 2."""

from __future__ import annotations


class QcheckError(Exception):
    """Bad input or usage: a message the user can act on, naming the file it is about."""

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def first_line(error: BaseException) -> str:
    """The first line of an exception's message (at most 300 characters): what a one-line error
    may quote of torch's or a user's exception."""
    text = str(error).strip().splitlines()
    return text[0][:300] if text else type(error).__name__
