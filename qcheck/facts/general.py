"""Facts every layer has: ranks, dims, dtypes, sizes, model-output position, operands."""

from __future__ import annotations

import math
from typing import Any

from qcheck.facts import LayerView, consumers_of, extractor, fact
from qcheck.graph import WEIGHT_KINDS, Ref
from qcheck.opfamilies import passes_value_on

BYTES = {"qint8": 1, "quint8": 1, "qint16": 2, "qint32": 4, "qbool": 1, "int8": 1, "uint8": 1,
         "int16": 2, "int32": 4, "int64": 8, "float16": 2, "bfloat16": 2, "float32": 4, "float64": 8,
         "bool": 1}

fact("rank", "number of dimensions of the first input")
fact("out_rank", "number of dimensions of the first output")
for _dim in "NCHW":
    fact(_dim, f"{_dim} of the first input, read as [N, C, H, W] (for 2-D inputs N and C only)")
    fact(f"out_{_dim}", f"{_dim} of the first output, read as [N, C, H, W]")
fact("D", "D of a 5-D first input [N, C, D, H, W]")
fact("input_shape", "shape of the first input, as a tuple")
fact("output_shape", "shape of the first output, as a tuple")
fact("max_dim_size", "the largest dimension of the first input")
fact("input_elements", "number of elements of the first input")
fact("input_bytes", "size of the first input in bytes at its quantized dtype")
fact("num_inputs", "number of activation tensors the layer reads")
fact("is_model_output", "true when the layer's output is an output of the model")
fact("input_dtype", "quantized dtype of the first input (qint8, qint16, ...)")
fact("output_dtype", "quantized dtype of the first output")
fact("has_scalar_operand", "true when an operand is a Python number rather than a tensor")
fact("has_constant_operand", "true when an operand is a number or a constant/weight tensor")
fact("broadcast_inputs", "how many tensor inputs are broadcast to the output shape")
fact("broadcasts_n", "true when an input is broadcast along the N (first) dimension")


_SHAPE_FACTS = ("num_inputs", "rank", "input_shape", "max_dim_size", "input_elements", "input_dtype",
                "input_bytes", "N", "C", "H", "W", "D", "out_rank", "output_shape", "out_N", "out_C", "out_H",
                "out_W", "output_dtype")


@extractor(provides=_SHAPE_FACTS)
def shapes(view: LayerView, facts: dict[str, Any]) -> None:
    inputs, outputs = view.inputs, view.outputs
    facts["num_inputs"] = len(inputs)
    if inputs and inputs[0].shape is not None:
        shape = inputs[0].shape
        facts["rank"] = len(shape)
        facts["input_shape"] = tuple(shape)
        facts["max_dim_size"] = max(shape) if shape else 1
        elements = math.prod(shape)
        facts["input_elements"] = elements
        dtype = view.dtypes.get(inputs[0].name)
        if dtype:
            facts["input_dtype"] = dtype
            facts["input_bytes"] = elements * BYTES.get(dtype, 4)
        _dims(shape, "", facts)
    if outputs and outputs[0].shape is not None:
        facts["out_rank"] = len(outputs[0].shape)
        facts["output_shape"] = tuple(outputs[0].shape)
        _dims(outputs[0].shape, "out_", facts)
        if view.dtypes.get(outputs[0].name):
            facts["output_dtype"] = view.dtypes[outputs[0].name]


@extractor(provides=("is_model_output",))
def model_output(view: LayerView, facts: dict[str, Any]) -> None:
    reaches = False
    for value in view.outputs:
        if _reaches_output(view, value.name):
            reaches = True
            break
    facts["is_model_output"] = reaches


def _reaches_output(view: LayerView, name: str, depth: int = 0) -> bool:
    """A value is a model output itself, or through unpacking nodes only (getitem of a tuple)."""
    if name in view.model_outputs:
        return True
    if depth > 8:
        return False
    consumers = consumers_of(view.graph).get(name)  # built once per graph
    if not consumers:
        return False
    return any(passes_value_on(node) and any(_reaches_output(view, out, depth + 1) for out in node.outputs)
               for node in consumers)


_DIM_KEYS = {prefix: tuple(prefix + d for d in "NCHW") for prefix in ("", "out_")}


def _dims(shape: tuple[int, ...], prefix: str, facts: dict[str, Any]) -> None:
    n, c, h, w = _DIM_KEYS.get(prefix) or tuple(prefix + d for d in "NCHW")
    rank = len(shape)
    if rank == 4:
        facts[n], facts[c], facts[h], facts[w] = shape[0], shape[1], shape[2], shape[3]
    elif rank == 5:
        facts[n], facts[c], facts[h], facts[w] = shape[0], shape[1], shape[3], shape[4]
        if not prefix:
            facts["D"] = shape[2]
    elif rank in (2, 3):
        facts[n], facts[c] = shape[0], shape[1]


@extractor(provides=("has_scalar_operand", "has_constant_operand", "broadcast_inputs", "broadcasts_n"))
def operands(view: LayerView, facts: dict[str, Any]) -> None:
    node = view.node
    if "other" not in node.args:
        return
    operand_values = [node.args.get(name) for name in ("input", "self", "other") if name in node.args]
    facts["has_scalar_operand"] = any(isinstance(a, (int, float)) and not isinstance(a, bool)
                                      for a in operand_values)
    constant = facts["has_scalar_operand"]
    tensor_shapes = []
    for arg in operand_values:
        value = view.value(arg) if isinstance(arg, Ref) else None
        if value is None:
            continue
        if value.kind in WEIGHT_KINDS:
            constant = True
        if value.shape is not None:
            tensor_shapes.append(value.shape)
    facts["has_constant_operand"] = constant
    out = view.outputs[0].shape if view.outputs and view.outputs[0].shape is not None else None
    if out is not None and len(tensor_shapes) >= 2:
        broadcast = [s for s in tensor_shapes if tuple(s) != tuple(out)]
        facts["broadcast_inputs"] = len(broadcast)
        # Right-aligned as torch broadcasts: a missing or size-1 leading dim spreads along N.
        facts["broadcasts_n"] = len(out) >= 2 and out[0] > 1 and any(
            len(s) < len(out) or s[0] == 1 for s in broadcast)


fact("input_source", "where the model input comes from: ddr, pyramid or resizer (--input-source)")
fact("is_model_input", "true when the layer reads a model input directly")
fact("scale", "the fixed quantization scale of a QuantStub (its scale argument or attribute)")
fact("has_scale", "true when a QuantStub has a fixed scale")

_STUB_OPS = {"quant_stub", "quantize_per_tensor", "quantize_per_tensor_dynamic"}


@extractor(provides=("input_source", "is_model_input", "scale", "has_scale"))
def quantization(view: LayerView, facts: dict[str, Any]) -> None:
    if "input_source" in view.context:
        facts["input_source"] = view.context["input_source"]
    facts["is_model_input"] = any(v.name in view.graph.inputs for v in view.inputs)
    if view.op not in _STUB_OPS:
        return
    scale = view.node.args.get("scale")
    if not isinstance(scale, (int, float)) or isinstance(scale, bool):
        path = view.layer.module_path or ""
        attrs = view.graph.module_attrs
        # The vendor's QuantStub(scale=...) keeps it on the stub; a QAT stub on its fake-quant.
        candidates = [attrs.get(path, {}).get("scale"),
                      attrs.get(f"{path}.activation_post_process", {}).get("scale")]
        scale = next((s for s in candidates if isinstance(s, (int, float)) and not isinstance(s, bool)), None)
    facts["has_scale"] = scale is not None
    if scale is not None:
        facts["scale"] = float(scale)
