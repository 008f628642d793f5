"""Probes for the readings of ambiguous table cells (rule constraints with `readings:`).

Each reading is probed at its limit (`at`: it holds) and just past it (`past`: it is broken). For a
settled cell the other readings are probed too, to show they are not applied; for an unsettled one
the probes show that breaking some readings is a warning and breaking every one an error. Each
probe states the complete set of findings its model gets on the marches it names. Every probe name
starts with "reading:" (pytest -k "reading:").
"""

import torch
from torch import nn

from tests.probes import probe
from tests.probes.modules import fn, seq
from tests.probes.nn_conv import ReusedBN

BAYES_BOTH = ("bayes", "bayes_e")


def both(rest):
    """"cat.hwc:per_dimension" -> the bayes and bayes_e labels."""
    return [f"{m}.{rest}" for m in BAYES_BOTH]


def on_both(found):
    """The same findings on bayes and bayes_e: {"cat.rank": "warning"} -> per march, with ids."""
    return {m: {f"{m}.{rule}": severity for rule, severity in found.items()} for m in BAYES_BOTH}


def merged(*parts):
    result = {}
    for part in parts:
        for march, found in part.items():
            result.setdefault(march, {}).update(found)
    return result


def cat2(dim=1):
    return fn(lambda a, b: torch.cat([a, b], dim))


# ------------------------------------------------------------------ torch.cat
CAT = [
    # rank, unsettled: 4-D holds both readings; a 3-D cat breaks only four_d: a warning.
    probe("reading: cat 4-D", cat2(), ("1x2x4x4", "1x2x4x4"),
          at=both("cat.rank:four_d") + both("cat.rank:names_dims"), findings=on_both({})),
    probe("reading: cat 3-D", cat2(), ("1x2x4", "1x2x4"), fail=both("cat.rank"),
          past=both("cat.rank:four_d"), at=both("cat.rank:names_dims"),
          findings=merged(on_both({"cat.rank": "warning"}), {"bernoulli2": {"bernoulli2.cat.four_d": "error"}})),
    # hwc, settled per dimension: H, W, C each <= 65536; the product reading is not applied.
    probe("reading: cat W 65536", cat2(), ("1x1x1x65536", "1x1x1x65536"), ok=both("cat.hwc"),
          at=both("cat.hwc:per_dimension") + both("cat.hwc:product"), findings=on_both({})),
    probe("reading: cat W 65537", cat2(), ("1x1x1x65537", "1x1x1x65537"), fail=both("cat.hwc"),
          past=both("cat.hwc:per_dimension") + both("cat.hwc:product"), findings=on_both({"cat.hwc": "error"})),
    probe("reading: cat HWC product 65792", cat2(), ("1x1x257x256", "1x1x257x256"), ok=both("cat.hwc"),
          past=both("cat.hwc:product"), at=both("cat.hwc:per_dimension"), findings=on_both({})),
    probe("reading: cat C 65537 along W", cat2(3), ("1x65537x1x1", "1x65537x1x1"),
          fail=both("cat.hwc"), past=both("cat.hwc:per_dimension"), findings=on_both({"cat.hwc": "error"})),
]

