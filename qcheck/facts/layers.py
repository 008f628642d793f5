"""Facts of op families: convolution, pooling, linear, resize, reductions, layout, attention."""

from __future__ import annotations

from typing import Any

from qcheck.facts import LayerView, extractor, fact, pair, producers_of
from qcheck.graph import Ref
from qcheck.opfamilies import CATS, CONVS, LINEARS, PAD_ENUM, PAD_MODES, PADS, POOLS, RESIZE_MODES

fact("in_channels", "input channels (C of the input; in_features for linear layers)")
fact("out_channels", "output channels (C of the output; out_features for linear layers)")
fact("in_features", "input features of a linear layer (last dim of its input)")
fact("out_features", "output features of a linear layer")
for _axis in ("d", "h", "w"):
    fact(f"kernel_{_axis}", f"kernel size along {_axis.upper()} (convolution weight or pooling window)")
    fact(f"stride_{_axis}", f"stride along {_axis.upper()}")
    fact(f"padding_{_axis}", f"padding along {_axis.upper()} (one side)")
    fact(f"dilation_{_axis}", f"dilation along {_axis.upper()}")
    fact(f"output_padding_{_axis}", f"output padding along {_axis.upper()} of a transposed convolution")
fact("groups", "convolution groups")
fact("transposed", "true for a transposed convolution")
fact("has_bias", "true when the layer has a bias tensor")
for _dim in "NCHW":
    fact(f"weight_{_dim}", f"{_dim} of the weight, read as [N, C, H, W] (N = output channels for a conv)")
fact("weight_D", "D of a 5-D convolution weight [N, C, D, H, W]")
fact("weight_numel", "number of elements of the weight")
fact("weight_size", "elements of one filter of the weight, C x H x W (the table's weight_size)")
fact("follows_conv", "true when the first input comes straight from a convolution (BatchNorm is absorbed)")
fact("max_input_chw", "the largest C x H x W among the 4-D inputs")
fact("ceil_mode", "ceil_mode of a pooling layer")
fact("mode", "interpolation, padding or sampling mode ('nearest', 'bilinear', 'reflect', ...)")
fact("padding_mode", "padding mode of grid_sample ('zeros', 'border', 'reflection')")
fact("align_corners", "align_corners of interpolate / grid_sample (None when not given)")
fact("scale_h", "output H / input H of a resize")
fact("scale_w", "output W / input W of a resize")
fact("dims", "dimensions a reduction, transpose or permute touches, as a sorted tuple (N = 0)")
fact("keepdim", "keepdim of a reduction")
fact("dim", "the dim argument (softmax, cat, split ...), made non-negative")
fact("num_tensors", "number of tensors concatenated by cat")
fact("normalized_shape", "normalized_shape of a layer norm, as a tuple")
fact("normalized_numel", "product of normalized_shape of a layer norm")
fact("embed_dim", "embed_dim of MultiheadAttention")
fact("kdim", "key dim of MultiheadAttention")
fact("vdim", "value dim of MultiheadAttention")
fact("num_heads", "num_heads of MultiheadAttention")
fact("add_bias_kv", "add_bias_kv of MultiheadAttention")
fact("add_zero_attn", "add_zero_attn of MultiheadAttention")
fact("grid_H", "H of grid_sample's grid [N, H, W, 2]")
fact("grid_W", "W of grid_sample's grid [N, H, W, 2]")
fact("input_size", "input size of an LSTMCell")
fact("hidden_size", "hidden size of an LSTMCell")


_SPATIAL_KEYS: dict[str, tuple[str, str, str]] = {}  # "stride" -> ("stride_d", "stride_h", "stride_w")


def _spatial(values: list[int] | None, name: str, facts: dict[str, Any]) -> None:
    if not values or len(values) > 3:
        return
    keys = _SPATIAL_KEYS.get(name)
    if keys is None:
        keys = _SPATIAL_KEYS[name] = (f"{name}_d", f"{name}_h", f"{name}_w")
    for key, value in zip(keys[-len(values):], values):  # the last axes: [h, w] for 2-D
        facts[key] = value


_WEIGHT_FACTS = ("weight_numel", "weight_size", "weight_N", "weight_C", "weight_H", "weight_W", "weight_D")


def _axes(*names: str) -> tuple[str, ...]:
    return tuple(f"{name}_{axis}" for name in names for axis in "dhw")


@extractor(ops=CONVS, needs=("C", "out_C"),
           provides=("transposed", "groups", "has_bias", "out_channels", "in_channels", *_WEIGHT_FACTS,
                     *_axes("stride", "padding", "dilation", "output_padding", "kernel")))
