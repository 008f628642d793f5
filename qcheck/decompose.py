"""Read a composite layer as the table rows it decomposes into.

An op the table does not list but that is a composition of listed operators (hardswish is
x * hardsigmoid(x), chunk is a split, scaled_dot_product_attention is matmul, scale, softmax,
matmul) is judged as those rows. Its decomposition is data (`composites:` in rules/*.yaml); this
module turns one captured node and its composite into parts: per part, a one-node layer of the
row's op over the tensors that part sees, real ones where the graph has them and the
decomposition's own in between (their shapes computed from the declared expressions). The
row's facts are then read from each part as from any layer, by the same extractors, so the
row's constraints judge real shapes, dtypes and ranks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qcheck import expr, facts
from qcheck.graph import WEIGHT_KINDS, Graph, Node, Ref, Value
from qcheck.rules import Composite, CompositePart, Operator, RuleSet, TensorRef


@dataclass(slots=True)
class Part:
    """One row a composite layer is judged as."""

    id: str
    operator: Operator  # the table row
    layer: Any  # a mapping.Layer of one node: the row's op over the tensors this part sees
    values: dict[str, Value] = field(default_factory=dict)  # what its node's Refs name, where not the graph's
    written: list[Value] = field(default_factory=list)  # the decomposition's own tensors it writes


class PartView(facts.LayerView):
    """A LayerView whose node may read the decomposition's own tensors (or a real tensor seen
    with another shape, as BatchNorm1d's input seen as 4-D)."""

    def __init__(self, part: Part, graph: Graph, dtypes: dict[str, str], model_outputs: set[str],
                 context: dict[str, Any] | None = None):
        super().__init__(part.layer, graph, dtypes, model_outputs, context)
        self.part_values = part.values

    def value(self, ref: Any):
        if isinstance(ref, Ref):
            found = self.part_values.get(ref.value)
            if found is not None:
                return found
        return super().value(ref)


def match_composite(node: Node, graph: Graph, rules: RuleSet, holds) -> Composite | None:
    """The first composite naming the node's op whose condition holds (`holds(condition)`)."""
    for composite in rules.composite_candidates(node.target):
        if composite.when is None or holds(composite.when):
            return composite
    return None


def decompose(layer, composite: Composite, graph: Graph, rules: RuleSet, make_layer) -> list[Part]:
    """The parts of `layer` (a composite layer): `make_layer(name, node, inputs, outputs, operator)`
    builds the one-node layer of each part (mapping's Layer, without importing it here)."""
    node = layer.primary
    names = _names(node, layer, graph)  # what the expressions read: shapes and argument values
    tensors = _tensors(node, layer, graph)  # what a part's arguments refer to: Values, by YAML name
    for tensor in composite.tensors.values():
        if tensor.constant:  # built from sizes (a causal mask): folded by the compiler
            shape = _shape(_evaluate(tensor.shape, names))
            tensors[tensor.name] = Value(f"{node.name}:{tensor.name}", shape, None, kind="constant")
            names[tensor.name] = shape
        elif tensor.view_of is not None and isinstance(tensors.get(tensor.view_of), Value):
            # The argument itself seen with another shape (k^T): its name, dtype and producer stay.
            real = tensors[tensor.view_of]
            shape = _shape(_evaluate(tensor.shape, names))
            tensors[tensor.name] = Value(real.name, shape, real.dtype, real.kind, real.qscheme)
            names[tensor.name] = shape
    parts = []
    for spec in composite.parts:
        if spec.when is not None and not _holds(spec.when, names):
            continue  # an optional step (the mask add of an attention without a mask)
        if spec.op is None:
            parts.append(_reread(spec, composite, layer, names, rules, make_layer))
            continue
        values: dict[str, Value] = {}
        args: dict[str, Any] = {}
        inputs: list[Value] = []
        for arg, value in spec.args.items():
            args[arg] = _argument(value, tensors, names, values, inputs)
        written = _write(spec, composite, node, layer, names, tensors, graph)
        for value in written:
            values.setdefault(value.name, value)
        part_node = Node(name=f"{node.name}:{spec.id}", target=spec.op, args=args,
                         outputs=[v.name for v in written], module_stack=node.module_stack, source=node.source)
        operator = rules.operators[spec.row]
        parts.append(Part(spec.id, operator, make_layer(f"{layer.name}:{spec.id}", part_node, inputs, written, operator),
                          values, [v for v in written if v.name not in graph.values]))
    return parts


def _shape(value: Any) -> tuple[int, ...] | None:
    if isinstance(value, (tuple, list)) and all(isinstance(d, int) and not isinstance(d, bool) for d in value):
        return tuple(value)
    return None


def _names(node: Node, layer, graph: Graph) -> dict[str, Any]:
    """The op's arguments as the expressions read them: a tensor as its shape, a list of tensors
    as their shapes, anything else as its value; `out` / `outs` the output shape(s)."""
    found: dict[str, Any] = {}
    for arg, value in node.args.items():
        found[arg] = _shape_or_value(value, graph)
    shapes = [tuple(v.shape) if v.shape is not None else None for v in layer.outputs]
    if shapes:
        found["out"] = shapes[0]
        found["outs"] = shapes
    return found


