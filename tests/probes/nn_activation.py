"""Probes for the activation rows (rules/nn_activation.yaml): ReLU, ReLU6, ELU, GELU, GLU,
HardSigmoid, LeakyReLU, PReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh.

Every row is recognised in each form a user writes it in (module, functional / torch / Tensor
method, in place, a TorchScript file). ReLU and ReLU6 match only inside their module (F.relu and
F.relu6 are rows of their own), so they are probed inside an nn.Sequential: a bare root module
has no module scope in the capture.

A dtype outside qint8 / qint16 comes from a QAT fake-quant with torch's default activation range
[0, 255] (quint8, not the vendor's qint8): qcheck takes a fake-quantized tensor's dtype from it.
"""

import torch
import torch.nn.functional as F
from torch import nn

from tests.probes import on, probe
from tests.probes.modules import Quint8, fn, seq

B2 = on("bernoulli2")
BAYES = on("bayes", "bayes_e")
ALL = on("bernoulli2", "bayes", "bayes_e")
BAYES_MARCHES, ALL_MARCHES = ["bayes", "bayes_e"], ["bernoulli2", "bayes", "bayes_e"]
SHAPE = "1x2x4x4"


class PReLUFunctional(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.full((2,), 0.25))

    def forward(self, x):
        return F.prelu(x, self.weight)


def ids(make, row, *names):
    return [rule_id for name in names for rule_id in make(f"{row}.{name}")]


# ---------------------------------------------------------------- ReLU, ReLU6 (module only)
RELU = []
for row, module, inplace in [("relu_module", nn.ReLU, "aten::relu_"), ("relu6_module", nn.ReLU6, "aten::hardtanh_")]:
    name = module.__name__
    RELU += [
        probe(f"{name} module", seq(module()), SHAPE,
              ok=ids(ALL, row, "input_dtype") + B2(f"{row}.four_d")),
        probe(f"{name} module in place", seq(nn.Conv2d(2, 2, 1), module(inplace=True)), SHAPE,
              ok=ids(ALL, row, "input_dtype")),
        probe(f"{name} via torchscript", seq(module()), SHAPE, via="torchscript",
              ok=ids(ALL, row, "input_dtype") + B2(f"{row}.four_d")),
        probe(f"{name} qint16", seq(module()), SHAPE, activation_dtype="qint16",
              ok=ids(BAYES, row, "input_dtype"), fail=B2(f"{row}.input_dtype")),
        probe(f"{name} quint8 input", lambda module=module: Quint8(nn.Sequential(module())), SHAPE,
              fail=ids(ALL, row, "input_dtype")),
        probe(f"{name} 2-D input", seq(module()), "2x8", fail=B2(f"{row}.four_d")),
    ]

# ---------------------------------------------------------------- lookup-table activations
# row id -> (module, functional forms, in-place forms, bernoulli2 is "参考 torch.exp")
LUT = {
    "elu": (nn.ELU, [F.elu], [lambda x: F.elu(x, inplace=True)], False),
    "gelu": (nn.GELU, [F.gelu, lambda x: F.gelu(x, approximate="tanh")], [], True),
    "glu": (lambda: nn.GLU(1), [lambda x: F.glu(x, -1)], [], False),
    "hardsigmoid": (nn.Hardsigmoid, [F.hardsigmoid], [lambda x: F.hardsigmoid(x, inplace=True)], False),
    "leaky_relu": (nn.LeakyReLU, [F.leaky_relu], [lambda x: F.leaky_relu(x, 0.1, inplace=True)], False),
    "prelu": (nn.PReLU, [], [], False),
    "sigmoid": (nn.Sigmoid, [torch.sigmoid, F.sigmoid, lambda x: x.sigmoid()], [lambda x: x.sigmoid_()], True),
    "silu": (nn.SiLU, [F.silu], [lambda x: F.silu(x, inplace=True)], True),
    "softplus": (nn.Softplus, [F.softplus], [], False),
    "tanh": (nn.Tanh, [torch.tanh, F.tanh, lambda x: x.tanh()], [lambda x: x.tanh_()], True),
}


def lut_expectations(row, exp_on_bernoulli2):
    """(ok, fail) ids of a plain qint8 4-D use of a lookup-table activation."""
    bayes_marches = ["bayes"] if row == "prelu" else ["bayes", "bayes_e"]
    ok = [f"{m}.{row}.{c}" for m in bayes_marches for c in ("input_dtype", "output_dtype")]
    fail = [f"{m}.{row}.precision" for m in bayes_marches]
    if row == "prelu":  # X5 runs a 4-D qint8 PReLU natively: no lookup-table warning
        ok += ids(on("bayes_e"), row, "input_dtype", "output_dtype", "native")
    if exp_on_bernoulli2:
        ok += ids(B2, row, "input_dtype", "output_dtype", "four_d")
        fail += B2(f"{row}.precision")
    else:
        fail += B2(f"{row}.supported")
    return ok, fail


