"""The facts an ONNX row's constraints read, from one node's attributes and inferred shapes."""

from __future__ import annotations

from typing import Any

from qcheck.onnx.model import OnnxModel, OnnxNode


def _pairs(values, default) -> tuple[int, int]:
    values = list(values or [])
    if len(values) >= 2:
        return int(values[-2]), int(values[-1])
    return (default, default) if not values else (int(values[0]), int(values[0]))


# Attributes an exporter may leave out, at their ONNX defaults (opset 10/11, the PTQ flow's): a
# missing fact skips the constraints that read it, so a node would pass unjudged.
_DEFAULTS = {"ArgMax": {"axis": 0, "keepdims": 1}, "ArgMin": {"axis": 0, "keepdims": 1},
             "Softmax": {"axis": 1}, "LogSoftmax": {"axis": 1}, "Hardmax": {"axis": 1},
             "Resize": {"mode": "nearest"}, "Upsample": {"mode": "nearest"},
             "Gather": {"axis": 0}, "Split": {"axis": 0}, "Flatten": {"axis": 1}}
_LAST_AXIS_FROM_OPSET_13 = {"Softmax", "LogSoftmax", "Hardmax"}  # their default axis became -1


def _attributes(node: OnnxNode, model: OnnxModel) -> dict[str, Any]:
    defaults = dict(_DEFAULTS.get(node.op_type, {}))
    if node.op_type in _LAST_AXIS_FROM_OPSET_13 and model.opsets.get("", 11) >= 13:
        defaults["axis"] = -1
    return {**defaults, **node.attrs}


# Two-input elementwise ops: the limits speak of the feature map and how the other input meets it.
_ELEMENTWISE = {"Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Equal", "Greater", "Less"}


