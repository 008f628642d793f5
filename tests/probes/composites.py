"""Probes for the composites (rules/composites.yaml): ops the table does not list, judged as the
rows they decompose into. Each probe states the complete set of findings its composite layer gets
on each march it names ("RULE@PART": the part of the decomposition the finding is about), at the
limit of a part's row and just past it. Every probe name starts with "composite:".
"""

import torch
import torch.nn.functional as F
from torch import nn

from tests.probes import composite_probe
from tests.probes.modules import fn, seq

B2, BAYES, X5 = "bernoulli2", "bayes", "bayes_e"


def both(labels):
    """The same findings on bayes and bayes_e ("bayes.x@p" -> also "bayes_e.x@p")."""
    return {BAYES: list(labels), X5: [label.replace("bayes.", "bayes_e.", 1) for label in labels]}


def ids(march, *rests):
    return [f"{march}.{rest}" for rest in rests]


def bayes_ids(*rests):
    return ids(BAYES, *rests) + ids(X5, *rests)


class Causal(nn.Module):
    def forward(self, q, k, v):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)


class Masked(nn.Module):
    def forward(self, q, k, v, mask):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)


class ConvBatchNorm1d(nn.Module):
    """A Conv1d then a BatchNorm1d on its output: the BatchNorm is absorbed into the convolution.
    (aten::conv1d is not a row of the table: only the BatchNorm1d layer is a composite.)"""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 8, 1)
        self.bn = nn.BatchNorm1d(8)

    def forward(self, x):
        return self.bn(self.conv(x))


def sdpa():
    return fn(F.scaled_dot_product_attention)


def qkv(length, keys, batch=1, heads=1, embed=1):
    """q [batch, heads, L, E], k and v [batch, heads, S, E]."""
    q = f"{batch}x{heads}x{length}x{embed}"
    kv = f"{batch}x{heads}x{keys}x{embed}"
    return (q, kv, kv)


# The scale of the scores is a number: torch.mul's eager-mode note (info) on bayes, and a constant
# operand (refused) on bernoulli2; the softmax is a lookup-table op (warning) on bayes.
SDPA_BAYES = ["bayes.mul.scalar@scale", "bayes.softmax.precision@softmax"]
SDPA_B2 = ["bernoulli2.mul.constant_operand@scale", "bernoulli2.softmax.supported@softmax"]
MATMUL_OK = bayes_ids("matmul.rank", "matmul.input_size", "matmul.batch", "matmul.chw", "matmul.output_dtype",
                      "softmax.input_dtype", "softmax.output_dtype", "mul.input_dtype", "mul.output_dtype",
                      "mul.broadcast_one") + ids(BAYES, "mul.broadcast_n") + ids(X5, "mul.rank")

