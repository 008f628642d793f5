"""Facts: the named values about one layer that rule expressions read.

Every fact is declared once in `FACTS` with a one-line description (the rule loader rejects
expressions naming anything else, and `qcheck rules --facts` lists them). Extractors read the
layer's primary node arguments, value shapes and dtypes; a fact an extractor cannot know is left
out, and a constraint that needs it is skipped rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from qcheck.graph import Ref

FACTS: dict[str, str] = {}


@dataclass(frozen=True)
class Extractor:
    function: Callable[["LayerView", dict[str, Any]], None]
    ops: frozenset[str] | None  # the primary-node ops it acts on; None: every op
    provides: frozenset[str]  # the facts it may add
    needs: frozenset[str]  # facts of earlier extractors it reads


_EXTRACTORS: list[Extractor] = []  # in registration order, which is evaluation order


def fact(name: str, description: str) -> None:
    if name in FACTS:
        raise ValueError(f"fact {name} declared twice")
    FACTS[name] = description


def extractor(*, provides, ops=None, needs=()):
    """Register a function that adds facts for a layer.

    `provides` names every fact it may add (declared with `fact`): collect() runs it only when a
    constraint reads one of them. `needs` names facts it reads from extractors registered before
    it; they run first. With `ops`, the function adds nothing unless the layer's primary node's op
    (Node.op) is one of them, and is not called for other layers."""
    undeclared = sorted(set(provides) - FACTS.keys() | set(needs) - FACTS.keys())
    if undeclared:
        raise ValueError(f"extractor facts not declared with fact(): {undeclared}")

    def register(function):
        _EXTRACTORS.append(Extractor(function, frozenset(ops) if ops is not None else None,
                                     frozenset(provides), frozenset(needs)))
        return function

    return register


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
        cached = graph.__dict__["_qcheck_consumers"] = graph.consumers()
    return cached


def producers_of(graph) -> dict[str, Any]:
    """graph.producers(), built once per graph."""
    cached = graph.__dict__.get("_qcheck_producers")
    if cached is None:
        cached = graph.__dict__["_qcheck_producers"] = graph.producers()
    return cached


# (op, facts wanted or None for all) -> (the extractors to run, the facts they may add)
_PLANS: dict[tuple[str, frozenset[str] | None], tuple[tuple, frozenset[str]]] = {}


def _plan(op: str, wanted: frozenset[str] | None) -> tuple[tuple, frozenset[str]]:
    # Walk backwards so an extractor's needs add the earlier extractors that provide them.
    demand = set(wanted) if wanted is not None else None
    chosen: list[Extractor] = []
    for item in reversed(_EXTRACTORS):
        if item.ops is not None and op not in item.ops:
            continue
        if demand is not None:
            if not item.provides & demand:
                continue
            demand |= item.needs
        chosen.append(item)
    chosen.reverse()
    allowed = frozenset().union(*(item.provides for item in chosen))
    plan = _PLANS[(op, wanted)] = (tuple(item.function for item in chosen), allowed)
    return plan


def collect(view: LayerView, wanted: frozenset[str] | None = None) -> dict[str, Any]:
    """The layer's facts: those in `wanted` (and whatever the extractors that provide them add
    on the way), or all of them. A fact no extractor can know for this layer is left out."""
    facts: dict[str, Any] = {}
    key = (view.op, wanted)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _plan(*key)
    functions, allowed = plan
    for function in functions:
        function(view, facts)
    if not allowed >= facts.keys():  # a programming error in an extractor, not a user error
        raise AssertionError(f"facts not declared in the extractors' provides: {sorted(set(facts) - allowed)}")
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
