"""Probes for the nn_layers rows: pooling, padding, resizing, normalization, recurrent and attention
layers, shuffles, pass-through layers.

Module probes wrap the layer in nn.Sequential: the root module of a capture has no module path,
so a bare root layer would be judged by its functional row. torch.nn.Identity has no probe: it
records no op in any capture (see its note in rules/nn_layers.yaml).
"""

import torch
import torch.nn.functional as F
from torch import nn
from torch.ao.quantization import QuantStub

from tests.probes import on, probe
from tests.models import seed_net
from tests.probes.modules import fn, seq

B2 = on("bernoulli2")
BAYES = on("bayes", "bayes_e")
ALL = on("bernoulli2", "bayes", "bayes_e")


# ---- the seed page's eager-mode Net (examples/seed_net.py): AvgPool2d(8) is past bernoulli2's kernel limit of 7
PROBES = [
    probe("seed Net AvgPool2d(8)", lambda: seed_net(8), "1x1x28x28", fail=B2("avg_pool2d.kernel"),
          ok=B2("avg_pool2d.stride") + B2("avg_pool2d.input_dtype") + BAYES("avg_pool2d.kernel")
          + B2("max_pool2d.kernel") + B2("max_pool2d.stride")),
    probe("seed Net AvgPool2d(7)", lambda: seed_net(7), "1x1x28x28", ok=B2("avg_pool2d.kernel")),
]

# ---- AdaptiveAvgPool2d -------------------------------------------------------------------------
PROBES += [
    probe("AdaptiveAvgPool2d", seq(nn.AdaptiveAvgPool2d(2)), "1x3x8x8", ok=BAYES("adaptive_avg_pool2d.input_dtype"),
          fail=B2("adaptive_avg_pool2d.supported") + BAYES("adaptive_avg_pool2d.precision")),
    probe("F.adaptive_avg_pool2d", fn(lambda x: F.adaptive_avg_pool2d(x, 1)), "1x3x8x8",
          ok=BAYES("adaptive_avg_pool2d.input_dtype"), fail=BAYES("adaptive_avg_pool2d.precision")),
    # Every AdaptiveAvgPool2d on bayes warns of its precision.
    probe("F.interpolate area", fn(lambda x: F.interpolate(x, size=(3, 3), mode="area")), "1x3x9x9",
          ok=BAYES("adaptive_avg_pool2d.input_dtype"), also=BAYES("adaptive_avg_pool2d.precision")),
    probe("AdaptiveAvgPool2d qint16", seq(nn.AdaptiveAvgPool2d(2)), "1x3x8x8", activation_dtype="qint16",
          fail=BAYES("adaptive_avg_pool2d.input_dtype"), also=BAYES("adaptive_avg_pool2d.precision")),
    probe("AdaptiveAvgPool2d torchscript", seq(nn.AdaptiveAvgPool2d(2)), "1x3x8x8", via="torchscript",
          ok=BAYES("adaptive_avg_pool2d.input_dtype"), fail=B2("adaptive_avg_pool2d.supported"),
          also=BAYES("adaptive_avg_pool2d.precision")),
]

