"""Eager against TorchScript: pair the layers two reports of the same model give, and measure how
many agree.

Layers are paired by what survives both capture paths: the module path the layer runs in and the
table row it maps to. Within one (path, row) key, layers pair in graph order; a layer left over on
either side has no counterpart (a capture difference, reported)."""

from __future__ import annotations

from collections import defaultdict


def _by_key(report):
    groups = defaultdict(list)
    for layer in report.layers:
        groups[(layer.module_path or "", layer.op)].append(layer)
    return groups


def agreement(eager, torchscript):
    """(fraction of paired layers with the same status, eager-only layers, TorchScript-only layers)."""
    left, right = _by_key(eager), _by_key(torchscript)
    paired = same = 0
    eager_only, torchscript_only = [], []
    for key in left.keys() | right.keys():
        a, b = left.get(key, []), right.get(key, [])
        for x, y in zip(a, b):
            paired += 1
            same += x.status == y.status
        eager_only += a[len(b):]
        torchscript_only += b[len(a):]
    return (same / paired if paired else 1.0), eager_only, torchscript_only
