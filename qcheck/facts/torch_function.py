"""Facts for the torch_function rows of the table (see qcheck/facts/__init__.py)."""

from __future__ import annotations

from typing import Any

from qcheck.facts import LayerView, consumers_of, extractor, fact
from qcheck.facts.general import BYTES
from qcheck.graph import WEIGHT_KINDS, Ref
from qcheck.opfamilies import CATS, passes_value_on

fact("other_is_tensor", "true when the op's `other` operand is a tensor (torch.max(a, b) compares two "
                        "tensors elementwise; torch.max(x, dim) reduces)")
fact("index_used", "true when the index output of max/min/argmax/argmin is read by another layer "
                   "instead of only being returned as a model output")
fact("output_used", "true when an output of the layer is read by another layer (through tuple "
                    "unpacking too) instead of only being returned as a model output")
fact("constant_bound", "true when clamp's min or max is a constant tensor (a parameter, buffer, or a "
                       "tensor computed only from constants)")
fact("other_rank", "number of dimensions of the second tensor operand (`other`, e.g. of matmul)")
for _dim in "NCHW":
    fact(f"other_{_dim}", f"{_dim} of the second tensor operand (`other`), read as [N, C, H, W] (4-D only)")
fact("max_matrix_dim", "matmul: the largest of the last two dims of both operands (the matrices' rows and columns)")
fact("max_batch_dim", "matmul: the largest dim before the last two among both operands (1 when there is none)")
fact("max_input_dim", "the largest dimension after the first (N) among all tensor inputs (for cat: every "
                      "concatenated tensor; a 1-D input counts its only dimension)")
fact("other_bytes", "size of the second tensor operand (`other`) in bytes at its quantized dtype "
                    "(qint8 for a constant)")

_REDUCE_WITH_INDEX = ("max", "min")
_INDEX_ONLY = ("argmax", "argmin")
_CLAMPS = ("clamp", "clamp_", "clip", "clip_", "clamp_min", "clamp_min_", "clamp_max", "clamp_max_")


@extractor(provides=("other_is_tensor", "has_scalar_operand", "has_constant_operand", "other_rank",
                     "other_N", "other_C", "other_H", "other_W", "other_bytes"),
           needs=("has_scalar_operand", "has_constant_operand"))
def operand_kinds(view: LayerView, facts: dict[str, Any]) -> None:
    node = view.node
    facts["other_is_tensor"] = isinstance(node.args.get("other"), Ref)
    operator = view.layer.operator
    if view.op.endswith("_scalar") and operator is not None and "scalar_method" in operator.patterns:
        # The scalar form of the row's method (the row declares the scalar_method pattern):
        # FloatFunctional.add_scalar / mul_scalar of a converted model, whose operand is a number
        # (its schema names it `b`, so the general operand facts do not see it).
        facts.setdefault("has_scalar_operand", True)
        facts.setdefault("has_constant_operand", True)
    other = next((node.args[name] for name in ("other", "qb") if isinstance(node.args.get(name), Ref)), None)
    value = view.value(other)
    if value is None or value.shape is None:
        return
    shape = value.shape
    facts["other_rank"] = len(shape)
    if len(shape) == 4:
        for name, size in zip("NCHW", shape):
            facts[f"other_{name}"] = size
    elements = 1
    for d in shape:
        elements *= d
    dtype = view.dtypes.get(value.name) or ("qint8" if value.kind in WEIGHT_KINDS else None)
    if dtype:
        facts["other_bytes"] = elements * BYTES.get(dtype, 4)


@extractor(ops=("matmul",), provides=("max_matrix_dim", "max_batch_dim"))
def matrix_dims(view: LayerView, facts: dict[str, Any]) -> None:
    # The ONNX MatMul rows' limits for any rank: the lowest two dims, and every dim above them.
    shapes = [view.shape(view.node.args.get(name)) for name in ("self", "input", "other")]
    shapes = [s for s in shapes if s]
    if len(shapes) == 2:
        facts["max_matrix_dim"] = max(d for s in shapes for d in s[-2:])
        facts["max_batch_dim"] = max([d for s in shapes for d in s[:-2]] or [1])


@extractor(ops=CATS, provides=("max_input_dim",))
def input_dims(view: LayerView, facts: dict[str, Any]) -> None:
    # The table's per-dimension limits (H, W, C each at most 65536) over every concatenated input.
    sizes = [d for v in view.inputs if v.shape for d in (v.shape[1:] if len(v.shape) > 1 else v.shape)]
    if sizes:
        facts["max_input_dim"] = max(sizes)


@extractor(ops={*_REDUCE_WITH_INDEX, *_INDEX_ONLY}, provides=("output_used", "index_used"))
def index_output(view: LayerView, facts: dict[str, Any]) -> None:
    node = view.node
    if node.op in _REDUCE_WITH_INDEX or node.op in _INDEX_ONLY:
        facts["output_used"] = any(_read_by_a_layer(view.graph, out) for out in node.outputs)
    if node.op in _INDEX_ONLY and node.outputs:
        index = node.outputs[0]
    elif node.op in _REDUCE_WITH_INDEX and len(node.outputs) >= 2:
        index = node.outputs[1]
    elif node.op in _REDUCE_WITH_INDEX:
        facts["index_used"] = False  # torch.max(x): a value, no index
        return
    else:
        return
    facts["index_used"] = _read_by_a_layer(view.graph, index)


def _read_by_a_layer(graph, name: str, depth: int = 0) -> bool:
    consumers = _consumers(graph).get(name, [])
    for consumer in consumers:
        if passes_value_on(consumer):  # the index reaching a model output through it is only an output
            if depth < 8 and any(_read_by_a_layer(graph, out, depth + 1) for out in consumer.outputs):
                return True
            continue
        return True
    return False


@extractor(ops=_CLAMPS, provides=("constant_bound",))
def clamp_bounds(view: LayerView, facts: dict[str, Any]) -> None:
    node = view.node
    if node.op not in _CLAMPS:
        return
    bounds = [node.args.get(name) for name in ("min", "max")]
    constant = _constant_values(view.graph)
    facts["constant_bound"] = any(isinstance(b, Ref) and b.value in constant for b in bounds)


def _consumers(graph) -> dict:
    return consumers_of(graph)


def _constant_values(graph) -> set[str]:
    """Values that are weights, buffers or constants, or computed only from those (torch.full,
    a buffer times 2): the compiler folds them into constant tensors."""
    cached = graph.__dict__.get("_qcheck_constant_values")
    if cached is None:
        cached = {name for name, v in graph.values.items() if v.kind in WEIGHT_KINDS}
        for node in graph.nodes:
            if node.namespace == "qcheck":
                continue
            refs = node.refs
            if all(ref in cached for ref in refs):
                cached.update(node.outputs)
        graph.__dict__["_qcheck_constant_values"] = cached
    return cached