# ------------------------------------------------------------------ torch.matmul
MATMUL = [
    # rank, unsettled: 4-D @ 4-D holds both; 3-D @ 3-D breaks four_d only (warning); 3-D @ 2-D
    # breaks both (error).
    probe("reading: matmul 4-D", fn(lambda a, b: a @ b), ("1x2x4x8", "1x2x8x4"),
          at=both("matmul.rank:four_d") + both("matmul.rank:same_rank"), findings=on_both({})),
    probe("reading: matmul 3-D", fn(lambda a, b: a @ b), ("2x4x8", "2x8x4"), fail=both("matmul.rank"),
          ok=both("matmul.matrix_dims") + both("matmul.higher_dims"),
          past=both("matmul.rank:four_d"), at=both("matmul.rank:same_rank"),
          findings=on_both({"matmul.rank": "warning"})),
    probe("reading: matmul 3-D @ 2-D", fn(lambda a, b: a @ b), ("2x4x8", "8x4"), fail=both("matmul.rank"),
          past=both("matmul.rank:four_d") + both("matmul.rank:same_rank"),
          findings=on_both({"matmul.rank": "error"})),
    # The ONNX MatMul rows' limits for other ranks: the last two dims <= 8192, the rest <= 4096.
    probe("reading: matmul 3-D rows 8192", fn(lambda a, b: a @ b), ("1x8192x1", "1x1x2"),
          ok=both("matmul.matrix_dims"), findings=on_both({"matmul.rank": "warning"})),
    probe("reading: matmul 3-D rows 8193", fn(lambda a, b: a @ b), ("1x8193x1", "1x1x2"),
          fail=both("matmul.matrix_dims"), findings=on_both({"matmul.rank": "warning", "matmul.matrix_dims": "error"})),
    probe("reading: matmul 3-D batch 4096", fn(lambda a, b: a @ b), ("4096x1x1", "4096x1x1"),
          ok=both("matmul.higher_dims"), findings=on_both({"matmul.rank": "warning"})),
    probe("reading: matmul 3-D batch 4097", fn(lambda a, b: a @ b), ("4097x1x1", "4097x1x1"),
          fail=both("matmul.higher_dims"), findings=on_both({"matmul.rank": "warning", "matmul.higher_dims": "error"})),
]


# ------------------------------------------------------------------ torch.max / min / argmax / argmin
def _reductions(x):
    return torch.max(x, 1), torch.min(x, 1), torch.argmax(x, 1), torch.argmin(x, 1)


REDUCE_ROWS = ("max", "min", "argmax", "argmin")


def reduce_labels(reading):
    return [label for row in REDUCE_ROWS for label in both(f"{row}.rank:{reading}")]


def reduce_findings(severity, x5_channels=None):
    found = on_both({f"{row}.rank": severity for row in REDUCE_ROWS} if severity else {})
    if x5_channels:
        found["bayes_e"].update({f"bayes_e.{row}.channels": x5_channels for row in ("argmax", "argmin")})
    return found


REDUCTIONS = [
    # rank, unsettled: 4-D (ArgMax rows) and 2- to 5-D (ReduceMax rows); a 5-D input breaks only
    # four_d (warning), a 6-D or 1-D input both (error).
    probe("reading: max/min/argmax/argmin 4-D", fn(_reductions), "1x2x3x3",
          at=reduce_labels("four_d") + reduce_labels("reduce_ranks"), findings=reduce_findings(None)),
    probe("reading: max/min/argmax/argmin 5-D", fn(_reductions), "1x2x3x3x3",
          past=reduce_labels("four_d"), at=reduce_labels("reduce_ranks"), findings=reduce_findings("warning")),
    probe("reading: max/min/argmax/argmin 6-D", fn(_reductions), "1x2x3x3x3x3",
          past=reduce_labels("four_d") + reduce_labels("reduce_ranks"), findings=reduce_findings("error")),
    probe("reading: max/min/argmax/argmin 2-D", fn(_reductions), "2x3",
          past=reduce_labels("four_d"), at=reduce_labels("reduce_ranks"), findings=reduce_findings("warning")),
    # X5 ArgMax channels, unsettled: C <= 8191 (the X5 ONNX row) or no bound beyond bayes's 65535.
    probe("reading: argmax/argmin 8191 channels on X5", fn(lambda x: (torch.argmax(x, 1), torch.argmin(x, 1))),
          "1x8191x1x1", ok=["bayes_e.argmax.channels", "bayes_e.argmin.channels"],
          at=["bayes_e.argmax.channels:x5_argmax", "bayes_e.argmin.channels:x5_argmax",
              "bayes_e.argmax.channels:torch_row", "bayes_e.argmin.channels:torch_row"],
          findings={"bayes_e": {}}),
    probe("reading: argmax/argmin 8192 channels on X5", fn(lambda x: (torch.argmax(x, 1), torch.argmin(x, 1))),
          "1x8192x1x1", fail=["bayes_e.argmax.channels", "bayes_e.argmin.channels"],
          past=["bayes_e.argmax.channels:x5_argmax", "bayes_e.argmin.channels:x5_argmax"],
          findings={"bayes": {}, "bayes_e": {"bayes_e.argmax.channels": "warning",
                                             "bayes_e.argmin.channels": "warning"}}),
]