def _shape_or_value(value: Any, graph: Graph) -> Any:
    if isinstance(value, Ref):
        found = graph.values.get(value.value)
        return tuple(found.shape) if found is not None and found.shape is not None else None
    if isinstance(value, list) and any(isinstance(item, Ref) for item in value):
        return [_shape_or_value(item, graph) for item in value]
    return value


def _tensors(node: Node, layer, graph: Graph) -> dict[str, Any]:
    """The op's tensor arguments and outputs by name: a Value, or a list of Values."""
    found: dict[str, Any] = {}
    for arg, value in node.args.items():
        if isinstance(value, Ref) and value.value in graph.values:
            found[arg] = graph.values[value.value]
        elif isinstance(value, list) and value and all(isinstance(v, Ref) and v.value in graph.values
                                                      for v in value):
            found[arg] = [graph.values[v.value] for v in value]
    if layer.outputs:
        found["out"] = layer.outputs[0]
        found["outs"] = list(layer.outputs)
    return found


def _holds(condition: expr.Expr, names: dict[str, Any]) -> bool:
    try:
        return bool(condition.evaluate(names))
    except expr.Unknown:
        return False  # an argument the op was not given: the part does not exist


def _evaluate(expression: expr.Expr, names: dict[str, Any]) -> Any:
    try:
        return expression.evaluate(names)
    except expr.Unknown:
        return None  # a shape the capture does not know: the facts that need it are skipped


def _select(found: Any, ref: TensorRef) -> Any:
    if ref.index is None or not isinstance(found, list):
        return found
    return found[ref.index] if -len(found) <= ref.index < len(found) else None


def _argument(value: Any, tensors: dict[str, Any], names: dict[str, Any], values: dict[str, Value],
              inputs: list[Value]) -> Any:
    """A part's argument as its node holds it: a Ref (or a list of Refs) to a tensor, or a value."""
    if isinstance(value, TensorRef):
        found = _select(tensors.get(value.name), value)
        if found is None:
            return _select(names.get(value.name), value)  # a non-tensor argument (dim) by name
        chosen = found if isinstance(found, list) else [found]
        for item in chosen:
            values.setdefault(item.name, item)
            if item.kind not in WEIGHT_KINDS and item not in inputs:
                inputs.append(item)
        return [Ref(item.name) for item in chosen] if isinstance(found, list) else Ref(found.name)
    if isinstance(value, expr.Expr):
        return _evaluate(value, names)
    return value


def _write(spec: CompositePart, composite: Composite, node: Node, layer, names: dict[str, Any],
           tensors: dict[str, Any], graph: Graph) -> list[Value]:
    """The tensors a part writes: the op's own outputs, or new tensors of the declared shape
    (which later parts then read by that name)."""
    target = spec.out
    if target.name in ("out", "outs"):
        found = _select(tensors.get(target.name), target)
        return [] if found is None else list(found) if isinstance(found, list) else [found]
    declared = composite.tensors[target.name]
    shape = _shape(_evaluate(declared.shape, names))
    count = _evaluate(declared.count, names) if declared.count is not None else None
    dtype = next((v.dtype for v in layer.inputs if v.dtype), None)
    base = f"{node.name}:{spec.id}"
    if isinstance(count, int) and count >= 0:
        written: Any = [Value(f"{base}.{i}", shape, dtype) for i in range(count)]
    else:
        written = Value(base, shape, dtype)
    tensors[target.name] = written
    names[target.name] = shape
    chosen = _select(written, target)
    return [] if chosen is None else list(written) if target.index is None and isinstance(written, list) \
        else [chosen]


def _reread(spec: CompositePart, composite: Composite, layer, names: dict[str, Any], rules: RuleSet,
            make_layer) -> Part:
    """A part without an op reads the composite's own node as its row, the named tensors seen with
    the shapes its views give (BatchNorm1d's [N, C, L] input as BatchNorm2d's [N, C, L, 1]).
    The tensors keep their names, so what the graph says about them (the convolution that
    produces the input, who reads it) still holds."""
    node = layer.primary
    values: dict[str, Value] = {}
    seen: dict[str, Value] = {}
    for name, expression in spec.views.items():
        shape = _shape(_evaluate(expression, names))
        if name == "out":
            if layer.outputs:
                real = layer.outputs[0]
                seen[real.name] = Value(real.name, shape, real.dtype, real.kind, real.qscheme)
            continue
        ref = node.args.get(name)
        real = None
        if isinstance(ref, Ref):
            real = next((v for v in layer.inputs if v.name == ref.value), None)
        if real is not None:
            seen[real.name] = Value(real.name, shape, real.dtype, real.kind, real.qscheme)
    values.update(seen)
    inputs = [seen.get(v.name, v) for v in layer.inputs]
    outputs = [seen.get(v.name, v) for v in layer.outputs]
    operator = rules.operators[spec.row]
    return Part(spec.id, operator, make_layer(f"{layer.name}:{spec.id}", node, inputs, outputs, operator), values)
