"""Probes for the convolution family: Conv2d, Conv3d, ConvTranspose2d, Linear, BatchNorm2d,
BatchNorm3d, SyncBatchNorm (rules/nn_conv.yaml).

Large channel counts run on 1x1 (or 1x1x1) spatial sizes with 1x1 kernels, so every probe
stays fast; weight_size probes use a tall (kh x 1) kernel to hit the exact element count.
"""

import torch
import torch.nn.functional as F
from torch import nn

from tests.probes import on, probe
from tests.probes.modules import Fn, Quint8, seq

B2 = on("bernoulli2")
BAYES = on("bayes", "bayes_e")
ALL = on("bernoulli2", "bayes", "bayes_e")


def ids(make, *names):
    return [rule_id for name in names for rule_id in make(name)]


class AddAfter(nn.Module):
    """layer(x) + y: the add the toolchain fuses into a convolution (sumin)."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x, y):
        return self.layer(x) + y


class AddAfterTwice(nn.Module):
    """layer(x) + y, with layer(x) also returned: the conv output has two readers (no sumin)."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x, y):
        out = self.layer(x)
        return out + y, out


class AddScalar(nn.Module):
    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x):
        return self.layer(x) + 1.0


class ReusedBN(nn.Module):
    """conv -> bn, with the conv output also read by the add: the bn cannot be absorbed."""

    def __init__(self, conv, bn):
        super().__init__()
        self.conv, self.bn = conv, bn

    def forward(self, x):
        y = self.conv(x)
        return self.bn(y) + y


class FunctionalConv2d(nn.Module):
    def __init__(self, cin, cout, k, **options):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(cout, cin, k, k))
        self.options = options

    def forward(self, x):
        return F.conv2d(x, self.weight, **self.options)


class FunctionalConv3d(nn.Module):
    def __init__(self, cin, cout, k, **options):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(cout, cin, k, k, k))
        self.options = options

    def forward(self, x):
        return F.conv3d(x, self.weight, **self.options)


class FunctionalConvTranspose2d(nn.Module):
    def __init__(self, cin, cout, k, **options):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(cin, cout, k, k))
        self.options = options

    def forward(self, x):
        return F.conv_transpose2d(x, self.weight, **self.options)


class FunctionalLinear(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(cout, cin))
        self.bias = nn.Parameter(torch.rand(cout))

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