# ------------------------------------------------------------------ torch.div
DIV = [
    # constant operand, settled (the Ultra ONNX Div row): two feature maps on bayes; X5 drops it.
    probe("reading: div of two activations", fn(lambda a, b: a / b), ("1x2x4x4", "1x2x4x4"),
          activation_dtype="qint16", at=["bayes.div.constant_operand:feature_maps",
                                         "bayes.div.constant_operand:any_operand"],
          findings={"bayes": {}, "bayes_e": {}}),
    probe("reading: div by a number", fn(lambda x: x / 3), "1x2x4x4", activation_dtype="qint16",
          past=["bayes.div.constant_operand:feature_maps"], at=["bayes.div.constant_operand:any_operand"],
          findings={"bayes": {"bayes.div.constant_operand": "error"}, "bayes_e": {}}),
    probe("reading: div in 10 dims on X5", fn(lambda a, b: a / b), ("1x2x1x1x1x1x1x1x1x2",) * 2,
          activation_dtype="qint16", ok=["bayes_e.div.rank"], findings={"bayes_e": {}}),
    probe("reading: div in 11 dims on X5", fn(lambda a, b: a / b), ("1x2x1x1x1x1x1x1x1x1x2",) * 2,
          activation_dtype="qint16", fail=["bayes_e.div.rank"], findings={"bayes_e": {"bayes_e.div.rank": "error"}}),
]

# ------------------------------------------------------------------ torch.maximum / minimum on X5
MAXIMUM = [
    probe("reading: maximum/minimum in 10 dims on X5", fn(lambda a, b: (torch.maximum(a, b), torch.minimum(a, b))),
          ("1x2x1x1x1x1x1x1x1x2",) * 2, ok=["bayes_e.maximum.rank", "bayes_e.minimum.rank"],
          findings={"bayes_e": {}}),
    probe("reading: maximum/minimum in 11 dims on X5", fn(lambda a, b: (torch.maximum(a, b), torch.minimum(a, b))),
          ("1x2x1x1x1x1x1x1x1x1x2",) * 2, fail=["bayes_e.maximum.rank", "bayes_e.minimum.rank"],
          findings={"bayes_e": {"bayes_e.maximum.rank": "error", "bayes_e.minimum.rank": "error"}}),
]

# ------------------------------------------------------------------ torch.round / torch.sign (X5 list only)
# Not in the torch table: refused on bayes; on X5 (whose ONNX list runs them on the BPU) a warning
# that the torch table does not list them, and the lookup-table precision warning.
ROUND_SIGN_FINDINGS = {"bayes": {"bayes.round.supported": "error", "bayes.sign.supported": "error"},
                    "bayes_e": {"bayes_e.round.torch_table": "warning", "bayes_e.sign.torch_table": "warning",
                                "bayes_e.round.precision": "warning", "bayes_e.sign.precision": "warning"}}
ROUND_SIGN = [
    probe("reading: round and sign", fn(lambda x: (torch.round(x), torch.sign(x))), "1x2x4x4",
          fail=["bernoulli2.round.supported", "bayes.round.supported", "bernoulli2.sign.supported",
                "bayes.sign.supported", "bayes_e.round.torch_table", "bayes_e.sign.torch_table",
                "bayes_e.round.precision", "bayes_e.sign.precision"],
          ok=["bayes_e.round.input_dtype", "bayes_e.sign.input_dtype"],
          past=["bayes_e.round.torch_table:listed_only", "bayes_e.sign.torch_table:listed_only"],
          at=["bayes_e.round.torch_table:x5_list", "bayes_e.sign.torch_table:x5_list"],
          findings=ROUND_SIGN_FINDINGS),
    probe("reading: round and sign methods, in place", fn(lambda x: (x.round(), x.clone().sign_(), torch.sgn(x))),
          "1x2x4x4", ok=["bayes_e.round.input_dtype", "bayes_e.sign.input_dtype"], findings=ROUND_SIGN_FINDINGS),
    probe("reading: round and sign int32 input", fn(lambda x: (torch.round(x), torch.sign(x))), "1x2x4x4",
          input_dtypes=("int32",), fail=["bayes_e.round.input_dtype", "bayes_e.sign.input_dtype"],
          findings=merged(ROUND_SIGN_FINDINGS, {"bayes_e": {"bayes_e.round.input_dtype": "error",
                                                            "bayes_e.sign.input_dtype": "error"}})),
]

