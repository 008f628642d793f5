"""Renderers: one module per output format, each a function `render(report) -> str`.

Only `terminal` imports rich. Machine formats must be deterministic: the same report gives the
same bytes.
"""

from __future__ import annotations

FORMATS = ("rich", "json")


def render(report, fmt: str, **options) -> str:
    if fmt == "json":
        from qcheck.render import json_format

        return json_format.render(report)
    from qcheck.render import terminal

    return terminal.render(report, **options)
