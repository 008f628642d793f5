"""Write a report file atomically: on any failure the old file stays and no partial file remains."""

from __future__ import annotations

import os
import tempfile

from qcheck.errors import QcheckError


def check_writable(path: str) -> str:
    """The folder `path` would be written to; refused before any work when it does not exist."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise QcheckError(f"cannot write the report: folder {folder} does not exist", path)
    return folder


def write_atomic(path: str, text: str) -> None:
    folder = check_writable(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=".qcheck-", dir=folder)
    except OSError as error:
        raise QcheckError(f"cannot write the report: {error.strerror or error}", path) from None
    try:
        # A path that is not valid UTF-8 (a model file named with Latin-1 bytes) reaches the report
        # as a lone surrogate: write it as the escape \udcff, which is still valid UTF-8 and JSON.
        with os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace") as stream:
            # mkstemp makes the file private (0600); give the report the mode the old file had,
            # or the one a plain open() would give under the umask.
            os.chmod(temporary, _mode_for(path))
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
            raise QcheckError(f"cannot write the report: {error.strerror or error}", path) from None
        raise


def _mode_for(path: str) -> int:
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
