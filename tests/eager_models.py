"""A realistic eager model with every eager-mode mistake, and the same model after applying
qcheck's advice literally. Line numbers matter: tests/test_eager.py asserts them."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.ao.nn.quantized import FloatFunctional
from torch.ao.quantization import DeQuantStub, QuantStub, fuse_modules


class Broken(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.relu = nn.ReLU()
        self.branch = nn.Conv2d(8, 8, 1)
        self.ff = FloatFunctional()
        self.norm = nn.BatchNorm2d(16)

    def forward(self, x):
        y = self.relu(self.bn(self.conv(x)))  # line 22: conv + bn + relu, not fused
        z = y + self.branch(y)  # line 23: a + b
        z = F.relu(z)  # line 24: functional relu
        s = self.ff.add(z, y)  # line 25: first call of self.ff
        s = self.ff.add(s, z)  # line 26: second call of the same FloatFunctional
        t = torch.cat([s, z], dim=1)  # line 27: torch.cat
        t = self.norm(t)  # line 28: a standalone BatchNorm
        t = t + 1  # line 29: a scalar add
        return F.interpolate(t, scale_factor=2.0, mode="nearest")  # line 30


class Interpolate(nn.Module):
    """Stands in for horizon.nn.Interpolate (qcheck recognises the replacement by class name)."""

    def forward(self, x):
        return F.interpolate(x, scale_factor=2.0, mode="nearest", recompute_scale_factor=True)


class Fixed(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.relu = nn.ReLU()
        self.branch = nn.Conv2d(8, 8, 1)
        self.add_op = FloatFunctional()
        self.relu_1 = nn.ReLU()
        self.ff_1 = FloatFunctional()
        self.ff_2 = FloatFunctional()
        self.cat_op = FloatFunctional()
        self.norm_conv = nn.Conv2d(16, 16, 1)
        self.norm = nn.BatchNorm2d(16)
        self.add_scalar_op = FloatFunctional()
        self.interpolate = Interpolate()
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        y = self.relu(self.bn(self.conv(x)))
        z = self.add_op.add(y, self.branch(y))
        z = self.relu_1(z)
        s = self.ff_1.add(z, y)
        s = self.ff_2.add(s, z)
        t = self.cat_op.cat([s, z], dim=1)
        t = self.norm(self.norm_conv(t))
        t = self.add_scalar_op.add_scalar(t, 1.0)
        return self.dequant(self.interpolate(t))


def fixed_and_fused():
    model = Fixed().eval()
    return fuse_modules(model, [["conv", "bn", "relu"], ["norm_conv", "norm"]])


class ThreeParts(nn.Module):
    """On bernoulli2 both softmaxes are unsupported: with --fallback cpu, three BPU subgraphs around
    two CPU layers (tests/test_partition_cost.py, tests/test_baseline.py)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.soft1 = nn.Softmax(dim=1)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.soft2 = nn.Softmax(dim=1)
        self.conv3 = nn.Conv2d(8, 4, 1)

    def forward(self, x):
        return self.conv3(self.soft2(self.conv2(self.soft1(self.conv1(x)))))
