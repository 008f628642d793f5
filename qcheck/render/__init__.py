"""Renderers: one module per output format, each with `render(report, **options) -> str`.

Only `terminal` imports rich. Machine formats must be deterministic: the same report gives the
same bytes.
"""

from __future__ import annotations

import importlib

# format name -> module in this package that renders it
_MODULES = {
    "rich": "terminal",
    "json": "json_format",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
    "html": "html",
}
FORMATS = tuple(_MODULES)


def judged_as(layer) -> str:
    """"judged as torch.nn.HardSigmoid + torch.mul" for a composite layer (a LayerResult or its
    dict), "" for any other."""
    rows = layer["judged_as"] if isinstance(layer, dict) else layer.judged_as
    return f"judged as {' + '.join(rows)}" if rows else ""


def render(reports, fmt: str, **options) -> str:
    """Render one report or a list of them (one per model, or per march)."""
    if not isinstance(reports, list):
        reports = [reports]
    module = importlib.import_module(f"qcheck.render.{_MODULES[fmt]}")
    return module.render(reports, **options)