# ------------------------------------------------------------------ AvgPool2d
AVG_POOL = [
    # padding on bayes, settled from 0 (the vendor's own unpadded AvgPool2d(8) compiles).
    probe("reading: AvgPool2d unpadded", seq(nn.AvgPool2d(8)), "1x1x8x8",
          at=["bayes.avg_pool2d.padding:from_zero"], past=["bayes.avg_pool2d.padding:from_one"],
          findings={"bayes": {}}),
    probe("reading: AvgPool2d padding 1", seq(nn.AvgPool2d(3, stride=1, padding=1)), "1x1x8x8",
          at=["bayes.avg_pool2d.padding:from_zero", "bayes.avg_pool2d.padding:from_one"],
          findings={"bayes": {}, "bayes_e": {}}),
    probe("reading: AvgPool2d padding 257", seq(nn.AvgPool2d((514, 1), stride=1, padding=(257, 0))), "1x1x1x1",
          past=["bayes.avg_pool2d.padding:from_zero", "bayes.avg_pool2d.padding:from_one"],
          findings={"bayes": {"bayes.avg_pool2d.kernel": "error", "bayes.avg_pool2d.padding": "error"}}),
    # padding on X5: at most 255.
    # (torch wants padding <= kernel / 2, so these kernels break the 256 kernel bound; a 1 x 1 input
    # breaks the input reading of the X5 area: a warning.)
    probe("reading: AvgPool2d padding 255 on X5", seq(nn.AvgPool2d((510, 1), stride=1, padding=(255, 0))),
          "1x1x1x1", ok=["bayes_e.avg_pool2d.padding"],
          findings={"bayes_e": {"bayes_e.avg_pool2d.kernel": "error", "bayes_e.avg_pool2d.area": "warning"}}),
    probe("reading: AvgPool2d padding 256 on X5", seq(nn.AvgPool2d((512, 1), stride=1, padding=(256, 0))),
          "1x1x1x1", fail=["bayes_e.avg_pool2d.padding"], ok=["bayes.avg_pool2d.padding"],
          findings={"bayes": {"bayes.avg_pool2d.kernel": "error"},
                    "bayes_e": {"bayes_e.avg_pool2d.kernel": "error", "bayes_e.avg_pool2d.area": "warning",
                                "bayes_e.avg_pool2d.padding": "error"}}),
    # the X5 area (1 < H * W <= 8192), unsettled: the kernel's or the input's.
    probe("reading: AvgPool2d kernel and input area 8192 on X5", seq(nn.AvgPool2d((64, 128))), "1x1x64x128",
          ok=["bayes_e.avg_pool2d.area"],
          at=["bayes_e.avg_pool2d.area:kernel_area", "bayes_e.avg_pool2d.area:input_area"],
          findings={"bayes_e": {}}),
    probe("reading: AvgPool2d 1x1 kernel on X5", seq(nn.AvgPool2d(1)), "1x1x2x2", fail=["bayes_e.avg_pool2d.area"],
          past=["bayes_e.avg_pool2d.area:kernel_area"], at=["bayes_e.avg_pool2d.area:input_area"],
          findings={"bayes": {}, "bayes_e": {"bayes_e.avg_pool2d.area": "warning"}}),
    probe("reading: AvgPool2d input area 8281 on X5", seq(nn.AvgPool2d(3, stride=1, padding=1)), "1x1x91x91",
          fail=["bayes_e.avg_pool2d.area"], past=["bayes_e.avg_pool2d.area:input_area"],
          at=["bayes_e.avg_pool2d.area:kernel_area"],
          findings={"bayes": {}, "bayes_e": {"bayes_e.avg_pool2d.area": "warning"}}),
    probe("reading: AvgPool2d 1x1 kernel on a 1x1 input on X5", seq(nn.AvgPool2d(1)), "1x1x1x1",
          fail=["bayes_e.avg_pool2d.area"],
          past=["bayes_e.avg_pool2d.area:kernel_area", "bayes_e.avg_pool2d.area:input_area"],
          findings={"bayes_e": {"bayes_e.avg_pool2d.area": "error"}}),
]

