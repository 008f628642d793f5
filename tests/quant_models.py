"""Real torch.ao quantization flows for the dtype tests (also usable as eager specs)."""

from __future__ import annotations

import torch
from torch import nn
from torch.ao.quantization import (DeQuantStub, FakeQuantize, MovingAverageMinMaxObserver, QConfig, QuantStub,
                                   convert, default_weight_fake_quant, fuse_modules, prepare_qat)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.conv = nn.Conv2d(3, 8, 3)
        self.bn = nn.BatchNorm2d(8)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Conv2d(8, 4, 1)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.pool(self.relu(self.bn(self.conv(x))))
        return self.dequant(self.head(x))


def symmetric_qconfig() -> QConfig:
    """What the BPU takes: signed, symmetric qint8 activations and qint8 weights."""
    activation = FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=-128, quant_max=127,
                                        dtype=torch.qint8, qscheme=torch.per_tensor_symmetric)
    return QConfig(activation=activation, weight=default_weight_fake_quant)


def _engine() -> str:
    engines = torch.backends.quantized.supported_engines
    engine = next(e for e in ("qnnpack", "x86", "fbgemm") if e in engines)
    torch.backends.quantized.engine = engine
    return engine


def qat_prepared(qconfig: QConfig | None = None, steps: int = 3) -> nn.Module:
    """fuse -> prepare_qat -> a few training steps; returned in eval mode."""
    torch.manual_seed(0)
    engine = _engine()
    model = Net().train()
    model = torch.ao.quantization.fuse_modules_qat(model, [["conv", "bn", "relu"]])
    model.qconfig = qconfig or torch.ao.quantization.get_default_qat_qconfig(engine)
    prepare_qat(model, inplace=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for _ in range(steps):
        loss = model(torch.rand(4, 3, 12, 12)).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval()


def qat_symmetric() -> nn.Module:
    return qat_prepared(symmetric_qconfig())


def qat_default() -> nn.Module:
    return qat_prepared()


def converted() -> nn.Module:
    return convert(qat_prepared(), inplace=False)


def float_net() -> nn.Module:
    return fuse_modules(Net().eval(), [["conv", "bn", "relu"]])


class TwoRegions(nn.Module):
    """quant -> conv -> dequant -> a CPU op (argsort) -> quant -> conv -> dequant."""

    def __init__(self):
        super().__init__()
        self.quant1, self.quant2 = QuantStub(), QuantStub()
        self.dequant1, self.dequant2 = DeQuantStub(), DeQuantStub()
        self.conv1 = nn.Conv2d(3, 4, 1)
        self.conv2 = nn.Conv2d(4, 4, 1)

    def forward(self, x):
        x = self.dequant1(self.conv1(self.quant1(x)))
        x = torch.sort(x, dim=1).values  # no BPU row: runs on the CPU between the regions
        return self.dequant2(self.conv2(self.quant2(x)))


class VendorQuantStub(nn.Module):
    """Plays horizon_plugin_pytorch's QuantStub(scale=1/128): an identity with a fixed scale."""

    def __init__(self, scale=None):
        super().__init__()
        if scale is not None:
            self.scale = scale

    def forward(self, x):
        return x


# qcheck recognises stubs by class name, as it would the vendor's class.
VendorQuantStub.__name__ = VendorQuantStub.__qualname__ = "QuantStub"


class CameraNet(nn.Module):
    def __init__(self, scale=1 / 128):
        super().__init__()
        self.quant = VendorQuantStub(scale)
        self.conv = nn.Conv2d(3, 4, 1)
        self.dequant = DeQuantStub()

    def forward(self, x):
        return self.dequant(self.conv(self.quant(x)))


def camera_net_fixed():
    return CameraNet(1 / 128)


def camera_net_unscaled():
    return CameraNet(None)


def camera_net_wrong():
    return CameraNet(1 / 64)
