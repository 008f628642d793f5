"""Eager against TorchScript: pair the layers two reports of the same model give, and measure how
many agree.

What survives both capture paths is the module path a layer runs in and the op it is judged as;
node names, value names and the node order of independent branches do not. So layers are
grouped by that key (`layer_key`), and within a group aligned on their shapes (`pair_layers`)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from qcheck.report import LayerResult, Report


def layer_key(layer: LayerResult) -> tuple[str, str]:
    """(module path, op) of a layer, whichever capture found it.

    The op is the table row the layer was judged as ("torch.nn.Conv2d", whether the capture
    recorded aten::conv2d as export does or aten::_convolution as a trace does). An op no row
    names keeps its captured target, read without overload or in-place suffix: a trace's
    aten::hardswish_ is export's aten::hardswish."""
    op = layer.op
    if "::" in op:
        namespace, name = op.split("::", 1)
        op = f"{namespace}::{name.split('.', 1)[0].rstrip('_')}"
    return layer.module_path or "", op


def _shapes(layer: LayerResult) -> tuple:
    return (tuple(tuple(t.shape) if t.shape is not None else None for t in layer.inputs),
            tuple(tuple(t.shape) if t.shape is not None else None for t in layer.outputs))


def pair_layers(eager: list[LayerResult], script: list[LayerResult]
                ) -> tuple[list[tuple[LayerResult, LayerResult]], list[LayerResult], list[LayerResult]]:
    """Pair the layers of two reports of one model: (pairs, eager only, TorchScript only).

    - Layers are grouped by `layer_key`, so a difference inside one module never shifts the
      pairing anywhere else, and the two captures may order independent branches differently.
    - Within a group the layers keep graph order and are aligned with difflib on their input
      and output shapes: a layer only one capture has is left unpaired instead of pushing every
      later layer of its group off by one.
    - Where the alignment replaces a run of layers by another run, the runs pair in order as far
      as the shorter goes (the same layers with different shapes: a difference the statuses then
      show, not a missing layer)."""
    groups: dict[tuple[str, str], tuple[list[LayerResult], list[LayerResult]]] = {}
    for layer in eager:
        groups.setdefault(layer_key(layer), ([], []))[0].append(layer)
    for layer in script:
        groups.setdefault(layer_key(layer), ([], []))[1].append(layer)
    pairs, eager_only, script_only = [], [], []
    for left, right in groups.values():
        matcher = difflib.SequenceMatcher(None, [_shapes(x) for x in left], [_shapes(x) for x in right],
                                          autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            common = i2 - i1 if tag == "equal" else min(i2 - i1, j2 - j1) if tag == "replace" else 0
            pairs.extend(zip(left[i1:i1 + common], right[j1:j1 + common]))
            eager_only.extend(left[i1 + common:i2])
            script_only.extend(right[j1 + common:j2])
    return pairs, eager_only, script_only


@dataclass
class Agreement:
    """How the eager and TorchScript reports of one model agree on one march."""

    march: str
    eager_layers: int
    script_layers: int
    pairs: list[tuple[LayerResult, LayerResult]]
    eager_only: list[LayerResult]
    script_only: list[LayerResult]
    differing: list[tuple[LayerResult, LayerResult]] = field(default_factory=list)

    @property
    def same_status(self) -> float:
        """The share of paired layers whose statuses agree (1.0 when nothing is paired)."""
        return 1.0 - len(self.differing) / len(self.pairs) if self.pairs else 1.0

    @property
    def paired(self) -> float:
        """Pairs over the layer count of the capture with more layers."""
        most = max(self.eager_layers, self.script_layers)
        return len(self.pairs) / most if most else 1.0

    @property
    def failing_only_in_script(self) -> list[LayerResult]:
        return [layer for layer in self.script_only if layer.status == "fail"]

    def describe(self, limit: int = 10) -> str:
        lines = [f"{self.march}: eager {self.eager_layers} layers, TorchScript {self.script_layers}, "
                 f"paired {len(self.pairs)} ({self.paired:.1%}), same status {self.same_status:.2%}"]
        for eager, script in self.differing[:limit]:
            lines.append(f"  status {eager.status} (eager) vs {script.status} (TorchScript): {layer_key(eager)} "
                         f"{[f.rule for f in eager.findings]} vs {[f.rule for f in script.findings]}")
        for side, layers in (("eager only", self.eager_only), ("TorchScript only", self.script_only)):
            for layer in layers[:limit]:
                lines.append(f"  {side}: {layer.status} {layer_key(layer)} {_shapes(layer)} "
                             f"{[f.rule for f in layer.findings]}")
        return "\n".join(lines)


def compare(eager: Report, script: Report) -> Agreement:
    pairs, eager_only, script_only = pair_layers(eager.layers, script.layers)
    found = Agreement(eager.march, len(eager.layers), len(script.layers), pairs, eager_only, script_only)
    found.differing = [(e, s) for e, s in pairs if e.status != s.status]
    return found


def agreement(eager: Report, torchscript: Report):
    """(share of paired layers with the same status, eager-only layers, TorchScript-only layers)."""
    found = compare(eager, torchscript)
    return found.same_status, found.eager_only, found.script_only
