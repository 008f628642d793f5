"""Facts: the named values about one layer that rule expressions read.

Every fact is declared once in `FACTS` with a one-line description (the rule loader rejects
expressions naming anything else, and `qcheck rules --facts` lists them). Extractors read the
layer's primary node arguments, value shapes and dtypes; a fact an extractor cannot know is left
out, and a constraint that needs it is skipped rather than guessed.
"""

from __future__ import annotations

from typing import Any, Callable

from qcheck.graph import Ref

FACTS: dict[str, str] = {}
_EXTRACTORS: list[Callable[["LayerView", dict[str, Any]], None]] = []
# Per extractor (same order): the primary-node ops it reads, or None for every op. An extractor
# registered with `ops` returns without a fact for any other op, so collect() skips the call.
_EXTRACTOR_OPS: list[frozenset[str] | None] = []


def fact(name: str, description: str) -> None:
    if name in FACTS:
        raise ValueError(f"fact {name} declared twice")
    FACTS[name] = description


def extractor(function: Callable[["LayerView", dict[str, Any]], None] | None = None, *, ops=None):
    """Register a function that adds facts for a layer (it must only add declared names).

    `@extractor(ops=NAMES)` declares that the function adds nothing unless the layer's primary
    node's op (Node.op) is one of NAMES; it is then not called for other layers."""
    def register(function):
        _EXTRACTORS.append(function)
        _EXTRACTOR_OPS.append(frozenset(ops) if ops is not None else None)
        return function

    return register(function) if function is not None else register


class LayerView:
    """What an extractor may read: the layer's main node, its values and the graph around it."""

    def __init__(self, layer, graph, dtypes: dict[str, str], model_outputs: set[str],
                 context: dict[str, Any] | None = None):
        self.layer = layer
        self.node = layer.primary
        self.op = self.node.op  # the primary node's op, read once (Node.op splits on every access)
        self.graph = graph
        self.dtypes = dtypes
        self.model_outputs = model_outputs
        self.context = context or {}  # run options rules may read: input_source

    def arg(self, name: str, default: Any = None) -> Any:
        return self.node.args.get(name, default)

    def value(self, ref: Any):
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


def consumers_of(graph) -> dict[str, list]:
    """graph.consumers(), built once per graph: mapping, every extractor and the checks read it."""
    cached = graph.__dict__.get("_qcheck_consumers")
    if cached is None:
        # What Graph.consumers() builds, from the node references read once (input_refs_of).
        cached = graph.__dict__["_qcheck_consumers"] = {}
        for node in graph.nodes:
            for ref in input_refs_of(graph, node):
                cached.setdefault(ref, []).append(node)
    return cached


def producers_of(graph) -> dict[str, Any]:
    """graph.producers(), built once per graph."""
    cached = graph.__dict__.get("_qcheck_producers")
    if cached is None:
        cached = graph.__dict__["_qcheck_producers"] = graph.producers()
    return cached


def input_refs_of(graph, node) -> list[str]:
    """node.input_refs(), computed once per node of the graph: mapping, facts and costs all read
    them, and walking a node's arguments is not free. The list must not be changed."""
    cached = graph.__dict__.get("_qcheck_input_refs")
    if cached is None:
        cached = graph.__dict__["_qcheck_input_refs"] = {}
    entry = cached.get(node.name)
    if entry is None or entry[0] is not node:
        entry = cached[node.name] = (node, node.input_refs())
    return entry[1]


_PLANS: dict[str, tuple] = {}  # op -> the extractors collect() runs for it, in registration order
_PLANS_FOR: list = []  # the extractors the plans were made from (a later registration resets them)


def _plan(op: str) -> tuple:
    if len(_PLANS_FOR) != len(_EXTRACTORS):
        _PLANS.clear()
        _PLANS_FOR[:] = _EXTRACTORS
    # An extractor appended to _EXTRACTORS without the decorator has no ops: it runs for every op.
    gates = _EXTRACTOR_OPS + [None] * (len(_EXTRACTORS) - len(_EXTRACTOR_OPS))
    plan = _PLANS[op] = tuple(function for function, ops in zip(_EXTRACTORS, gates)
                              if ops is None or op in ops)
    return plan


def collect(view: LayerView) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    op = view.op
    plan = _PLANS.get(op)
    if plan is None or len(_PLANS_FOR) != len(_EXTRACTORS):
        plan = _plan(op)
    for function in plan:
        function(view, facts)
    if not FACTS.keys() >= facts.keys():  # a programming error in an extractor, not a user error
        raise AssertionError(f"undeclared facts {sorted(set(facts) - set(FACTS))}")
    return facts


def pair(value: Any, count: int = 2) -> list[int] | None:
    """An int-or-list argument (stride=2 or stride=[2, 1]) as a list of `count` ints."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return [value] * count
    if isinstance(value, (list, tuple)) and value:
        for item in value:  # every item an int (a loop: this runs several times per layer)
            if not isinstance(item, int):
                return None
        values = list(value)
        return values * count if len(values) == 1 else values
    return None


# Import the extractor modules so they register (order = evaluation order).
from qcheck.facts import general, layers, nn_conv, nn_layers, tensor_method, torch_function  # noqa: E402,F401
