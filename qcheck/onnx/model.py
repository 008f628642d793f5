"""Read an ONNX file into plain data: nodes, tensor shapes (onnx.shape_inference), constants.

Weights stored as external data are never read (only their shapes matter), but every reference
is checked: the file exists, lies inside the model's folder and is long enough.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from qcheck.errors import QcheckError, first_line

# Ops the converter folds away or drops: never a BPU or CPU node of the compiled model.
FOLDED = {"Constant", "ConstantOfShape", "Shape", "Size", "Dropout", "Identity"}


@dataclass
class OnnxNode:
    name: str
    op_type: str
    domain: str
    inputs: list[str]
    outputs: list[str]
    attrs: dict[str, Any]


@dataclass
class OnnxModel:
    path: str
    ir_version: int
    opsets: dict[str, int]  # domain ("" = ai.onnx) -> version
    nodes: list[OnnxNode]
    inputs: list[str]  # graph inputs that are not initializers
    outputs: list[str]
    shapes: dict[str, tuple | None]  # value -> shape (None when inference could not tell)
    dtypes: dict[str, str]
    input_dims: dict[str, list]  # model input -> dims as declared (ints, or names for dynamic dims)
    constants: dict[str, Any] = field(default_factory=dict)  # value -> flat list of values (small, inline)
    constant_values: set[str] = field(default_factory=set)  # every value known before run time


def load(path: str, input_shapes: list[tuple[int, ...]] | None = None) -> OnnxModel:
    from google.protobuf.message import DecodeError

    from qcheck.onnx import proto, wire

    pb, inference = proto.modules()
    size = os.path.getsize(path)
    if size == 0:
        raise QcheckError("the file is empty; pass an ONNX model (torch.onnx.export)", path)
    if size >= wire.PROTOBUF_LIMIT:
        raise QcheckError(f"cannot read this ONNX model: {size / 2**30:.1f} GB in one file is past protobuf's "
                          "2 GB limit; export it again with external data (onnx.save(..., "
                          "save_as_external_data=True))", path)
    model = pb.ModelProto()
    try:
        model.ParseFromString(wire.model_without_weights(path))
    except (DecodeError, RuntimeError, ValueError) as error:
        raise QcheckError(f"not a readable ONNX model (truncated download or another format? "
                          f"{first_line(error)}); export it again with torch.onnx.export", path) from None
    except Exception as error:  # the file unreadable (permissions, ...) or protobuf's own refusals
        raise QcheckError(f"cannot read this ONNX model ({type(error).__name__}: {first_line(error)})",
                          path) from None
    if not model.HasField("graph") or not model.graph.node:
        raise QcheckError("not an ONNX model: it has no graph (truncated or another protobuf?); "
                          "export it again with torch.onnx.export", path) from None
    _check_external_data(model, path)
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    inputs = [i.name for i in graph.input if i.name not in initializers]
    input_dims = {i.name: [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?")
                           for d in i.type.tensor_type.shape.dim] for i in graph.input if i.name in inputs}
    if input_shapes:
        _fix_input_shapes(graph, inputs, input_dims, input_shapes, path)
    constants: dict[str, Any] = {}
    weights = _strip_weights(pb, graph, constants)
    shapes, dtypes, folded = _infer_folding(pb, inference, model, path)
    for name, (dims, values) in folded.items():  # shape arithmetic the converter folds: constants too
        constants.setdefault(name, values)
    for name, (dims, dtype) in weights.items():
        shapes[name] = dims
        dtypes[name] = dtype
    nodes = []
    for index, node in enumerate(graph.node):
        attrs = {a.name: proto.attribute_value(a) for a in node.attribute}
        if node.op_type == "Constant" and attrs.get("value") is not None and node.output:
            value = attrs.pop("value")
            constants[node.output[0]] = proto.small_values(value) if _numel(value.dims) <= 64 else None
            shapes.setdefault(node.output[0], tuple(value.dims))
        nodes.append(OnnxNode(name=node.name or f"{node.op_type}_{index}", op_type=node.op_type,
                              domain=node.domain, inputs=list(node.input), outputs=list(node.output),
                              attrs={k: v for k, v in attrs.items() if v is not None}))
    known = set(initializers) | {""}
    for node in nodes:  # in topological order: a node of known inputs is folded by the converter
        if node.op_type in FOLDED or all(i in known for i in node.inputs):
            known.update(node.outputs)
    opsets = {(o.domain or ""): o.version for o in model.opset_import}
    return OnnxModel(path=path, ir_version=model.ir_version, opsets=opsets, nodes=nodes, inputs=inputs,
                     outputs=[o.name for o in graph.output], shapes=shapes, dtypes=dtypes,
                     input_dims=input_dims, constants=constants, constant_values=known)


def _infer(pb, inference, model, path: str):
    from qcheck.onnx import proto

    try:
        inferred = pb.ModelProto()
        inferred.ParseFromString(inference.infer_shapes(model.SerializeToString(), False, False, True))
    except Exception as error:
        raise QcheckError(f"ONNX shape inference failed ({first_line(error)}); check the model with "
                          "onnx.checker, or give --input-shape for its dynamic inputs", path) from None
    shapes: dict[str, tuple | None] = {}
    dtypes: dict[str, str] = {}
    types: dict[str, int] = {}
    g = inferred.graph
    for info in list(g.input) + list(g.value_info) + list(g.output):
        tensor = info.type.tensor_type
        types[info.name] = tensor.elem_type
        dtypes[info.name] = proto.DTYPE_NAMES.get(tensor.elem_type, "unknown")
        if tensor.HasField("shape"):
            dims = tuple(d.dim_value if d.HasField("dim_value") else None for d in tensor.shape.dim)
            shapes[info.name] = None if any(d is None for d in dims) else dims
        else:
            shapes[info.name] = None
    return shapes, dtypes, types


def _infer_folding(pb, inference, model, path: str):
    """Shapes and dtypes of every value, shape arithmetic folded first (qcheck.onnx.fold): infer,
    fold what the known shapes make computable, feed it back as initializers, infer again."""
    from qcheck.onnx import fold, proto

    shapes, dtypes, types = _infer(pb, inference, model, path)
    graph = model.graph
    known = {}
    for tensor in graph.initializer:
        values = proto.small_values(tensor)
        if values is not None:
            known[tensor.name] = (tuple(tensor.dims), values)
    for node in graph.node:
        value = next((a.t for a in node.attribute if a.name == "value" and a.type == 4), None)
        if node.op_type == "Constant" and value is not None and node.output:
            values = proto.small_values(value)
            if values is not None and _numel(value.dims) <= fold.MAX_ELEMENTS:
                known[node.output[0]] = (tuple(value.dims), values)
    folded: dict[str, tuple] = {}
    for _ in range(fold.MAX_ROUNDS):
        new = {name: value for name, value in fold.evaluate(graph.node, {**known, **folded}, shapes).items()
               if types.get(name)}
        folded.update(new)
        waiting = {o for n in graph.node if any(i in new for i in n.input) for o in n.output
                   if o and o not in folded and shapes.get(o) is None}
        if not waiting:  # every value the new constants feed has its shape already
            break
        work = pb.ModelProto()
        work.CopyFrom(model)
        del work.graph.node[:]
        work.graph.node.extend(n for n in graph.node if not all(o in folded for o in n.output))
        work.graph.initializer.extend(t for t in (fold.initializer(pb, name, value, types[name])
                                                  for name, value in folded.items()) if t is not None)
        round_shapes, round_dtypes, round_types = _infer(pb, inference, work, path)
        shapes.update((k, v) for k, v in round_shapes.items() if v is not None)
        dtypes.update(round_dtypes)
        types.update(round_types)
    for name, (dims, _) in folded.items():
        shapes[name] = dims
    return shapes, dtypes, folded


def _fix_input_shapes(graph, inputs, input_dims, input_shapes, path) -> None:
    """--input-shape: one per model input, fitting its declared fixed dims."""
    if len(input_shapes) != len(inputs):
        raise QcheckError(f"{len(input_shapes)} --input-shape given for {len(inputs)} model inputs "
                          f"({', '.join(inputs)}); give one per input, in order", path)
    for name, shape in zip(inputs, input_shapes):
        value = next(i for i in graph.input if i.name == name)
        declared = input_dims[name]
        if len(declared) != len(shape) or any(isinstance(d, int) and d > 0 and d != s
                                              for d, s in zip(declared, shape)):
            raise QcheckError(f"--input-shape {'x'.join(map(str, shape))} does not fit input {name}, "
                              f"declared {'x'.join(map(str, declared))}", path)
        for dim, size in zip(value.type.tensor_type.shape.dim, shape):
            dim.Clear()
            dim.dim_value = size


def _strip_weights(pb, graph, constants: dict) -> dict[str, tuple]:
    """Every initializer's (shape, dtype); small inline ones kept as constants (shape arithmetic
    reads them), large ones turned into typed graph inputs. Shape inference serializes the whole
    model: without the weights ResNet-50 costs it milliseconds instead of a 100 MB copy."""
    from qcheck.onnx import fold, proto

    found: dict[str, tuple] = {}
    keep = []
    declared = {i.name for i in graph.input}
    for tensor in graph.initializer:
        found[tensor.name] = (tuple(tensor.dims), proto.DTYPE_NAMES.get(tensor.data_type, "unknown"))
        if tensor.data_location != pb.TensorProto.EXTERNAL and _numel(tensor.dims) <= 64:
            constants[tensor.name] = proto.small_values(tensor)
            keep.append(tensor)
        elif tensor.name not in declared:
            value = graph.input.add()
            value.name = tensor.name
            value.type.tensor_type.elem_type = tensor.data_type
            for d in tensor.dims:
                value.type.tensor_type.shape.dim.add().dim_value = d
    if len(keep) != len(graph.initializer):
        kept = [pb.TensorProto() for _ in keep]
        for copy, tensor in zip(kept, keep):
            copy.CopyFrom(tensor)
        del graph.initializer[:]
        graph.initializer.extend(kept)
    return found


def _numel(dims) -> int:
    count = 1
    for d in dims:
        count *= d
    return count


def _check_external_data(model, path: str) -> None:
    from qcheck.onnx import proto

    folder = os.path.realpath(os.path.dirname(os.path.abspath(path)))
    for tensor in _all_tensors(model.graph):
        if tensor.data_location != 1:  # TensorProto.EXTERNAL
            continue
        info = proto.external_info(tensor)
        location = info.get("location", "")
        target = os.path.realpath(os.path.join(folder, location))
        if not location or os.path.isabs(location) or os.path.commonpath([folder, target]) != folder:
            raise QcheckError(f"tensor {tensor.name!r} points at external data {location!r} outside the "
                              "model's folder; qcheck reads external data only from beside the model: "
                              "save the model with its data files in its folder", path)
        if not os.path.isfile(target):
            raise QcheckError(f"the external data file {location!r} of tensor {tensor.name!r} is missing; "
                              "copy it next to the model (it is saved beside the .onnx file)", path)
        end = int(info.get("offset") or 0) + int(info.get("length") or 0)
        if end and os.path.getsize(target) < end:
            raise QcheckError(f"the external data file {location!r} is shorter than tensor "
                              f"{tensor.name!r} needs ({os.path.getsize(target):,} of {end:,} bytes: "
                              "truncated?); copy it again", path)


def _all_tensors(graph):
    """Initializers and Constant values, in subgraphs too."""
    yield from graph.initializer
    for node in graph.node:
        for attr in node.attribute:
            if attr.HasField("t"):
                yield attr.t
            yield from attr.tensors
            if attr.HasField("g"):
                yield from _all_tensors(attr.g)
            for sub in attr.graphs:
                yield from _all_tensors(sub)
