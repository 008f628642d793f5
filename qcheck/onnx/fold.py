"""Shape arithmetic folded the way the vendor's converter folds it, so that shape inference can
see past it.

torch's exporter computes some Slice bounds and Reshape targets at run time from Shape nodes:
YOLOv8's C2f `chunk` is Shape -> Gather -> Add -> Div -> Mul -> Slice. ONNX shape inference's
data propagation stops at Div, and every tensor after the first C2f is left without a shape (and
so unjudged). qcheck evaluates such small integer computations itself (plain Python, no numpy),
feeds the values back as initializers and infers again, until nothing more folds.
"""

from __future__ import annotations

import math
import struct
from typing import Any, Callable

MAX_ELEMENTS = 64  # shape arithmetic is a handful of values; anything larger is data
MAX_ROUNDS = 64  # each round unlocks the next block's shapes; a YOLO needs a dozen or two

Value = tuple[tuple[int, ...], list]  # (dims, flat values)

_INT_TYPES = {2, 3, 4, 5, 6, 7, 12, 13}  # TensorProto's integer element types
_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "Add": lambda a, b: a + b, "Sub": lambda a, b: a - b, "Mul": lambda a, b: a * b,
    "Div": lambda a, b: (int(a / b) if isinstance(a, int) and isinstance(b, int) else a / b),
    "Max": max, "Min": min,
    "Equal": lambda a, b: a == b, "Less": lambda a, b: a < b, "Greater": lambda a, b: a > b,
}
_UNARY: dict[str, Callable[[Any], Any]] = {
    "Floor": math.floor, "Ceil": math.ceil, "Neg": lambda a: -a, "Abs": abs, "Sqrt": math.sqrt,
    "Identity": lambda a: a, "Not": lambda a: not a,
}


def evaluate(nodes, values: dict[str, Value], shapes: dict[str, tuple | None]) -> dict[str, Value]:
    """Every output that small integer arithmetic on known values computes: `values` are the
    constants (initializers, Constant nodes, earlier rounds), `shapes` the inferred static shapes
    (a Shape node reads them). Returns the new values only."""
    known = dict(values)
    found: dict[str, Value] = {}
    for node in nodes:
        if not node.output or node.output[0] in known:
            continue
        try:
            out = _node(node, known, shapes)
        except (ArithmeticError, IndexError, KeyError, TypeError, ValueError):
            out = None  # not shape arithmetic this evaluator knows: leave it to the converter
        if out is None or len(out[1]) > MAX_ELEMENTS:
            continue
        known[node.output[0]] = found[node.output[0]] = out
    return found


def _node(node, known: dict[str, Value], shapes) -> Value | None:
    op = node.op_type
    attrs = {a.name: a for a in node.attribute}
    if op == "Shape":
        shape = shapes.get(node.input[0])
        return ((len(shape),), list(shape)) if shape is not None else None
    if op == "Size":
        shape = shapes.get(node.input[0])
        return ((), [math.prod(shape)]) if shape is not None else None
    inputs = [known.get(name) if name else None for name in node.input]
    if not inputs or any(v is None for v in inputs[:1]):
        return None
    if op in _UNARY and len(inputs) == 1:
        dims, data = inputs[0]
        return dims, [_UNARY[op](v) for v in data]
    if op in _BINARY and len(inputs) == 2 and inputs[1] is not None:
        return _broadcast(_BINARY[op], inputs[0], inputs[1])
    if op == "Cast":
        to = attrs["to"].i
        dims, data = inputs[0]
        return dims, [int(v) if to in _INT_TYPES else (bool(v) if to == 9 else float(v)) for v in data]
    if op == "Gather":
        return _gather(inputs[0], inputs[1], attrs["axis"].i if "axis" in attrs else 0)
    if op == "Unsqueeze":
        axes = list(attrs["axes"].ints) if "axes" in attrs else list(inputs[1][1])
        dims = list(inputs[0][0])
        rank = len(dims) + len(axes)
        for axis in sorted(a % rank for a in axes):
            dims.insert(axis, 1)
        return tuple(dims), list(inputs[0][1])
    if op == "Squeeze":
        dims = inputs[0][0]
        axes = list(attrs["axes"].ints) if "axes" in attrs else (list(inputs[1][1]) if len(inputs) > 1 and inputs[1] else None)
        drop = {a % len(dims) for a in axes} if axes is not None else {i for i, d in enumerate(dims) if d == 1}
        return tuple(d for i, d in enumerate(dims) if i not in drop), list(inputs[0][1])
    if op == "Concat" and all(v is not None and len(v[0]) <= 1 for v in inputs):
        data = [x for v in inputs for x in v[1]]
        return (len(data),), data
    if op == "Slice" and len(inputs[0][0]) == 1:
        return _slice(node, attrs, inputs)
    if op == "Reshape" and inputs[1] is not None:
        target = [int(d) for d in inputs[1][1]]
        count = len(inputs[0][1])
        fixed = [d if d != 0 else inputs[0][0][i] for i, d in enumerate(target)]
        if -1 in fixed:
            rest = math.prod(d for d in fixed if d != -1)
            fixed[fixed.index(-1)] = count // rest if rest else 0
        return (tuple(fixed), list(inputs[0][1])) if math.prod(fixed) == count else None
    if op == "ConstantOfShape":
        count = math.prod(int(d) for d in inputs[0][1])
        if count > MAX_ELEMENTS:
            return None
        fill = _tensor_values(attrs["value"].t)[0] if "value" in attrs else 0.0
        return tuple(int(d) for d in inputs[0][1]), [fill] * count
    return None


def _broadcast(fn, a: Value, b: Value) -> Value | None:
    (da, xa), (db, xb) = a, b
    if len(xa) == len(xb):
        return (da if len(da) >= len(db) else db), [fn(x, y) for x, y in zip(xa, xb)]
    if len(xa) == 1:
        return db, [fn(xa[0], y) for y in xb]
    if len(xb) == 1:
        return da, [fn(x, xb[0]) for x in xa]
    return None


def _gather(data: Value, indices: Value, axis: int) -> Value | None:
    dims, values = data
    if len(dims) != 1 or axis not in (0, -1):
        return None
    picked = [values[int(i)] for i in indices[1]]  # negative indices count from the end
    return indices[0], picked


def _slice(node, attrs, inputs) -> Value | None:
    values = inputs[0][1]
    if "starts" in attrs:  # opset < 10: attributes
        starts, ends = list(attrs["starts"].ints), list(attrs["ends"].ints)
        steps = [1]
    else:
        starts, ends = list(inputs[1][1]), list(inputs[2][1])
        steps = list(inputs[4][1]) if len(inputs) > 4 and inputs[4] is not None else [1]
    if len(starts) != 1:
        return None
    picked = values[slice(int(starts[0]), int(ends[0]), int(steps[0]))]
    return (len(picked),), picked


def _tensor_values(tensor) -> list:
    from qcheck.onnx import proto

    return proto.small_values(tensor) or [0]


def initializer(pb, name: str, value: Value, elem_type: int):
    """A TensorProto holding a folded value, of the element type inference gave it; None for a
    type it cannot hold."""
    from qcheck.onnx import proto

    code = proto.STRUCT_CODES.get(elem_type)
    if code is None:
        return None
    dims, data = value
    cast = bool if code == "?" else (float if code in "fd" else int)
    tensor = pb.TensorProto()
    tensor.name = name
    tensor.data_type = elem_type
    tensor.dims.extend(dims)
    tensor.raw_data = struct.pack(f"<{len(data)}{code}", *(cast(v) for v in data))
    return tensor
