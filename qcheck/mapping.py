"""Map every graph node to a table operator, a structural node, or an unknown op, and group nodes
into layers: the unit the report judges (one module-level operator such as MultiheadAttention is
one layer, whatever ops it traced into)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from qcheck import decompose, expr, facts
from qcheck.gcpause import gc_paused, pausing_gc  # noqa: F401 (re-exported)
from qcheck.graph import WEIGHT_KINDS, Graph, Node, Ref, Value
from qcheck.opfamilies import LIST_UNPACK
from qcheck.patterns import PATTERNS
from qcheck.rules import Composite, Operator, RuleSet


@dataclass(slots=True)
class Layer:
    name: str
    kind: str  # "operator" | "composite" | "structural" | "unknown"
    operator: Operator | None
    nodes: list[Node]
    primary: Node
    module_path: str | None = None
    module_type: str | None = None
    source: str | None = None
    inputs: list[Value] = field(default_factory=list)  # activations read from outside the layer
    outputs: list[Value] = field(default_factory=list)  # values used outside it (or model outputs)
    # A composite layer (an op that is not a row but a composition of rows): its decomposition,
    # and the parts it is judged as (qcheck.decompose.Part), in order.
    composite: Composite | None = None
    parts: list = field(default_factory=list)

    @property
    def target(self) -> str:
        return self.primary.target


@dataclass
class Mapping:
    layers: list[Layer]  # topological order, structural ones included
    counts: dict[str, int]  # nodes by classification: operator, structural, unknown, total
    graph: Graph  # the captured graph with the values that fold marked constant (a new Graph)


@gc_paused
def map_graph(graph: Graph, rules: RuleSet) -> Mapping:
    # One pass over the nodes does folding, grouping, classifying and connecting: on a graph of
    # tens of thousands of nodes each extra pass reads memory the CPU's caches no longer hold.
    # Folding marks values constant in a copy: the captured graph is checked once per march.
    captured = graph.values
    graph = dataclasses.replace(graph, values=dict(graph.values))
    group_ops = {module: op for op in rules.operators.values() if op.group for module in op.modules}
    layers: list[Layer] = []
    grouped: dict[str, Layer] = {}
    counts = {"operator": 0, "structural": 0, "unknown": 0, "total": len(graph.nodes)}
    folded: set[str] = set()  # outputs of constant nodes
    absorbers = {op.name for op in rules.operators.values() if any(PATTERNS[p].absorbs for p in op.patterns)}
    absorbing: list[Layer] = []  # ungrouped layers whose row has a pattern that absorbs nodes
    composites: list[Layer] = []
    lists: dict[str, Layer] = {}  # a list a layer returns (TorchScript's split, chunk) -> that layer
    shape_only = rules.shape_only
    view_of: dict[str, str] = {}  # a view's value -> the value it views
    for node in graph.nodes:
        if node.target == LIST_UNPACK and node.refs and node.refs[0] in lists:
            # TorchScript returns a split's pieces as one list, unpacked by the next node: the
            # pieces are the layer's outputs (export gives them to the op itself).
            layer = lists.pop(node.refs[0])
            layer.nodes.append(node)
            layer.outputs = [graph.values[out] for out in node.outputs if out in graph.values]
            counts["operator"] += 1
            continue
        constant = _is_constant(node, graph, folded, shape_only)
        written = _written_in_place(node)
        if written is not None and not constant:
            _unfold(written, view_of, folded, graph.values, captured)
        elif node.target in rules.views and isinstance(node.args.get("self"), Ref) and len(node.outputs) == 1:
            view_of[node.outputs[0]] = node.args["self"].value
        group = _group_of(node, group_ops) if group_ops else None
        if group is not None:
            path, module_type, operator = group
            layer = grouped.get(path)
            if layer is None:
                layer = Layer(name=path or module_type, kind="operator", operator=operator, nodes=[],
                              primary=node, module_path=path or None, module_type=module_type,
                              source=node.source)
                grouped[path] = layer
                layers.append(layer)
            layer.nodes.append(node)
            if node.target in operator.ops and layer.primary.target not in operator.ops:
                layer.primary = node  # facts are read from the op the row names
            counts["operator"] += 1
            continue
        kind, operator = ("structural", None) if constant else classify(node, graph, rules)
        counts["operator" if kind == "composite" else kind] += 1  # judged through table rows
        path, module_type = node.module_stack[-1] if node.module_stack else (None, None)
        path = path or None  # the root module has no path
        layer = Layer(name=node.name, kind=kind, operator=operator, nodes=[node], primary=node,
                      module_path=path, module_type=module_type, source=node.source)
        _connect_node(layer, graph.values)
        layers.append(layer)
        if kind == "composite":
            layer.composite = composite_of(node, graph, rules)
            composites.append(layer)
        if kind in ("operator", "composite") and not layer.outputs and node.outputs:
            lists[node.outputs[0]] = layer
        if operator is not None and operator.name in absorbers:
            absorbing.append(layer)
    for layer in composites:
        layer.parts = decompose.decompose(layer, layer.composite, graph, rules, _part_maker(layer))
    if absorbing:
        layers = _absorb(graph, layers, absorbing, counts)
    if grouped:
        _connect(graph, list(grouped.values()))  # now that they have all their nodes
        # A group sits where its main op is, not where its first node (often a hoisted constant) is.
        position = {node.name: index for index, node in enumerate(graph.nodes)}
        layers.sort(key=lambda layer: position[layer.primary.name])
    _name_layers(layers)
    return Mapping(layers, counts, graph)


def _part_maker(layer: Layer):
    """Builds the one-node layers a composite layer's parts are judged as (in its module)."""
    def make(name: str, node: Node, inputs: list[Value], outputs: list[Value], operator: Operator) -> Layer:
        return Layer(name=name, kind="operator", operator=operator, nodes=[node], primary=node,
                     module_path=layer.module_path, module_type=layer.module_type, source=layer.source,
                     inputs=inputs, outputs=outputs)
    return make


