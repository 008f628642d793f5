"""ONNX probes: one-node models built with onnx.helper, at a BPU limit (ok) and just past it.
They live outside tests/probes/, whose modules hold the torch probes that all_probes() collects.

Each probe names its march, the node and the complete set of findings its node must get."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np


@dataclass
class Probe:
    name: str
    march: str
    op: str
    input: tuple  # the model input's shape
    expect: set[str]  # every finding id of the node
    attrs: dict = field(default_factory=dict)
    weight: tuple | list | str | None = None  # second input: an initializer of this shape (a list: several), or its values
    run_on_bpu: bool = False
    twice: bool = False  # the node reads the model input twice (two feature-map inputs)
    general: bool = False  # it sits at the general limits (rows "*"): any BPU op stands for them
    outputs: int = 1  # the node's outputs (Split parts, TopK's values and indices)
    then: str | None = None  # an op reading the node's first output (Add: twice): the node is then not last
    before: list = field(default_factory=list)  # (op, attrs) nodes computing the second input from the model input
    domain: str = ""  # the node's op domain (a custom op: GridSample as the toolchain exports it)
    # ids of `expect` whose unsettled cell the node breaks under some readings only: info findings,
    # the node stays on the BPU (qcheck.readings)
    some: set[str] = field(default_factory=set)
    weight_first: bool = False  # the initializer is the node's first input: Add(bias, x), as torch exports a Linear


def conv(name, march, channels, kernel, expect, group=1, stride=1, dilation=1, pad=0, hw=32, out=8, then=None):
    return Probe(name, march, "Conv", (1, channels, hw, hw), expect, weight=(out, channels // group, *kernel),
                 attrs={"kernel_shape": list(kernel), "group": group, "strides": [stride, stride],
                        "dilations": [dilation, dilation], "pads": [pad] * 4}, then=then)


PROBES = [
    # a 1-D convolution (3-D input): the lists run it on the CPU
    Probe("x5_conv1d_past", "bayes_e", "Conv", (1, 4, 16), {"bayes_e.onnx.conv.rank"}, weight=(8, 4, 3),
          attrs={"kernel_shape": [3]}),
    conv("x5_conv_kernel_ok", "bayes_e", 8, (31, 31), set(), hw=64),
    conv("x5_conv_kernel_past", "bayes_e", 8, (32, 1), {"bayes_e.onnx.conv.kernel_size"}, hw=64),
    conv("x5_conv_weight_ok", "bayes_e", 1057, (31, 1), set(), hw=32),  # 1057 * 31 = 32767
    conv("x5_conv_weight_past", "bayes_e", 2048, (4, 4), {"bayes_e.onnx.conv.weight_size"}, hw=8),  # 32768
    conv("x5_conv_channels_ok", "bayes_e", 8192, (1, 1), set(), hw=2),
    conv("x5_conv_channels_past", "bayes_e", 8193, (1, 1), {"bayes_e.onnx.conv.channels"}, hw=2, then="Relu"),
    # "(one group)": a depthwise 8200-channel conv breaks the total reading only
    Probe("x5_conv_channels_some", "bayes_e", "Conv", (1, 8200, 2, 2), {"bayes_e.onnx.conv.channels"},
          weight=(8200, 1, 1, 1), attrs={"kernel_shape": [1, 1], "group": 8200}, then="Relu",
          some={"bayes_e.onnx.conv.channels"}),
    # the last op of a BPU subgraph (nothing on the BPU reads it) may have up to 65536 channels
    conv("x5_conv_channels_last_ok", "bayes_e", 4, (1, 1), set(), hw=2, out=65536),
    conv("x5_conv_channels_last_past", "bayes_e", 4, (1, 1),
         {"bayes_e.onnx.conv.channels", "bayes_e.onnx.general.dims"}, hw=2, out=65537),
    conv("x5_conv_stride_ok", "bayes_e", 4, (1, 1), set(), stride=256, hw=512),
    conv("x5_conv_stride_past", "bayes_e", 4, (1, 1), {"bayes_e.onnx.conv.stride"}, stride=257, hw=514),
    conv("x5_conv_dilation_ok", "bayes_e", 4, (3, 3), set(), dilation=16, hw=64),
    conv("x5_conv_dilation_past", "bayes_e", 4, (3, 3), {"bayes_e.onnx.conv.dilation"}, dilation=17, hw=68),
    conv("x5_conv_dilation_divides_ok", "bayes_e", 4, (3, 3), set(), dilation=3, hw=33),
    conv("x5_conv_dilation_divides_past", "bayes_e", 4, (3, 3), {"bayes_e.onnx.conv.dilation_divides_input"},
         dilation=3, hw=34),
    conv("x5_conv_dilated_stride_ok", "bayes_e", 4, (3, 3), set(), dilation=2, stride=1, hw=32),
    conv("x5_conv_dilated_stride_past", "bayes_e", 4, (3, 3), {"bayes_e.onnx.conv.dilation_stride"},
         dilation=2, stride=2, hw=32),
    conv("x5_conv_padding_ok", "bayes_e", 4, (3, 3), set(), pad=256, hw=8),
    conv("x5_conv_padding_past", "bayes_e", 4, (3, 3), {"bayes_e.onnx.conv.padding"}, pad=257, hw=8),
    *[Probe(f"x5_conv3d_{name}", "bayes_e", "Conv", (n, c, d, hw, hw), expect, weight=(4, c // group, *kernel),
            attrs={"kernel_shape": list(kernel), "strides": list(stride), "group": group, "dilations": [dil] * 3,
                   **({} if pad is None else {"pads": [pad] * 6})})
      for name, n, c, d, hw, kernel, stride, pad, group, dil, expect in [
          ("ok", 128, 2, 8, 64, (3, 31, 31), (1, 2, 2), 0, 1, 1, set()),
          ("input_past", 129, 2, 8, 8, (3, 3, 3), (1, 1, 1), 0, 1, 1, {"bayes_e.onnx.conv.conv3d_input"}),
          ("kernel_past", 1, 2, 8, 64, (3, 32, 3), (1, 1, 1), 0, 1, 1, {"bayes_e.onnx.conv.conv3d_kernel"}),
          ("padding_ok", 1, 2, 8, 8, (4, 3, 3), (1, 1, 1), 2, 1, 1, set()),
          ("padding_past", 1, 2, 8, 8, (3, 3, 3), (1, 1, 1), 2, 1, 1, {"bayes_e.onnx.conv.conv3d_padding"}),
          ("stride_past", 1, 2, 8, 8, (3, 3, 3), (1, 1, 2), 0, 1, 1, {"bayes_e.onnx.conv.conv3d_stride"}),
          ("group_past", 1, 4, 8, 8, (3, 3, 3), (1, 1, 1), 0, 2, 1, {"bayes_e.onnx.conv.conv3d_group_dilation"}),
          ("dilation_past", 1, 2, 8, 8, (3, 3, 3), (1, 1, 1), 0, 1, 2, {"bayes_e.onnx.conv.conv3d_group_dilation"}),
          ("depth_channels_ok", 1, 1024, 8, 4, (8, 1, 1), (1, 1, 1), 0, 1, 1, set()),
          # pads left out (all zero): the D limits are judged all the same
          ("no_pads_dilation_past", 1, 2, 8, 8, (3, 3, 3), (1, 1, 1), None, 1, 2,
           {"bayes_e.onnx.conv.conv3d_group_dilation"}),
          ("no_pads_kernel_past", 1, 2, 8, 64, (3, 32, 3), (1, 1, 1), None, 1, 1, {"bayes_e.onnx.conv.conv3d_kernel"}),
          ("depth_channels_past", 1, 1025, 8, 4, (8, 1, 1), (1, 1, 1), 0, 1, 1,
           {"bayes_e.onnx.conv.conv3d_depth_channels"})]],
    # conv3d size: 2^30 elements; with D x C > 4096, H x alignCeil(W, 256) x D x C below 2^30
    # (1023 x 256 x 4097 below, 1024 x 256 x 4097 above); on the input, or on input and output
    *[Probe(f"x5_conv3d_size_{name}", "bayes_e", "Conv", shape, {"bayes_e.onnx.conv.conv3d_size"} if mark else set(),
            weight=(out, shape[1], 1, 1, 1), attrs={"kernel_shape": [1, 1, 1]},
            some={"bayes_e.onnx.conv.conv3d_size"} if mark == "some" else set())
      for name, shape, out, mark in [
          ("ok", (1, 1, 16, 8192, 8192), 1, None), ("past", (1, 1, 17, 8192, 8192), 1, "all"),
          ("output_some", (1, 1, 16, 8192, 8192), 2, "some"),
          ("aligned_ok", (1, 4097, 1, 1023, 1), 1, None), ("aligned_past", (1, 4097, 1, 1024, 1), 1, "all"),
          ("aligned_output_some", (1, 4, 1, 1024, 1), 4097, "some")]],
    conv("x5_conv_shortcut_stride_ok", "bayes_e", 4, (3, 3), set(), stride=2, pad=1, then="Add"),
    conv("x5_conv_shortcut_stride_past", "bayes_e", 4, (3, 3), {"bayes_e.onnx.conv.shortcut_stride"}, stride=3,
         pad=1, then="Add"),
    conv("x5_conv_stride_no_add_ok", "bayes_e", 4, (3, 3), set(), stride=3, pad=1, then="Relu"),
    conv("ultra_conv_weight_ok", "bayes", 7281, (3, 3), set(), hw=4),  # 65529
    conv("ultra_conv_weight_past", "bayes", 7282, (3, 3), {"bayes.onnx.conv.weight_size"}, hw=4),  # 65538
    conv("x3_conv_kernel_ok", "bernoulli2", 4, (7, 7), set()),
    conv("x3_conv_kernel_past", "bernoulli2", 4, (8, 7), {"bernoulli2.onnx.conv.kernel_size"}),
    conv("x3_conv_weight_ok", "bernoulli2", 2048, (4, 4), set(), hw=8),  # 32768
    conv("x3_conv_weight_past", "bernoulli2", 2049, (4, 4), {"bernoulli2.onnx.conv.weight_size"}, hw=8),
    conv("x3_conv_channels_ok", "bernoulli2", 2048, (1, 1), set(), group=2, hw=4),
    # "(one group)": in total or per group; 2050 in two groups breaks the total reading only (the
    # node stays on the BPU with an info finding), 4098 in two groups breaks both
    Probe("x3_conv_channels_some", "bernoulli2", "Conv", (1, 2050, 4, 4), {"bernoulli2.onnx.conv.channels"},
          weight=(2050, 1025, 1, 1), attrs={"kernel_shape": [1, 1], "group": 2},
          some={"bernoulli2.onnx.conv.channels"}),
    conv("x3_conv_channels_past", "bernoulli2", 4098, (1, 1), {"bernoulli2.onnx.conv.channels"}, group=2, hw=4),
    Probe("x5_softmax_default_cpu", "bayes_e", "Softmax", (1, 2, 4, 8), {"bayes_e.onnx.softmax.cpu_default"},
          attrs={"axis": 3}),
    Probe("x5_softmax_on_bpu_ok", "bayes_e", "Softmax", (1, 2, 4, 8), set(), attrs={"axis": 3}, run_on_bpu=True),
    Probe("x5_softmax_on_bpu_past", "bayes_e", "Softmax", (1, 2, 4, 8), {"bayes_e.onnx.softmax.shape"},
          attrs={"axis": 2}, run_on_bpu=True),
    # attributes left at their ONNX defaults are judged as those defaults: Softmax axis 1 at opset 11
    Probe("x5_softmax_default_axis_on_bpu_past", "bayes_e", "Softmax", (1, 2, 4, 8), {"bayes_e.onnx.softmax.shape"},
          run_on_bpu=True),
    Probe("x3_softmax_default_axis_on_bpu_ok", "bernoulli2", "Softmax", (1, 2, 4, 8), set(), run_on_bpu=True),
    Probe("x3_softmax_default_cpu", "bernoulli2", "Softmax", (1, 2, 4, 8), {"bernoulli2.onnx.softmax.cpu_default"},
          attrs={"axis": 1}),
    Probe("x3_softmax_on_bpu_ok", "bernoulli2", "Softmax", (1, 2, 4, 8), set(), attrs={"axis": 1}, run_on_bpu=True),
    Probe("x3_softmax_on_bpu_axis_past", "bernoulli2", "Softmax", (1, 2, 4, 8), {"bernoulli2.onnx.softmax.shape"},
          attrs={"axis": 3}, run_on_bpu=True),
    Probe("x3_softmax_on_bpu_not_output_past", "bernoulli2", "Softmax", (1, 2, 4, 8),
          {"bernoulli2.onnx.softmax.shape"}, attrs={"axis": 1}, run_on_bpu=True, then="Relu"),
    Probe("x3_transpose_cpu", "bernoulli2", "Transpose", (1, 2, 4, 8), {"bernoulli2.onnx.transpose.cpu"},
          attrs={"perm": [0, 2, 3, 1]}),
    Probe("x5_transpose_bpu", "bayes_e", "Transpose", (1, 2, 4, 8), set(), attrs={"perm": [0, 2, 3, 1]}),
    Probe("x3_sub_cpu", "bernoulli2", "Sub", (1, 2, 4, 8), {"bernoulli2.onnx.sub.cpu"}, weight=(1, 2, 4, 8)),
    Probe("x5_maxpool_kernel_ok", "bayes_e", "MaxPool", (1, 2, 256, 256), set(), attrs={"kernel_shape": [256, 256]}),
    Probe("x5_maxpool_kernel_past", "bayes_e", "MaxPool", (1, 2, 257, 257), {"bayes_e.onnx.max_pool.kernel_size"},
          attrs={"kernel_shape": [257, 257]}),
    Probe("x5_avgpool_kernel_ok", "bayes_e", "AveragePool", (1, 2, 128, 128), set(), attrs={"kernel_shape": [64, 128]}),
    Probe("x5_avgpool_kernel_past", "bayes_e", "AveragePool", (1, 2, 128, 128),
          {"bayes_e.onnx.average_pool.kernel_size"}, attrs={"kernel_shape": [65, 128]}),
    Probe("x5_concat_axis_ok", "bayes_e", "Concat", (1, 2, 4, 4), set(), attrs={"axis": 1}, weight=(1, 2, 4, 4)),
    Probe("x5_concat_axis_past", "bayes_e", "Concat", (1, 2, 4, 4), {"bayes_e.onnx.concat.axis"}, attrs={"axis": 0},
          weight=(1, 2, 4, 4)),
    Probe("x5_reduce_keepdims_ok", "bayes_e", "ReduceMean", (1, 2, 4, 4), set(), attrs={"axes": [1], "keepdims": 1}),
    Probe("x5_reduce_keepdims_past", "bayes_e", "ReduceMean", (1, 2, 4, 4), {"bayes_e.onnx.reduce_mean.keepdims"},
          attrs={"axes": [1], "keepdims": 0}),
    # ReduceMean may reduce H and W of a 4-D input together (not two axes of a 5-D one)
    Probe("x5_reduce_mean_hw_ok", "bayes_e", "ReduceMean", (1, 2, 4, 4), set(), attrs={"axes": [2, 3], "keepdims": 1}),
    Probe("x5_reduce_mean_no_axes_past", "bayes_e", "ReduceMean", (1, 2, 4, 4), {"bayes_e.onnx.reduce_mean.axes"}),
    Probe("x5_reduce_mean_hw_past", "bayes_e", "ReduceMean", (1, 2, 4, 4, 4), {"bayes_e.onnx.reduce_mean.axes"},
          attrs={"axes": [2, 3], "keepdims": 1}),
    Probe("x5_reduce_sum_hw_past", "bayes_e", "ReduceSum", (1, 2, 4, 4), {"bayes_e.onnx.reduce_sum.axes"},
          attrs={"axes": [2, 3], "keepdims": 1}),
    Probe("x5_argmax_ok", "bayes_e", "ArgMax", (1, 8191, 2, 2), set(), attrs={"axis": 1}),
    Probe("x5_argmax_default_axis_past", "bayes_e", "ArgMax", (1, 8, 2, 2), {"bayes_e.onnx.arg_max.shape"}),  # axis 0
    Probe("x5_argmax_past", "bayes_e", "ArgMax", (1, 8192, 2, 2), {"bayes_e.onnx.arg_max.shape"}, attrs={"axis": 1}),
    Probe("ultra_argmax_ok", "bayes", "ArgMax", (1, 64, 2, 2), set(), attrs={"axis": 1}),
    Probe("ultra_argmax_past", "bayes", "ArgMax", (1, 65, 2, 2), {"bayes.onnx.arg_max.shape"}, attrs={"axis": 1}),
    Probe("x5_mul_one_constant_ok", "bayes_e", "Mul", (1, 2, 4, 4), set(), weight=(1, 2, 1, 1)),
    Probe("ultra_mul_broadcast_first_past", "bayes", "Mul", (2, 2, 4, 4), {"bayes.onnx.mul.broadcast_first"},
          weight=(1, 2, 4, 4)),
    Probe("ultra_mul_broadcast_ok", "bayes", "Mul", (2, 2, 4, 4), set(), weight=(2, 1, 4, 4)),
    # a lower-rank input is right-aligned: (4, 4) against 2 x 4 x 4 is broadcast along the first dim
    Probe("ultra_mul_lower_rank_broadcast_first_past", "bayes", "Mul", (2, 4, 4), {"bayes.onnx.mul.broadcast_first"},
          weight=(4, 4)),
    Probe("ultra_mul_lower_rank_ok", "bayes", "Mul", (1, 4, 4), set(), weight=(4, 4)),
    Probe("x5_prelu_ok", "bayes_e", "PRelu", (1, 2, 4, 4), set(), weight=(2, 1, 1)),
    Probe("ultra_prelu_cpu", "bayes", "PRelu", (1, 2, 4, 4), {"bayes.onnx.prelu.cpu"}, weight=(2, 1, 1)),
    Probe("x5_neg_cpu", "bayes_e", "Neg", (1, 2, 4, 4), {"bayes_e.onnx.neg.cpu"}),
    Probe("x5_thresholded_relu_cpu", "bayes_e", "ThresholdedRelu", (1, 2, 4, 4), {"bayes_e.onnx.thresholded_relu.cpu"}),
    Probe("x5_mod_cpu", "bayes_e", "Mod", (1, 2, 4, 4), {"bayes_e.onnx.mod.cpu"}, twice=True),
    Probe("ultra_mod_unsupported", "bayes", "Mod", (1, 2, 4, 4), {"bayes.onnx.mod.unsupported"}, twice=True),
    Probe("x3_non_zero_cpu", "bernoulli2", "NonZero", (1, 2, 4, 4), {"bernoulli2.onnx.non_zero.cpu"}),
    Probe("x5_non_zero_unlisted", "bayes_e", "NonZero", (1, 2, 4, 4), {"bayes_e.onnx.unlisted"}),
    Probe("x5_einsum_unsupported", "bayes_e", "Einsum", (1, 2, 4, 4), {"bayes_e.onnx.einsum.unsupported"},
          attrs={"equation": "nchw->nchw"}),
]


def conv_then(*nodes, initializers=(), opset: int = 11, ir_version: int = 7):
    """A model x (1x4x8x8) -> Conv "conv" (1x1, a BPU node) -> value "c" -> `nodes` -> value "y":
    the nodes under test between BPU nodes, as in a real model."""
    from onnx import TensorProto, helper, numpy_helper

    conv = helper.make_node("Conv", ["x", "w"], ["c"], name="conv", kernel_shape=[1, 1])
    graph = helper.make_graph([conv, *nodes], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(np.ones((4, 4, 1, 1), dtype=np.float32), "w"), *initializers])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = ir_version
    return model


def build(probe: Probe):
    """The probe's one-node model (opset 11, ir_version 7, one 4-D input)."""
    from onnx import TensorProto, helper, numpy_helper

    inputs = ["x"]
    initializers = []
    if isinstance(probe.weight, str):  # "scales:1,1,2,2" (Resize; "...|roi:STARTS,ENDS") or "shape:1,4" (Reshape)
        text, _, roi = probe.weight.partition("|roi:")
        kind, _, values = text.partition(":")
        numbers = [float(v) for v in values.split(",")]
        if kind == "scales":
            roi_values = [float(v) for v in roi.split(",")] if roi else []
            initializers += [numpy_helper.from_array(np.array(roi_values, dtype=np.float32), "roi"),
                             numpy_helper.from_array(np.array(numbers, dtype=np.float32), "scales")]
            inputs += ["roi", "scales"]
        else:
            initializers.append(numpy_helper.from_array(np.array(numbers, dtype=np.int64), "shape"))
            inputs.append("shape")
    elif probe.weight is not None:
        dtype = np.int64 if probe.op in ("Gather", "GatherElements") else np.float32
        shapes = probe.weight if isinstance(probe.weight, list) else [probe.weight]
        for i, shape in enumerate(shapes):
            initializers.append(numpy_helper.from_array(np.zeros(shape, dtype=dtype), f"w{i}"))
            inputs.append(f"w{i}")
    if probe.twice:
        inputs.append("x")
    nodes = []
    for i, (op, attrs) in enumerate(probe.before):  # a chain from the model input to the second input
        nodes.append(helper.make_node(op, [f"b{i - 1}" if i else "x"], [f"b{i}"], name=f"before{i}", **attrs))
    if probe.before:
        inputs.append(f"b{len(probe.before) - 1}")
    outputs = ["y"] + [f"y{i}" for i in range(1, probe.outputs)]
    if probe.weight_first:
        inputs = inputs[1:] + inputs[:1]
    nodes.append(helper.make_node(probe.op, inputs, outputs, name="probe", domain=probe.domain, **probe.attrs))
    if probe.then:
        nodes.append(helper.make_node(probe.then, ["y", "y"] if probe.then == "Add" else ["y"], ["z"], name="then"))
        outputs = ["z"] + outputs[1:]
    graph = helper.make_graph(nodes, "probe", [helper.make_tensor_value_info("x", TensorProto.FLOAT, probe.input)],
                              [helper.make_tensor_value_info(o, TensorProto.UNDEFINED, None) for o in outputs],
                              initializers)
    opsets = [helper.make_opsetid("", 11)] + ([helper.make_opsetid(probe.domain, 1)] if probe.domain else [])
    model = helper.make_model(graph, opset_imports=opsets)
    model.ir_version = 7
    return model


