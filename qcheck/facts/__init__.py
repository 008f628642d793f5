"""Facts: the named values about one layer that rule expressions read.

Every fact is declared once in `FACTS` with a one-line description (the rule loader rejects
expressions naming anything else, and `qcheck rules --facts` lists them). Extractors read the
layer's primary node arguments, value shapes and dtypes; a fact an extractor cannot know is left
out, and a constraint that needs it is skipped rather than guessed.
"""

from __future__ import annotations

from typing import Any, Callable

FACTS: dict[str, str] = {}
_EXTRACTORS: list[Callable[["LayerView", dict[str, Any]], None]] = []


def fact(name: str, description: str) -> None:
    if name in FACTS:
        raise ValueError(f"fact {name} declared twice")
    FACTS[name] = description


def extractor(function: Callable[["LayerView", dict[str, Any]], None]):
    """Register a function that adds facts for a layer (it must only add declared names)."""
    _EXTRACTORS.append(function)
    return function


class LayerView:
    """What an extractor may read: the layer's main node, its values and the graph around it."""

    def __init__(self, layer, graph, dtypes: dict[str, str], model_outputs: set[str],
                 context: dict[str, Any] | None = None):
        self.layer = layer
        self.node = layer.primary
        self.graph = graph
        self.dtypes = dtypes
        self.model_outputs = model_outputs
        self.context = context or {}  # run options rules may read: input_source

    def arg(self, name: str, default: Any = None) -> Any:
        return self.node.args.get(name, default)

    def value(self, ref: Any):
        from qcheck.graph import Ref

        return self.graph.values.get(ref.value) if isinstance(ref, Ref) else None

    def shape(self, ref: Any) -> tuple[int, ...] | None:
        value = self.value(ref)
        return value.shape if value is not None else None

    @property
    def inputs(self):
        """The layer's activation inputs (not weights), in order."""
        return self.layer.inputs

    @property
    def outputs(self):
        return self.layer.outputs


def collect(view: LayerView) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for function in _EXTRACTORS:
        function(view, facts)
    unknown = set(facts) - set(FACTS)
    if unknown:  # a programming error in an extractor, not a user error
        raise AssertionError(f"undeclared facts {sorted(unknown)}")
    return facts


def pair(value: Any, count: int = 2) -> list[int] | None:
    """An int-or-list argument (stride=2 or stride=[2, 1]) as a list of `count` ints."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return [value] * count
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, int) for v in value):
        values = list(value)
        return values * count if len(values) == 1 else values
    return None


# Import the extractor modules so they register (order = evaluation order).
from qcheck.facts import general, layers, nn_conv, nn_layers, tensor_method, torch_function  # noqa: E402,F401