# ------------------------------------------------------------------ Conv2d / ConvTranspose2d weight_size
CONV = [
    # Conv2d, settled one filter (C/groups x H x W < 65535); the whole-weight reading not applied.
    probe("reading: conv2d one filter 65534", seq(nn.Conv2d(2114, 1, (31, 1))), "1x2114x31x1",
          at=["bayes.conv2d.weight_size:one_filter", "bayes.conv2d.weight_size:whole_weight"],
          findings={"bayes": {}, "bayes_e": {"bayes_e.conv2d.weight_size": "error"}}),
    probe("reading: conv2d one filter 65535", seq(nn.Conv2d(4369, 1, (15, 1))), "1x4369x15x1",
          past=["bayes.conv2d.weight_size:one_filter", "bayes.conv2d.weight_size:whole_weight"],
          findings={"bayes": {"bayes.conv2d.weight_size": "error"}}),
    probe("reading: conv2d whole weight 65536", seq(nn.Conv2d(8, 8192, 1)), "1x8x1x1",
          at=["bayes.conv2d.weight_size:one_filter"], past=["bayes.conv2d.weight_size:whole_weight"],
          findings={"bayes": {}, "bayes_e": {}}),
    probe("reading: conv2d whole weight 65534", seq(nn.Conv2d(1, 2, (1, 32767), padding=(0, 0))), "1x1x1x32767",
          at=["bayes.conv2d.weight_size:whole_weight"],
          findings={"bayes": {"bayes.conv2d.kernel": "error"}}),
    # ConvTranspose2d, settled on the X5 list's kernel_size (ksh x ksw x C_in/groups).
    probe("reading: conv_transpose2d kernel_size 65504", seq(nn.ConvTranspose2d(2047, 1, (4, 8))), "1x2047x2x2",
          ok=["bayes.conv_transpose2d.weight_size"],
          at=["bayes.conv_transpose2d.weight_size:kernel_size", "bayes.conv_transpose2d.weight_size:one_filter",
              "bayes.conv_transpose2d.weight_size:whole_weight"],
          findings={"bayes": {}, "bayes_e": {"bayes_e.conv_transpose2d.weight_size": "error"}}),
    probe("reading: conv_transpose2d kernel_size 65536", seq(nn.ConvTranspose2d(2048, 1, (4, 8))), "1x2048x2x2",
          fail=["bayes.conv_transpose2d.weight_size"],
          past=["bayes.conv_transpose2d.weight_size:kernel_size", "bayes.conv_transpose2d.weight_size:whole_weight"],
          at=["bayes.conv_transpose2d.weight_size:one_filter"],
          findings={"bayes": {"bayes.conv_transpose2d.weight_size": "error"}}),
    probe("reading: conv_transpose2d one filter 65536", seq(nn.ConvTranspose2d(1, 2048, (8, 4), stride=2)),
          "1x1x1x1", ok=["bayes.conv_transpose2d.weight_size", "bayes_e.conv_transpose2d.weight_size"],
          past=["bayes.conv_transpose2d.weight_size:one_filter", "bayes.conv_transpose2d.weight_size:whole_weight"],
          at=["bayes.conv_transpose2d.weight_size:kernel_size"], findings={"bayes": {}, "bayes_e": {}}),
    probe("reading: conv_transpose2d whole weight 1M", seq(nn.ConvTranspose2d(256, 256, 4, stride=2)), "1x256x2x2",
          past=["bayes.conv_transpose2d.weight_size:whole_weight"],
          at=["bayes.conv_transpose2d.weight_size:kernel_size", "bayes.conv_transpose2d.weight_size:one_filter"],
          findings={"bayes": {}, "bayes_e": {}}),
    # X5: kernel_size <= 32767.
    probe("reading: conv_transpose2d kernel_size 32736 on X5", seq(nn.ConvTranspose2d(1023, 1, (4, 8))),
          "1x1023x2x2", ok=["bayes_e.conv_transpose2d.weight_size"], findings={"bayes_e": {}}),
    probe("reading: conv_transpose2d kernel_size 32768 on X5", seq(nn.ConvTranspose2d(1024, 1, (4, 8))),
          "1x1024x2x2", fail=["bayes_e.conv_transpose2d.weight_size"], ok=["bayes.conv_transpose2d.weight_size"],
          findings={"bayes_e": {"bayes_e.conv_transpose2d.weight_size": "error"}}),
    # A stride shrinks the kernel taps one output pixel reads: 2 x 4 x 2048 = 16384 with stride 2.
    probe("reading: conv_transpose2d 2048 x 4 x 8 strided on X5",
          seq(nn.ConvTranspose2d(2048, 1, (4, 8), stride=2)), "1x2048x2x2",
          ok=["bayes_e.conv_transpose2d.weight_size"], findings={"bayes_e": {}}),
]