def _rank_probes():
    """The rows whose limit is the rank (on Ultra also the dims' sizes): a probe at the highest rank
    allowed and one above (and at the largest dims and past them)."""
    unary = ["Sigmoid", "Tanh", "Exp", "Log", "LeakyRelu", "HardSigmoid", "Elu", "Softplus", "Sqrt",
             "Reciprocal", "Abs", "Floor", "Ceil", "Sin", "Cos", "Atan", "Acos", "Acosh", "Asin", "Asinh",
             "Atanh", "Cosh", "Erf", "Round", "Selu", "Sign", "Sinh", "Softsign", "Tan"]
    found = []
    for op in unary:
        rule = "bayes_e.onnx." + _snake(op) + ".rank"
        found.append(Probe(f"x5_{op}_rank_ok", "bayes_e", op, (1,) * 8 + (2, 2), set()))
        found.append(Probe(f"x5_{op}_rank_past", "bayes_e", op, (1,) * 9 + (2, 2), {rule}))
    # Ultra: the unary rows it runs on the BPU (the lookup-table ops after them are CPU rows there)
    for op in unary[:16] + ["Clip", "Pow"]:
        rule, weight = "bayes.onnx." + _snake(op) + ".", (1,) if op == "Pow" else None
        found += [Probe(f"ultra_{op}_rank_ok", "bayes", op, (1,) * 8 + (2, 2), set(), weight=weight),
                  Probe(f"ultra_{op}_rank_past", "bayes", op, (1,) * 9 + (2, 2), {rule + "rank"}, weight=weight),
                  Probe(f"ultra_{op}_outer_ok", "bayes", op, (4096, 2), set(), weight=weight),
                  Probe(f"ultra_{op}_outer_past", "bayes", op, (4097, 2), {rule + "dims"}, weight=weight),
                  Probe(f"ultra_{op}_inner_ok", "bayes", op, (1, 65536), set(), weight=weight),
                  Probe(f"ultra_{op}_inner_past", "bayes", op, (1, 65537), {rule + "dims"}, weight=weight)]
    found.append(Probe("ultra_pow_scalar_past", "bayes", "Pow", (1, 2, 4, 2), {"bayes.onnx.pow.scalar_exponent"},
                       weight=(2,)))
    for op, march, top in [("Add", "bayes_e", 10), ("Sub", "bayes_e", 10), ("Mul", "bayes_e", 10),
                           ("Div", "bayes_e", 10), ("Max", "bayes_e", 10), ("Min", "bayes_e", 10),
                           ("Sum", "bayes_e", 10), ("Add", "bayes", 5), ("Sub", "bayes", 5), ("Mul", "bayes", 5),
                           ("Max", "bayes", 5), ("Min", "bayes", 5), ("Sum", "bayes", 5)]:
        rule = f"{march}.onnx.{_snake(op)}.rank"
        ok, past = (1,) * (top - 2) + (2, 2), (1,) * (top - 1) + (2, 2)
        moved = op == "Min"  # CPU unless run_on_bpu
        found.append(Probe(f"{march}_{op}_rank_ok", march, op, ok, set(), weight=ok, run_on_bpu=moved))
        found.append(Probe(f"{march}_{op}_rank_past", march, op, past, {rule}, weight=past, run_on_bpu=moved))
    return found


