"""Facts for the nn_conv and nn_activation rows of the table (see qcheck/facts/__init__.py).

What the vendor's toolchain fuses around a convolution decides some limits: a BatchNorm right
after a convolution is absorbed into it (it does not exist in the deployed model), a
convolution whose output is added to another feature map runs as one "sumin" convolution, and a
convolution followed by a fused BatchNorm / ReLU / add is a model output when that last fused
layer is.
"""

from __future__ import annotations

from typing import Any

from qcheck.facts import LayerView, consumers_of, extractor, fact, producers_of
from qcheck.graph import WEIGHT_KINDS
from qcheck.opfamilies import CONV_DIMS, CONVS, FUSED_SUMIN_CONVS

fact("conv_dims", "spatial dimensions of a convolution: 1, 2 (Conv2d) or 3 (Conv3d)")
fact("sumin", "true when the convolution's output is added to another feature map of the same shape "
              "(the toolchain fuses the add into the convolution: a 'sumin' convolution)")
fact("sumin_dtype", "quantized dtype of the feature map a sumin convolution adds (the add's other operand)")
fact("fused_model_output", "true when the layer's output, or the output of the BatchNorm / ReLU / "
                           "ReLU6 / add fused into it, is a model output")
fact("bn_absorbed", "true when a BatchNorm's input comes straight from a convolution whose output "
                    "feeds nothing else (the BatchNorm is absorbed into that convolution in QAT)")

_ADDS = {"add", "add_", "add_relu"}
_BATCH_NORMS = {"batch_norm", "_native_batch_norm_legit_no_training", "native_batch_norm",
                "_native_batch_norm_legit", "batch_norm2d", "batch_norm3d", "batch_norm2d_relu",
                "batch_norm3d_relu"}
_RELUS = {"relu", "relu_", "relu6", "relu6_", "hardtanh", "hardtanh_"}


def _consumers(graph) -> dict:
    # Built once per graph: extractors run for every layer (and for every match condition).
    return consumers_of(graph)


def _producers(graph) -> dict:
    return producers_of(graph)


def _only_consumer(graph, value_name: str):
    """The single node reading `value_name`, or None (no reader, several, or a model output)."""
    if value_name in graph.outputs:
        return None
    readers = _consumers(graph).get(value_name, [])
    if len(readers) == 1:
        return readers[0]
    unique = {node.name: node for node in readers}
    return next(iter(unique.values())) if len(unique) == 1 else None


def _is_conv(node) -> bool:
    return node is not None and node.op in CONVS and node.namespace in ("aten", "quantized")


def _sumin_operand(graph, add_node, conv_out: str):
    """The other feature map of an add that could be fused into the convolution, or None."""
    out_value = graph.values.get(conv_out)
    others = []
    for ref in add_node.refs:
        if ref == conv_out:
            continue
        value = graph.values.get(ref)
        if value is None or value.kind in WEIGHT_KINDS:
            return None
        others.append(value)
    if len(others) != 1:  # x + 1 has no second feature map; x + x reads the same one twice
        return None
    other = others[0]
    if out_value is None or out_value.shape is None or other.shape is None:
        return None
    return other if tuple(other.shape) == tuple(out_value.shape) else None


@extractor(ops=CONVS, provides=("conv_dims",), needs=("rank",))
def convolution_dims(view: LayerView, facts: dict[str, Any]) -> None:
    # Apart from the fusion facts below: every convolution's table row is chosen by conv_dims.
    node = view.node
    op = view.op
    if op in CONVS and node.namespace in ("aten", "quantized"):  # _is_conv(node)
        weight = view.shape(node.args.get("weight"))
        if weight:
            facts["conv_dims"] = len(weight) - 2
        elif op in CONV_DIMS:
            facts["conv_dims"] = CONV_DIMS[op]
        elif facts.get("rank"):
            facts["conv_dims"] = max(facts["rank"] - 2, 1)


@extractor(ops={*CONVS, *_BATCH_NORMS}, provides=("sumin", "sumin_dtype", "fused_model_output", "bn_absorbed"))
def convolution_fusion(view: LayerView, facts: dict[str, Any]) -> None:
    node = view.node
    op = view.op
    graph = view.graph
    if op in CONVS and node.namespace in ("aten", "quantized"):  # _is_conv(node)
        out = node.outputs[0] if node.outputs else None
        facts["sumin"] = op in FUSED_SUMIN_CONVS
        if out is not None and not facts["sumin"]:
            reader = _only_consumer(graph, out)
            if reader is not None and reader.op in _ADDS:
                other = _sumin_operand(graph, reader, out)
                if other is not None:
                    facts["sumin"] = True
                    dtype = view.dtypes.get(other.name)
                    if dtype:
                        facts["sumin_dtype"] = dtype
        if out is not None:
            outputs = view.model_outputs
            if not all(name in outputs for name in graph.outputs):
                outputs = set(outputs) | set(graph.outputs)
            facts["fused_model_output"] = _fused_output(graph, out, outputs)
    if op in _BATCH_NORMS and view.inputs:
        source = view.inputs[0].name
        producer = _producers(graph).get(source)
        facts["bn_absorbed"] = _is_conv(producer) and _only_consumer(graph, source) is node


def _fused_output(graph, value: str, outputs: set[str]) -> bool:
    """True when `value`, or what a chain of fused BatchNorm / ReLU / add layers makes of it, is
    a model output (conv -> bn -> relu -> output is a convolution as the model output)."""
    for _ in range(4):
        if value in outputs:
            return True
        reader = _only_consumer(graph, value)
        if reader is None:
            return False
        op = reader.op
        if not (op in _BATCH_NORMS or op in _RELUS or op in _ADDS):
            return False
        if op in _ADDS and _sumin_operand(graph, reader, value) is None:
            return False
        if not reader.outputs:
            return False
        value = reader.outputs[0]
    return value in outputs