# ------------------------------------------------------------------ BatchNorm absorption
def bn_labels(prefix, constraints, reading):
    return [f"{m}.{prefix}.{c}:{reading}" for m, cs in constraints.items() for c in cs]


BN2_ALL = {"bernoulli2": ["standalone"], "bayes": ["standalone", "input_dtype", "channel"],
           "bayes_e": ["standalone", "input_dtype", "channel"]}
BN3_ALL = {"bernoulli2": ["standalone", "four_d"], "bayes": ["standalone", "input_dtype", "channel"],
           "bayes_e": ["standalone", "input_dtype", "channel"]}
SBN_ALL = {"bernoulli2": ["input_dtype", "conv2d"], "bayes": ["input_dtype", "conv2d", "channel"],
           "bayes_e": ["input_dtype", "conv2d", "channel"]}
# A qint16 convolution: bayes notes the int32 accumulation (info). Its 8193 output channels break
# Conv2d's 8192 unless the BatchNorm after it is absorbed and is the model output (16384 then).
QINT16_CONV = {"conv2d.qint16_accumulation": "info"}
REUSED_CONV = {"conv2d.qint16_accumulation": "info", "conv2d.out_channel": "error"}


def bn_findings(row, severities, conv=None, extra=None):
    """Per bayes march: the BatchNorm row's findings (name -> severity) plus the conv's."""
    found = {}
    for m in BAYES_BOTH:
        found[m] = {f"{m}.{row}.{c}": s for c, s in severities.items()}
        found[m].update({f"{m}.{k}": s for k, s in (conv or {}).items()})
    for m, more in (extra or {}).items():
        found.setdefault(m, {}).update(more)
    return found