def _snake(op: str) -> str:
    from qcheck.onnx.rules import _snake as snake

    return snake(op)


PROBES += _rank_probes()


def _pairs():
    """Hand-made pairs for the X5 rows with attribute or shape limits."""
    P = Probe
    # depthwise (group = C): the weight stays small at 2048 channels
    ct = lambda name, expect, k=(2, 2), s=2, c=8, d=1, pad=0: P(  # noqa: E731
        name, "bayes_e", "ConvTranspose", (1, c, 8, 8), expect, weight=(c, 1, *k),
        attrs={"kernel_shape": list(k), "strides": [s, s], "dilations": [d, d], "group": c, "pads": [pad] * 4})
    found = [
        ct("x5_convt_ok", set(), k=(14, 14), s=14, c=2048),
        ct("x5_convt_kernel_past", {"bayes_e.onnx.conv_transpose.kernel_size"}, k=(15, 2)),
        ct("x5_convt_stride_past", {"bayes_e.onnx.conv_transpose.stride"}, s=1),
        ct("x5_convt_channels_past", {"bayes_e.onnx.conv_transpose.channels"}, c=2049),
        ct("x5_convt_dilation_past", {"bayes_e.onnx.conv_transpose.dilation"}, d=2),
        # an even stride: padding up to kernel / stride (4 / 2 = 2)
        ct("x5_convt_padding_ok", set(), k=(4, 4), s=2, pad=2),
        ct("x5_convt_padding_past", {"bayes_e.onnx.conv_transpose.padding_even_stride"}, k=(4, 4), s=2, pad=3),
        # an odd stride: padding below kernel / stride, 4 / 3 read as 1.33 or as 1 (unsettled)
        ct("x5_convt_padding_odd_ok", set(), k=(4, 4), s=3, pad=0),
        replace(ct("x5_convt_padding_odd_some", {"bayes_e.onnx.conv_transpose.padding_odd_stride"}, k=(4, 4), s=3,
                   pad=1), some={"bayes_e.onnx.conv_transpose.padding_odd_stride"}),
        ct("x5_convt_padding_odd_past", {"bayes_e.onnx.conv_transpose.padding_odd_stride"}, k=(4, 4), s=3, pad=2),
        # one phase of a 7x7 kernel at stride 2 reads 4x4 taps: 16 x 2047 = 32752, 16 x 2048 = 32768
        P("x5_convt_phase_ok", "bayes_e", "ConvTranspose", (1, 2047, 8, 8), set(), weight=(2047, 1, 7, 7),
          attrs={"kernel_shape": [7, 7], "strides": [2, 2]}),
        P("x5_convt_phase_past", "bayes_e", "ConvTranspose", (1, 2048, 8, 8),
          {"bayes_e.onnx.conv_transpose.phase_kernel_size"}, weight=(2048, 1, 7, 7),
          attrs={"kernel_shape": [7, 7], "strides": [2, 2]}),
        P("x5_convt_batch_ok", "bayes_e", "ConvTranspose", (128, 8, 8, 8), set(), weight=(8, 1, 2, 2),
          attrs={"kernel_shape": [2, 2], "strides": [2, 2], "group": 8}),
        P("x5_convt_batch_past", "bayes_e", "ConvTranspose", (129, 8, 8, 8), {"bayes_e.onnx.conv_transpose.batch"},
          weight=(8, 1, 2, 2), attrs={"kernel_shape": [2, 2], "strides": [2, 2], "group": 8}),
        P("x5_convt_output_padding_ok", "bayes_e", "ConvTranspose", (1, 8, 8, 8), set(), weight=(8, 1, 3, 3),
          attrs={"kernel_shape": [3, 3], "strides": [3, 3], "group": 8, "output_padding": [1, 1]}),
        P("x5_convt_output_padding_past", "bayes_e", "ConvTranspose", (1, 8, 8, 8),
          {"bayes_e.onnx.conv_transpose.output_padding"}, weight=(8, 1, 3, 3),
          attrs={"kernel_shape": [3, 3], "strides": [3, 3], "group": 8, "output_padding": [2, 2]}),
        P("x5_pad_ok", "bayes_e", "Pad", (1, 2, 4, 4), set(), attrs={"mode": "constant"}, weight="shape:0,0,1,1,0,0,1,1"),
        P("x5_pad_mode_past", "bayes_e", "Pad", (1, 2, 4, 4), {"bayes_e.onnx.pad.mode"}, attrs={"mode": "reflect"},
          weight="shape:0,0,1,1,0,0,1,1"),
        P("x5_expand_ok", "bayes_e", "Expand", (1,) * 8 + (2, 1), set(), weight="shape:" + ",".join("1" * 8) + ",2,4"),
        P("x5_expand_one_dim_past", "bayes_e", "Expand", (1, 2, 1, 1), {"bayes_e.onnx.expand.one_dim"},
          weight="shape:1,2,4,4"),
        P("x5_expand_rank_past", "bayes_e", "Expand", (1,) * 9 + (2, 1), {"bayes_e.onnx.expand.rank"},
          weight="shape:" + ",".join("1" * 9) + ",2,4"),
        P("x5_pow_scalar_past", "bayes_e", "Pow", (1, 2, 4, 2), {"bayes_e.onnx.pow.scalar_exponent"}, weight=(2,)),
        P("x5_reduce_max_size_ok", "bayes_e", "ReduceMax", (1, 8192, 2, 2), set(), attrs={"axes": [1], "keepdims": 1}),
        P("x5_reduce_max_size_past", "bayes_e", "ReduceMax", (1, 8193, 2, 2), {"bayes_e.onnx.reduce_max.reduce_size"},
          attrs={"axes": [1], "keepdims": 1}),
        *[P(f"{chip}_grid_sample_{name}", march, "GridSample", shape, {f"{march}.onnx.grid_sample.{e}" for e in expect},
            weight=(1, 4, 4, 2), attrs=attrs, domain="horizon")
          for chip, march, side in (("x5", "bayes_e", 512), ("ultra", "bayes", 720))
          for name, shape, attrs, expect in [
              ("ok", (1, 2, side, 512 if side == 512 else 1024), {"mode": "nearest", "padding_mode": "border"}, ()),
              ("size_past", (1, 2, side + 1, 512 if side == 512 else 1024), {}, ("input_size",)),
              ("side_past", (1, 2, 1, 1025), {}, ("input_size",)),
              ("mode_past", (1, 2, 4, 4), {"mode": "bicubic"}, ("mode",)),
              ("padding_past", (1, 2, 4, 4), {"padding_mode": "reflection"}, ("padding_mode",))]],
        P("x3_grid_sample_unsupported", "bernoulli2", "GridSample", (1, 2, 4, 4), {"bernoulli2.onnx.grid_sample.unsupported"},
          weight=(1, 4, 4, 2), domain="horizon"),
        P("x5_gather_elements_ok", "bayes_e", "GatherElements", (1,) * 8 + (2, 4), set(), weight=(1,) * 8 + (2, 9),
          attrs={"axis": 9}),
        P("x5_gather_elements_indices_past", "bayes_e", "GatherElements", (1, 2, 4, 4),
          {"bayes_e.onnx.gather_elements.indices_shape"}, weight=(1, 2, 5, 4), attrs={"axis": 3}),
        P("x5_gather_elements_rank_past", "bayes_e", "GatherElements", (1,) * 9 + (2, 4),
          {"bayes_e.onnx.gather_elements.rank"}, weight=(1,) * 9 + (2, 4), attrs={"axis": 1}),
        P("x5_maxpool_ok", "bayes_e", "MaxPool", (1, 2, 600, 600), set(),
          attrs={"kernel_shape": [3, 3], "strides": [256, 256], "pads": [1, 1, 1, 1]}),
        P("x5_maxpool_stride_past", "bayes_e", "MaxPool", (1, 2, 600, 600), {"bayes_e.onnx.max_pool.stride"},
          attrs={"kernel_shape": [3, 3], "strides": [257, 257]}),
        P("x5_maxpool_padding_ok", "bayes_e", "MaxPool", (1, 2, 8, 8), set(),
          attrs={"kernel_shape": [256, 256], "pads": [256, 256, 256, 256]}),
        P("x5_maxpool_padding_past", "bayes_e", "MaxPool", (1, 2, 8, 8), {"bayes_e.onnx.max_pool.padding"},
          attrs={"kernel_shape": [256, 256], "pads": [257, 257, 257, 257]}),
        P("x5_maxpool_dilation_past", "bayes_e", "MaxPool", (1, 2, 16, 16), {"bayes_e.onnx.max_pool.dilation"},
          attrs={"kernel_shape": [3, 3], "dilations": [2, 2]}),
        P("x5_avgpool_ok", "bayes_e", "AveragePool", (1, 2, 600, 600), set(),
          attrs={"kernel_shape": [2, 2], "strides": [256, 256], "pads": [1, 1, 1, 1]}),
        P("x5_avgpool_stride_past", "bayes_e", "AveragePool", (1, 2, 600, 600),
          {"bayes_e.onnx.average_pool.stride"}, attrs={"kernel_shape": [2, 2], "strides": [257, 257]}),
        P("x5_avgpool_padding_ok", "bayes_e", "AveragePool", (1, 2, 8, 8), set(),
          attrs={"kernel_shape": [256, 2], "pads": [255, 0, 255, 0]}),
        P("x5_avgpool_padding_past", "bayes_e", "AveragePool", (1, 2, 8, 8), {"bayes_e.onnx.average_pool.padding"},
          attrs={"kernel_shape": [256, 2], "pads": [256, 0, 256, 0]}),
        P("x5_gmp_ok", "bayes_e", "GlobalMaxPool", (1, 2, 256, 256), set()),
        P("x5_gmp_past", "bayes_e", "GlobalMaxPool", (1, 2, 257, 256), {"bayes_e.onnx.global_max_pool.input_size"}),
        P("x5_gemm_ok", "bayes_e", "Gemm", (1, 8192), set(), weight=(8192, 4), then="Relu"),
        P("x5_gemm_past", "bayes_e", "Gemm", (1, 8193), {"bayes_e.onnx.gemm.channels"}, weight=(8193, 4), then="Relu"),
        # the last op of a BPU subgraph (a classifier's Gemm): up to 65536 features, as Conv
        P("x5_gemm_last_ok", "bayes_e", "Gemm", (1, 64), set(), weight=(64, 65536)),
        P("x5_gemm_last_past", "bayes_e", "Gemm", (1, 64), {"bayes_e.onnx.gemm.channels"}, weight=(64, 65537)),
        # one filter is the input features: 32767 on X5, 65535 on Ultra (as Conv's kernel C x H x W)
        P("x5_gemm_weight_ok", "bayes_e", "Gemm", (1, 32767), set(), weight=(32767, 4)),
        P("x5_gemm_weight_past", "bayes_e", "Gemm", (1, 32768), {"bayes_e.onnx.gemm.weight_size"}, weight=(32768, 4)),
        P("ultra_gemm_channels_ok", "bayes", "Gemm", (1, 8192), set(), weight=(8192, 4), then="Relu"),
        P("ultra_gemm_channels_past", "bayes", "Gemm", (1, 8193), {"bayes.onnx.gemm.channels"}, weight=(8193, 4),
          then="Relu"),
        P("ultra_gemm_weight_ok", "bayes", "Gemm", (1, 65535), set(), weight=(65535, 4)),
        P("ultra_gemm_weight_past", "bayes", "Gemm", (1, 65536), {"bayes.onnx.gemm.weight_size"}, weight=(65536, 4)),
        P("x5_matmul_ok", "bayes_e", "MatMul", (1, 4096, 8192), set(), weight=(1, 8192, 2)),
        P("x5_matmul_size_past", "bayes_e", "MatMul", (1, 2, 8193), {"bayes_e.onnx.matmul.size"}, weight=(1, 8193, 2)),
        P("x5_matmul_batch_past", "bayes_e", "MatMul", (4097, 2, 2), {"bayes_e.onnx.matmul.size"}, weight=(4097, 2, 2)),
        # rank: a lower-rank constant weight (nn.Linear on tokens) breaks one reading, a lower-rank
        # feature map both
        P("x5_matmul_rank_some", "bayes_e", "MatMul", (1, 2, 8), {"bayes_e.onnx.matmul.rank"}, weight=(8, 2),
          some={"bayes_e.onnx.matmul.rank"}),
        P("x5_matmul_rank_past", "bayes_e", "MatMul", (1, 8, 8), {"bayes_e.onnx.matmul.rank"},
          before=[("ReduceMean", {"axes": [0], "keepdims": 0})]),
        P("x5_split_ok", "bayes_e", "Split", (2, 4, 4, 4), set(), attrs={"axis": 1}),
        P("x5_split_past", "bayes_e", "Split", (2, 4, 4, 4), {"bayes_e.onnx.split.axis"}, attrs={"axis": 0}),
        P("x5_split_lengths_ok", "bayes_e", "Split", (1, 6, 4, 4), set(), attrs={"axis": 1, "split": [3, 3]},
          outputs=2),
        P("x5_split_lengths_past", "bayes_e", "Split", (1, 6, 4, 4), {"bayes_e.onnx.split.lengths"},
          attrs={"axis": 1, "split": [4, 2]}, outputs=2),
        P("x5_tile_ok", "bayes_e", "Tile", (1, 2, 4, 4), set(), weight="shape:1,1,2,1"),
        P("x5_tile_one_dim_past", "bayes_e", "Tile", (1, 2, 4, 4), {"bayes_e.onnx.tile.one_dim"}, weight="shape:1,1,2,2"),
        P("x5_topk_ok", "bayes_e", "TopK", (1,) * 8 + (2, 4), set(), weight="shape:2", attrs={"axis": -1}, outputs=2),
        P("x5_topk_sorted_past", "bayes_e", "TopK", (1, 2, 4, 4), {"bayes_e.onnx.top_k.sorted"}, weight="shape:2",
          attrs={"axis": -1, "sorted": 0}, outputs=2),
        P("x5_topk_rank_past", "bayes_e", "TopK", (1,) * 9 + (2, 4), {"bayes_e.onnx.top_k.rank"}, weight="shape:2",
          attrs={"axis": -1}, outputs=2),
        P("x5_argmin_ok", "bayes_e", "ArgMin", (1, 8191, 2, 2), set(), attrs={"axis": 1}),
        P("x5_argmin_past", "bayes_e", "ArgMin", (1, 8191, 2, 2), {"bayes_e.onnx.arg_min.shape"}, attrs={"axis": 2}),
        P("x5_prelu_past", "bayes_e", "PRelu", (1, 2, 4, 4, 1), {"bayes_e.onnx.prelu.rank"}, weight=(1,)),
        P("x5_pow_ok", "bayes_e", "Pow", (1,) * 8 + (2, 2), set(), weight=(1,)),
        P("x5_pow_past", "bayes_e", "Pow", (1,) * 9 + (2, 2), {"bayes_e.onnx.pow.rank"}, weight=(1,)),
        P("x5_clip_ok", "bayes_e", "Clip", (1,) * 8 + (2, 2), set()),
        P("x5_clip_past", "bayes_e", "Clip", (1,) * 9 + (2, 2), {"bayes_e.onnx.clip.rank"}),
        P("x5_gather_ok", "bayes_e", "Gather", (1, 2, 4, 4), set(), weight=(2,), attrs={"axis": 1}),
        P("x5_gather_past", "bayes_e", "Gather", (1, 2, 4, 4, 1), {"bayes_e.onnx.gather.rank"}, weight=(2,),
          attrs={"axis": 1}),
        # indices from another node: ArgMax gives int64, a Cast after it int32
        P("x5_gather_feature_indices_ok", "bayes_e", "Gather", (1, 4), set(), attrs={"axis": 1},
          before=[("ArgMax", {"axis": 1, "keepdims": 0}), ("Cast", {"to": 6})]),
        P("x5_gather_feature_indices_past", "bayes_e", "Gather", (1, 4), {"bayes_e.onnx.gather.indices_dtype"},
          attrs={"axis": 1}, before=[("ArgMax", {"axis": 1, "keepdims": 0})]),
        P("x5_resize_ok", "bayes_e", "Resize", (1, 2, 4, 4), set(), attrs={"mode": "nearest"}, weight="scales:1,1,2,4"),
        P("x5_resize_factor_past", "bayes_e", "Resize", (1, 2, 4, 4), {"bayes_e.onnx.resize.nearest_factor"},
          attrs={"mode": "nearest"}, weight="scales:1,1,3,3"),
        P("x5_resize_channels_past", "bayes_e", "Resize", (1, 2, 4, 4), {"bayes_e.onnx.resize.hw_only"},
          attrs={"mode": "nearest"}, weight="scales:1,2,2,2"),
        P("x5_resize_batch_past", "bayes_e", "Resize", (1, 2, 4, 4), {"bayes_e.onnx.resize.hw_only"},
          attrs={"mode": "nearest"}, weight="scales:2,1,2,2"),
        # no mode attribute: ONNX's default, nearest
        P("x5_resize_default_mode_ok", "bayes_e", "Resize", (1, 2, 4, 4), set(), weight="scales:1,1,2,4"),
        P("x5_resize_default_mode_past", "bayes_e", "Resize", (1, 2, 4, 4), {"bayes_e.onnx.resize.nearest_factor"},
          weight="scales:1,1,3,3"),
        P("x5_resize_hw_past", "bayes_e", "Resize", (1, 2, 4, 4), {"bayes_e.onnx.resize.nearest_factor"},
          attrs={"mode": "nearest"}, weight="scales:1,1,4,2"),
        P("x5_resize_rank_past", "bayes_e", "Resize", (1, 2, 4, 4, 4), {"bayes_e.onnx.resize.rank"},
          attrs={"mode": "linear"}, weight="scales:1,1,1,2,2"),
        P("x5_resize_linear_ok", "bayes_e", "Resize", (1, 2, 4, 4), set(), attrs={"mode": "linear"},
          weight="scales:1,1,0.5,3"),
        P("x5_resize_mode_past", "bayes_e", "Resize", (1, 2, 4, 4), {"bayes_e.onnx.resize.mode"},
          attrs={"mode": "cubic"}, weight="scales:1,1,2,2"),
        P("x5_resize_coordinate_ok", "bayes_e", "Resize", (1, 2, 4, 4), set(),
          attrs={"mode": "nearest", "coordinate_transformation_mode": "asymmetric"}, weight="scales:1,1,2,2"),
        P("x5_resize_coordinate_past", "bayes_e", "Resize", (1, 2, 4, 4), {"bayes_e.onnx.resize.coordinate_mode"},
          attrs={"mode": "nearest", "coordinate_transformation_mode": "tf_half_pixel_for_nn"}, weight="scales:1,1,2,2"),
        # tf_crop_and_resize on a 5 x 5 map: roi borders x 4 must be whole pixels, N and C uncropped
        *[P(f"{board}_resize_crop_{name}", march, "Resize", (1, 2, 5, 5), {f"{march}.onnx.resize.crop_roi"} if past else set(),
            attrs={"mode": "linear", "coordinate_transformation_mode": "tf_crop_and_resize"},
            weight=f"scales:1,1,2,2|roi:{roi}")
          for board, march in [("x5", "bayes_e"), ("x3", "bernoulli2")]
          for name, roi, past in [("ok", "0,0,0.25,0,1,1,0.75,1", False), ("borders_past", "0,0,0.3,0,1,1,0.75,1", True),
                                  ("channels_past", "0,0.5,0.25,0,1,1,0.75,1", True)]],
        P("x5_depth_to_space_ok", "bayes_e", "DepthToSpace", (1, 16, 4, 4), set(), attrs={"blocksize": 2}),
        P("x5_depth_to_space_blocksize_past", "bayes_e", "DepthToSpace", (1, 64, 4, 4),
          {"bayes_e.onnx.depth_to_space.blocksize"}, attrs={"blocksize": 4}),
        P("x5_depth_to_space_channels_past", "bayes_e", "DepthToSpace", (1, 8, 4, 4),
          {"bayes_e.onnx.depth_to_space.out_channels"}, attrs={"blocksize": 2}),
        P("x5_space_to_depth_ok", "bayes_e", "SpaceToDepth", (1, 2, 8, 8), set(), attrs={"blocksize": 2}),
        P("x5_space_to_depth_past", "bayes_e", "SpaceToDepth", (1, 2, 8, 8), {"bayes_e.onnx.space_to_depth.blocksize"},
          attrs={"blocksize": 4}),
        # X is [seq, batch, input]; W and R for a hidden size of 3 (4 gates)
        P("x5_lstm_ok", "bayes_e", "LSTM", (2, 1, 4), set(), weight=[(1, 12, 4), (1, 12, 3)], attrs={"hidden_size": 3}),
        P("x5_lstm_batch_past", "bayes_e", "LSTM", (2, 2, 4), {"bayes_e.onnx.lstm.batch"}, weight=[(1, 12, 4), (1, 12, 3)],
          attrs={"hidden_size": 3}),
        P("x5_min_default_cpu", "bayes_e", "Min", (1, 2, 4, 4), {"bayes_e.onnx.min.cpu_default"}, weight=(1, 2, 1, 1)),
        # X5 Max broadcasts both inputs (each along its own dims)
        P("x5_max_mutual_ok", "bayes_e", "Max", (1, 2, 4, 1), set(), weight=(1, 2, 1, 4)),
        # HDMK vs H1KN runs on the BPU, H1MK vs HDKN does not (A mixes broadcast and plain dims)
        P("x5_matmul_broadcast_ok", "bayes_e", "MatMul", (2, 3, 4, 5), set(), weight=(2, 1, 5, 6)),
        P("x5_matmul_broadcast_past", "bayes_e", "MatMul", (2, 1, 4, 5), {"bayes_e.onnx.matmul.broadcast"},
          weight=(2, 3, 5, 6)),
        P("x5_matmul_broadcast_b_past", "bayes_e", "MatMul", (2, 3, 4, 4, 5), {"bayes_e.onnx.matmul.broadcast"},
          weight=(2, 1, 4, 5, 6)),
    ]
    # above 4-D: [2,5,4,5,2] against [1,1,1,5,2] merges to 2 dims, against [2,1,4,1,2] to none fewer than 5
    for op in ("Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Equal", "Greater", "Less"):
        moved = op in ("Min", "Equal", "Greater", "Less")
        found += [P(f"x5_{op}_merged_ok", "bayes_e", op, (2, 5, 4, 5, 2), set(), weight=(1, 1, 1, 5, 2), run_on_bpu=moved),
                  P(f"x5_{op}_merged_past", "bayes_e", op, (2, 5, 4, 5, 2), {f"bayes_e.onnx.{_snake(op)}.merged_rank"},
                    weight=(2, 1, 4, 1, 2), run_on_bpu=moved)]
    for op in ("ReduceMax", "ReduceSum", "ReduceMean"):
        snake = _snake(op)
        found += [
            P(f"x5_{op}_ok", "bayes_e", op, (1, 2, 4, 4, 4), set(), attrs={"axes": [1], "keepdims": 1}),
            P(f"x5_{op}_rank_past", "bayes_e", op, (1, 2, 4, 4, 4, 4), {f"bayes_e.onnx.{snake}.rank"},
              attrs={"axes": [1], "keepdims": 1}),
            P(f"x5_{op}_axes_past", "bayes_e", op, (1, 2, 4, 4), {f"bayes_e.onnx.{snake}.axes"},
              attrs={"axes": [1, 2], "keepdims": 1}),
        ]
        if op != "ReduceSum":  # the ReduceSum rows state no keepdims limit
            found.append(P(f"x5_{op}_keepdims_past", "bayes_e", op, (1, 2, 4, 4), {f"bayes_e.onnx.{snake}.keepdims"},
                           attrs={"axes": [1], "keepdims": 0}))
    found.append(P("x5_ReduceSum_keepdims_0_ok", "bayes_e", "ReduceSum", (1, 2, 4, 4), set(),
                   attrs={"axes": [1], "keepdims": 0}))
    for op in ("Equal", "Greater", "Less"):
        found += [P(f"x5_{op}_ok", "bayes_e", op, (1,) * 8 + (2, 2), set(), weight=(1,), run_on_bpu=True),
                  P(f"x5_{op}_past", "bayes_e", op, (1,) * 9 + (2, 2), {f"bayes_e.onnx.{_snake(op)}.rank"},
                    weight=(1,), run_on_bpu=True),
                  P(f"x5_{op}_one_sided_ok", "bayes_e", op, (1, 2, 4, 4), set(), weight=(1, 2, 1, 4), run_on_bpu=True),
                  P(f"x5_{op}_one_sided_past", "bayes_e", op, (1, 2, 4, 1), {f"bayes_e.onnx.{_snake(op)}.one_sided"},
                    weight=(1, 2, 1, 4), run_on_bpu=True)]
    found += [P("x5_reshape_ok", "bayes_e", "Reshape", (1,) * 8 + (2, 2), set(), weight="shape:1,1,1,1,1,1,1,1,4"),
              P("x5_reshape_past", "bayes_e", "Reshape", (1,) * 8 + (2, 2), {"bayes_e.onnx.reshape.rank"},
                weight="shape:1,1,1,1,1,1,1,1,1,1,4"),
              P("x5_flatten_ok", "bayes_e", "Flatten", (1,) * 8 + (2, 2), set(), attrs={"axis": 1}),
              P("x5_flatten_past", "bayes_e", "Flatten", (1,) * 9 + (2, 2), {"bayes_e.onnx.flatten.rank"},
                attrs={"axis": 1}),
              P("x5_squeeze_ok", "bayes_e", "Squeeze", (1,) * 8 + (2, 2), set(), attrs={"axes": [0]}),
              P("x5_squeeze_past", "bayes_e", "Squeeze", (1,) * 9 + (2, 2), {"bayes_e.onnx.squeeze.rank"},
                attrs={"axes": [0]}),
              P("x5_unsqueeze_ok", "bayes_e", "Unsqueeze", (1,) * 7 + (2, 2), set(), attrs={"axes": [0]}),
              P("x5_unsqueeze_past", "bayes_e", "Unsqueeze", (1,) * 8 + (2, 2), {"bayes_e.onnx.unsqueeze.rank"},
                attrs={"axes": [0]})]
    return found


