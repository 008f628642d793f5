"""Write a report file atomically: on any failure the old file stays and no partial file remains."""

from __future__ import annotations

import os
import tempfile

from qcheck.errors import QcheckError


def write_atomic(path: str, text: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise QcheckError(f"cannot write the report: folder {folder} does not exist", path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=".qcheck-", dir=folder)
    except OSError as error:
        raise QcheckError(f"cannot write the report: {error.strerror}", path) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if isinstance(error, OSError):
            raise QcheckError(f"cannot write the report: {error.strerror}", path) from None
        raise