def _absorb(graph: Graph, layers: list[Layer], owners: list[Layer], counts: dict[str, int]) -> list[Layer]:
    """Nodes that a pattern of the owners' rows (qcheck.patterns, `absorbs`) says belong to the
    owner's layer join it, leaving the layers of their own they were given."""
    producers = facts.producers_of(graph)
    consumers = facts.consumers_of(graph)
    taken: dict[str, Layer] = {}  # node name -> the layer that takes it
    for layer in owners:
        for name in layer.operator.patterns:
            absorbs = PATTERNS[name].absorbs
            if absorbs is not None:
                for node in absorbs(layer.primary, graph, producers, consumers, taken.keys()):
                    taken[node.name] = layer
    if not taken:
        return layers
    order = {node.name: index for index, node in enumerate(graph.nodes)}
    kept = []
    for layer in layers:
        node = layer.nodes[0]
        owner = taken.get(node.name) if len(layer.nodes) == 1 else None
        if owner is None:
            kept.append(layer)
            continue
        owner.nodes.append(node)
        if layer.kind != "operator":
            counts[layer.kind] -= 1
            counts["operator"] += 1
    changed = {id(layer): layer for layer in taken.values()}
    for layer in changed.values():
        layer.nodes.sort(key=lambda n: order[n.name])
    _connect(graph, list(changed.values()))
    return kept


def classify(node: Node, graph: Graph, rules: RuleSet) -> tuple[str, Operator | None]:
    if _is_full_slice(node, graph):
        return "structural", None
    operator = match_operator(node, graph, rules)
    if operator is not None:
        return "operator", operator
    if rules.composites and composite_of(node, graph, rules) is not None:
        return "composite", None
    if node.target in rules.structural or node.namespace == "prim" or not _makes_tensor(node, graph):
        return "structural", None
    return "unknown", None


def composite_of(node: Node, graph: Graph, rules: RuleSet) -> Composite | None:
    """The composite the node's op decomposes as, when no row names it."""
    if not rules.composite_candidates(node.target):
        return None
    wanted = frozenset(name for c in rules.composite_candidates(node.target) if c.when is not None
                       for name in c.when.names)
    known: list[dict] = []
    return decompose.match_composite(node, graph, rules, lambda when: _holds(when, node, graph, wanted, known))


