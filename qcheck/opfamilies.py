"""Families of captured op names that the code reads facts and costs by, each written once.

A family here is a set of `Node.op` names (namespace and overload dropped: "aten::conv2d.padding"
is "conv2d") that several stages treat alike: every convolution gets the convolution facts, the
fusion facts and a convolution's cost. Where a family comes with a per-op value (a convolution's
spatial dims, a resize's or a padding's mode), that mapping is the definition and the set is
derived from it, so an op added to one cannot be missing from the other.

What lives elsewhere, and why:
- Which table row an op is judged as, and which ops are structural, is knowledge about the
  vendor's table: rules/*.yaml (`match.ops`, `structural:`). The fake-quant ops are such data
  too (`fake_quant:` in rules/structural.yaml, RuleSet.fake_quant): they are structural, and the
  dtypes stage reads their integer range; it records which nodes are fake-quants
  (Assignment.fake_quant_nodes) for the facts that look through them.
- The kinds of Value that hold weights rather than activations are the IR's vocabulary:
  qcheck.graph.WEIGHT_KINDS.
- ONNX op types are another vocabulary (qcheck/onnx).

No torch here: the ONNX path and the CLI's light paths may import it.
"""

from __future__ import annotations

# Convolutions named by their spatial dims (aten and quantized, fused variants included).
CONV_DIMS = {"conv1d": 1, "conv2d": 2, "conv3d": 3, "conv_transpose1d": 1, "conv_transpose2d": 2,
             "conv_transpose3d": 3, "conv1d_relu": 1, "conv2d_relu": 2, "conv3d_relu": 3, "conv2d_add": 2,
             "conv2d_add_relu": 2, "conv_transpose2d_relu": 2}
# Convolutions whose name does not tell the dims (the weight's rank does).
GENERIC_CONVS = frozenset({"_convolution", "convolution", "_convolution_mode"})
CONVS = frozenset(CONV_DIMS) | GENERIC_CONVS
# quantized::conv2d_add(_relu): the add of a "sumin" convolution is already fused into it.
FUSED_SUMIN_CONVS = frozenset({"conv2d_add", "conv2d_add_relu"})

# Linear layers (aten::linear, aten::addmm as traced, a converted model's quantized ones).
LINEARS = frozenset({"linear", "addmm", "linear_dynamic", "linear_relu"})

# Pooling windows by their spatial dims.
POOL_DIMS = {"max_pool1d": 1, "avg_pool1d": 1, "max_pool2d": 2, "avg_pool2d": 2, "max_pool2d_with_indices": 2,
             "quantized_max_pool2d": 2, "max_pool3d": 3, "avg_pool3d": 3}
POOLS = frozenset(POOL_DIMS)

# Resizes by the interpolation mode they stand for (F.interpolate's names).
RESIZE_MODES = {"upsample_nearest1d": "nearest", "upsample_nearest2d": "nearest", "upsample_nearest3d": "nearest",
                "_upsample_nearest_exact1d": "nearest-exact", "_upsample_nearest_exact2d": "nearest-exact",
                "_upsample_nearest_exact3d": "nearest-exact", "upsample_linear1d": "linear",
                "upsample_bilinear2d": "bilinear", "upsample_trilinear3d": "trilinear",
                "upsample_bicubic2d": "bicubic", "_upsample_bilinear2d_aa": "bilinear-antialias",
                "_upsample_bicubic2d_aa": "bicubic-antialias"}
RESIZES = frozenset(RESIZE_MODES)

# Paddings by the mode they stand for (F.pad's names). aten::pad carries its mode as an argument,
# aten::_pad_enum as PAD_ENUM's number.
PAD_MODES = {"constant_pad_nd": "constant", "zero_pad2d": "constant", "reflection_pad1d": "reflect",
             "reflection_pad2d": "reflect", "reflection_pad3d": "reflect", "replication_pad1d": "replicate",
             "replication_pad2d": "replicate", "replication_pad3d": "replicate", "_pad_circular": "circular"}
PAD_ENUM = {0: "constant", 1: "reflect", 2: "replicate", 3: "circular"}
PADS = frozenset({"pad", "_pad_enum", *PAD_MODES})

# Concatenations (aten, and a converted model's quantized ones, which name their list `qx`).
CATS = frozenset({"cat", "concat", "concatenate", "cat_relu", "cat_out", "cat_relu_out"})

# Namespaces of nodes that only hand a value on: python::getitem unpacking a tuple, TorchScript's
# prim::TupleConstruct / ListUnpack building or splitting the model's output tuple.
PASS_THROUGH_NAMESPACES = ("python", "prim")
LIST_UNPACK = "prim::ListUnpack"


def passes_value_on(node) -> bool:
    """True for a node that only unpacks or packs values (what reaches a model output through it
    is still only a model output)."""
    return node.namespace in PASS_THROUGH_NAMESPACES