PROBES += _pairs()


def _general():
    """The general limits on 4-D feature maps, probed with Relu (a BPU op with no limits of its own)."""
    x5 = "bayes_e.onnx.general."
    return [
        Probe("x5_general_dims_ok", "bayes_e", "Relu", (1, 65536, 1, 1), set(), general=True),
        Probe("x5_general_dims_past", "bayes_e", "Relu", (1, 1, 65537, 1), {x5 + "dims"}),
        Probe("x5_general_batch_ok", "bayes_e", "Relu", (4096, 1, 1, 1), set(), general=True),
        Probe("x5_general_batch_past", "bayes_e", "Relu", (4097, 1, 1, 1), {x5 + "batch"}),
        Probe("x5_general_size_ok", "bayes_e", "Relu", (1, 16384, 256, 256), set(), general=True),  # 2^30
        Probe("x5_general_size_past", "bayes_e", "Relu", (1, 16385, 256, 256), {x5 + "size"}),
        Probe("x3_general_batch_ok", "bernoulli2", "Relu", (128, 1, 2, 2), set(), general=True),
        Probe("x3_general_batch_past", "bernoulli2", "Relu", (129, 1, 2, 2), {"bernoulli2.onnx.general.batch"}),
    ]


PROBES += _general()


def _on_ultra(expect: set[str], x5_ids: set[str], ultra_ids: set[str]) -> set[str]:
    """An X5 probe's findings on Ultra: its placement and general-limit findings (Ultra inherits
    the X5 general row), and the broken checks of its row that Ultra shares."""
    mapped = {e: e.replace("bayes_e.", "bayes.", 1) for e in expect}
    return {m for e, m in mapped.items() if e not in x5_ids or m in ultra_ids}