def _is_constant(node: Node, graph: Graph, folded: set[str], shape_only: dict[str, frozenset[str]]) -> bool:
    """A node that reads only weights, buffers and constants (position ids, masks built from
    arange): the compiler folds it, so it is structural, not BPU work. Nodes are visited in
    order; `folded` collects the outputs of the constant ones, and their values become
    constants (a weight after its fake-quant is still a weight). Arguments an op reads for their
    shape only (x.new_full(size, v), x.size(2), y.type_as(x)) do not count: sizes are known
    when the model is compiled. So shape arithmetic (a traced `channels // groups`, Swin's
    window padding) folds, whichever capture recorded it."""
    if node.namespace == "qcheck":
        return False  # a stub marker is the region boundary, never folded
    values = graph.values
    refs = node.refs
    if refs and node.target in shape_only:
        refs = _value_refs(node, shape_only[node.target])
    for ref in refs:
        if ref not in folded:
            value = values.get(ref)
            # A ref with no tensor value is a number the capture resolved (a size, a buffer's
            # .item() such as ultralytics' strides): known when the model is compiled.
            if value is not None and value.kind not in WEIGHT_KINDS:
                return False
    if not node.refs and not node.outputs:
        return False
    folded.update(node.outputs)
    for out in node.outputs:
        value = values.get(out)
        if value is not None and value.kind == "activation":
            values[out] = dataclasses.replace(value, kind="constant")
    return True


def _written_in_place(node: Node) -> str | None:
    """The value an in-place op writes (`self` of aten::copy_, index_put_...), else None.
    Only TorchScript has these: torch.export's graphs are functional."""
    target = node.args.get("self")
    if node.namespace == "aten" and node.op.endswith("_") and not node.op.endswith("__") and isinstance(target, Ref):
        return target.value
    return None


def _unfold(written: str, view_of: dict[str, str], folded: set[str], values: dict[str, Value],
            captured: dict[str, Value]) -> None:
    """A folded constant written in place with the model's data is no longer a constant: nor
    are the views it was written through, back to the tensor they view."""
    name: str | None = written
    while name is not None:
        if name in folded:
            folded.discard(name)
            values[name] = captured[name] if name in captured else values[name]
        elif name in values and values[name].kind in WEIGHT_KINDS:
            values[name] = dataclasses.replace(values[name], kind="activation")
        name = view_of.get(name)


def _value_refs(node: Node, shape_only: frozenset[str]) -> list[str]:
    """The refs of the arguments an op reads for their values (not those it reads for shapes)."""
    found = []
    for name, arg in node.args.items():
        if name in shape_only:
            continue
        for item in arg if isinstance(arg, (list, tuple)) else (arg,):
            if isinstance(item, Ref):
                found.append(item.value)
    return found


def _is_full_slice(node: Node, graph: Graph) -> bool:
    """A slice that keeps the whole dimension (`x[:, :n]` with n >= size) moves nothing:
    torch.export records it as an alias, a trace as aten::slice; neither is a layer."""
    if node.namespace != "aten" or node.op != "slice" or node.args.get("step", 1) != 1:
        return False
    source = node.args.get("self")
    before = graph.values.get(source.value) if isinstance(source, Ref) else None
    after = graph.values.get(node.outputs[0]) if len(node.outputs) == 1 else None
    return before is not None and after is not None and before.shape is not None and before.shape == after.shape


def _makes_tensor(node: Node, graph: Graph) -> bool:
    return any(out in graph.values for out in node.outputs)


def match_operator(node: Node, graph: Graph, rules: RuleSet) -> Operator | None:
    """The first row naming the node's module type whose condition holds, else the first row
    free of module types whose condition holds. Conditions are evaluated only as far as needed,
    on the facts they read, collected once per node."""
    found, wanted = rules.match_candidates(node.target)
    if not found:
        return None
    module_type = node.module_stack[-1][1] if node.module_stack else None
    known: list[dict] = []  # the node's facts, collected at the first condition

    def usable(op: Operator) -> bool:
        return op.when is None or _holds(op.when, node, graph, wanted, known)

    for op in found:
        if module_type in op.modules and usable(op):
            return op
    for op in found:
        if not op.module_only and module_type not in op.modules and usable(op):
            return op
    return None