def convolution(view: LayerView, facts: dict[str, Any]) -> None:
    node = view.node
    if view.op not in CONVS:
        return
    transposed = bool(node.args.get("transposed", False)) or view.op.startswith("conv_transpose")
    facts["transposed"] = transposed
    weight = view.shape(node.args.get("weight"))
    spatial = len(weight) - 2 if weight else 2
    for name in ("stride", "padding", "dilation", "output_padding"):
        _spatial(pair(node.args.get(name), spatial), name, facts)
    if node.args.get("groups") is not None:
        facts["groups"] = node.args["groups"]
    facts["has_bias"] = isinstance(node.args.get("bias"), Ref)
    if weight:
        _weight_facts(weight, facts)
        _spatial(list(weight[2:]), "kernel", facts)
        groups = facts.get("groups", 1) or 1
        facts["out_channels"] = weight[1] * groups if transposed else weight[0]
        facts["in_channels"] = weight[0] if transposed else weight[1] * groups
    elif "C" in facts:
        facts["in_channels"] = facts["C"]
        if "out_C" in facts:
            facts["out_channels"] = facts["out_C"]


def _weight_facts(weight: tuple[int, ...], facts: dict[str, Any]) -> None:
    numel = 1
    for d in weight:
        numel *= d
    facts["weight_numel"] = numel
    facts["weight_size"] = numel // weight[0] if weight and weight[0] else numel
    if len(weight) >= 2:
        facts["weight_N"], facts["weight_C"] = weight[0], weight[1]
    if len(weight) == 4:
        facts["weight_H"], facts["weight_W"] = weight[2], weight[3]
    if len(weight) == 5:
        facts["weight_D"], facts["weight_H"], facts["weight_W"] = weight[2], weight[3], weight[4]


@extractor(ops=POOLS, provides=("ceil_mode", *_axes("kernel", "stride", "padding", "dilation")))
def pooling(view: LayerView, facts: dict[str, Any]) -> None:
    node = view.node
    if node.op not in POOLS:
        return
    kernel = pair(node.args.get("kernel_size"))
    stride = pair(node.args.get("stride")) or kernel  # torch: stride defaults to the kernel
    _spatial(kernel, "kernel", facts)
    _spatial(stride, "stride", facts)
    _spatial(pair(node.args.get("padding")), "padding", facts)
    _spatial(pair(node.args.get("dilation")), "dilation", facts)
    if "ceil_mode" in node.args:
        facts["ceil_mode"] = bool(node.args["ceil_mode"])


@extractor(ops=LINEARS,
           provides=("in_features", "out_features", "in_channels", "out_channels", "has_bias", *_WEIGHT_FACTS))
def linear(view: LayerView, facts: dict[str, Any]) -> None:
    node = view.node
    if node.op not in LINEARS:
        return
    weight = view.shape(node.args.get("weight") if "weight" in node.args else node.args.get("mat2"))
    if weight and len(weight) == 2:
        out_features, in_features = weight if node.op != "addmm" else (weight[1], weight[0])
        facts.update(in_features=in_features, out_features=out_features,
                     in_channels=in_features, out_channels=out_features)
        _weight_facts(weight, facts)
    elif view.inputs and view.inputs[0].shape and view.outputs and view.outputs[0].shape:
        facts["in_features"] = facts["in_channels"] = view.inputs[0].shape[-1]
        facts["out_features"] = facts["out_channels"] = view.outputs[0].shape[-1]
    facts["has_bias"] = isinstance(node.args.get("bias"), Ref)


@extractor(ops=RESIZE_MODES, provides=("mode", "align_corners", "scale_h", "scale_w"))
def resize(view: LayerView, facts: dict[str, Any]) -> None:
    node = view.node
    mode = RESIZE_MODES.get(node.op)
    if mode is None:
        return
    facts["mode"] = mode
    if "align_corners" in node.args:
        facts["align_corners"] = node.args["align_corners"]
    inp = view.inputs[0].shape if view.inputs else None
    out = view.outputs[0].shape if view.outputs else None
    if inp and out and len(inp) == 4 and len(out) == 4:
        facts["scale_h"] = out[2] / inp[2]
        facts["scale_w"] = out[3] / inp[3]


@extractor(ops=PADS, provides=("mode",))
def padding(view: LayerView, facts: dict[str, Any]) -> None:
    node = view.node
    if node.op == "pad":
        facts["mode"] = node.args.get("mode") or "constant"
    elif node.op in PAD_MODES:
        facts["mode"] = PAD_MODES[node.op]
    elif node.op == "_pad_enum" and node.args.get("mode") in PAD_ENUM:
        facts["mode"] = PAD_ENUM[node.args["mode"]]


def _normalize(dims: Any, rank: int | None) -> tuple[int, ...] | None:
    if rank is None:
        return None
    if dims is None or dims == []:
        return tuple(range(rank))
    values = [dims] if isinstance(dims, int) else list(dims)
    if not all(isinstance(d, int) for d in values):
        return None
    return tuple(sorted({d % rank if rank else d for d in values}))