def _mirrored():
    """An X5 probe holds on Ultra where the Ultra row's checks are some of the X5 row's (inherited
    rows, X5-only limits dropped): there it gets the findings of the checks the rows share."""
    from qcheck.onnx.rules import load_onnx_rules

    rules = load_onnx_rules()
    found = []
    for probe in [p for p in PROBES if p.march == "bayes_e"]:
        x5, ultra = rules.row(probe.op, "bayes_e"), rules.row(probe.op, "bayes")
        if x5 is None or ultra is None or ultra.placement != x5.placement:
            continue
        same = lambda row: {(c.id.split(".")[-1], c.check.text if c.check else None,  # noqa: E731
                             c.when.text if c.when else None, tuple(r.check.text for r in c.readings))
                            for c in row.constraints}
        if not same(ultra) <= same(x5):
            continue
        expect = _on_ultra(probe.expect, {c.id for c in x5.constraints}, {c.id for c in ultra.constraints})
        found.append(replace(probe, name=probe.name.replace("x5_", "ultra_", 1), march="bayes", expect=expect,
                             attrs=dict(probe.attrs), some=expect & _on_ultra(probe.some, set(), set())))
    return found


PROBES += _mirrored()


def _more_pairs():
    """Ultra rows that differ from X5, and the X3 rows."""
    from qcheck.onnx.rules import load_onnx_rules

    P = Probe
    rules = load_onnx_rules()
    ids = lambda op, march: {c.id for c in rules.row(op, march).constraints}  # noqa: E731
    # the X5 Conv and ConvTranspose probes but those at the filter size, where Ultra's limit differs
    found = [P(p.name.replace("x5_", "ultra_", 1), "bayes", p.op, p.input,
               _on_ultra(p.expect, ids(p.op, "bayes_e"), ids(p.op, "bayes")), dict(p.attrs), p.weight, then=p.then,
               some=_on_ultra(p.some, set(), set()))
             for p in PROBES if p.march == "bayes_e" and p.op in ("Conv", "ConvTranspose")
             and "weight" not in p.name and "phase" not in p.name]
    found += [
        P("ultra_avgpool_ok", "bayes", "AveragePool", (1, 2, 600, 600), set(),
          attrs={"kernel_shape": [256, 256], "strides": [256, 256], "pads": [256, 256, 256, 256]}),
        P("ultra_avgpool_kernel_past", "bayes", "AveragePool", (1, 2, 600, 600), {"bayes.onnx.average_pool.kernel_size"},
          attrs={"kernel_shape": [257, 2]}),
        P("ultra_avgpool_stride_past", "bayes", "AveragePool", (1, 2, 600, 600), {"bayes.onnx.average_pool.stride"},
          attrs={"kernel_shape": [2, 2], "strides": [257, 257]}),
        P("ultra_avgpool_padding_past", "bayes", "AveragePool", (1, 2, 8, 8), {"bayes.onnx.average_pool.padding"},
          attrs={"kernel_shape": [256, 2], "pads": [257, 0, 257, 0]}),
        P("ultra_argmin_ok", "bayes", "ArgMin", (1, 64, 2, 2), set(), attrs={"axis": 1}),
        P("ultra_argmin_past", "bayes", "ArgMin", (1, 65, 2, 2), {"bayes.onnx.arg_min.shape"}, attrs={"axis": 1}),
        # a bias added first (torch's Linear on tokens): the limits are the feature map's
        P("ultra_add_bias_first_ok", "bayes", "Add", (1, 49, 96), set(), weight=(96,), weight_first=True),
        P("ultra_add_bias_first_past", "bayes", "Add", (1, 2, 2, 2, 2, 96), {"bayes.onnx.add.rank", "bayes.onnx.add.merged_rank"}, weight=(96,),
          weight_first=True),
        P("ultra_div_ok", "bayes", "Div", (1, 2, 4, 4), set(), twice=True),
        P("ultra_div_constant_past", "bayes", "Div", (1, 2, 4, 4), {"bayes.onnx.div.feature_inputs"}, weight=(1,)),
        # one filter reads C_in/groups x 14 x 14: 334 x 196 = 65464, 335 x 196 = 65660
        P("ultra_convt_weight_ok", "bayes", "ConvTranspose", (1, 334, 8, 8), set(), weight=(334, 1, 14, 14),
          attrs={"kernel_shape": [14, 14], "strides": [2, 2]}),
        P("ultra_convt_weight_past", "bayes", "ConvTranspose", (1, 335, 8, 8), {"bayes.onnx.conv_transpose.weight_size"},
          weight=(335, 1, 14, 14), attrs={"kernel_shape": [14, 14], "strides": [2, 2]}),
    ]
    for op in ("Max", "Min", "Equal", "Greater"):  # one input broadcast, not both
        moved = op != "Max"
        found += [P(f"ultra_{op}_one_sided_ok", "bayes", op, (1, 2, 4, 4), set(), weight=(1, 2, 1, 4), run_on_bpu=moved),
                  P(f"ultra_{op}_one_sided_past", "bayes", op, (1, 2, 4, 1), {f"bayes.onnx.{op.lower()}.one_sided"},
                    weight=(1, 2, 1, 4), run_on_bpu=moved)]
    found.append(P("ultra_Less_mutual_ok", "bayes", "Less", (1, 2, 4, 1), set(), weight=(1, 2, 1, 4), run_on_bpu=True))
    # 5-D: only plain (not broadcast) neighbours merge: n b b n n -> 4 dims, n b n b n -> 5
    for op in ("Add", "Sub", "Mul", "Sum", "Max", "Min", "Equal", "Greater"):
        moved = op in ("Min", "Equal", "Greater")
        found += [P(f"ultra_{op}_merged_ok", "bayes", op, (2, 3, 4, 5, 6), set(), weight=(2, 1, 1, 5, 6), run_on_bpu=moved),
                  P(f"ultra_{op}_merged_past", "bayes", op, (2, 3, 4, 5, 6), {f"bayes.onnx.{op.lower()}.merged_rank"},
                    weight=(2, 1, 4, 1, 6), run_on_bpu=moved)]
    div = "bayes.onnx.div."  # Ultra Div: two feature maps, with a constant for the shapes (so feature_inputs too)
    found += [P("ultra_div_rank_past", "bayes", "Div", (1,) * 4 + (2, 2), {div + "rank"}, twice=True),
              P("ultra_div_broadcast_first_past", "bayes", "Div", (2, 2, 4, 4), {div + "feature_inputs", div + "broadcast_first"},
                weight=(1, 2, 4, 4)),
              P("ultra_div_merged_past", "bayes", "Div", (2, 3, 4, 5, 6), {div + "feature_inputs", div + "merged_rank"},
                weight=(2, 1, 4, 1, 6))]
    for op in ("Add", "Sub", "Sum"):
        found += [P(f"ultra_{op}_broadcast_ok", "bayes", op, (2, 2, 4, 4), set(), weight=(2, 1, 4, 4)),
                  P(f"ultra_{op}_broadcast_first_past", "bayes", op, (2, 2, 4, 4),
                    {f"bayes.onnx.{op.lower()}.broadcast_first"}, weight=(1, 2, 4, 4))]
    for op in ("Equal", "Greater", "Less"):
        found += [P(f"ultra_{op}_ok", "bayes", op, (1, 1, 1, 2, 2), set(), weight=(1,), run_on_bpu=True),
                  P(f"ultra_{op}_past", "bayes", op, (1, 1, 1, 1, 2, 2), {f"bayes.onnx.{op.lower()}.rank"},
                    weight=(1,), run_on_bpu=True)]
    x3 = "bernoulli2"
    gemm8, gemm32 = "bernoulli2.onnx.gemm.int8_output_size", "bernoulli2.onnx.gemm.int32_output_size"
    ct = lambda name, expect, k=(2, 2), s=2, c=8, pad=0, d=1: P(  # noqa: E731
        name, x3, "ConvTranspose", (1, c, 8, 8), expect, weight=(c, 1, *k),
        attrs={"kernel_shape": list(k), "strides": [s, s], "group": c, "pads": [pad] * 4, "dilations": [d, d]})
    found += [
        P("x3_add_ok", x3, "Add", (1, 2048, 2, 2), set(), twice=True),
        P("x3_add_past", x3, "Add", (1, 2049, 2, 2), {"bernoulli2.onnx.add.channels"}, twice=True),
        P("x3_mul_ok", x3, "Mul", (1, 2048, 2, 2), set(), twice=True),
        P("x3_mul_channels_past", x3, "Mul", (1, 2049, 2, 2), {"bernoulli2.onnx.mul.channels"}, twice=True),
        P("x3_mul_rank_past", x3, "Mul", (1, 8, 2), {"bernoulli2.onnx.mul.rank"}, twice=True),
        P("x3_argmax_ok", x3, "ArgMax", (1, 64, 2, 2), set(), attrs={"axis": 1}),
        P("x3_argmax_past", x3, "ArgMax", (1, 65, 2, 2), {"bernoulli2.onnx.arg_max.shape"}, attrs={"axis": 1}),
        P("x3_avgpool_ok", x3, "AveragePool", (1, 2, 16, 16), set(), attrs={"kernel_shape": [7, 7]}),
        P("x3_avgpool_past", x3, "AveragePool", (1, 2, 16, 16), {"bernoulli2.onnx.average_pool.kernel_size"},
          attrs={"kernel_shape": [8, 7]}),
        P("x3_concat_ok", x3, "Concat", (1, 1024, 2, 2), set(), attrs={"axis": 1}, twice=True),
        P("x3_concat_past", x3, "Concat", (1, 1025, 2, 2), {"bernoulli2.onnx.concat.channels"}, attrs={"axis": 1},
          twice=True),
        P("x3_conv_rank_past", x3, "Conv", (1, 4, 16), {"bernoulli2.onnx.conv.rank"}, weight=(8, 4, 3),
          attrs={"kernel_shape": [3]}),
        ct("x3_convt_ok", set(), k=(14, 14), s=4, c=2048),
        ct("x3_convt_kernel_past", {"bernoulli2.onnx.conv_transpose.kernel_size"}, k=(1, 2)),
        ct("x3_convt_stride_past", {"bernoulli2.onnx.conv_transpose.stride"}, s=3),
        ct("x3_convt_channels_past", {"bernoulli2.onnx.conv_transpose.channels"}, c=2049),
        ct("x3_convt_padding_ok", set(), k=(4, 4), pad=1),  # (4 - 1) / 2 = 1.5
        ct("x3_convt_padding_past", {"bernoulli2.onnx.conv_transpose.padding"}, k=(4, 4), pad=2),
        ct("x3_convt_dilation_past", {"bernoulli2.onnx.conv_transpose.dilation"}, k=(4, 4), d=2),
        conv("x3_conv_dilation_ok", x3, 4, (3, 3), set(), dilation=4),
        conv("x3_conv_dilation_past", x3, 4, (3, 3), {"bernoulli2.onnx.conv.dilation"}, dilation=3),
        conv("x3_conv_dilation_stride_ok", x3, 4, (3, 3), set(), dilation=2, stride=2),
        conv("x3_conv_dilation_stride_past", x3, 4, (3, 3), {"bernoulli2.onnx.conv.dilation_stride"}, dilation=2,
             stride=4),
        conv("x3_conv_shortcut_stride_ok", x3, 4, (3, 3), set(), stride=2, pad=1, then="Add"),
        conv("x3_conv_shortcut_stride_past", x3, 4, (3, 3), {"bernoulli2.onnx.conv.shortcut_stride"}, stride=3,
             pad=1, then="Add"),
        P("x3_avgpool_stride_ok", x3, "AveragePool", (1, 2, 400, 400), set(), attrs={"kernel_shape": [2, 2], "strides": [185, 185]}),
        P("x3_avgpool_stride_past", x3, "AveragePool", (1, 2, 400, 400), {"bernoulli2.onnx.average_pool.stride"},
          attrs={"kernel_shape": [2, 2], "strides": [186, 186]}),
        P("x3_abs_cpu", x3, "Abs", (1, 2, 4, 4), {"bernoulli2.onnx.abs.cpu"}),
        P("x3_argmin_cpu", x3, "ArgMin", (1, 2, 4, 4), {"bernoulli2.onnx.arg_min.cpu"}, attrs={"axis": 1}),
        # X3 Add: N x C x 1 x 1 only when both inputs are feature maps
        P("x3_add_shapes_past", x3, "Add", (1, 2, 4, 4), {"bernoulli2.onnx.add.shapes"}, weight=(1, 2, 1, 1)),
        P("x3_sum_shapes_past", x3, "Sum", (1, 2, 4, 4), {"bernoulli2.onnx.sum.shapes"}, weight=(1, 1, 4, 4)),
        P("x3_div_ok", x3, "Div", (1, 2, 4, 4), set(), twice=True),
        P("x3_div_past", x3, "Div", (1, 2, 4, 4), {"bernoulli2.onnx.div.feature_inputs"}, weight=(1,)),
        # X3 Gemm: at most 16384 features (rule 2), and H x W/8 x C/4 within 1024 when a BPU node
        # reads it (rule 3), below 2048 when none does (rule 4): W/8 and C/4 exact, or rounded up to
        # 8W4C (at most 4096 and 8188 features; unsettled)
        P("x3_gemm_ok", x3, "Gemm", (1, 8188), set(), weight=(8188, 2)),
        P("x3_gemm_int32_some", x3, "Gemm", (1, 8189), {gemm32}, weight=(8189, 2), some={gemm32}),
        P("x3_gemm_channels_ok", x3, "Gemm", (1, 16384), {gemm32}, weight=(16384, 2), some={gemm32}),
        P("x3_gemm_past", x3, "Gemm", (1, 16385), {"bernoulli2.onnx.gemm.channels", gemm32}, weight=(16385, 2),
          some={gemm32}),
        P("x3_gemm_int32_past", x3, "Gemm", (1, 65536), {"bernoulli2.onnx.gemm.channels", gemm32},
          weight=(65536, 2)),
        P("x3_gemm_int8_ok", x3, "Gemm", (1, 4096), set(), weight=(4096, 2), then="Relu"),
        P("x3_gemm_int8_some", x3, "Gemm", (1, 4097), {gemm8}, weight=(4097, 2), then="Relu", some={gemm8}),
        P("x3_gemm_int8_past", x3, "Gemm", (1, 32769), {"bernoulli2.onnx.gemm.channels", gemm8},
          weight=(32769, 2), then="Relu"),
        P("x3_gap_ok", x3, "GlobalAveragePool", (1, 2, 64, 128), set()),
        P("x3_gap_past", x3, "GlobalAveragePool", (1, 2, 65, 128), {"bernoulli2.onnx.global_average_pool.input_size"}),
        P("x3_gmp_ok", x3, "GlobalMaxPool", (1, 2, 1024, 1024), set()),
        # Add and Sum: NCHW inputs only (a 3-D input has no C to judge)
        *[P(f"x3_{op.lower()}_rank_past", x3, op, (1, 4, 8), {f"bernoulli2.onnx.{op.lower()}.rank"}, twice=True)
          for op in ("Add", "Sum")],
        P("x3_maxpool_ok", x3, "MaxPool", (1, 2, 16, 16), set(), attrs={"kernel_shape": [2, 2], "dilations": [1, 1]}),
        P("x3_maxpool_dilation_past", x3, "MaxPool", (1, 2, 16, 16), {"bernoulli2.onnx.max_pool.dilation"},
          attrs={"kernel_shape": [2, 2], "dilations": [2, 2]}),
        P("x3_gmp_past", x3, "GlobalMaxPool", (1, 2, 1025, 1024), {"bernoulli2.onnx.global_max_pool.input_size"}),
        P("x3_matmul_ok", x3, "MatMul", (1, 1, 2, 4), set(), weight=(1, 1, 4, 2)),
        P("x3_matmul_past", x3, "MatMul", (1, 1, 1, 2, 4), {"bernoulli2.onnx.matmul.shapes"}, weight=(1, 1, 1, 4, 2)),
        # feature x weight: 1 x B x M x K against K x N runs on the BPU, A x 1 x M x K (A > 1) against K x N does not
        P("x3_matmul_batch_ok", x3, "MatMul", (1, 3, 2, 4), set(), weight=(4, 2)),
        P("x3_matmul_batch_past", x3, "MatMul", (2, 1, 2, 4), {"bernoulli2.onnx.matmul.shapes"}, weight=(4, 2)),
        P("x3_matmul_weight_3d_past", x3, "MatMul", (2, 2, 4), {"bernoulli2.onnx.matmul.shapes"}, weight=(1, 4, 2)),
        # two feature maps: 1 x B x M x K against 1 x 1 x K x N only (the same map twice: M = K = N)
        P("x3_matmul_features_past", x3, "MatMul", (1, 2, 4, 4), {"bernoulli2.onnx.matmul.shapes"}, twice=True),
        P("x3_matmul_features_ok", x3, "MatMul", (1, 1, 4, 4), set(), twice=True),
        P("x3_maxpool_ok", x3, "MaxPool", (1, 2, 400, 400), set(), attrs={"kernel_shape": [64, 64], "strides": [185, 185]}),
        P("x3_maxpool_kernel_past", x3, "MaxPool", (1, 2, 400, 400), {"bernoulli2.onnx.max_pool.kernel_size"},
          attrs={"kernel_shape": [65, 64]}),
        P("x3_maxpool_stride_past", x3, "MaxPool", (1, 2, 400, 400), {"bernoulli2.onnx.max_pool.stride"},
          attrs={"kernel_shape": [2, 2], "strides": [186, 186]}),
        P("x3_resize_ok", x3, "Resize", (1, 2, 4, 4), set(), attrs={"mode": "nearest"}, weight="scales:1,1,2,4"),
        P("x3_resize_channels_past", x3, "Resize", (1, 2, 4, 4), {"bernoulli2.onnx.resize.hw_only"},
          attrs={"mode": "nearest"}, weight="scales:1,2,2,2"),
        P("x3_resize_factor_past", x3, "Resize", (1, 2, 4, 4), {"bernoulli2.onnx.resize.nearest_factor"},
          attrs={"mode": "nearest"}, weight="scales:1,1,3,3"),
        P("x3_resize_rank_past", x3, "Resize", (1, 2, 4, 4, 4), {"bernoulli2.onnx.resize.rank"},
          attrs={"mode": "linear"}, weight="scales:1,1,1,2,2"),
        P("x3_split_ok", x3, "Split", (1, 6, 4, 4), set(), attrs={"axis": 1, "split": [3, 3]}, outputs=2),
        P("x3_split_lengths_past", x3, "Split", (1, 6, 4, 4), {"bernoulli2.onnx.split.lengths"},
          attrs={"axis": 1, "split": [4, 2]}, outputs=2),
        P("x3_split_axis_past", x3, "Split", (2, 4, 4, 4), {"bernoulli2.onnx.split.axis"}, attrs={"axis": 0}),
        P("x3_split_rank_past", x3, "Split", (1, 4, 4), {"bernoulli2.onnx.split.rank"}, attrs={"axis": 1}),
        P("x3_tile_cpu", x3, "Tile", (1, 2, 4, 4), {"bernoulli2.onnx.tile.cpu"}, weight="shape:1,1,2,1"),
        P("x3_topk_cpu", x3, "TopK", (1, 2, 4, 4), {"bernoulli2.onnx.top_k.cpu"}, weight="shape:2",
          attrs={"axis": -1}, outputs=2),
        P("x3_reduce_mean_ok", x3, "ReduceMean", (1, 2, 4, 4), set(), attrs={"axes": [2, 3], "keepdims": 1}),
        # no axes attribute: ONNX reduces over every dim
        P("x3_reduce_mean_no_axes_past", x3, "ReduceMean", (1, 2, 4, 4), {"bernoulli2.onnx.reduce_mean.axes"}),
        P("x3_reduce_mean_axes_past", x3, "ReduceMean", (1, 2, 4, 4), {"bernoulli2.onnx.reduce_mean.axes"},
          attrs={"axes": [1], "keepdims": 1}),
        # padded as laid out: W 2048 -> 2048 x C 4 = 8192 (32C: 65536); W 2049 -> 2056 x 4 = 8224
        P("x3_sigmoid_ok", x3, "Sigmoid", (1, 4, 1, 2048), set()),
        P("x3_sigmoid_size_past", x3, "Sigmoid", (1, 4, 1, 2049), {"bernoulli2.onnx.sigmoid.size"}),
        P("x3_resize_mode_past", x3, "Resize", (1, 2, 4, 4), {"bernoulli2.onnx.resize.mode"},
          attrs={"mode": "cubic"}, weight="scales:1,1,2,2"),
        P("x3_resize_coordinate_past", x3, "Resize", (1, 2, 4, 4), {"bernoulli2.onnx.resize.coordinate_mode"},
          attrs={"mode": "nearest", "coordinate_transformation_mode": "tf_half_pixel_for_nn"}, weight="scales:1,1,2,2"),
        P("x3_pad_ok", x3, "Pad", (1, 2, 4, 4), set(), attrs={"mode": "constant"}, weight="shape:0,0,1,1,0,0,1,1"),
        P("x3_pad_mode_past", x3, "Pad", (1, 2, 4, 4), {"bernoulli2.onnx.pad.mode"}, attrs={"mode": "edge"},
          weight="shape:0,0,1,1,0,0,1,1"),
        P("x3_pad_hw_past", x3, "Pad", (1, 2, 4, 4), {"bernoulli2.onnx.pad.hw_only"}, attrs={"mode": "constant"},
          weight="shape:0,1,0,0,0,1,0,0"),
        P("x3_pow_ok", x3, "Pow", (1, 2, 4, 2), set(), weight=(1,)),
        P("x3_pow_scalar_past", x3, "Pow", (1, 2, 4, 2), {"bernoulli2.onnx.pow.scalar_exponent"}, weight=(2,)),
        P("x3_expand_cpu", x3, "Expand", (1, 2, 1, 1), {"bernoulli2.onnx.expand.cpu"}, weight="shape:1,2,4,1"),
        P("x3_gather_cpu", x3, "Gather", (1, 2, 4, 4), {"bernoulli2.onnx.gather.cpu"}, weight=(2,), attrs={"axis": 1}),
        P("x3_elu_cpu", x3, "Elu", (1, 2, 4, 4), {"bernoulli2.onnx.elu.cpu"}),
        P("x3_depth_to_space_ok", x3, "DepthToSpace", (1, 8, 4, 4), set(), attrs={"blocksize": 2}),
        P("x3_depth_to_space_past", x3, "DepthToSpace", (1, 16, 4, 4), {"bernoulli2.onnx.depth_to_space.blocksize"},
          attrs={"blocksize": 4}),
        P("x3_space_to_depth_ok", x3, "SpaceToDepth", (1, 2, 8, 8), set(), attrs={"blocksize": 2}),
        P("x3_space_to_depth_past", x3, "SpaceToDepth", (1, 2, 8, 8), {"bernoulli2.onnx.space_to_depth.blocksize"},
          attrs={"blocksize": 4}),
        P("x3_lstm_ok", x3, "LSTM", (2, 1, 4), set(), weight=[(1, 12, 4), (1, 12, 3)], attrs={"hidden_size": 3}),
        P("x3_lstm_batch_past", x3, "LSTM", (2, 2, 4), {"bernoulli2.onnx.lstm.batch"}, weight=[(1, 12, 4), (1, 12, 3)],
          attrs={"hidden_size": 3}),
        P("x3_sum_ok", x3, "Sum", (1, 2048, 2, 2), set(), twice=True),
        P("x3_sum_past", x3, "Sum", (1, 2049, 2, 2), {"bernoulli2.onnx.sum.channels"}, twice=True),
        # X3 Mul (and Div) shapes: the same, 1 x C x 1 x 1 or 1 x 1 x 1 x 1 against 1 x C x H x W
        P("x3_mul_channel_ok", x3, "Mul", (1, 2, 4, 4), set(), weight=(1, 2, 1, 1)),
        P("x3_mul_shapes_past", x3, "Mul", (1, 2, 4, 4), {"bernoulli2.onnx.mul.shapes"}, weight=(1, 1, 4, 4)),
        P("x3_div_rank_past", x3, "Div", (1, 8, 2), {"bernoulli2.onnx.div.rank"}, twice=True),
        P("x3_div_channels_past", x3, "Div", (1, 2049, 2, 2), {"bernoulli2.onnx.div.channels"}, twice=True),
        P("x3_div_shapes_past", x3, "Div", (1, 2, 4, 4), {"bernoulli2.onnx.div.feature_inputs", "bernoulli2.onnx.div.shapes"},
          weight=(1, 1, 4, 4)),
    ]
    return found


PROBES += _more_pairs()
PROBES += [probe for op in ("Tanh", "Softplus", "Sqrt", "Sin", "Cos") for probe in (
    Probe(f"x3_{op}_size_ok", "bernoulli2", op, (1, 8, 32, 32), set()),  # 8192
    Probe(f"x3_{op}_size_past", "bernoulli2", op, (1, 8, 32, 33), {f"bernoulli2.onnx.{_snake(op)}.size"}))]