def _holds(condition: expr.Expr, node: Node, graph: Graph, wanted: frozenset[str],
           known: list[dict] | None = None) -> bool:
    """Evaluate a match condition on facts read from the node's own arguments and shapes: the
    `wanted` ones, which cover the node's other conditions (`known` keeps them for those)."""
    if not known:
        layer = Layer(name=node.name, kind="operator", operator=None, nodes=[node], primary=node)
        _connect_node(layer, graph.values)
        collected = facts.collect(facts.LayerView(layer, graph, {}, set()), wanted)
        if known is None:
            known = []
        known.append(collected)
    try:
        return bool(condition.evaluate(known[0]))
    except expr.Unknown:
        return False


def _group_of(node: Node, group_ops: dict[str, Operator]) -> tuple[str, str, Operator] | None:
    """(module path, module type, operator) when the node is inside a module-level row's module.
    The outermost grouped module wins: a LayerNorm inside a MultiheadAttention-like block
    belongs to the block that the table judges as a whole."""
    for path, module_type in node.module_stack:
        if module_type in group_ops:
            return path, module_type, group_ops[module_type]
    return None


def _connect_node(layer: Layer, values: dict[str, Value]) -> None:
    """A one-node layer's inputs and outputs (most layers): what _connect does, without asking
    who reads the outputs."""
    node = layer.nodes[0]
    inputs: list[Value] = []
    seen: set[str] = set()
    for ref in node.refs:
        value = values.get(ref)
        if value is None or ref in node.outputs or ref in seen or value.kind in WEIGHT_KINDS:
            continue
        seen.add(ref)
        inputs.append(value)
    layer.inputs = inputs
    layer.outputs = [values[out] for out in node.outputs if out in values]


def _connect(graph: Graph, layers: list[Layer]) -> None:
    consumers = facts.consumers_of(graph) if any(len(layer.nodes) > 1 for layer in layers) else {}
    model_outputs = set(graph.outputs)
    values = graph.values
    for layer in layers:
        if len(layer.nodes) == 1:
            _connect_node(layer, values)
            continue
        inside = {out for node in layer.nodes for out in node.outputs}
        names = {node.name for node in layer.nodes}
        seen: set[str] = set()
        layer.inputs = []
        # The primary node's inputs first: "the first input" of a grouped layer is its main one
        # (MultiScaleRoIAlign's feature map, not its boxes).
        for node in [layer.primary] + [n for n in layer.nodes if n is not layer.primary]:
            for ref in node.refs:
                value = graph.values.get(ref)
                if value is None or ref in inside or ref in seen or value.kind in WEIGHT_KINDS:
                    continue
                seen.add(ref)
                layer.inputs.append(value)
        layer.outputs = [
            graph.values[out] for node in layer.nodes for out in node.outputs
            if out in graph.values and (
                len(layer.nodes) == 1 or out in model_outputs
                or any(c.name not in names for c in consumers.get(out, [])))
        ]


def _name_layers(layers: list[Layer]) -> None:
    """A layer that is the only operator of its module is named by the module path
    ("backbone.conv1"); others by module path and node ("neck:add_3"), or the node alone."""
    ops_per_module: dict[str, int] = {}
    for layer in layers:
        if layer.kind != "structural" and layer.module_path and _one_op(layer):
            ops_per_module[layer.module_path] = ops_per_module.get(layer.module_path, 0) + 1
    for layer in layers:
        if not _one_op(layer) or layer.kind == "structural" or not layer.module_path:
            continue
        if ops_per_module.get(layer.module_path) == 1:
            layer.name = layer.module_path
        else:
            layer.name = f"{layer.module_path}:{layer.primary.name}"


def _one_op(layer: Layer) -> bool:
    """One captured op (a TorchScript split and the ListUnpack of its pieces are one op)."""
    nodes = layer.nodes
    return len(nodes) == 1 or (len(nodes) == 2 and nodes[1].target == LIST_UNPACK)