def lookup_warnings(row, marches):
    """The precision warning each use of a lookup-table row gets on these marches, whatever else
    the probe breaks (X5 reads a PReLU by its `native` constraint instead)."""
    found = [f"{m}.{row}.precision" for m in marches if not (row == "prelu" and m == "bayes_e")]
    return found + (["bayes_e.prelu.native"] if row == "prelu" and "bayes_e" in marches else [])


ACTIVATIONS = []
for row, (module, functions, inplace_forms, exp_on_bernoulli2) in LUT.items():
    ok, fail = lut_expectations(row, exp_on_bernoulli2)
    ACTIVATIONS.append(probe(f"{row} module", seq(module()), SHAPE, ok=ok, fail=fail))
    ACTIVATIONS.append(probe(f"{row} via torchscript", seq(module()), SHAPE, ok=ok, fail=fail, via="torchscript"))
    for index, function in enumerate(functions):
        ACTIVATIONS.append(probe(f"{row} functional {index}", fn(function), SHAPE, ok=ok, fail=fail))
    for index, function in enumerate(inplace_forms):
        ACTIVATIONS.append(probe(f"{row} in place {index}", fn(function), SHAPE, ok=ok, fail=fail))
    ACTIVATIONS.append(probe(f"{row} quint8 input", lambda module=module: Quint8(module()), SHAPE,
                             fail=ids(BAYES, row, "input_dtype"), also=lookup_warnings(row, BAYES_MARCHES)))
    if exp_on_bernoulli2:
        ACTIVATIONS += [
            probe(f"{row} qint16", seq(module()), SHAPE, activation_dtype="qint16",
                  fail=B2(f"{row}.input_dtype"), ok=ids(BAYES, row, "input_dtype"),
                  also=lookup_warnings(row, ALL_MARCHES)),
            probe(f"{row} 2-D input", seq(module()), "2x8", fail=B2(f"{row}.four_d"),
                  also=lookup_warnings(row, ["bernoulli2"])),
        ]

ACTIVATIONS += [
    probe("prelu functional", lambda: PReLUFunctional(), SHAPE, ok=ids(on("bayes_e"), "prelu", "input_dtype", "native"),
          fail=B2("prelu.supported") + ["bayes.prelu.precision"],
          at="bayes_e.prelu.native:x5_native", findings={"bayes_e": {}}),
    # Outside X5's native PReLU (4-D, qint8) it stays bayes's lookup table: a warning, not an error.
    probe("prelu qint16 on X5", seq(nn.PReLU()), SHAPE, activation_dtype="qint16",
          fail=["bayes_e.prelu.native"], ok=["bayes.prelu.input_dtype", "bayes_e.prelu.input_dtype"],
          also=lookup_warnings("prelu", ["bayes"]),
          past="bayes_e.prelu.native:x5_native", at="bayes_e.prelu.native:lookup_table",
          findings={"bayes_e": {"bayes_e.prelu.native": "warning"}}),
    probe("prelu 3-D input on X5", seq(nn.PReLU()), "1x2x4", fail=["bayes_e.prelu.native"],
          ok=["bayes_e.prelu.input_dtype"], past="bayes_e.prelu.native:x5_native",
          at="bayes_e.prelu.native:lookup_table", findings={"bayes_e": {"bayes_e.prelu.native": "warning"}}),
]

# ---------------------------------------------------------------- Softmax
SOFTMAX_OK = ids(BAYES, "softmax", "input_dtype", "output_dtype")
SOFTMAX_FAIL = BAYES("softmax.precision") + B2("softmax.supported")
SOFTMAX = [
    probe("softmax module", seq(nn.Softmax(1)), SHAPE, ok=SOFTMAX_OK, fail=SOFTMAX_FAIL),
    probe("softmax via torchscript", seq(nn.Softmax(-1)), SHAPE, ok=SOFTMAX_OK, fail=SOFTMAX_FAIL, via="torchscript"),
    probe("softmax functional", fn(lambda x: F.softmax(x, dim=1)), SHAPE, ok=SOFTMAX_OK, fail=SOFTMAX_FAIL),
    probe("softmax torch", fn(lambda x: torch.softmax(x, 1)), SHAPE, ok=SOFTMAX_OK, fail=SOFTMAX_FAIL),
    probe("softmax tensor method", fn(lambda x: x.softmax(-1)), "2x8", ok=SOFTMAX_OK, fail=SOFTMAX_FAIL),
    probe("softmax qint16", seq(nn.Softmax(1)), SHAPE, activation_dtype="qint16",
          fail=BAYES("softmax.input_dtype"), ok=BAYES("softmax.output_dtype"),
          also=BAYES("softmax.precision")),  # every softmax on bayes warns of it
]

PROBES = RELU + ACTIVATIONS + SOFTMAX