# ---- AvgPool2d ---------------------------------------------------------------------------------
PROBES += [
    probe("AvgPool2d kernel 7 stride 185", seq(nn.AvgPool2d(7, stride=185)), "1x1x7x7",
          ok=B2("avg_pool2d.kernel") + B2("avg_pool2d.stride") + B2("avg_pool2d.four_d") + B2("avg_pool2d.input_dtype")),
    probe("AvgPool2d stride 186", seq(nn.AvgPool2d(1, stride=186)), "1x1x1x1", fail=B2("avg_pool2d.stride")),
    probe("AvgPool2d qint16", seq(nn.AvgPool2d(2)), "1x1x4x4", activation_dtype="qint16",
          fail=B2("avg_pool2d.input_dtype")),
    probe("AvgPool2d 3-D input", seq(nn.AvgPool2d(2)), "1x4x4", fail=B2("avg_pool2d.four_d")),
    probe("F.avg_pool2d", fn(lambda x: F.avg_pool2d(x, 2)), "1x1x4x4", ok=ALL("avg_pool2d.kernel")),
    probe("AvgPool2d kernel 256 stride 256", seq(nn.AvgPool2d((256, 1), stride=256)), "1x1x256x1",
          ok=BAYES("avg_pool2d.kernel") + BAYES("avg_pool2d.stride")),
    probe("AvgPool2d kernel 257", seq(nn.AvgPool2d((257, 1), stride=1)), "1x1x257x1", fail=BAYES("avg_pool2d.kernel")),
    # A 2x1 kernel on a 2x1 input: X5's pooled area (above 1) holds under both its readings.
    probe("AvgPool2d stride 257", seq(nn.AvgPool2d((2, 1), stride=257)), "1x1x2x1", fail=BAYES("avg_pool2d.stride")),
    # torch pads at most half the kernel: a padding of 256 needs a kernel of 512, past the kernel limit.
    # A 2x1 input keeps X5's pooled area above 1 under both its readings.
    probe("AvgPool2d padding 256", seq(nn.AvgPool2d((512, 1), stride=1, padding=(256, 0))), "1x1x2x1",
          ok=["bayes.avg_pool2d.padding"], fail=["bayes_e.avg_pool2d.padding"], also=BAYES("avg_pool2d.kernel")),
    probe("AvgPool2d padding 257", seq(nn.AvgPool2d((514, 1), stride=1, padding=(257, 0))), "1x1x2x1",
          fail=BAYES("avg_pool2d.padding"), also=BAYES("avg_pool2d.kernel")),
    probe("AvgPool2d torchscript", seq(nn.AvgPool2d(8)), "1x1x8x8", via="torchscript",
          fail=B2("avg_pool2d.kernel"), ok=BAYES("avg_pool2d.kernel")),
]

# ---- MaxPool2d ---------------------------------------------------------------------------------
PROBES += [
    probe("MaxPool2d kernel 64 stride 256", seq(nn.MaxPool2d((64, 1), stride=256)), "1x1x64x1",
          ok=B2("max_pool2d.kernel") + ALL("max_pool2d.stride") + B2("max_pool2d.four_d")
          + ALL("max_pool2d.input_dtype") + BAYES("max_pool2d.input_size") + BAYES("max_pool2d.kernel")),
    probe("MaxPool2d kernel 65", seq(nn.MaxPool2d((65, 1))), "1x1x65x1", fail=B2("max_pool2d.kernel"),
          ok=BAYES("max_pool2d.kernel")),
    probe("MaxPool2d stride 257", seq(nn.MaxPool2d(1, stride=257)), "1x1x1x1", fail=ALL("max_pool2d.stride")),
    probe("MaxPool2d qint16", seq(nn.MaxPool2d(2)), "1x1x4x4", activation_dtype="qint16",
          fail=ALL("max_pool2d.input_dtype")),
    probe("MaxPool2d 3-D input", seq(nn.MaxPool2d(2)), "1x4x4", fail=B2("max_pool2d.four_d")),
    probe("MaxPool2d return_indices", seq(nn.MaxPool2d(2, return_indices=True)), "1x1x4x4",
          ok=ALL("max_pool2d.kernel")),
    probe("F.max_pool2d", fn(lambda x: F.max_pool2d(x, 2)), "1x1x4x4", ok=ALL("max_pool2d.kernel")),
    probe("MaxPool2d kernel 256", seq(nn.MaxPool2d((256, 1))), "1x1x256x1", ok=BAYES("max_pool2d.kernel")),
    probe("MaxPool2d kernel 257", seq(nn.MaxPool2d((257, 1), stride=1)), "1x1x257x1", fail=BAYES("max_pool2d.kernel")),
    # torch pads at most half the kernel: these paddings need kernels past the kernel limit (256).
    probe("MaxPool2d padding 255", seq(nn.MaxPool2d((510, 1), stride=1, padding=(255, 0))), "1x1x1x1",
          ok=BAYES("max_pool2d.padding"), also=BAYES("max_pool2d.kernel")),
    probe("MaxPool2d padding 256", seq(nn.MaxPool2d((512, 1), stride=1, padding=(256, 0))), "1x1x1x1",
          fail=BAYES("max_pool2d.padding"), also=BAYES("max_pool2d.kernel")),
    probe("MaxPool2d C 8192 H 8192", seq(nn.MaxPool2d(1)), ("1x8192x1x1",), ok=BAYES("max_pool2d.input_size")),
    probe("MaxPool2d H 8192", seq(nn.MaxPool2d(1)), "1x1x8192x1", ok=BAYES("max_pool2d.input_size")),
    probe("MaxPool2d C 8193", seq(nn.MaxPool2d(1)), "1x8193x1x1", fail=BAYES("max_pool2d.input_size")),
    probe("MaxPool2d W 8193", seq(nn.MaxPool2d(1)), "1x1x1x8193", fail=BAYES("max_pool2d.input_size")),
    probe("MaxPool2d torchscript", seq(nn.MaxPool2d(2)), "1x1x4x4", via="torchscript",
          ok=ALL("max_pool2d.kernel") + ALL("max_pool2d.stride")),
]

