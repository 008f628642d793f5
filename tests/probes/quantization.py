"""Probes for torch.quantization.QuantStub / DeQuantStub: float models (captured as the marker ops
qcheck::quant_stub / qcheck::dequant_stub) and a converted model (aten::quantize_per_tensor /
aten::dequantize, via TorchScript, where a float model's stubs would vanish)."""

import torch
import torch.ao.quantization as tq
from torch import nn

from tests.probes import on, probe

ALL = on("bernoulli2", "bayes", "bayes_e")
BAYES = on("bayes", "bayes_e")


class Stubs(nn.Module):
    """QuantStub(s), an optional float body, DeQuantStub(s): `quants` / `dequants` stubs in a row."""

    def __init__(self, quants=1, dequants=1, body=None, after=None):
        super().__init__()
        self.quants = nn.ModuleList(tq.QuantStub() for _ in range(quants))
        self.body = body
        self.dequants = nn.ModuleList(tq.DeQuantStub() for _ in range(dequants))
        self.after = after

    def forward(self, x):
        for stub in self.quants:
            x = stub(x)
        if self.body is not None:
            x = self.body(x)
        for stub in self.dequants:
            x = stub(x)
        return self.after(x) if self.after is not None else x


class AfterDequant(nn.Module):
    """What runs on the CPU after the DeQuantStub: ops bernoulli2 does not support on the BPU."""

    def forward(self, x):
        return x.transpose(2, 3).flatten(1)


def converted():
    """QuantStub -> DeQuantStub converted by torch.ao (symmetric qint8 activations, as the vendor's)."""
    model = Stubs().eval()
    model.qconfig = tq.QConfig(activation=tq.MinMaxObserver.with_args(dtype=torch.qint8,
                                                                       qscheme=torch.per_tensor_symmetric),
                               weight=tq.default_weight_observer)
    tq.prepare(model, inplace=True)
    model(torch.rand(1, 3, 4, 4))
    return tq.convert(model, inplace=True)


STUB_OK = ["quant_stub.input_dtype", "quant_stub.output_dtype", "dequant_stub.input_dtype",
           "dequant_stub.output_dtype"]
STUB_OK_ALL = [i for rest in STUB_OK for i in ALL(rest)]
FOUR_D = ["bernoulli2.quant_stub.four_d", "bernoulli2.dequant_stub.four_d"]

PROBES = [
    probe("quant stubs 4-D", lambda: Stubs(body=nn.Conv2d(3, 4, 1)), "1x3x4x4",
          ok=STUB_OK_ALL + FOUR_D),
    probe("quant stubs qint16", lambda: Stubs(), "1x3x4x4", activation_dtype="qint16",
          ok=STUB_OK_ALL),
    probe("quant stubs 2-D", lambda: Stubs(), "2x3",
          ok=BAYES("quant_stub.input_dtype"),
          fail=FOUR_D),
    probe("quant stub twice", lambda: Stubs(quants=2), "1x3x4x4",
          fail=ALL("quant_stub.input_dtype")),
    probe("dequant stub twice", lambda: Stubs(dequants=2), "1x3x4x4",
          fail=ALL("dequant_stub.input_dtype")),
    # After the DeQuantStub the model runs on the CPU: an op bernoulli2 cannot run is not judged.
    probe("unsupported op after dequant stub", lambda: Stubs(body=nn.Conv2d(3, 4, 1), after=AfterDequant()),
          "1x3x4x4", ok=["bernoulli2.tensor_transpose.supported", "bernoulli2.tensor_reshape.supported"]),
    probe("converted stubs torchscript", converted, "1x3x4x4", via="torchscript",
          ok=STUB_OK_ALL + FOUR_D),
]


class CameraInput(nn.Module):
    """A model whose input stub plays the vendor's QuantStub(scale=...) (recognised by class name)."""

    def __init__(self, scale):
        super().__init__()
        self.quant = _vendor_stub(scale)
        self.conv = nn.Conv2d(3, 4, 1)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.conv(self.quant(x)))


def _vendor_stub(scale):
    class QuantStub(nn.Module):
        def __init__(self):
            super().__init__()
            if scale is not None:
                self.scale = scale

        def forward(self, x):
            return x

    return QuantStub()


PROBES += [
    probe("camera input, stub scale 1/128", lambda: CameraInput(1 / 128), "1x3x4x4",
          ok=ALL("quant_stub.input_scale"), input_source="pyramid"),
    probe("camera input, stub scale 1/64", lambda: CameraInput(1 / 64), "1x3x4x4",
          fail=ALL("quant_stub.input_scale"), input_source="pyramid"),
    probe("resizer input, stub without a scale", lambda: CameraInput(None), "1x3x4x4",
          fail=ALL("quant_stub.input_scale"), input_source="resizer"),
    probe("ddr input, stub without a scale", lambda: CameraInput(None), "1x3x4x4",
          ok=BAYES("quant_stub.input_scale")),
]