def node_facts(node: OnnxNode, model: OnnxModel) -> dict[str, Any]:
    shapes = [model.shapes.get(i) if i else None for i in node.inputs]
    if node.op_type in _ELEMENTWISE and len(node.inputs) == 2 and node.inputs[0] in model.constant_values \
            and node.inputs[1] not in model.constant_values:
        shapes = shapes[::-1]  # Add(bias, x) as torch exports a Linear: the feature map is the one judged
    first = shapes[0] if shapes else None
    out = model.shapes.get(node.outputs[0]) if node.outputs else None
    facts: dict[str, Any] = {"input_count": len([i for i in node.inputs if i]),
                             "const_inputs": sum(1 for i in node.inputs if i and i in model.constant_values)}
    if first is not None:
        facts.update(rank=len(first), max_dim=max(first, default=1), first_dim=first[0] if first else 1)
        if len(first) == 4:
            facts.update(N=first[0], C=first[1], H=first[2], W=first[3])
    if out is not None:
        facts["out_rank"] = len(out)
        if len(out) == 4:
            facts["out_C"] = out[1]
    maps = [s for i, s in zip(node.inputs, shapes) if s is not None and len(s) == 4 and i not in model.constant_values]
    maps += [s for s in (model.shapes.get(o) for o in node.outputs if o) if s is not None and len(s) == 4]
    if maps:  # the general limits, over every 4-D feature map the node reads or writes
        facts.update(tensor_n_max=max(s[0] for s in maps), tensor_chw_max=max(max(s[1:]) for s in maps),
                     tensor_elements_max=max(s[0] * s[1] * s[2] * s[3] for s in maps))
    a = _attributes(node, model)
    if "kernel_shape" in a or node.op_type in ("Conv", "ConvTranspose"):
        kernel = a.get("kernel_shape")
        if kernel is None and len(shapes) > 1 and shapes[1] is not None:
            kernel = shapes[1][2:]
        facts["kernel_h"], facts["kernel_w"] = _pairs(kernel, 1)
        facts["stride_h"], facts["stride_w"] = _pairs(a.get("strides"), 1)
        facts["dilation_h"], facts["dilation_w"] = _pairs(a.get("dilations"), 1)
        spatial = len(kernel) if kernel is not None else max(len(first) - 2, 2) if first else 2
        pads = list(a.get("pads") or [0] * (2 * spatial))
        half = len(pads) // 2
        begin, end = pads[:half], pads[half:]
        both = [max(x, y) for x, y in zip(begin, end)] or [0]
        facts["pad_h"], facts["pad_w"] = _pairs(both, 0)
        if len(both) == 3:  # 3-D (conv3d): D, H, W
            facts["pad_d"] = both[0]
            facts["dilation_d"] = int((a.get("dilations") or [1])[0])
            if kernel is not None and len(kernel) == 3:
                facts["kernel_d"] = int(kernel[0])
    if node.op_type in ("Conv", "ConvTranspose") and len(shapes) > 1 and shapes[1] is not None:
        weight = shapes[1]
        group = int(a.get("group", 1))
        facts["group"] = group
        facts["in_channels"] = first[1] if first and len(first) > 1 else weight[1] * group
        facts["out_channels"] = weight[0] if node.op_type == "Conv" else weight[1] * group
        size = 1
        for d in weight[1:]:
            size *= d
        facts["weight_size"] = size
    if node.op_type == "Conv" and first is not None and len(first) == 5:
        facts.update(_conv3d_sizes("in", first))
        if out is not None and len(out) == 5:
            facts.update(_conv3d_sizes("out", out))
    if node.op_type == "ConvTranspose" and "weight_size" in facts:
        # its weight is C_in x C_out/groups x kH x kW: one filter reads C_in/groups channels
        facts["weight_size"] = facts["in_channels"] // facts["group"] * facts["kernel_h"] * facts["kernel_w"]
        facts["out_pad_h"], facts["out_pad_w"] = _pairs(a.get("output_padding"), 0)
        taps_h = (facts["kernel_h"] - 1 + facts["pad_h"] % facts["stride_h"]) // facts["stride_h"] + 1
        taps_w = (facts["kernel_w"] - 1 + facts["pad_w"] % facts["stride_w"]) // facts["stride_w"] + 1
        facts["phase_kernel_size"] = taps_h * taps_w * (facts["in_channels"] // facts["group"])
    if node.op_type == "Gemm" and len(shapes) > 1 and shapes[1] is not None:
        k, n = shapes[1] if not a.get("transB") else shapes[1][::-1]
        facts.update(in_channels=k, out_channels=n, kernel_h=1, kernel_w=1, weight_size=k)
    if "axis" in a and first is not None:
        facts["axis"] = int(a["axis"]) % max(len(first), 1)
    if "axes" in a or node.op_type.startswith("Reduce"):
        axes = a.get("axes")
        if axes is None and len(node.inputs) > 1 and node.inputs[1] in model.constants:
            axes = model.constants[node.inputs[1]]
        if axes is None and first is not None and node.op_type.startswith("Reduce") and \
                (len(node.inputs) < 2 or not node.inputs[1]):
            axes = list(range(len(first)))  # no axes: ONNX reduces over every dim
        if axes is not None and first is not None:
            axes = [int(x) % len(first) for x in axes]
            facts["axes_count"] = len(axes)
            facts["reduces_hw"] = sorted(axes) == [2, 3]
            if len(axes) == 1:
                facts["axis"] = axes[0]
                facts["reduce_size"] = first[axes[0]]
        elif first is not None and node.op_type.startswith("Reduce"):
            facts["axes_count"] = len(first)
        facts["keepdims"] = int(a.get("keepdims", 1))
    if "mode" in a:
        mode = a["mode"]
        facts["mode"] = mode.decode() if isinstance(mode, bytes) else str(mode)
    if node.op_type == "Resize" and first is not None and out is not None and len(first) == 4 == len(out):
        facts["scale_h"] = out[2] / first[2]
        facts["scale_w"] = out[3] / first[3]
        facts["resizes_nc"] = tuple(out[:2]) != tuple(first[:2])
    if node.op_type == "MatMul" and len(shapes) > 1 and first is not None and shapes[1] is not None:
        b = shapes[1]
        facts.update(a_rank=len(first), b_rank=len(b), mk_max=max(list(first[-2:]) + list(b[-2:])),
                     batch_max=max(list(first[:-2]) + list(b[:-2]) or [1]))
        if len(first) == len(b):
            facts["matmul_broadcast_ok"] = _matmul_broadcast_ok(tuple(first[:-2]), tuple(b[:-2]))
        constant = [i in model.constant_values for i in node.inputs[:2]]
        facts["matmul_x3_listed"] = _x3_matmul_listed(tuple(first), tuple(b), *constant)
    if node.op_type == "Split" and first:
        lengths = [s[facts["axis"]] for s in (model.shapes.get(o) for o in node.outputs if o) if s is not None]
        if lengths and all(lengths):
            facts["split_divides"] = all(first[facts["axis"]] % n == 0 for n in lengths)
    if node.op_type == "TopK":
        facts["sorted"] = int(a.get("sorted", 1))
    if first is not None and len(first) == 4:
        _, c, h, w = first
        facts["aligned_8w4c"] = h * -(-w // 8) * 8 * -(-c // 4) * 4
        facts["aligned_32c"] = h * w * -(-c // 32) * 32
    if len(shapes) > 1 and shapes[1] is not None:
        count = 1
        for d in shapes[1]:
            count *= d
        facts["second_numel"] = count
    if first is not None and out is not None and len(out) >= len(first):
        padded = (1,) * (len(out) - len(first)) + tuple(first)
        facts["changed_dims"] = sum(1 for i, o in zip(padded, out) if i != o)
    if node.op_type == "GatherElements" and first and len(shapes) > 1 and shapes[1] is not None \
            and len(shapes[1]) == len(first):
        axis = int(a.get("axis", 0)) % len(first)
        facts["indices_fit"] = all(i <= d for k, (i, d) in enumerate(zip(shapes[1], first)) if k != axis)
    if node.op_type == "Conv" and node.outputs:  # a residual Add reading it is fused into the conv
        facts["followed_by_add"] = any(n.op_type == "Add" and node.outputs[0] in n.inputs for n in model.nodes)
    if node.op_type == "Gather" and len(node.inputs) > 1 and node.inputs[1] not in model.constant_values:
        facts["feature_indices_int64"] = model.dtypes.get(node.inputs[1]) == "int64"
    elif node.op_type == "Gather":
        facts["feature_indices_int64"] = False  # constant indices may be int32 or int64
    facts["is_model_output"] = any(o in model.outputs for o in node.outputs if o)
    if node.op_type == "Resize":  # opset 11's default
        mode = a.get("coordinate_transformation_mode", "half_pixel")
        facts["coordinate_mode"] = mode.decode() if isinstance(mode, bytes) else str(mode)
        facts.update(_crop_roi(node, model, first))
    if node.op_type == "GridSample":  # the toolchain's custom op; torch's defaults
        facts.setdefault("mode", "bilinear")
        padding = a.get("padding_mode", "zeros")
        facts["padding_mode"] = padding.decode() if isinstance(padding, bytes) else str(padding)
    if "blocksize" in a:
        facts["blocksize"] = int(a["blocksize"])
    if node.op_type == "Pad" and first is not None:
        pads = a.get("pads")
        if pads is None and len(node.inputs) > 1 and node.inputs[1] in model.constants:
            pads = model.constants[node.inputs[1]]
        if pads is not None and len(pads) == 2 * len(first):
            facts["pads_hw_only"] = len(first) == 4 and not any(
                int(p) for k, p in enumerate(pads) if k % len(first) not in (2, 3))
    if node.op_type in ("LSTM", "GRU", "RNN") and first is not None and len(first) == 3:
        facts["seq_batch"] = first[0 if a.get("layout") else 1]  # X is [seq, batch, size] (layout 0)
    if first is not None and len(first) > 1:
        facts["rest_max"] = max(first[1:])
    if len(shapes) > 1 and first is not None and shapes[1] is not None:
        facts.update(_broadcast(tuple(first), tuple(shapes[1])))
    if len(shapes) > 1 and first is not None and shapes[1] is not None and max(len(first), len(shapes[1])) > 0:
        rank = max(len(first), len(shapes[1]))  # ranks right-aligned: the lower one gets leading 1s
        facts["broadcast_first"] = ((1,) * (rank - len(first)) + tuple(first))[0] != \
            ((1,) * (rank - len(shapes[1])) + tuple(shapes[1]))[0]
    elif len(shapes) > 1:
        facts["broadcast_first"] = False
    return facts


def _broadcast(a: tuple, b: tuple) -> dict[str, Any]:
    """How two inputs broadcast (ranks right-aligned): `mutual_broadcast` when each input is
    stretched along some dimension; `broadcast_kind` "same", "channel" (one input N x C x 1 x 1
    against N x C x H x W), "scalar" (one element) or "other"."""
    rank = max(len(a), len(b))
    a, b = (1,) * (rank - len(a)) + a, (1,) * (rank - len(b)) + b
    a_stretched = any(x == 1 != y for x, y in zip(a, b))
    b_stretched = any(y == 1 != x for x, y in zip(a, b))
    big, small = (a, b) if b_stretched or not a_stretched else (b, a)
    if a == b:
        kind = "same"
    elif all(d == 1 for d in small):
        kind = "scalar"
    elif rank == 4 and small == (big[0], big[1], 1, 1):
        kind = "channel"
    else:
        kind = "other"
    return {"mutual_broadcast": a_stretched and b_stretched, "broadcast_kind": kind,
            "merged_rank": _merged_rank(a, b, merge_broadcast=True),
            "merged_rank_strict": _merged_rank(a, b, merge_broadcast=False)}


def _merged_rank(a: tuple, b: tuple, merge_broadcast: bool) -> int:
    """The rank two broadcasting inputs reduce to when adjacent dimensions are merged. Each
    dimension is plain (equal sizes) or broadcast in input a or in input b; adjacent plain ones
    merge, and so do adjacent ones broadcast in the same input when `merge_broadcast` (the X5
    rule, which also drops the dims where the output is 1; Ultra merges plain dims only)."""
    kinds = []
    for x, y in zip(a, b):
        if merge_broadcast and max(x, y) == 1:
            continue
        kinds.append("plain" if x == y else "a" if x == 1 else "b")
    runs = [k for i, k in enumerate(kinds) if i == 0 or k != kinds[i - 1] or (k != "plain" and not merge_broadcast)]
    return len(runs)


def _matmul_broadcast_ok(a: tuple, b: tuple) -> bool:
    """MatMul's dims above the two lowest: a dimension is broadcast in the input whose size is 1
    against a larger one (equal sizes are not broadcast). A may not mix broadcast and
    not-broadcast dims; in B the not-broadcast ones must be the highest, in one run."""
    a_broadcast = [x == 1 != y for x, y in zip(a, b)]
    b_broadcast = [y == 1 != x for x, y in zip(a, b)]
    a_uniform = len(set(a_broadcast)) <= 1
    b_prefix = all(b_broadcast[i] for i in range(len(b_broadcast)) if any(b_broadcast[:i]))
    return a_uniform and b_prefix


def _x3_matmul_listed(a: tuple, b: tuple, a_constant: bool, b_constant: bool) -> bool:
    """The X3 list's MatMul shape patterns (M, K, N any size; B and A the batch dims)."""
    ones = lambda shape, count: all(d == 1 for d in shape[:count])  # noqa: E731
    b_batch_1x = len(b) == 3 and ones(b, 1)  # 1 x K x N
    b_batch_11x = len(b) == 4 and ones(b, 2)  # 1 x 1 x K x N
    if a_constant or b_constant:
        if a_constant:  # weight x feature: 1 x B x M x K against 1 x 1 x K x N, B > 1
            return len(a) == 4 and a[0] == 1 and a[1] > 1 and b_batch_11x
        if len(a) == 1:
            return len(b) == 2 or b_batch_1x or b_batch_11x
        if len(a) == 2:
            return len(b) in (1, 2) or b_batch_11x
        if len(a) == 3:
            return len(b) == 2 or (a[0] == 1 and (len(b) == 1 or b_batch_1x))
        if len(a) == 4:
            if ones(a, 2) and (len(b) == 1 or b_batch_1x or b_batch_11x):
                return True
            return len(b) == 2 and (a[0] == 1 or a[1] > 1)
        return False
    return len(a) == 4 and a[0] == 1 and b_batch_11x  # two feature maps: 1 x B x M x K against 1 x 1 x K x N


def _crop_roi(node: OnnxNode, model: OnnxModel, first) -> dict[str, Any]:
    """Resize's roi (input 1: starts then ends per axis, in normalized coordinates), as the lists'
    tf_crop_and_resize limits read it: a constant, cropping H and W only, whose borders
    start x (size - 1) and end x (size - 1) land on whole pixels."""
    roi = node.inputs[1] if len(node.inputs) > 1 else ""
    if not roi:
        return {"roi_constant": False}
    if roi not in model.constant_values:
        return {"roi_constant": False}
    values = model.constants.get(roi)
    found: dict[str, Any] = {"roi_constant": True}
    if values is None or first is None or len(values) != 2 * len(first) or len(first) != 4:
        return found  # too large to keep inline, or no shape: the borders stay unknown
    starts, ends = values[:4], values[4:]
    found["roi_hw_only"] = all(float(starts[i]) == 0 and float(ends[i]) == 1 for i in (0, 1))
    borders = [float(v) * (first[axis] - 1) for axis in (2, 3) for v in (starts[axis], ends[axis])]
    found["roi_whole_borders"] = all(abs(b - round(b)) < 1e-6 for b in borders)
    return found


def _conv3d_sizes(which: str, shape) -> dict[str, int]:
    """The X5 conv3d row's size limits over one N x C x D x H x W map: its elements, and where
    D x C > 4096 its H x alignCeil(W, 256) x D x C (0 otherwise: that limit does not apply)."""
    n, c, d, h, w = shape
    aligned = h * (-(-w // 256) * 256) * d * c if d * c > 4096 else 0
    return {f"conv3d_{which}_elements": n * c * d * h * w, f"conv3d_{which}_aligned": aligned}