# ---- ChannelShuffle, PixelShuffle, PixelUnshuffle ----------------------------------------------
PROBES += [
    probe("ChannelShuffle", seq(nn.ChannelShuffle(2)), "1x4x2x2",
          ok=ALL("channel_shuffle.input_dtype") + B2("channel_shuffle.four_d")),
    probe("ChannelShuffle qint16", seq(nn.ChannelShuffle(2)), "1x4x2x2", activation_dtype="qint16",
          fail=B2("channel_shuffle.input_dtype"), ok=BAYES("channel_shuffle.input_dtype")),
    probe("ChannelShuffle int32 input", seq(nn.ChannelShuffle(2)), "1x4x2x2", input_dtypes=("int32",),
          fail=BAYES("channel_shuffle.input_dtype")),
    probe("ChannelShuffle 3-D input", seq(nn.ChannelShuffle(2)), "1x4x2", fail=B2("channel_shuffle.four_d")),
    probe("F.channel_shuffle", fn(lambda x: F.channel_shuffle(x, 2)), "1x4x2x2",
          ok=ALL("channel_shuffle.input_dtype")),
    probe("ChannelShuffle torchscript", seq(nn.ChannelShuffle(2)), "1x4x2x2", via="torchscript",
          ok=ALL("channel_shuffle.input_dtype")),
]
for name, layer, shape in (("pixel_shuffle", nn.PixelShuffle, "1x4x2x2"), ("pixel_unshuffle", nn.PixelUnshuffle, "1x1x4x4")):
    title = layer.__name__
    function = getattr(F, name)
    PROBES += [
        probe(f"{title} qint16", seq(layer(2)), shape, activation_dtype="qint16",
              ok=ALL(f"{name}.input_dtype") + B2(f"{name}.four_d")),
        probe(f"{title} int32 input", seq(layer(2)), shape, input_dtypes=("int32",), fail=ALL(f"{name}.input_dtype")),
        probe(f"{title} 3-D input", seq(layer(2)), shape[2:], fail=B2(f"{name}.four_d")),
        probe(f"F.{name}", fn(lambda x, function=function: function(x, 2)), shape, ok=ALL(f"{name}.input_dtype")),
        probe(f"{title} torchscript", seq(layer(2)), shape, via="torchscript", ok=ALL(f"{name}.input_dtype")),
    ]

# ---- ZeroPad2d, and ConstantPad2d, ReplicationPad2d (参考 ZeroPad2d) ----------------------------
for name, build in (("zero_pad2d", lambda: nn.ZeroPad2d(1)), ("constant_pad2d", lambda: nn.ConstantPad2d(1, 0.5)),
                    ("replication_pad2d", lambda: nn.ReplicationPad2d(1))):
    title = type(build()).__name__
    PROBES += [
        probe(f"{title}", lambda build=build: nn.Sequential(build()), "1x3x4x4",
              ok=ALL(f"{name}.input_dtype") + B2(f"{name}.four_d")),
        probe(f"{title} qint16", lambda build=build: nn.Sequential(build()), "1x3x4x4", activation_dtype="qint16",
              fail=B2(f"{name}.input_dtype"), ok=BAYES(f"{name}.input_dtype")),
        probe(f"{title} int32 input", lambda build=build: nn.Sequential(build()), "1x3x4x4", input_dtypes=("int32",),
              fail=BAYES(f"{name}.input_dtype")),
        probe(f"{title} 3-D input", lambda build=build: nn.Sequential(build()), "3x4x4", fail=B2(f"{name}.four_d")),
        probe(f"{title} torchscript", lambda build=build: nn.Sequential(build()), "1x3x4x4", via="torchscript",
              ok=ALL(f"{name}.input_dtype")),
    ]

