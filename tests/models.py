"""Small real models used by several tests (built, traced and saved on demand)."""

from __future__ import annotations

import sys

from tests.helpers import EXAMPLES


def seed_net(avg_kernel=8):
    """The seed page's Net (examples/seed_net.py); AvgPool2d(8) is past bernoulli2's limit of 7."""
    sys.path.insert(0, EXAMPLES)
    try:
        from seed_net import Net
    finally:
        sys.path.remove(EXAMPLES)
    return Net(avg_kernel).eval()


def small_convnet():
    """A model that passes on every march: conv, relu, max pool (kernel 2), conv."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 4, 1)).eval()


def save_torchscript(module, shape, path) -> str:
    import torch

    torch.jit.save(torch.jit.trace(module, torch.rand(*shape)), str(path))
    return str(path)