PROBES = [
    # ------------------------------------------------------------------ hardswish = x * hardsigmoid(x)
    # bernoulli2 has no HardSigmoid, so a hardswish never runs there; torch.mul's limit is C <= 2048.
    composite_probe("composite: hardswish at mul's channel limit", seq(nn.Hardswish()), "1x2048x1x1",
                    findings={B2: ["bernoulli2.hardsigmoid.supported@gate"],
                              **both(["bayes.hardsigmoid.precision@gate"])},
                    ok=ids(B2, "mul.in_channel", "mul.four_d", "mul.constant_operand", "mul.input_dtype",
                           "mul.output_dtype")
                    + bayes_ids("hardsigmoid.input_dtype", "hardsigmoid.output_dtype", "mul.broadcast_one",
                                "mul.input_dtype", "mul.output_dtype") + ids(BAYES, "mul.broadcast_n")),
    composite_probe("composite: hardswish past mul's channel limit", seq(nn.Hardswish()), "1x2049x1x1",
                    findings={B2: ["bernoulli2.hardsigmoid.supported@gate", "bernoulli2.mul.in_channel@product"],
                              **both(["bayes.hardsigmoid.precision@gate"])}),
    composite_probe("composite: F.hardswish on a 3-D tensor", fn(F.hardswish), "1x8x4",
                    findings={B2: ["bernoulli2.hardsigmoid.supported@gate", "bernoulli2.mul.four_d@product"]}),
    composite_probe("composite: hardswish in place, qint16", fn(lambda x: F.hardswish(x + x, inplace=True)), "1x8x4x4",
                    activation_dtype="qint16", findings=both(["bayes.hardsigmoid.precision@gate"])),
    composite_probe("composite: hardswish torchscript", seq(nn.Hardswish(inplace=True)), "1x2049x1x1",
                    via="torchscript",
                    findings={B2: ["bernoulli2.hardsigmoid.supported@gate", "bernoulli2.mul.in_channel@product"],
                              **both(["bayes.hardsigmoid.precision@gate"])}),

    # ------------------------------------------------------------------ chunk = split
    composite_probe("composite: chunk of a 4-D tensor", fn(lambda x: x.chunk(2, dim=1)), "1x8x4x4",
                    findings={B2: [], **both([])},
                    ok=ids(B2, "split.four_d", "split.input_dtype") + bayes_ids("split.input_dtype")),
    composite_probe("composite: chunk of a 3-D tensor", fn(lambda x: torch.chunk(x, 3, dim=-1)), "1x8x6",
                    findings={B2: ["bernoulli2.split.four_d@split"], **both([])}),
    composite_probe("composite: chunk of an int32 input", fn(lambda x: x.chunk(2, dim=1)), "1x8x4x4",
                    input_dtypes=("int32",),
                    findings={B2: ["bernoulli2.split.input_dtype@split"], **both(["bayes.split.input_dtype@split"])}),
    composite_probe("composite: chunk torchscript", fn(lambda x: torch.chunk(x, 3, dim=-1)), "1x8x6",
                    via="torchscript", findings={B2: ["bernoulli2.split.four_d@split"], **both([])}),

    # ------------------------------------------------------------------ unbind = split + squeeze
    # The pieces of a 4-D tensor's split are 4-D; squeezing them is a reshape, which bernoulli2 lacks.
    composite_probe("composite: unbind of a 4-D tensor", fn(lambda x: x.unbind(0)), "2x8x4x4",
                    findings={B2: ["bernoulli2.tensor_reshape.supported@squeeze"], **both([])},
                    ok=ids(B2, "split.four_d") + bayes_ids("split.input_dtype")),
    composite_probe("composite: unbind of a 5-D qkv", fn(lambda qkv: qkv.unbind(0)), "3x1x2x16x8",
                    findings={B2: ["bernoulli2.split.four_d@split", "bernoulli2.tensor_reshape.supported@squeeze"],
                              **both([])}),
    composite_probe("composite: unbind of an int32 input", fn(lambda x: torch.unbind(x, 1)), "1x3x4x4",
                    input_dtypes=("int32",),
                    findings={B2: ["bernoulli2.split.input_dtype@split", "bernoulli2.tensor_reshape.supported@squeeze"],
                              **both(["bayes.split.input_dtype@split"])}),
    composite_probe("composite: unbind torchscript", fn(lambda qkv: qkv.unbind(0)), "3x1x2x16x8", via="torchscript",
                    findings={B2: ["bernoulli2.split.four_d@split", "bernoulli2.tensor_reshape.supported@squeeze"],
                              **both([])}),

    # ------------------------------------------------------------------ stack = unsqueeze + cat
    # cat's bayes limits (4-D inputs, N <= 4096, H x W x C <= 65536, 2..1024 inputs) on the
    # unsqueezed tensors.
    composite_probe("composite: stack at cat's batch limit", fn(lambda a, b: torch.stack([a, b], dim=1)),
                    ("4096x1x1", "4096x1x1"),
                    findings={B2: ["bernoulli2.tensor_reshape.supported@unsqueeze"], **both([])},
                    ok=ids(B2, "cat.four_d", "cat.input_dtype")
                    + bayes_ids("cat.rank", "cat.batch", "cat.inputs", "cat.input_dtype", "cat.output_dtype")),
    composite_probe("composite: stack past cat's batch limit", fn(lambda a, b: torch.stack([a, b], dim=1)),
                    ("4097x1x1", "4097x1x1"),
                    findings={B2: ["bernoulli2.tensor_reshape.supported@unsqueeze"],
                              **both(["bayes.cat.batch@cat"])}),
    composite_probe("composite: stack at cat's HWC limit", fn(lambda a, b: torch.stack([a, b], dim=1)),
                    ("1x1x65536", "1x1x65536"), findings=both([]), ok=bayes_ids("cat.hwc")),
    composite_probe("composite: stack past cat's HWC limit", fn(lambda a, b: torch.stack([a, b], dim=1)),
                    ("1x1x65537", "1x1x65537"),
                    findings={B2: ["bernoulli2.tensor_reshape.supported@unsqueeze"],
                              **both(["bayes.cat.hwc@cat"])}),
    composite_probe("composite: stack of 4-D tensors", fn(lambda a, b: torch.stack((a, b))), ("1x8x4x4", "1x8x4x4"),
                    findings={B2: ["bernoulli2.tensor_reshape.supported@unsqueeze", "bernoulli2.cat.four_d@cat"],
                              **both(["bayes.cat.rank@cat"])}),
    composite_probe("composite: stack of 1024 tensors", fn(lambda x: torch.stack([x] * 1024, dim=0)), "1x1x1",
                    findings=both([])),
    composite_probe("composite: stack of 1025 tensors", fn(lambda x: torch.stack([x] * 1025, dim=0)), "1x1x1",
                    findings=both(["bayes.cat.inputs@cat"])),
    composite_probe("composite: stack of one tensor", fn(lambda x: torch.stack([x], dim=1)), "1x8x8",
                    findings=both(["bayes.cat.inputs@cat"])),
    composite_probe("composite: stack torchscript", fn(lambda a, b: torch.stack((a, b))), ("1x8x4x4", "1x8x4x4"),
                    via="torchscript",
                    findings={B2: ["bernoulli2.tensor_reshape.supported@unsqueeze", "bernoulli2.cat.four_d@cat"],
                              **both(["bayes.cat.rank@cat"])}),

    # ------------------------------------------------------------------ sdpa = matmul, scale, softmax, matmul
    # torch.matmul's bayes limits (4-D, N <= 4096, C, H, W <= 8192) on q @ k^T [.., L, E] x [.., E, S]
    # and on the weights times v [.., L, S] x [.., S, E].
    composite_probe("composite: sdpa at matmul's L limit", sdpa(), qkv(8192, 1),
                    findings={B2: SDPA_B2, **both(SDPA_BAYES)}, ok=MATMUL_OK + ids(B2, "matmul.four_d", "matmul.input_dtype")),
    composite_probe("composite: sdpa at matmul's S limit", sdpa(), qkv(1, 8192), findings=both(SDPA_BAYES)),
    composite_probe("composite: sdpa past matmul's L limit", sdpa(), qkv(8193, 1),
                    findings={B2: SDPA_B2, **both(SDPA_BAYES + ["bayes.matmul.chw@scores", "bayes.matmul.chw@weighted"])}),
    composite_probe("composite: sdpa past matmul's S limit", sdpa(), qkv(1, 8193),
                    findings=both(SDPA_BAYES + ["bayes.matmul.chw@scores", "bayes.matmul.chw@weighted"])),
    composite_probe("composite: sdpa at matmul's batch limit", sdpa(), qkv(2, 2, batch=4096), findings=both(SDPA_BAYES)),
    composite_probe("composite: sdpa past matmul's batch limit", sdpa(), qkv(2, 2, batch=4097),
                    findings=both(SDPA_BAYES + ["bayes.matmul.batch@scores", "bayes.matmul.batch@weighted"])),
    composite_probe("composite: sdpa on 3-D q, k, v", sdpa(), ("1x16x8", "1x16x8", "1x16x8"),
                    findings={B2: SDPA_B2 + ["bernoulli2.matmul.four_d@scores", "bernoulli2.mul.four_d@scale",
                                             "bernoulli2.matmul.four_d@weighted"],
                              **both(SDPA_BAYES + ["bayes.matmul.rank@scores", "bayes.matmul.rank@weighted"])}),
    # The softmax takes qint8 only: with qint16 activations the scores reach it as qint16.
    composite_probe("composite: sdpa with qint16 scores", sdpa(), qkv(16, 16, heads=2, embed=8),
                    activation_dtype="qint16",
                    findings=both(SDPA_BAYES + ["bayes.softmax.input_dtype@softmax"])),
    composite_probe("composite: sdpa with a mask broadcast over heads", Masked,
                    qkv(16, 16, batch=2, heads=2, embed=8) + ("2x1x16x16",),
                    findings=both(SDPA_BAYES), ok=bayes_ids("add.broadcast_one") + ids(BAYES, "add.broadcast_n")
                    + ids(X5, "add.rank")),
    composite_probe("composite: sdpa with a mask broadcast over the batch", Masked,
                    qkv(16, 16, batch=2, heads=2, embed=8) + ("1x2x16x16",),
                    # X5 broadcasts in every dimension, the batch included (its Add row).
                    findings={BAYES: SDPA_BAYES + ["bayes.add.broadcast_n@mask"],
                              X5: [label.replace("bayes.", "bayes_e.", 1) for label in SDPA_BAYES]}),
    # is_causal's mask is a constant of the scores' shape: bernoulli2 takes no constant operand.
    composite_probe("composite: causal sdpa", Causal, qkv(16, 16, heads=2, embed=8),
                    findings={B2: SDPA_B2 + ["bernoulli2.add.constant_operand@causal_mask"], **both(SDPA_BAYES)}),
    composite_probe("composite: sdpa torchscript", sdpa(), qkv(8193, 1), via="torchscript",
                    findings={B2: SDPA_B2, **both(SDPA_BAYES + ["bayes.matmul.chw@scores", "bayes.matmul.chw@weighted"])}),

    # ------------------------------------------------------------------ BatchNorm1d = BatchNorm2d on a 4-D view
    composite_probe("composite: BatchNorm1d standalone at the channel limit", seq(nn.BatchNorm1d(8192)), "2x8192",
                    findings={B2: ["bernoulli2.batch_norm2d.standalone@batch_norm2d"],
                              **both(["bayes.batch_norm2d.standalone@batch_norm2d"])},
                    ok=bayes_ids("batch_norm2d.channel", "batch_norm2d.input_dtype")),
    composite_probe("composite: BatchNorm1d standalone past the channel limit", seq(nn.BatchNorm1d(8193)), "2x8193x3",
                    findings=both(["bayes.batch_norm2d.standalone@batch_norm2d", "bayes.batch_norm2d.channel@batch_norm2d"])),
    composite_probe("composite: BatchNorm1d standalone on qint16", seq(nn.BatchNorm1d(8)), "2x8x5",
                    activation_dtype="qint16",
                    findings=both(["bayes.batch_norm2d.standalone@batch_norm2d",
                                   "bayes.batch_norm2d.input_dtype@batch_norm2d"])),
    composite_probe("composite: BatchNorm1d after a Conv1d is absorbed", ConvBatchNorm1d, "2x4x5",
                    activation_dtype="qint16", findings={B2: [], **both([])},
                    also=[f"{m}.unknown_op" for m in (B2, BAYES, X5)]),  # the Conv1d: no row
    composite_probe("composite: BatchNorm1d torchscript", seq(nn.BatchNorm1d(8193)), "2x8193x3", via="torchscript",
                    findings=both(["bayes.batch_norm2d.standalone@batch_norm2d", "bayes.batch_norm2d.channel@batch_norm2d"])),

    # ------------------------------------------------------------------ roll = two slices and a cat per rolled dim
    composite_probe("composite: roll of Swin's shifted windows", fn(lambda x: torch.roll(x, (-3, -3), (1, 2))),
                    "1x56x56x96", findings={B2: [], **both([])}),
    composite_probe("composite: roll at cat's per-dimension limit", fn(lambda x: torch.roll(x, 1, 3)), "1x1x1x65537",
                    findings={B2: [], **both([])}, ok=bayes_ids("cat.hwc")),
    composite_probe("composite: roll past cat's per-dimension limit", fn(lambda x: torch.roll(x, 1, 3)), "1x1x1x65538",
                    findings={B2: [], **both(["bayes.cat.hwc@cat"])}),
    composite_probe("composite: roll of a 3-D tensor", fn(lambda x: torch.roll(x, 1, 1)), "1x8x8",
                    findings={B2: ["bernoulli2.cat.four_d@cat", "bernoulli2.tensor_getitem.four_d@slice"],
                              **both(["bayes.cat.rank@cat"])}),
    composite_probe("composite: roll torchscript", fn(lambda x: torch.roll(x, 1, 3)), "1x1x1x65538", via="torchscript",
                    findings={B2: [], **both(["bayes.cat.hwc@cat"])}),

    # ------------------------------------------------------------------ vector_norm = sqrt(sum(pow(x, 2)))
    # bernoulli2 sums along N and C only, and has neither pow nor sqrt.
    composite_probe("composite: vector_norm over C", fn(lambda x: torch.linalg.vector_norm(x, dim=1, keepdim=True)),
                    "1x8x4x4", findings={B2: ["bernoulli2.pow.supported@square", "bernoulli2.sqrt.supported@sqrt"],
                                         **both(["bayes.pow.precision@square", "bayes.sqrt.precision@sqrt"])},
                    ok=ids(B2, "sum.dims")),
    composite_probe("composite: vector_norm over W", fn(lambda x: torch.linalg.vector_norm(x, dim=3, keepdim=True)),
                    "1x8x4x4", findings={B2: ["bernoulli2.pow.supported@square", "bernoulli2.sqrt.supported@sqrt",
                                              "bernoulli2.sum.dims@sum"],
                                         **both(["bayes.pow.precision@square", "bayes.sqrt.precision@sqrt"])}),
    # F.normalize divides by the norm clamped and expanded: rows bernoulli2 lacks, and bayes divides
    # qint16 inputs only.
    composite_probe("composite: F.normalize's norm, torchscript", fn(lambda x: F.normalize(x, dim=3)), "1x8x4x4",
                    via="torchscript", also=ids(B2, "clamp.supported", "div.supported", "tensor_expand.supported")
                    + bayes_ids("div.input_dtype"),
                    findings={B2: ["bernoulli2.pow.supported@square", "bernoulli2.sqrt.supported@sqrt",
                                   "bernoulli2.sum.dims@sum"],
                              **both(["bayes.pow.precision@square", "bayes.sqrt.precision@sqrt"])}),
]