# ---- Dropout, Dropout2d (pass-through) ---------------------------------------------------------
for name, layer, function in (("dropout", nn.Dropout, F.dropout), ("dropout2d", nn.Dropout2d, F.dropout2d)):
    title = layer.__name__
    PROBES += [
        probe(f"{title} qint16", seq(layer()), "1x3x4x4", activation_dtype="qint16", ok=ALL(f"{name}.input_dtype")),
        probe(f"{title} 3-D input", seq(layer()), "1x3x4", ok=ALL(f"{name}.input_dtype")),
        probe(f"{title} int32 input", seq(layer()), "1x3x4x4", input_dtypes=("int32",), fail=ALL(f"{name}.input_dtype")),
        probe(f"F.{name}", fn(lambda x, function=function: function(x, 0.5, training=False)), "1x3x4x4",
              ok=ALL(f"{name}.input_dtype")),
        probe(f"{title} torchscript", seq(layer()), "1x3x4x4", via="torchscript", ok=ALL(f"{name}.input_dtype")),
    ]
PROBES += [
    probe("Dropout inplace", seq(nn.Conv2d(3, 3, 1), nn.Dropout(inplace=True)), "1x3x4x4", ok=ALL("dropout.input_dtype")),
]

# ---- Layernorm ---------------------------------------------------------------------------------
LN_PRECISION = BAYES("layer_norm.precision")
MHA_PRECISION = BAYES("multihead_attention.precision")


class LayerNorm(nn.Module):
    """A hand-written channels-first LayerNorm (ConvNeXt style): judged as one Layernorm layer."""

    def __init__(self, channels):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        mean = x.mean(1, keepdim=True)
        var = (x - mean).pow(2).mean(1, keepdim=True)
        x = (x - mean) / torch.sqrt(var + 1e-6)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


PROBES += [
    probe("LayerNorm HxW 128x128", seq(nn.LayerNorm(128)), "1x1x128x128",
          ok=BAYES("layer_norm.input_hw") + BAYES("layer_norm.normalized_hw") + BAYES("layer_norm.input_dtype")
          + BAYES("layer_norm.output_dtype"),
          fail=B2("layer_norm.supported") + BAYES("layer_norm.precision")),
    # Every LayerNorm on bayes warns of its precision (LN_PRECISION).
    probe("LayerNorm HxW 128x129", seq(nn.LayerNorm(129)), "1x1x128x129", fail=BAYES("layer_norm.input_hw"),
          also=LN_PRECISION),
    probe("LayerNorm normalized 16383", seq(nn.LayerNorm(16383)), "1x16383", ok=BAYES("layer_norm.normalized_hw"),
          also=LN_PRECISION),
    probe("LayerNorm normalized 16384", seq(nn.LayerNorm(16384)), "1x16384", fail=BAYES("layer_norm.normalized_hw"),
          also=LN_PRECISION),
    probe("LayerNorm normalized 128x128", seq(nn.LayerNorm([2, 128, 128])), "1x2x128x128",
          fail=BAYES("layer_norm.normalized_hw"), also=LN_PRECISION),
    probe("LayerNorm qint16", seq(nn.LayerNorm(8)), "1x4x8", activation_dtype="qint16",
          fail=BAYES("layer_norm.input_dtype"), also=LN_PRECISION),
    probe("F.layer_norm", fn(lambda x: F.layer_norm(x, [8])), "1x4x8", ok=BAYES("layer_norm.input_dtype"),
          also=LN_PRECISION),
    probe("hand-written LayerNorm", seq(LayerNorm(4)), "1x4x8x8",
          ok=BAYES("layer_norm.input_hw") + BAYES("layer_norm.input_dtype"), also=LN_PRECISION),
    probe("LayerNorm torchscript", seq(nn.LayerNorm(8)), "1x4x8", via="torchscript",
          ok=BAYES("layer_norm.normalized_hw") + BAYES("layer_norm.input_dtype"), fail=BAYES("layer_norm.precision")),
]

