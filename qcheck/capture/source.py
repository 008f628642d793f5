"""How a user's source location is shown: relative to the working directory when below it."""

from __future__ import annotations

import os


def display_path(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if relative.startswith("..") else relative


def innermost_outside(frames, skip_dirs: tuple[str, ...]) -> str | None:
    """"path.py:42" of the innermost frame (traceback.FrameSummary) outside `skip_dirs` (torch's
    and qcheck's own folders): the model's line, or its library's (shown from site-packages)."""
    for frame in reversed(frames):
        path = frame.filename
        if path.startswith(skip_dirs) or path.startswith("<"):
            continue
        _, marker, inside = path.rpartition("site-packages" + os.sep)
        return f"{inside if marker else display_path(path)}:{frame.lineno}"
    return None