@extractor(provides=("dims", "keepdim", "dim", "num_tensors"), needs=("rank",))
def dimensions(view: LayerView, facts: dict[str, Any]) -> None:
    node = view.node
    op = view.op
    rank = facts.get("rank")
    if op in ("mean", "sum", "amax", "amin", "max", "min", "argmax", "argmin", "std", "var", "prod"):
        dims = node.args.get("dim")
        if "dim" in node.args or op in ("mean", "sum"):
            normalized = _normalize(dims, rank)
            if normalized is not None:
                facts["dims"] = normalized
        if "keepdim" in node.args:
            facts["keepdim"] = bool(node.args["keepdim"])
    elif op in ("transpose", "swapaxes", "t"):
        if op == "t":
            facts["dims"] = (0, 1)
        else:
            normalized = _normalize([node.args.get("dim0"), node.args.get("dim1")], rank)
            if normalized is not None:
                facts["dims"] = normalized
    elif op == "permute":
        order = node.args.get("dims")
        if isinstance(order, list) and rank:
            facts["dims"] = tuple(i for i, d in enumerate(order) if d % rank != i)
    if isinstance(node.args.get("dim"), int) and rank:
        facts["dim"] = node.args["dim"] % rank
    if op in CATS or op == "stack":
        tensors = node.args.get("tensors", node.args.get("qx"))
        if isinstance(tensors, list):
            facts["num_tensors"] = len(tensors)


@extractor(ops=("layer_norm",), provides=("normalized_shape", "normalized_numel"))
def normalization(view: LayerView, facts: dict[str, Any]) -> None:
    node = view.node
    shape = node.args.get("normalized_shape")
    if node.op == "layer_norm" and isinstance(shape, list) and all(isinstance(d, int) for d in shape):
        facts["normalized_shape"] = tuple(shape)
        numel = 1
        for d in shape:
            numel *= d
        facts["normalized_numel"] = numel


@extractor(ops=("grid_sampler", "grid_sampler_2d"),
           provides=("mode", "padding_mode", "align_corners", "grid_H", "grid_W"))
def grid_sample(view: LayerView, facts: dict[str, Any]) -> None:
    node = view.node
    if node.op != "grid_sampler" and node.op != "grid_sampler_2d":
        return
    modes = {0: "bilinear", 1: "nearest", 2: "bicubic"}
    paddings = {0: "zeros", 1: "border", 2: "reflection"}
    facts["mode"] = modes.get(node.args.get("interpolation_mode"))
    facts["padding_mode"] = paddings.get(node.args.get("padding_mode"))
    facts["align_corners"] = node.args.get("align_corners")
    grid = view.shape(node.args.get("grid"))
    if grid and len(grid) == 4:
        facts["grid_H"], facts["grid_W"] = grid[1], grid[2]
    for key in ("mode", "padding_mode"):
        if facts.get(key) is None:
            facts.pop(key, None)


_MODULE_FACTS = {
    "MultiheadAttention": ("embed_dim", "kdim", "vdim", "num_heads", "add_zero_attn", "add_bias_kv"),
    "LSTMCell": ("input_size", "hidden_size"),
}


@extractor(provides=tuple({name for names in _MODULE_FACTS.values() for name in names}))
def module_attributes(view: LayerView, facts: dict[str, Any]) -> None:
    """Facts only the module knows (eager captures keep module attributes)."""
    layer = view.layer
    wanted = _MODULE_FACTS.get(layer.module_type or "")
    attrs = view.graph.module_attrs.get(layer.module_path or "", {})
    if not wanted or not attrs:
        return
    for key in wanted:
        if key == "add_bias_kv":
            if "bias_k" in attrs:
                facts["add_bias_kv"] = bool(attrs["bias_k"])
        elif attrs.get(key) is not None:
            facts[key] = attrs[key]


@extractor(provides=("max_input_chw", "follows_conv"))
def neighbours(view: LayerView, facts: dict[str, Any]) -> None:
    chws = [v.shape[1] * v.shape[2] * v.shape[3] for v in view.inputs if v.shape and len(v.shape) == 4]
    if chws:
        facts["max_input_chw"] = max(chws)
    if view.inputs:
        producers = producers_of(view.graph)  # built once per graph
        producer = producers.get(view.inputs[0].name)
        op = producer.op if producer is not None else None
        # Look through QAT fake-quants (the dtypes stage found them): conv -> fake-quant -> bn still folds.
        fake_quants = view.context.get("fake_quant_nodes", ())
        while producer is not None and producer.name in fake_quants and producer.refs:
            producer = producers.get(producer.refs[0])
            op = producer.op if producer is not None else None
        facts["follows_conv"] = producer is not None and op in CONVS