# ---- LSTMCell ----------------------------------------------------------------------------------
class CellWithFloatState(nn.Module):
    """The input is quantized, the state (h, c) reaches the cell as float."""

    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.cell = nn.LSTMCell(4, 8)

    def forward(self, x, h, c):
        return self.cell(self.quant(x), (h, c))[0]


class Cell(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = nn.LSTMCell(4, 8)

    def forward(self, x):
        return self.cell(x)[0]


PROBES += [
    probe("LSTMCell 2-D", Cell, "2x4",
          ok=BAYES("lstm_cell.rank") + BAYES("lstm_cell.input_dtype") + BAYES("lstm_cell.output_dtype"),
          fail=B2("lstm_cell.supported")),
    probe("LSTMCell qint16", Cell, "2x4", activation_dtype="qint16", ok=BAYES("lstm_cell.input_dtype")),
    probe("LSTMCell 1-D", Cell, "4", fail=BAYES("lstm_cell.rank")),
    probe("LSTMCell float state", CellWithFloatState, ("2x4", "2x8", "2x8"), fail=BAYES("lstm_cell.input_dtype")),
    probe("LSTMCell torchscript", Cell, "2x4", via="torchscript",
          ok=BAYES("lstm_cell.rank") + BAYES("lstm_cell.input_dtype"), fail=B2("lstm_cell.supported")),
]

# ---- MultiheadAttention ------------------------------------------------------------------------
class SelfAttention(nn.Module):
    def __init__(self, **options):
        super().__init__()
        self.attention = nn.MultiheadAttention(8, 2, batch_first=True, **options)

    def forward(self, x):
        return self.attention(x, x, x)[0]


class MaskedAttention(nn.Module):
    """A boolean key_padding_mask: accepted (the module turns it into an additive mask)."""

    def __init__(self):
        super().__init__()
        self.attention = nn.MultiheadAttention(8, 2, batch_first=True)

    def forward(self, x):
        mask = x[:, :, 0] > 2.0
        return self.attention(x, x, x, key_padding_mask=mask, need_weights=False)[0]


class CrossAttention(nn.Module):
    def __init__(self, quantize_key=True, kdim=4):
        super().__init__()
        self.quant = QuantStub()
        self.quant_key = QuantStub() if quantize_key else nn.Identity()
        self.attention = nn.MultiheadAttention(8, 2, kdim=kdim, vdim=kdim, batch_first=True)

    def forward(self, q, k):
        k = self.quant_key(k)
        return self.attention(self.quant(q), k, k, need_weights=False)[0]


PROBES += [
    probe("MultiheadAttention", SelfAttention, "1x3x8",
          ok=BAYES("multihead_attention.add_bias_kv") + BAYES("multihead_attention.add_zero_attn")
          + BAYES("multihead_attention.qkv_dims") + BAYES("multihead_attention.input_dtype")
          + BAYES("multihead_attention.output_dtype"),
          fail=B2("multihead_attention.supported") + BAYES("multihead_attention.precision")),
    # Every MultiheadAttention on bayes warns of its precision (MHA_PRECISION).
    probe("MultiheadAttention qint16 key_padding_mask", MaskedAttention, "1x3x8", activation_dtype="qint16",
          ok=BAYES("multihead_attention.input_dtype"), also=MHA_PRECISION),
    probe("MultiheadAttention add_bias_kv", lambda: SelfAttention(add_bias_kv=True), "1x3x8",
          fail=BAYES("multihead_attention.add_bias_kv"), ok=BAYES("multihead_attention.add_zero_attn"),
          also=MHA_PRECISION),
    probe("MultiheadAttention add_zero_attn", lambda: SelfAttention(add_zero_attn=True), "1x3x8",
          fail=BAYES("multihead_attention.add_zero_attn"), ok=BAYES("multihead_attention.add_bias_kv"),
          also=MHA_PRECISION),
    probe("MultiheadAttention kdim vdim 4", CrossAttention, ("1x3x8", "1x5x4"),
          fail=BAYES("multihead_attention.qkv_dims"), ok=BAYES("multihead_attention.input_dtype"),
          also=MHA_PRECISION),
    probe("MultiheadAttention float key", lambda: CrossAttention(quantize_key=False, kdim=8), ("1x3x8", "1x5x8"),
          fail=BAYES("multihead_attention.input_dtype"), ok=BAYES("multihead_attention.qkv_dims"),
          also=MHA_PRECISION),
    probe("MultiheadAttention torchscript", SelfAttention, "1x3x8", via="torchscript",
          ok=BAYES("multihead_attention.input_dtype"), fail=BAYES("multihead_attention.precision")),
]

# ---- Upsample, UpsamplingBilinear2d, UpsamplingNearest2d (参考 F.interpolate) ------------------
# torch's UpsamplingNearest2d is always 'nearest' and UpsamplingBilinear2d always 'bilinear' with
# align_corners=True, and the vendor converts all three with recompute_scale_factor=True: the
# limits they can never break are exercised with user classes of the same name (judged by the
# same rows, since rows match modules by class name) that call F.interpolate themselves.
def _namesake(name):
    def forward(self, x):
        return F.interpolate(x, **self.options)

    def init(self, **options):
        nn.Module.__init__(self)
        self.options = options

    return type(name, (nn.Module,), {"__init__": init, "forward": forward})


UserUpsample = _namesake("Upsample")
UserUpsamplingNearest2d = _namesake("UpsamplingNearest2d")
UserUpsamplingBilinear2d = _namesake("UpsamplingBilinear2d")

PROBES += [
    probe("Upsample nearest x2", seq(nn.Upsample(scale_factor=2)), "1x3x4x4",
          ok=ALL("upsample.input_dtype") + ALL("upsample.output_dtype") + ALL("upsample.mode") + B2("upsample.scale")
          + B2("upsample.four_d") + BAYES("upsample.input_size") + BAYES("upsample.recompute_scale_factor")),
    probe("Upsample bilinear", seq(nn.Upsample(scale_factor=2, mode="bilinear")), "1x3x4x4",
          ok=ALL("upsample.mode") + BAYES("upsample.align_corners")),
    probe("Upsample bilinear align_corners", seq(nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)),
          "1x3x4x4", fail=BAYES("upsample.align_corners")),
    probe("Upsample bicubic", seq(nn.Upsample(scale_factor=2, mode="bicubic")), "1x3x4x4", fail=ALL("upsample.mode")),
    probe("Upsample x256", seq(nn.Upsample(scale_factor=(256, 1))), "1x1x1x1", ok=B2("upsample.scale")),
    probe("Upsample x257", seq(nn.Upsample(scale_factor=(257, 1))), "1x1x1x1", fail=B2("upsample.scale")),
    probe("Upsample qint16", seq(nn.Upsample(scale_factor=2)), "1x3x4x4", activation_dtype="qint16",
          fail=ALL("upsample.input_dtype")),
    probe("Upsample 3-D input", seq(nn.Upsample(scale_factor=2)), "1x3x4", fail=B2("upsample.four_d")),
    probe("Upsample C 8193", seq(nn.Upsample(size=(1, 1))), "1x8193x1x1", fail=BAYES("upsample.input_size")),
    probe("Upsample namesake without recompute", seq(UserUpsample(scale_factor=2)), "1x3x4x4",
          fail=BAYES("upsample.recompute_scale_factor")),
    probe("Upsample torchscript", seq(nn.Upsample(scale_factor=2)), "1x3x4x4", via="torchscript",
          ok=ALL("upsample.mode") + B2("upsample.scale") + BAYES("upsample.recompute_scale_factor")),

    probe("UpsamplingNearest2d", seq(nn.UpsamplingNearest2d(scale_factor=2)), "1x3x4x4",
          ok=ALL("upsampling_nearest2d.input_dtype") + ALL("upsampling_nearest2d.output_dtype")
          + ALL("upsampling_nearest2d.mode") + B2("upsampling_nearest2d.scale") + B2("upsampling_nearest2d.four_d")
          + BAYES("upsampling_nearest2d.input_size") + BAYES("upsampling_nearest2d.recompute_scale_factor")),
    probe("UpsamplingNearest2d x257", seq(nn.UpsamplingNearest2d(scale_factor=(257, 1))), "1x1x1x1",
          fail=B2("upsampling_nearest2d.scale")),
    probe("UpsamplingNearest2d qint16", seq(nn.UpsamplingNearest2d(scale_factor=2)), "1x3x4x4",
          activation_dtype="qint16", fail=ALL("upsampling_nearest2d.input_dtype")),
    probe("UpsamplingNearest2d 3-D input", seq(nn.UpsamplingNearest2d(scale_factor=2)), "1x3x4",
          fail=B2("upsampling_nearest2d.four_d")),
    probe("UpsamplingNearest2d H 8193", seq(nn.UpsamplingNearest2d(size=(1, 1))), "1x1x8193x1",
          fail=BAYES("upsampling_nearest2d.input_size")),
    probe("UpsamplingNearest2d namesake bilinear", seq(UserUpsamplingNearest2d(size=(8, 8), mode="bilinear")),
          "1x3x4x4", ok=BAYES("upsampling_nearest2d.align_corners")),
    probe("UpsamplingNearest2d namesake bicubic align_corners",
          seq(UserUpsamplingNearest2d(scale_factor=2, mode="bicubic", align_corners=True)), "1x3x4x4",
          fail=ALL("upsampling_nearest2d.mode") + BAYES("upsampling_nearest2d.align_corners")
          + BAYES("upsampling_nearest2d.recompute_scale_factor")),
    probe("UpsamplingNearest2d torchscript", seq(nn.UpsamplingNearest2d(scale_factor=2)), "1x3x4x4",
          via="torchscript", ok=ALL("upsampling_nearest2d.mode")),

    probe("UpsamplingBilinear2d", seq(nn.UpsamplingBilinear2d(scale_factor=2)), "1x3x4x4",
          ok=ALL("upsampling_bilinear2d.input_dtype") + ALL("upsampling_bilinear2d.output_dtype")
          + ALL("upsampling_bilinear2d.mode") + B2("upsampling_bilinear2d.scale") + B2("upsampling_bilinear2d.four_d")
          + BAYES("upsampling_bilinear2d.input_size") + BAYES("upsampling_bilinear2d.recompute_scale_factor"),
          fail=BAYES("upsampling_bilinear2d.align_corners")),
    probe("UpsamplingBilinear2d x257", seq(nn.UpsamplingBilinear2d(scale_factor=(257, 1))), "1x1x1x1",
          fail=B2("upsampling_bilinear2d.scale")),
    # torch's UpsamplingBilinear2d always has align_corners=True, which bayes refuses.
    probe("UpsamplingBilinear2d qint16", seq(nn.UpsamplingBilinear2d(scale_factor=2)), "1x3x4x4",
          activation_dtype="qint16", fail=ALL("upsampling_bilinear2d.input_dtype"),
          also=BAYES("upsampling_bilinear2d.align_corners")),
    probe("UpsamplingBilinear2d W 8193", seq(nn.UpsamplingBilinear2d(size=(1, 1))), "1x1x1x8193",
          fail=BAYES("upsampling_bilinear2d.input_size"), also=BAYES("upsampling_bilinear2d.align_corners")),
    probe("UpsamplingBilinear2d namesake align_corners False",
          seq(UserUpsamplingBilinear2d(size=(8, 8), mode="bilinear", align_corners=False)), "1x3x4x4",
          ok=BAYES("upsampling_bilinear2d.align_corners")),
    probe("UpsamplingBilinear2d namesake bicubic 3-D", seq(UserUpsamplingBilinear2d(scale_factor=2, mode="linear")),
          "1x3x4", fail=ALL("upsampling_bilinear2d.mode") + B2("upsampling_bilinear2d.four_d")
          + BAYES("upsampling_bilinear2d.recompute_scale_factor")),
    probe("UpsamplingBilinear2d torchscript", seq(nn.UpsamplingBilinear2d(scale_factor=2)), "1x3x4x4",
          via="torchscript", ok=ALL("upsampling_bilinear2d.mode"), fail=BAYES("upsampling_bilinear2d.align_corners")),
]
