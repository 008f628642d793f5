"""Small wrappers shared by the probe files, so a probe stays one line."""

from __future__ import annotations

import torch
from torch import nn


class Fn(nn.Module):
    """A model whose forward is one expression of its inputs: a functional, operator or
    Tensor-method form of a row. With buffers, the expression also gets the module (`m`) first."""

    def __init__(self, function, **buffers):
        super().__init__()
        self.function = function
        self.takes_module = bool(buffers)
        for name, value in buffers.items():
            self.register_buffer(name, value)

    def forward(self, *inputs):
        return self.function(self, *inputs) if self.takes_module else self.function(*inputs)


def fn(function, **buffers):
    """`fn(lambda x: ...)`, `fn(lambda a, b: ...)`, or `fn(lambda m, x: ..., w=tensor)`."""
    return lambda: Fn(function, **buffers)


def seq(*layers):
    """The layers in an nn.Sequential: the layer then has a module path, as in a real model."""
    return lambda: nn.Sequential(*layers).eval()


class Quint8(nn.Module):
    """`layer` on a tensor fake-quantized to torch's default quint8 range [0, 255] (QAT with
    torch's qconfig instead of the vendor's qint8)."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x):
        return self.layer(torch.fake_quantize_per_tensor_affine(x, 0.1, 0, 0, 255))