class FunctionalBatchNorm(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.register_buffer("mean", torch.zeros(channels))
        self.register_buffer("var", torch.ones(channels))

    def forward(self, x):
        return F.batch_norm(x, self.mean, self.var, training=False)


CONV2D_DTYPES = ("input_dtype", "weight_dtype", "bias_dtype", "output_dtype")

# ---------------------------------------------------------------- Conv2d
CONV2D = [
    # Channels: 8192 in and out inside the model, 16384 out as a model output, one past each.
    probe("conv2d 8192 channels in and out", seq(nn.Conv2d(1, 8192, 1), nn.Conv2d(8192, 1, 1)), "1x1x1x1",
          ok=ids(BAYES, *[f"conv2d.{c}" for c in ("out_channel", "in_channel", "weight_size", "kernel", "dilation",
                                                  "dilation_stride", "padding", "sumin_stride", "qint16_accumulation",
                                                  *CONV2D_DTYPES)])
          + ids(B2, *[f"conv2d.{c}" for c in ("four_d", *CONV2D_DTYPES)])),
    probe("conv2d 8193 channels in and out", seq(nn.Conv2d(1, 8193, 1), nn.Conv2d(8193, 1, 1)), "1x1x1x1",
          fail=ids(BAYES, "conv2d.out_channel", "conv2d.in_channel")),
    # A slice reads the conv, so it is no model output; a slice has no channel limit of its own.
    probe("conv2d 8193 out then a slice", seq(nn.Conv2d(1, 8193, 1), Fn(lambda x: x[:, :1])), "1x1x1x1",
          fail=BAYES("conv2d.out_channel")),
    probe("conv2d 16384 out as model output", seq(nn.Conv2d(1, 16384, 1)), "1x1x1x1",
          ok=BAYES("conv2d.out_channel")),
    probe("conv2d 16385 out as model output", seq(nn.Conv2d(1, 16385, 1)), "1x1x1x1",
          fail=BAYES("conv2d.out_channel")),
    probe("conv2d+bn+relu 16384 out as model output",
          seq(nn.Conv2d(1, 16384, 1), nn.BatchNorm2d(16384), nn.ReLU()), "1x1x1x1",
          ok=BAYES("conv2d.out_channel") + ids(ALL, "batch_norm2d.standalone")
          + ids(BAYES, "batch_norm2d.channel", "batch_norm2d.input_dtype")),
    probe("conv2d+bn+relu 16385 out as model output",
          seq(nn.Conv2d(1, 16385, 1), nn.BatchNorm2d(16385), nn.ReLU()), "1x1x1x1",
          fail=BAYES("conv2d.out_channel")),
    # Kernel: at most 31.
    probe("conv2d kernel 31", seq(nn.Conv2d(1, 1, 31)), "1x1x31x31", ok=BAYES("conv2d.kernel")),
    probe("conv2d kernel 32", seq(nn.Conv2d(1, 1, 32)), "1x1x32x32", fail=BAYES("conv2d.kernel")),
    probe("conv2d kernel 1x32", seq(nn.Conv2d(1, 1, (1, 32))), "1x1x1x32", fail=BAYES("conv2d.kernel")),
    # Dilation: at most 16, and stride 1 when dilated.
    probe("conv2d dilation 16", seq(nn.Conv2d(1, 1, 2, dilation=16)), "1x1x17x17",
          ok=ids(BAYES, "conv2d.dilation", "conv2d.dilation_stride")),
    probe("conv2d dilation 17", seq(nn.Conv2d(1, 1, 2, dilation=17)), "1x1x18x18",
          fail=BAYES("conv2d.dilation")),
    probe("conv2d dilation 1x17", seq(nn.Conv2d(1, 1, 2, dilation=(1, 17))), "1x1x2x18",
          fail=BAYES("conv2d.dilation")),
    probe("conv2d stride 2 undilated", seq(nn.Conv2d(1, 1, 3, stride=2)), "1x1x5x5",
          ok=BAYES("conv2d.dilation_stride")),
    probe("conv2d dilation 2 stride 2", seq(nn.Conv2d(1, 1, 3, stride=2, dilation=2)), "1x1x7x7",
          fail=BAYES("conv2d.dilation_stride")),
    probe("conv2d dilation 1x2 stride 2x1", seq(nn.Conv2d(1, 1, 3, stride=(2, 1), dilation=(1, 2))), "1x1x7x7",
          fail=BAYES("conv2d.dilation_stride")),
    # Padding: at most 256.
    probe("conv2d padding 256", seq(nn.Conv2d(1, 1, 1, padding=256)), "1x1x1x1", ok=BAYES("conv2d.padding")),
    probe("conv2d padding 257", seq(nn.Conv2d(1, 1, 1, padding=257)), "1x1x1x1", fail=BAYES("conv2d.padding")),
    probe("conv2d padding 0x257", seq(nn.Conv2d(1, 1, 1, padding=(0, 257))), "1x1x1x1",
          fail=BAYES("conv2d.padding")),
    # weight_size (one filter C x H x W): bayes < 65535, bayes_e (X5) <= 32767.
    probe("conv2d weight_size 32767", seq(nn.Conv2d(1057, 1, (31, 1))), "1x1057x31x1",
          ok=ids(BAYES, "conv2d.weight_size")),
    probe("conv2d weight_size 32767 grouped", seq(nn.Conv2d(2114, 2, (31, 1), groups=2)), "1x2114x31x1",
          ok=ids(BAYES, "conv2d.weight_size")),
    probe("conv2d weight_size 32768", seq(nn.Conv2d(2048, 1, (16, 1))), "1x2048x16x1",
          ok="bayes.conv2d.weight_size", fail="bayes_e.conv2d.weight_size"),
    probe("conv2d weight_size 65534", seq(nn.Conv2d(2114, 1, (31, 1))), "1x2114x31x1",
          ok="bayes.conv2d.weight_size", fail="bayes_e.conv2d.weight_size"),
    probe("conv2d weight_size 65535", seq(nn.Conv2d(4369, 1, (15, 1))), "1x4369x15x1",
          fail=ids(BAYES, "conv2d.weight_size")),
    # sumin: a conv whose output only feeds an add of a same-shape feature map.
    probe("conv2d stride 2 + add (sumin)", lambda: AddAfter(nn.Conv2d(1, 1, 1, stride=2)), ("1x1x4x4", "1x1x2x2"),
          ok=BAYES("conv2d.sumin_stride")),
    probe("conv2d stride 1 + add (sumin)", lambda: AddAfter(nn.Conv2d(1, 1, 1)), ("1x1x2x2", "1x1x2x2"),
          ok=BAYES("conv2d.sumin_stride")),
    probe("conv2d stride 3 + add (sumin)", lambda: AddAfter(nn.Conv2d(1, 1, 1, stride=3)), ("1x1x6x6", "1x1x2x2"),
          fail=BAYES("conv2d.sumin_stride")),
    probe("conv2d stride 1x2 + add (sumin)", lambda: AddAfter(nn.Conv2d(1, 1, 1, stride=(1, 2))),
          ("1x1x2x4", "1x1x2x2"), fail=BAYES("conv2d.sumin_stride")),
    probe("conv2d stride 3 no add", seq(nn.Conv2d(1, 1, 1, stride=3)), "1x1x6x6", ok=BAYES("conv2d.sumin_stride")),
    probe("conv2d stride 3 + add, output reused", lambda: AddAfterTwice(nn.Conv2d(1, 1, 1, stride=3)),
          ("1x1x6x6", "1x1x2x2"), ok=BAYES("conv2d.sumin_stride")),
    probe("conv2d stride 3 + scalar", lambda: AddScalar(nn.Conv2d(1, 1, 1, stride=3)), "1x1x6x6",
          ok=BAYES("conv2d.sumin_stride"), also=BAYES("add.scalar")),  # the number added: add's eager note
    probe("conv2d stride 3 + add via torchscript", lambda: AddAfter(nn.Conv2d(1, 1, 1, stride=3)),
          ("1x1x6x6", "1x1x2x2"), fail=BAYES("conv2d.sumin_stride"), via="torchscript"),
    # Dtypes: bernoulli2 takes qint8 only; bayes qint8 / qint16 (qint16: accumulation note).
    probe("conv2d qint16 input", seq(nn.Conv2d(1, 1, 1)), "1x1x1x1", activation_dtype="qint16",
          ok=BAYES("conv2d.input_dtype"),
          fail=B2("conv2d.input_dtype") + BAYES("conv2d.qint16_accumulation")),
    probe("conv2d quint8 input", lambda: Quint8(nn.Conv2d(1, 1, 1)), "1x1x1x1",
          fail=ids(ALL, "conv2d.input_dtype")),
    # bernoulli2 is 4-D only: an unbatched [C, H, W] input is still a Conv2d, and fails there.
    probe("conv2d unbatched 3-D input", seq(nn.Conv2d(1, 1, 1)), "1x2x2", fail=B2("conv2d.four_d")),
    # Forms: functional and a TorchScript file.
    probe("conv2d functional", lambda: FunctionalConv2d(1, 1, 31, dilation=1), "1x1x31x31",
          ok=ids(ALL, "conv2d.input_dtype") + BAYES("conv2d.kernel")),
    probe("conv2d via torchscript",
          seq(nn.Conv2d(1, 8192, (31, 1)), nn.Conv2d(8192, 1, 1), nn.Conv2d(1, 1, 1, padding=256)), "1x1x31x1",
          via="torchscript",
          ok=ids(ALL, "conv2d.input_dtype") + ids(BAYES, "conv2d.kernel", "conv2d.padding", "conv2d.out_channel")),
    probe("conv2d via torchscript past limits", seq(nn.Conv2d(1, 1, 2, stride=2, dilation=17)), "1x1x18x18",
          via="torchscript", fail=ids(BAYES, "conv2d.dilation", "conv2d.dilation_stride")),
]

# ---------------------------------------------------------------- Conv3d
CONV3D = [
    probe("conv3d at its limits", seq(nn.Conv3d(1, 1, (9, 9, 3), stride=2, padding=(4, 4, 1))), "128x1x9x9x3",
          ok=ids(BAYES, *[f"conv3d.{c}" for c in ("batch", "input_size", "weight_channels", "kernel", "stride",
                                                  "padding", "groups", "dilation", *CONV2D_DTYPES)]),
          fail=B2("conv3d.supported")),
    probe("conv3d batch 129", seq(nn.Conv3d(1, 1, 1)), "129x1x1x1x1", fail=BAYES("conv3d.batch")),
    probe("conv3d 65536 channels", seq(nn.Conv3d(65536, 1, 1)), "1x65536x1x1x1",
          ok=ids(BAYES, "conv3d.input_size", "conv3d.weight_channels")),
    probe("conv3d 65537 input channels", seq(nn.Conv3d(65537, 1, 1)), "1x65537x1x1x1",
          fail=ids(BAYES, "conv3d.input_size", "conv3d.weight_channels")),
    probe("conv3d 65536 output channels", seq(nn.Conv3d(1, 65536, 1)), "1x1x1x1x1",
          ok=BAYES("conv3d.weight_channels")),
    probe("conv3d 65537 output channels", seq(nn.Conv3d(1, 65537, 1)), "1x1x1x1x1",
          fail=BAYES("conv3d.weight_channels")),
    probe("conv3d depth 65536", seq(nn.Conv3d(1, 1, 1)), "1x1x65536x1x1", ok=BAYES("conv3d.input_size")),
    probe("conv3d depth 65537", seq(nn.Conv3d(1, 1, 1)), "1x1x65537x1x1", fail=BAYES("conv3d.input_size")),
    probe("conv3d kernel width 8191", seq(nn.Conv3d(1, 1, (1, 1, 8191))), "1x1x1x1x8191",
          ok=BAYES("conv3d.kernel")),
    probe("conv3d kernel width 8192", seq(nn.Conv3d(1, 1, (1, 1, 8192))), "1x1x1x1x8192",
          fail=BAYES("conv3d.kernel")),
    probe("conv3d kernel depth 10", seq(nn.Conv3d(1, 1, (10, 1, 1))), "1x1x10x1x1", fail=BAYES("conv3d.kernel")),
    probe("conv3d kernel height 10", seq(nn.Conv3d(1, 1, (1, 10, 1))), "1x1x1x10x1", fail=BAYES("conv3d.kernel")),
    probe("conv3d stride 1", seq(nn.Conv3d(1, 1, 1)), "1x1x2x2x2", ok=BAYES("conv3d.stride")),
    probe("conv3d stride 1x2x2", seq(nn.Conv3d(1, 1, 1, stride=(1, 2, 2))), "1x1x2x2x2",
          fail=BAYES("conv3d.stride")),
    probe("conv3d stride 3", seq(nn.Conv3d(1, 1, 1, stride=3)), "1x1x3x3x3", fail=BAYES("conv3d.stride")),
    probe("conv3d padding half the kernel", seq(nn.Conv3d(1, 1, 2, padding=1)), "1x1x2x2x2",
          ok=BAYES("conv3d.padding")),
    probe("conv3d padding past half the kernel", seq(nn.Conv3d(1, 1, 3, padding=(1, 1, 2))), "1x1x3x3x3",
          fail=BAYES("conv3d.padding")),
    probe("conv3d groups 2", seq(nn.Conv3d(2, 2, 1, groups=2)), "1x2x1x1x1", fail=BAYES("conv3d.groups")),
    probe("conv3d dilation 2", seq(nn.Conv3d(1, 1, 2, dilation=2)), "1x1x3x3x3", fail=BAYES("conv3d.dilation")),
    probe("conv3d qint16 input", seq(nn.Conv3d(1, 1, 1)), "1x1x1x1x1", activation_dtype="qint16",
          fail=BAYES("conv3d.input_dtype")),
    probe("conv3d functional", lambda: FunctionalConv3d(1, 1, 3, padding=1), "1x1x3x3x3",
          ok=ids(BAYES, "conv3d.padding", "conv3d.input_dtype"), fail=B2("conv3d.supported")),
    probe("conv3d via torchscript", seq(nn.Conv3d(1, 1, 3, stride=(1, 2, 2), padding=1)), "1x1x3x3x3",
          via="torchscript", ok=ids(BAYES, "conv3d.padding", "conv3d.input_dtype"),
          fail=B2("conv3d.supported") + BAYES("conv3d.stride")),
]

# ---------------------------------------------------------------- ConvTranspose2d
CT = "conv_transpose2d."
CONV_T = [
    probe("conv_transpose2d at its limits", seq(nn.ConvTranspose2d(2048, 1, 14, stride=4, padding=3)), "128x2048x1x1",
          ok=ids(ALL, *[CT + c for c in ("kernel", "channel", "padding", "stride", "dilation", "input_dtype",
                                         "output_dtype")])
          + B2(CT + "four_d")
          + ids(BAYES, *[CT + c for c in ("batch", "kernel_stride", "output_padding", "sumin_dtype",
                                          "weight_dtype", "bias_dtype")])
          # the X5 list's kernel_size: 5 x 5 taps (stride 4, padding 3) x 2048 channels = 51200
          + [f"bayes.{CT}weight_size"], fail=[f"bayes_e.{CT}weight_size"]),
    probe("conv_transpose2d small limits", seq(nn.ConvTranspose2d(1, 2048, 2, stride=2)), "1x1x1x1",
          ok=ids(ALL, CT + "kernel", CT + "channel", CT + "stride")),
    probe("conv_transpose2d 2049 channels", seq(nn.ConvTranspose2d(2049, 1, 2, stride=2)), "1x2049x1x1",
          fail=ids(ALL, CT + "channel")),
    probe("conv_transpose2d 2049 out channels", seq(nn.ConvTranspose2d(1, 2049, 2, stride=2)), "1x1x1x1",
          fail=ids(ALL, CT + "channel")),
    probe("conv_transpose2d kernel 15", seq(nn.ConvTranspose2d(1, 1, 15, stride=2)), "1x1x1x1",
          fail=ids(ALL, CT + "kernel")),
    # A stride above a kernel of 1 breaks bayes's kernel_stride, a stride of 1 bernoulli2's stride.
    probe("conv_transpose2d kernel 1", seq(nn.ConvTranspose2d(1, 1, (2, 1), stride=(2, 1))), "1x1x1x1",
          fail=ids(ALL, CT + "kernel"), also=B2(CT + "stride")),
    # bernoulli2: padding in [0, (kernel - 1) / 2]; bayes: padding <= kernel / stride.
    probe("conv_transpose2d kernel 4 padding 1", seq(nn.ConvTranspose2d(1, 1, 4, stride=4, padding=1)), "1x1x2x2",
          ok=ids(ALL, CT + "padding")),
    probe("conv_transpose2d kernel 4 padding 2", seq(nn.ConvTranspose2d(1, 1, 4, stride=2, padding=2)), "1x1x3x3",
          fail=B2(CT + "padding"), ok=BAYES(CT + "padding")),
    probe("conv_transpose2d kernel 4 stride 2 padding 3", seq(nn.ConvTranspose2d(1, 1, 4, stride=2, padding=3)),
          "1x1x4x4", fail=ids(ALL, CT + "padding")),
    # Stride: bernoulli2 2..4; bayes 1..14 and at most the kernel.
    probe("conv_transpose2d stride 1", seq(nn.ConvTranspose2d(1, 1, 2)), "1x1x1x1",
          fail=B2(CT + "stride"), ok=ids(BAYES, CT + "stride", CT + "kernel_stride")),
    probe("conv_transpose2d stride 5", seq(nn.ConvTranspose2d(1, 1, 5, stride=5)), "1x1x1x1",
          fail=B2(CT + "stride"), ok=ids(BAYES, CT + "stride", CT + "kernel_stride")),
    probe("conv_transpose2d stride 14", seq(nn.ConvTranspose2d(1, 1, 14, stride=14)), "1x1x1x1",
          ok=ids(BAYES, CT + "stride", CT + "kernel_stride")),
    # The kernel is at least the stride (kernel_stride), so a kernel of 15 too, past its limit of 14.
    probe("conv_transpose2d stride 15", seq(nn.ConvTranspose2d(1, 1, 15, stride=15)), "1x1x1x1",
          fail=ids(BAYES, CT + "stride"), also=BAYES(CT + "kernel")),
    probe("conv_transpose2d kernel 2 stride 3", seq(nn.ConvTranspose2d(1, 1, 2, stride=3)), "1x1x1x1",
          fail=ids(BAYES, CT + "kernel_stride")),
    probe("conv_transpose2d dilation 2", seq(nn.ConvTranspose2d(1, 1, 2, stride=2, dilation=2)), "1x1x1x1",
          fail=ids(ALL, CT + "dilation")),
    probe("conv_transpose2d batch 129", seq(nn.ConvTranspose2d(1, 1, 2, stride=2)), "129x1x1x1",
          fail=BAYES(CT + "batch")),
    probe("conv_transpose2d output_padding 1", seq(nn.ConvTranspose2d(1, 1, 3, stride=3, output_padding=1)),
          "1x1x1x1", ok=BAYES(CT + "output_padding")),
    probe("conv_transpose2d output_padding 2", seq(nn.ConvTranspose2d(1, 1, 3, stride=3, output_padding=2)),
          "1x1x1x1", fail=BAYES(CT + "output_padding")),
    # weight_size: the X5 list's kernel_size (ksh x ksw x in channels / groups), not the weight's
    # numel over its first dim: 4369 out channels x 5 x 3 is far from the limit (tests/probes/readings.py
    # probes the readings at their limits). So many out channels break the channel limit (2048).
    probe("conv_transpose2d weight_size, many output channels", seq(nn.ConvTranspose2d(1, 4369, (5, 3), stride=2)),
          "1x1x1x1", ok=BAYES(CT + "weight_size"), also=BAYES(CT + "channel")),
    probe("conv_transpose2d weight_size 65536", seq(nn.ConvTranspose2d(2048, 1, (4, 8))), "1x2048x2x2",
          fail=BAYES(CT + "weight_size")),
    # sumin: the added feature map must be qint8.
    probe("conv_transpose2d + add qint8 (sumin)", lambda: AddAfter(nn.ConvTranspose2d(1, 1, 2, stride=2)),
          ("1x1x1x1", "1x1x2x2"), ok=BAYES(CT + "sumin_dtype")),
    probe("conv_transpose2d + add qint16 (sumin)", lambda: AddAfter(nn.ConvTranspose2d(1, 1, 2, stride=2)),
          ("1x1x1x1", "1x1x2x2"), activation_dtype="qint16",
          fail=ids(BAYES, CT + "sumin_dtype", CT + "input_dtype") + B2(CT + "input_dtype")),
    probe("conv_transpose2d unbatched 3-D input", seq(nn.ConvTranspose2d(1, 1, 2, stride=2)), "1x1x1",
          fail=B2(CT + "four_d")),
    probe("conv_transpose2d functional", lambda: FunctionalConvTranspose2d(1, 1, 2, stride=2), "1x1x1x1",
          ok=ids(ALL, CT + "kernel", CT + "stride")),
    probe("conv_transpose2d via torchscript", seq(nn.ConvTranspose2d(1, 1, 2, stride=2)), "1x1x1x1",
          via="torchscript", ok=ids(ALL, CT + "kernel", CT + "stride", CT + "input_dtype")),
    probe("conv_transpose2d via torchscript past limits", seq(nn.ConvTranspose2d(1, 1, 15, stride=15)), "1x1x1x1",
          via="torchscript", fail=ids(ALL, CT + "kernel", CT + "stride")),
]

# ---------------------------------------------------------------- Linear
LINEAR = [
    probe("linear 8192 in_features", seq(nn.Linear(8192, 1)), "1x8192",
          ok=ids(BAYES, "linear.in_features", "linear.out_features", *[f"linear.{d}" for d in CONV2D_DTYPES]),
          fail=B2("linear.supported")),
    probe("linear 8192 out_features", seq(nn.Linear(1, 8192)), "1x1", ok=BAYES("linear.out_features")),
    probe("linear 8193 in_features", seq(nn.Linear(8193, 1)), "1x8193",
          fail=BAYES("linear.in_features"), ok=BAYES("linear.out_features")),
    probe("linear 8193 out_features", seq(nn.Linear(1, 8193)), "1x1",
          fail=BAYES("linear.out_features"), ok=BAYES("linear.in_features")),
    probe("linear on a 3-D input", seq(nn.Linear(16, 8)), "1x4x16", ok=BAYES("linear.in_features")),
    probe("linear qint16 input", seq(nn.Linear(4, 4)), "1x4", activation_dtype="qint16",
          fail=BAYES("linear.input_dtype")),
    probe("linear functional", lambda: FunctionalLinear(8193, 2), "1x8193",
          fail=BAYES("linear.in_features") + B2("linear.supported")),
    probe("linear via torchscript", seq(nn.Linear(8, 8193)), "2x8", via="torchscript",
          ok=BAYES("linear.in_features"), fail=BAYES("linear.out_features") + B2("linear.supported")),
]

# ---------------------------------------------------------------- BatchNorm2d / 3d, SyncBatchNorm
BN2 = "batch_norm2d."
BN3 = "batch_norm3d."
SBN = "sync_batch_norm."
BATCH_NORM = [
    # Standalone: an extra convolution (warning), Conv2d's 8192 channels, qint8 input. A standalone
    # BatchNorm probed for another limit gets the standalone warning too (SyncBatchNorm: its conv2d note).
    probe("batch_norm2d standalone 8192", seq(nn.BatchNorm2d(8192)), "1x8192x1x1",
          fail=ids(ALL, BN2 + "standalone"), ok=ids(BAYES, BN2 + "channel", BN2 + "input_dtype")),
    probe("batch_norm2d standalone 8193", seq(nn.BatchNorm2d(8193)), "1x8193x1x1",
          fail=ids(BAYES, BN2 + "channel"), also=BAYES(BN2 + "standalone")),
    probe("batch_norm2d after conv 8193 (absorbed)", seq(nn.Conv2d(1, 8193, 1), nn.BatchNorm2d(8193)), "1x1x1x1",
          ok=ids(ALL, BN2 + "standalone") + ids(BAYES, BN2 + "channel")),
    probe("batch_norm2d after conv_transpose2d (absorbed)",
          seq(nn.ConvTranspose2d(1, 2, 2, stride=2), nn.BatchNorm2d(2)), "1x1x1x1",
          ok=ids(ALL, BN2 + "standalone")),
    probe("batch_norm2d after a reused conv output", lambda: ReusedBN(nn.Conv2d(1, 2, 1), nn.BatchNorm2d(2)).eval(),
          "1x1x1x1", fail=ids(ALL, BN2 + "standalone")),
    probe("batch_norm2d after relu (standalone)", seq(nn.Conv2d(1, 2, 1), nn.ReLU(), nn.BatchNorm2d(2)), "1x1x1x1",
          fail=ids(ALL, BN2 + "standalone")),
    probe("batch_norm2d standalone qint16", seq(nn.BatchNorm2d(2)), "1x2x1x1", activation_dtype="qint16",
          fail=BAYES(BN2 + "input_dtype"), also=BAYES(BN2 + "standalone")),
    probe("batch_norm2d after conv qint16 (absorbed)", seq(nn.Conv2d(1, 2, 1), nn.BatchNorm2d(2)), "1x1x1x1",
          activation_dtype="qint16", ok=BAYES(BN2 + "input_dtype"),
          also=BAYES("conv2d.qint16_accumulation")),  # the conv's note on its qint16 input
    probe("batch_norm2d functional", lambda: FunctionalBatchNorm(8192), "1x8192x1x1",
          ok=BAYES(BN2 + "channel"), fail=ids(ALL, BN2 + "standalone")),
    probe("batch_norm2d via torchscript", seq(nn.Conv2d(1, 2, 1), nn.BatchNorm2d(2)), "1x1x1x1", via="torchscript",
          ok=ids(ALL, BN2 + "standalone")),
    probe("batch_norm2d standalone via torchscript", seq(nn.BatchNorm2d(8193)), "1x8193x1x1", via="torchscript",
          fail=ids(ALL, BN2 + "standalone") + BAYES(BN2 + "channel")),
    # BatchNorm3d: 5-D, so a standalone one cannot run on bernoulli2 (4-D only).
    probe("batch_norm3d standalone 8192", seq(nn.BatchNorm3d(8192)), "1x8192x1x1x1",
          fail=ids(ALL, BN3 + "standalone") + B2(BN3 + "four_d"),
          ok=ids(BAYES, BN3 + "channel", BN3 + "input_dtype")),
    probe("batch_norm3d standalone 8193", seq(nn.BatchNorm3d(8193)), "1x8193x1x1x1",
          fail=BAYES(BN3 + "channel"), also=BAYES(BN3 + "standalone")),
    probe("batch_norm3d after conv3d (absorbed)", seq(nn.Conv3d(1, 8193, 1), nn.BatchNorm3d(8193)), "1x1x1x1x1",
          ok=ids(ALL, BN3 + "standalone") + B2(BN3 + "four_d") + BAYES(BN3 + "channel"),
          fail=B2("conv3d.supported")),
    probe("batch_norm3d standalone qint16", seq(nn.BatchNorm3d(2)), "1x2x1x1x1", activation_dtype="qint16",
          fail=BAYES(BN3 + "input_dtype"), also=BAYES(BN3 + "standalone")),
    probe("batch_norm3d via torchscript", seq(nn.BatchNorm3d(2)), "1x2x1x1x1", via="torchscript",
          fail=ids(ALL, BN3 + "standalone") + B2(BN3 + "four_d"), ok=BAYES(BN3 + "channel")),
    # SyncBatchNorm: built from a Conv2d (info), Conv2d's channel limit, qint8 input.
    probe("sync_batch_norm standalone 8192", seq(nn.SyncBatchNorm(8192)), "1x8192x1x1",
          fail=ids(ALL, SBN + "conv2d"),
          ok=ids(ALL, SBN + "input_dtype") + B2(SBN + "four_d") + BAYES(SBN + "channel")),
    probe("sync_batch_norm standalone 8193", seq(nn.SyncBatchNorm(8193)), "1x8193x1x1",
          fail=BAYES(SBN + "channel"), also=BAYES(SBN + "conv2d")),
    probe("sync_batch_norm after conv (absorbed)", seq(nn.Conv2d(1, 8193, 1), nn.SyncBatchNorm(8193)), "1x1x1x1",
          ok=ids(ALL, SBN + "conv2d") + BAYES(SBN + "channel")),
    probe("sync_batch_norm on a 3-D input", seq(nn.SyncBatchNorm(2)), "1x2x3", fail=B2(SBN + "four_d"),
          also=B2(SBN + "conv2d")),
    probe("sync_batch_norm standalone qint16", seq(nn.SyncBatchNorm(2)), "1x2x1x1", activation_dtype="qint16",
          fail=ids(ALL, SBN + "input_dtype"), also=ids(ALL, SBN + "conv2d")),
    probe("sync_batch_norm via torchscript", seq(nn.SyncBatchNorm(2)), "1x2x1x1", via="torchscript",
          ok=ids(ALL, SBN + "input_dtype"), fail=ids(ALL, SBN + "conv2d")),
]

PROBES = CONV2D + CONV3D + CONV_T + LINEAR + BATCH_NORM