BATCH_NORM = [
    # Straight after a convolution that feeds nothing else: absorbed under both readings.
    probe("reading: batch_norm2d absorbed", seq(nn.Conv2d(1, 8193, 1), nn.BatchNorm2d(8193)), "1x1x1x1",
          activation_dtype="qint16", at=bn_labels("batch_norm2d", BN2_ALL, "single_reader")
          + bn_labels("batch_norm2d", BN2_ALL, "after_conv"),
          findings=bn_findings("batch_norm2d", {}, QINT16_CONV,
                               {"bernoulli2": {"bernoulli2.conv2d.input_dtype": "error"}})),
    # After a convolution whose output is also read by an add: absorbed only under after_conv.
    probe("reading: batch_norm2d after a reused conv output",
          lambda: ReusedBN(nn.Conv2d(1, 8193, 1), nn.BatchNorm2d(8193)).eval(), "1x1x1x1", activation_dtype="qint16",
          past=bn_labels("batch_norm2d", BN2_ALL, "single_reader"),
          at=bn_labels("batch_norm2d", BN2_ALL, "after_conv"),
          findings=bn_findings("batch_norm2d", {"standalone": "info", "input_dtype": "warning", "channel": "warning"},
                               REUSED_CONV,
                               {"bernoulli2": {"bernoulli2.batch_norm2d.standalone": "info",
                                               "bernoulli2.conv2d.input_dtype": "error",
                                               "bernoulli2.add.in_channel": "error"}})),
    # On the model input: standalone under both readings.
    probe("reading: batch_norm2d standalone", seq(nn.BatchNorm2d(8193)), "1x8193x1x1", activation_dtype="qint16",
          past=bn_labels("batch_norm2d", BN2_ALL, "single_reader") + bn_labels("batch_norm2d", BN2_ALL, "after_conv"),
          findings=bn_findings("batch_norm2d", {"standalone": "warning", "input_dtype": "error", "channel": "error"},
                               extra={"bernoulli2": {"bernoulli2.batch_norm2d.standalone": "warning"}})),
    probe("reading: batch_norm3d absorbed", seq(nn.Conv3d(1, 8193, 1), nn.BatchNorm3d(8193)), "1x1x1x1x1",
          activation_dtype="qint16", at=bn_labels("batch_norm3d", BN3_ALL, "single_reader")
          + bn_labels("batch_norm3d", BN3_ALL, "after_conv"),
          findings=bn_findings("batch_norm3d", {}, {"conv3d.input_dtype": "error"},
                               {"bernoulli2": {"bernoulli2.conv3d.supported": "error"}})),
    # (A Conv3d outputs qint8 on bayes, so its reader's qint8 input holds under both readings.)
    probe("reading: batch_norm3d after a reused conv output",
          lambda: ReusedBN(nn.Conv3d(1, 8193, 1), nn.BatchNorm3d(8193)).eval(), "1x1x1x1x1", activation_dtype="qint16",
          past=bn_labels("batch_norm3d", {m: [c for c in cs if c != "input_dtype"] for m, cs in BN3_ALL.items()},
                         "single_reader"),
          at=bn_labels("batch_norm3d", BN3_ALL, "after_conv"),
          findings=bn_findings("batch_norm3d", {"standalone": "info", "channel": "warning"},
                               {"conv3d.input_dtype": "error"},
                               {"bernoulli2": {"bernoulli2.batch_norm3d.standalone": "info",
                                               "bernoulli2.batch_norm3d.four_d": "warning",
                                               "bernoulli2.conv3d.supported": "error",
                                               "bernoulli2.add.four_d": "error", "bernoulli2.add.in_channel": "error"}})),
    probe("reading: batch_norm3d standalone", seq(nn.BatchNorm3d(8193)), "1x8193x1x1x1", activation_dtype="qint16",
          past=bn_labels("batch_norm3d", BN3_ALL, "single_reader") + bn_labels("batch_norm3d", BN3_ALL, "after_conv"),
          findings=bn_findings("batch_norm3d", {"standalone": "warning", "input_dtype": "error", "channel": "error"},
                               extra={"bernoulli2": {"bernoulli2.batch_norm3d.standalone": "warning",
                                                     "bernoulli2.batch_norm3d.four_d": "error"}})),
    probe("reading: sync_batch_norm absorbed", seq(nn.Conv2d(1, 8193, 1), nn.SyncBatchNorm(8193)), "1x1x1x1",
          activation_dtype="qint16", at=bn_labels("sync_batch_norm", SBN_ALL, "single_reader")
          + bn_labels("sync_batch_norm", SBN_ALL, "after_conv"),
          findings=bn_findings("sync_batch_norm", {}, QINT16_CONV)),
    # (bernoulli2's Conv2d outputs qint8, so there the SyncBatchNorm's qint8 input holds.)
    probe("reading: sync_batch_norm after a reused conv output",
          lambda: ReusedBN(nn.Conv2d(1, 8193, 1), nn.SyncBatchNorm(8193)).eval(), "1x1x1x1", activation_dtype="qint16",
          past=bn_labels("sync_batch_norm", {**SBN_ALL, "bernoulli2": ["conv2d"]}, "single_reader"),
          at=bn_labels("sync_batch_norm", SBN_ALL, "after_conv"),
          findings=bn_findings("sync_batch_norm", {"conv2d": "info", "input_dtype": "warning", "channel": "warning"},
                               REUSED_CONV)),
    probe("reading: sync_batch_norm standalone", seq(nn.SyncBatchNorm(8193)), "1x8193x1x1", activation_dtype="qint16",
          past=bn_labels("sync_batch_norm", SBN_ALL, "single_reader")
          + bn_labels("sync_batch_norm", SBN_ALL, "after_conv"),
          findings=bn_findings("sync_batch_norm", {"conv2d": "info", "input_dtype": "error", "channel": "error"})),
]

