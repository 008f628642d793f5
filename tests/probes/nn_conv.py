"""Probes for torch.nn.Conv2d (issue 2 core rows)."""

from torch import nn

from tests.probes import on, probe

BAYES = on("bayes", "bayes_e")

PROBES = [
    probe("conv2d kernel 31", lambda: nn.Conv2d(3, 4, 31), "1x3x40x40", ok=BAYES("conv2d.kernel")),
    probe("conv2d kernel 32", lambda: nn.Conv2d(3, 4, 32), "1x3x40x40", fail=BAYES("conv2d.kernel")),
]
