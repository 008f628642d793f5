"""ONNX probes: one-node models built with onnx.helper, at a BPU limit (ok) and just past it.

Each probe names its march, the node and the complete set of findings its node must get."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Probe:
    name: str
    march: str
    op: str
    input: tuple  # the model input's shape
    expect: set[str]  # every finding id of the node
    attrs: dict = field(default_factory=dict)
    weight: tuple | None = None  # second input as an initializer of this shape
    run_on_bpu: bool = False


def conv(name, march, channels, kernel, expect, group=1, stride=1, dilation=1, pad=0, hw=32, out=8):
    return Probe(name, march, "Conv", (1, channels, hw, hw), expect, weight=(out, channels // group, *kernel),
                 attrs={"kernel_shape": list(kernel), "group": group, "strides": [stride, stride],
                        "dilations": [dilation, dilation], "pads": [pad] * 4})


PROBES = [
    conv("x5_conv_kernel_ok", "bayes_e", 8, (31, 31), set(), hw=64),
    conv("x5_conv_kernel_past", "bayes_e", 8, (32, 1), {"bayes_e.onnx.conv.kernel_size"}, hw=64),
    conv("x5_conv_weight_ok", "bayes_e", 1057, (31, 1), set(), hw=32),  # 1057 * 31 = 32767
    conv("x5_conv_weight_past", "bayes_e", 2048, (4, 4), {"bayes_e.onnx.conv.weight_size"}, hw=8),  # 32768
    conv("x5_conv_channels_ok", "bayes_e", 8192, (1, 1), set(), hw=2),
    conv("x5_conv_channels_past", "bayes_e", 8193, (1, 1), {"bayes_e.onnx.conv.channels"}, hw=2),
    conv("x5_conv_stride_ok", "bayes_e", 4, (1, 1), set(), stride=256, hw=512),
    conv("x5_conv_stride_past", "bayes_e", 4, (1, 1), {"bayes_e.onnx.conv.stride"}, stride=257, hw=514),
    conv("x5_conv_dilation_ok", "bayes_e", 4, (3, 3), set(), dilation=16, hw=64),
    conv("x5_conv_dilation_past", "bayes_e", 4, (3, 3), {"bayes_e.onnx.conv.dilation"}, dilation=17, hw=64),
    conv("x5_conv_dilated_stride_ok", "bayes_e", 4, (3, 3), set(), dilation=2, stride=1, hw=32),
    conv("x5_conv_dilated_stride_past", "bayes_e", 4, (3, 3), {"bayes_e.onnx.conv.dilation_stride"},
         dilation=2, stride=2, hw=32),
    conv("x5_conv_padding_ok", "bayes_e", 4, (3, 3), set(), pad=256, hw=8),
    conv("x5_conv_padding_past", "bayes_e", 4, (3, 3), {"bayes_e.onnx.conv.padding"}, pad=257, hw=8),
    conv("ultra_conv_weight_ok", "bayes", 7281, (3, 3), set(), hw=4),  # 65529
    conv("ultra_conv_weight_past", "bayes", 7282, (3, 3), {"bayes.onnx.conv.weight_size"}, hw=4),  # 65538
    conv("x3_conv_kernel_ok", "bernoulli2", 4, (7, 7), set()),
    conv("x3_conv_kernel_past", "bernoulli2", 4, (8, 7), {"bernoulli2.onnx.conv.kernel_size"}),
    conv("x3_conv_weight_ok", "bernoulli2", 2048, (4, 4), set(), hw=8),  # 32768
    conv("x3_conv_weight_past", "bernoulli2", 2049, (4, 4), {"bernoulli2.onnx.conv.weight_size"}, hw=8),
    conv("x3_conv_channels_ok", "bernoulli2", 2048, (1, 1), set(), group=2, hw=4),
    conv("x3_conv_channels_past", "bernoulli2", 2050, (1, 1), {"bernoulli2.onnx.conv.channels"}, group=2, hw=4),
    Probe("x5_softmax_default_cpu", "bayes_e", "Softmax", (1, 2, 4, 8), {"bayes_e.onnx.softmax.cpu_default"},
          attrs={"axis": 3}),
    Probe("x5_softmax_on_bpu_ok", "bayes_e", "Softmax", (1, 2, 4, 8), set(), attrs={"axis": 3}, run_on_bpu=True),
    Probe("x5_softmax_on_bpu_past", "bayes_e", "Softmax", (1, 2, 4, 8), {"bayes_e.onnx.softmax.shape"},
          attrs={"axis": 2}, run_on_bpu=True),
    Probe("x3_softmax_cpu", "bernoulli2", "Softmax", (1, 2, 4, 8), {"bernoulli2.onnx.softmax.cpu"}, attrs={"axis": 3}),
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
    Probe("x5_reduce_axes_past", "bayes_e", "ReduceMean", (1, 2, 4, 4), {"bayes_e.onnx.reduce_mean.axes"},
          attrs={"axes": [2, 3], "keepdims": 1}),
    Probe("x5_argmax_ok", "bayes_e", "ArgMax", (1, 8191, 2, 2), set(), attrs={"axis": 1}),
    Probe("x5_argmax_past", "bayes_e", "ArgMax", (1, 8192, 2, 2), {"bayes_e.onnx.arg_max.shape"}, attrs={"axis": 1}),
    Probe("ultra_argmax_ok", "bayes", "ArgMax", (1, 64, 2, 2), set(), attrs={"axis": 1}),
    Probe("ultra_argmax_past", "bayes", "ArgMax", (1, 65, 2, 2), {"bayes.onnx.arg_max.shape"}, attrs={"axis": 1}),
    Probe("x5_mul_one_constant_ok", "bayes_e", "Mul", (1, 2, 4, 4), set(), weight=(1, 2, 1, 1)),
    Probe("ultra_mul_broadcast_first_past", "bayes", "Mul", (2, 2, 4, 4), {"bayes.onnx.mul.broadcast_first"},
          weight=(1, 2, 4, 4)),
    Probe("ultra_mul_broadcast_ok", "bayes", "Mul", (2, 2, 4, 4), set(), weight=(2, 1, 4, 4)),
    Probe("x5_prelu_ok", "bayes_e", "PRelu", (1, 2, 4, 4), set(), weight=(2, 1, 1)),
    Probe("ultra_prelu_cpu", "bayes", "PRelu", (1, 2, 4, 4), {"bayes.onnx.prelu.cpu"}, weight=(2, 1, 1)),
    Probe("x5_neg_cpu", "bayes_e", "Neg", (1, 2, 4, 4), {"bayes_e.onnx.neg.cpu"}),
    Probe("x5_einsum_unsupported", "bayes_e", "Einsum", (1, 2, 4, 4), {"bayes_e.onnx.einsum.unsupported"},
          attrs={"equation": "nchw->nchw"}),
]


def build(probe: Probe):
    """The probe's one-node model (opset 11, ir_version 7, one 4-D input)."""
    from onnx import TensorProto, helper, numpy_helper

    inputs = ["x"]
    initializers = []
    if probe.weight is not None:
        weight = np.zeros(probe.weight, dtype=np.float32)
        initializers.append(numpy_helper.from_array(weight, "w"))
        inputs.append("w")
    node = helper.make_node(probe.op, inputs, ["y"], name="probe", **probe.attrs)
    graph = helper.make_graph([node], "probe", [helper.make_tensor_value_info("x", TensorProto.FLOAT, probe.input)],
                              [helper.make_tensor_value_info("y", TensorProto.UNDEFINED, None)], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])
    model.ir_version = 7
    return model