# ------------------------------------------------------------------ LayerNorm
LN = "layer_norm"
LN_WARN = {"layer_norm.precision": "warning"}


class LayerNormOf(nn.Module):
    def __init__(self, shape):
        super().__init__()
        self.norm = nn.LayerNorm(shape)

    def forward(self, x):
        return self.norm(x)


LAYER_NORM = [
    # input H x W, unsettled: a 4-D input's H x W, or the last two dims of any input.
    probe("reading: layer_norm 4-D input H x W 16384", lambda: LayerNormOf(128), "1x1x128x128",
          at=both(f"{LN}.input_hw:four_d_hw") + both(f"{LN}.input_hw:last_two_dims"), findings=on_both(LN_WARN)),
    probe("reading: layer_norm 4-D input H x W 16512", lambda: LayerNormOf(129), "1x1x128x129",
          fail=both(f"{LN}.input_hw"),
          past=both(f"{LN}.input_hw:four_d_hw") + both(f"{LN}.input_hw:last_two_dims"),
          findings=on_both({**LN_WARN, "layer_norm.input_hw": "error"})),
    probe("reading: layer_norm 3-D input 128 x 128", lambda: LayerNormOf(128), "1x128x128",
          at=both(f"{LN}.input_hw:four_d_hw") + both(f"{LN}.input_hw:last_two_dims"), findings=on_both(LN_WARN)),
    probe("reading: layer_norm 3-D input 197 x 192 (ViT)", lambda: LayerNormOf(192), "1x197x192",
          fail=both(f"{LN}.input_hw"), at=both(f"{LN}.input_hw:four_d_hw"),
          past=both(f"{LN}.input_hw:last_two_dims"),
          findings=on_both({**LN_WARN, "layer_norm.input_hw": "warning"})),
    # normalized_shape H x W, unsettled: the last two dims, or the whole of it.
    probe("reading: layer_norm normalized 16383", lambda: LayerNormOf(16383), "1x16383",
          at=both(f"{LN}.normalized_hw:last_two") + both(f"{LN}.normalized_hw:whole"), findings=on_both(LN_WARN)),
    probe("reading: layer_norm normalized 2 x 64 x 128", lambda: LayerNormOf((2, 64, 128)), "1x2x64x128",
          fail=both(f"{LN}.normalized_hw"), at=both(f"{LN}.normalized_hw:last_two"),
          past=both(f"{LN}.normalized_hw:whole"),
          findings=on_both({**LN_WARN, "layer_norm.normalized_hw": "warning"})),
    probe("reading: layer_norm normalized 128 x 128", lambda: LayerNormOf((128, 128)), "1x128x128",
          fail=both(f"{LN}.normalized_hw"),
          past=both(f"{LN}.normalized_hw:last_two") + both(f"{LN}.normalized_hw:whole"),
          findings=on_both({**LN_WARN, "layer_norm.normalized_hw": "error"})),
]

PROBES = CAT + MATMUL + REDUCTIONS + DIV + MAXIMUM + ROUND_SIGN + AVG_POOL + CONV + BATCH_NORM + LAYER_NORM
