"""How a user's source location is shown: relative to the working directory when below it."""

from __future__ import annotations

import os


def display_path(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if relative.startswith("..") else relative
