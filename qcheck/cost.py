"""Cost estimates per layer: multiply-accumulates and bytes moved from shapes, and a simple
roofline time per march. Estimates, not measurements: the peak figures in rules/marches.yaml
(`perf`) are the vendors' public headline numbers, and real layers reach a fraction of them."""

from __future__ import annotations

import math
from typing import Any

from qcheck.facts.general import BYTES
from qcheck.graph import WEIGHT_KINDS, Graph, Node, Ref
from qcheck.opfamilies import CONVS, POOL_DIMS

_MATMULS = {"matmul", "bmm", "mm", "baddbmm"}


def _numel(shape) -> int:
    return math.prod(shape or ())


def node_cost(node: Node, graph: Graph, dtypes: dict[str, str], sizes: dict[str, int] | None = None, *,
              weight_dtype: str, bias_dtype: str) -> tuple[int, int]:
    """(MACs, bytes moved) of one captured node. `sizes` keeps each value's element count for
    the next node that reads it (one dict for a whole graph); `weight_dtype` and `bias_dtype` are the dtypes
    of weights and biases the dtypes stage did not set (the march's qconfig)."""
    values = graph.values
    if sizes is None:
        sizes = {}
    outputs = [values[o] for o in node.outputs if o in values]
    inputs = [values[r] for r in node.refs if r in values]
    counts = []
    for value in inputs + outputs:
        count = sizes.get(value.name)
        if count is None:
            count = sizes[value.name] = _numel(value.shape)
        counts.append(count)
    out_numel = sum(counts[len(inputs):])
    weight = values.get(node.args["weight"].value) if isinstance(node.args.get("weight"), Ref) else None
    op = node.op
    if op in CONVS and weight is not None and weight.shape and len(weight.shape) >= 3:
        per_output = _numel(weight.shape[1:])
        transposed = bool(node.args.get("transposed")) or op.startswith("conv_transpose")
        activations = counts[0] if transposed and inputs else out_numel
        macs = activations * (per_output if not transposed else _numel(weight.shape[1:]))
    elif op in ("linear", "addmm") and weight is not None and weight.shape:
        macs = out_numel * (weight.shape[-1] if op == "linear" else weight.shape[0])
    elif op in _MATMULS and inputs and inputs[0].shape:
        macs = out_numel * inputs[0].shape[-1]
    elif op in POOL_DIMS:
        kernel = node.args.get("kernel_size") or [1]
        kernel = [kernel] if isinstance(kernel, int) else kernel
        macs = out_numel * _numel(kernel if len(kernel) > 1 else kernel * POOL_DIMS[op])  # [3] is 3x3 in 2-D
    elif op == "scaled_dot_product_attention" and len(inputs) >= 3 and inputs[0].shape and inputs[1].shape:
        q, k = inputs[0].shape, inputs[1].shape
        macs = 2 * _numel(q[:-1]) * k[-2] * q[-1]
    else:
        macs = out_numel
    bias = node.args["bias"].value if isinstance(node.args.get("bias"), Ref) else None
    moved = 0
    for value, count in zip(inputs + outputs, counts):
        if value.name == bias:
            dtype = bias_dtype
        else:
            dtype = dtypes.get(value.name) or (weight_dtype if value.kind in WEIGHT_KINDS else value.dtype)
        moved += count * BYTES.get(dtype or "float32", 4)
    return macs, moved


def layer_cost(nodes: list[Node], graph: Graph, dtypes: dict[str, str], sizes: dict[str, int] | None = None, *,
               weight_dtype: str, bias_dtype: str) -> dict[str, int]:
    macs = moved = 0
    for node in nodes:
        m, b = node_cost(node, graph, dtypes, sizes, weight_dtype=weight_dtype, bias_dtype=bias_dtype)
        macs += m
        moved += b
    return {"macs": macs, "bytes": moved}


def estimate_us(cost: dict[str, int], perf: dict[str, Any] | None) -> float | None:
    """Roofline: the slower of compute (MACs at the peak rate) and memory (bytes at the bandwidth)."""
    if not perf:
        return None
    mac_rate = perf["tops"] * 1e12 / 2  # 1 MAC = 2 ops
    byte_rate = perf["bandwidth_gbs"] * 1e9
    return max(cost["macs"] / mac_rate, cost["bytes"] / byte_rate) * 1e6
