"""Probes for the "torch.nn.functional function" rows: grid_sample, interpolate, pad, relu, relu6(fused)."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.ao.quantization import QuantStub

from tests.probes import on, probe
from tests.probes.modules import fn

B2 = on("bernoulli2")
BAYES = on("bayes", "bayes_e")
ALL = on("bernoulli2", "bayes", "bayes_e")


class QuantizedInputOnly(nn.Module):
    """Quantizes the first input only: the second reaches the layer as float (not quantized)."""

    def __init__(self, function):
        super().__init__()
        self.quant = QuantStub()
        self.function = function

    def forward(self, x, other):
        return self.function(self.quant(x), other)


# ---- grid_sample -------------------------------------------------------------------------------
def grid(mode="bilinear", padding_mode="zeros"):
    return fn(lambda x, g: F.grid_sample(x, g, mode=mode, padding_mode=padding_mode, align_corners=False))


GRID = "1x1x1x2"
_grid_ok = ["input_dtype", "input_grid_dtype", "output_dtype", "input_size", "input_area", "mode",
            "padding_mode"]

PROBES = [
    probe("grid_sample bilinear zeros 720x1024", grid(), ("1x1x720x1024", GRID),
          ok=[i for rest in _grid_ok for i in on("bayes")(f"grid_sample.{rest}")],
          fail=B2("grid_sample.supported") + on("bayes_e")("grid_sample.input_area")),
    probe("grid_sample input 721x1024", grid(), ("1x1x721x1024", GRID), fail=on("bayes")("grid_sample.input_area"),
          ok=on("bayes")("grid_sample.input_size")),
    probe("grid_sample nearest border 512x512", grid("nearest", "border"), ("1x1x512x512", GRID),
          ok=[i for rest in _grid_ok for i in BAYES(f"grid_sample.{rest}")]),
    probe("grid_sample input 513x512", grid(), ("1x1x513x512", GRID), fail=on("bayes_e")("grid_sample.input_area"),
          ok=on("bayes")("grid_sample.input_area")),
    probe("grid_sample H 1024", grid(), ("1x1x1024x1", GRID), ok=BAYES("grid_sample.input_size")),
    probe("grid_sample H 1025", grid(), ("1x1x1025x1", GRID), fail=BAYES("grid_sample.input_size")),
    probe("grid_sample W 1025", grid(), ("1x1x1x1025", GRID), fail=BAYES("grid_sample.input_size")),
    probe("grid_sample bicubic", grid("bicubic"), ("1x1x4x4", GRID), fail=BAYES("grid_sample.mode")),
    probe("grid_sample reflection", grid(padding_mode="reflection"), ("1x1x4x4", GRID),
          fail=BAYES("grid_sample.padding_mode")),
    probe("grid_sample qint16", grid(), ("1x1x4x4", GRID), activation_dtype="qint16",
          fail=BAYES("grid_sample.input_dtype"), ok=BAYES("grid_sample.input_grid_dtype")),
    probe("grid_sample float grid", lambda: QuantizedInputOnly(
              lambda x, g: F.grid_sample(x, g, align_corners=False)), ("1x1x4x4", GRID),
          fail=BAYES("grid_sample.input_grid_dtype"), ok=BAYES("grid_sample.input_dtype")),
    probe("grid_sample torchscript", grid(), ("1x1x4x4", GRID), via="torchscript",
          ok=BAYES("grid_sample.mode") + BAYES("grid_sample.padding_mode"), fail=B2("grid_sample.supported")),
]

# ---- interpolate -------------------------------------------------------------------------------
def resize(**options):
    return fn(lambda x: F.interpolate(x, **options))


PROBES += [
    probe("interpolate nearest size", resize(size=(16, 16)), "1x3x8x8",
          ok=ALL("interpolate.input_dtype") + ALL("interpolate.output_dtype") + ALL("interpolate.mode")
          + B2("interpolate.scale") + B2("interpolate.four_d") + BAYES("interpolate.input_size")
          + BAYES("interpolate.recompute_scale_factor")),
    probe("interpolate bilinear recompute", resize(scale_factor=2, mode="bilinear", recompute_scale_factor=True),
          "1x3x8x8", ok=ALL("interpolate.mode") + BAYES("interpolate.align_corners")
          + BAYES("interpolate.recompute_scale_factor")),
    probe("interpolate scale_factor without recompute", resize(scale_factor=2), "1x3x8x8",
          fail=BAYES("interpolate.recompute_scale_factor")),
    probe("interpolate align_corners", resize(size=(16, 16), mode="bilinear", align_corners=True), "1x3x8x8",
          fail=BAYES("interpolate.align_corners")),
    probe("interpolate bicubic", resize(size=(16, 16), mode="bicubic"), "1x3x8x8", fail=ALL("interpolate.mode")),
    probe("interpolate qint16", resize(size=(16, 16)), "1x3x8x8", activation_dtype="qint16",
          fail=ALL("interpolate.input_dtype")),
    probe("interpolate scale 256", resize(size=(256, 1)), "1x1x1x1", ok=B2("interpolate.scale")),
    probe("interpolate scale 257", resize(size=(257, 1)), "1x1x1x1", fail=B2("interpolate.scale")),
    probe("interpolate scale 1/255", resize(size=(1, 1)), "1x1x255x1", ok=B2("interpolate.scale")),
    probe("interpolate scale 1/256", resize(size=(1, 1)), "1x1x1x256", fail=B2("interpolate.scale")),
    probe("interpolate 3-D input", resize(size=8), "1x2x4", fail=B2("interpolate.four_d")),
    # nearest-exact in 1-D and 3-D: their ops once lacked a mode fact, so the mode check skipped them.
    probe("interpolate nearest-exact 1-D", resize(size=8, mode="nearest-exact"), "1x2x4",
          fail=ALL("interpolate.mode") + B2("interpolate.four_d")),
    probe("interpolate nearest-exact 3-D", resize(size=4, mode="nearest-exact"), "1x1x2x2x2",
          fail=ALL("interpolate.mode") + B2("interpolate.four_d")),
    probe("interpolate C 8192", resize(size=(1, 1)), "1x8192x1x1", ok=BAYES("interpolate.input_size")),
    probe("interpolate C 8193", resize(size=(1, 1)), "1x8193x1x1", fail=BAYES("interpolate.input_size")),
    probe("interpolate H 8192", resize(size=(8192, 1)), "1x1x8192x1", ok=BAYES("interpolate.input_size")),
    probe("interpolate H 8193", resize(size=(8193, 1)), "1x1x8193x1", fail=BAYES("interpolate.input_size")),
    probe("interpolate W 8193", resize(size=(1, 8193)), "1x1x1x8193", fail=BAYES("interpolate.input_size")),
    probe("interpolate torchscript", resize(scale_factor=2, mode="bilinear"), "1x3x8x8", via="torchscript",
          ok=ALL("interpolate.mode") + B2("interpolate.scale") + BAYES("interpolate.align_corners"),
          fail=BAYES("interpolate.recompute_scale_factor")),
]

# ---- pad ---------------------------------------------------------------------------------------
def pad(mode="constant"):
    return fn(lambda x: F.pad(x, (1, 1, 1, 1), mode=mode))


PROBES += [
    probe("F.pad constant", pad(), "1x3x8x8", ok=BAYES("pad.input_dtype") + BAYES("pad.mode"),
          fail=B2("pad.supported")),
    probe("F.pad replicate qint16", pad("replicate"), "1x3x8x8", activation_dtype="qint16",
          ok=BAYES("pad.input_dtype") + BAYES("pad.mode")),
    probe("F.pad circular", pad("circular"), "1x3x8x8", ok=BAYES("pad.mode")),
    probe("F.pad reflect", pad("reflect"), "1x3x8x8", fail=BAYES("pad.mode")),
    probe("nn.ReflectionPad2d", lambda: nn.Sequential(nn.ReflectionPad2d(1)), "1x3x8x8", fail=BAYES("pad.mode")),
    probe("F.pad int32 input", pad(), "1x3x8x8", input_dtypes=("int32",), fail=BAYES("pad.input_dtype")),
    probe("F.pad torchscript", pad("reflect"), "1x3x8x8", via="torchscript",
          fail=BAYES("pad.mode") + B2("pad.supported")),
]

# ---- relu --------------------------------------------------------------------------------------
# In place on x + x, a tensor of its own: an add of two activations has no finding on any march.
PROBES += [
    probe("F.relu", fn(F.relu), "1x3x8x8",
          ok=ALL("relu.input_dtype") + B2("relu.output_dtype") + B2("relu.four_d")),
    probe("torch.relu", fn(torch.relu), "1x3x8x8", ok=ALL("relu.input_dtype")),
    probe("Tensor.relu", fn(lambda x: x.relu()), "1x3x8x8", ok=ALL("relu.input_dtype")),
    probe("F.relu inplace", fn(lambda x: F.relu(x + x, inplace=True)), "1x3x8x8", ok=ALL("relu.input_dtype")),
    probe("Tensor.relu_", fn(lambda x: (x + x).relu_()), "1x3x8x8", ok=ALL("relu.input_dtype")),
    probe("F.relu qint16", fn(F.relu), "1x3x8x8", activation_dtype="qint16", fail=ALL("relu.input_dtype")),
    probe("F.relu 2-D", fn(F.relu), "2x8", fail=B2("relu.four_d"), ok=BAYES("relu.input_dtype")),
    probe("F.relu torchscript", fn(F.relu), "1x3x8x8", via="torchscript", ok=ALL("relu.input_dtype")),
    probe("F.relu inplace torchscript", fn(lambda x: (x + x).relu_()), "1x3x8x8", via="torchscript",
          ok=ALL("relu.input_dtype")),
]

# ---- relu6(fused) ------------------------------------------------------------------------------
PROBES += [
    probe("F.relu6", fn(F.relu6), "1x3x8x8", ok=ALL("relu6.input_dtype") + B2("relu6.four_d")),
    probe("F.relu6 inplace", fn(lambda x: F.relu6(x + x, inplace=True)), "1x3x8x8", ok=ALL("relu6.input_dtype")),
    probe("F.relu6 qint16", fn(F.relu6), "1x3x8x8", activation_dtype="qint16", fail=ALL("relu6.input_dtype")),
    probe("F.relu6 2-D", fn(F.relu6), "2x8", fail=B2("relu6.four_d")),
    probe("F.relu6 torchscript", fn(F.relu6), "1x3x8x8", via="torchscript", ok=ALL("relu6.input_dtype")),
]
