"""Probes for the "torch function" rows of the table (rules/torch_function.yaml).

Most probes carry many rows at once (one tiny model calling each op on the model input), so the
whole set stays fast. Every probe name starts with "fn:" (pytest -k "fn:").

Input dtype fails: both activation dtypes are allowed for most rows, so the fail probes feed an
int32 model input straight into the op (qcheck keeps integer tensors as they are).
"""

import torch
import torch.nn.functional as F
from torch import nn

from tests.probes import on, probe
from tests.probes.modules import fn

B2 = on("bernoulli2")
BAYES = on("bayes", "bayes_e")
X5 = on("bayes_e")


def ids(prefix, rows, suffixes):
    """ids("bayes", ["acos", "asin"], ["precision"]) -> ["bayes.acos.precision", "bayes.asin.precision"]."""
    marches = prefix if isinstance(prefix, (list, tuple)) else [prefix]
    return [f"{m}.{r}.{s}" for m in marches for r in rows for s in suffixes]


BAYES_BOTH = ["bayes", "bayes_e"]

# ------------------------------------------------------------------ unary elementwise functions

# Bayes lookup-table rows (torch.acos and every "参考 torch.acos"); exp also has a bernoulli2 rule.
LUT = ["acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "erf", "exp", "log", "pow",
       "reciprocal", "selu", "sin", "sinh", "sqrt", "tan"]
# Bayes rows with output = input dtype and no lookup table.
PLAIN = ["abs", "ceil", "floor", "clamp", "clip"]
B2_UNSUPPORTED_UNARY = [r for r in LUT + PLAIN if r != "exp"]

FUNCTIONS = {
    "acos": torch.acos, "acosh": torch.acosh, "asin": torch.asin, "asinh": torch.asinh,
    "atan": torch.atan, "atanh": torch.atanh, "cos": torch.cos, "cosh": torch.cosh, "erf": torch.erf,
    "exp": torch.exp, "log": torch.log, "pow": lambda x: torch.pow(x, 2),
    "reciprocal": torch.reciprocal, "selu": torch.selu, "sin": torch.sin, "sinh": torch.sinh,
    "sqrt": torch.sqrt, "tan": torch.tan, "abs": torch.abs, "ceil": torch.ceil, "floor": torch.floor,
    "clamp": lambda x: torch.clamp(x, -1.0, 1.0), "clip": lambda x: torch.clip(x, min=0.0, max=0.5),
}
# Tensor-method spellings and aliases (x.acos(), torch.arccos, x ** 2, F.selu ...).
METHODS = {
    "acos": lambda x: torch.arccos(x.acos()), "acosh": lambda x: torch.arccosh(x.acosh()),
    "asin": lambda x: torch.arcsin(x.asin()), "asinh": lambda x: torch.arcsinh(x.asinh()),
    "atan": lambda x: torch.arctan(x.atan()), "atanh": lambda x: torch.arctanh(x.atanh()),
    "cos": lambda x: x.cos(), "cosh": lambda x: x.cosh(), "erf": lambda x: torch.special.erf(x.erf()),
    "exp": lambda x: x.exp(), "log": lambda x: x.log(), "pow": lambda x: (x ** 2) + (2 ** x),
    "reciprocal": lambda x: x.reciprocal(), "selu": lambda x: F.selu(x),
    "sin": lambda x: x.sin(), "sinh": lambda x: x.sinh(), "sqrt": lambda x: x.sqrt(), "tan": lambda x: x.tan(),
    "abs": lambda x: torch.absolute(x.abs()), "ceil": lambda x: x.ceil(), "floor": lambda x: x.floor(),
    "clamp": lambda x: x.clamp(min=0.0).clamp_max(0.5).clamp_min(0.1), "clip": lambda x: x.clip(0.0, 0.5),
}
# In-place spellings, on a fresh tensor (clone is structural).
INPLACE = {name: (lambda n: lambda x: getattr(x.clone(), f"{n}_")())(name)
           for name in ["acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "erf", "exp",
                        "log", "reciprocal", "sin", "sinh", "sqrt", "tan", "abs", "ceil", "floor"]}
INPLACE.update({
    "pow": lambda x: x.clone().pow_(2), "selu": lambda x: F.selu(x.clone(), inplace=True),
    "clamp": lambda x: x.clone().clamp_(0.0, 0.5), "clip": lambda x: x.clone().clip_(0.0, 0.5),
})


def each(table, names=None):
    """A model returning table[name](x) for every name: each op reads the model input."""
    chosen = [table[n] for n in (names or table)]
    return fn(lambda x: tuple(f(x) for f in chosen))


UNARY_OK = (ids(BAYES_BOTH, LUT, ["input_dtype", "output_dtype"]) + ids(BAYES_BOTH, PLAIN, ["input_dtype"])
            + ids(BAYES_BOTH, ["clamp", "clip"], ["constant_bound"])
            + ids("bernoulli2", ["exp"], ["input_dtype", "output_dtype", "four_d"]))
UNARY_FAIL = (ids(BAYES_BOTH, LUT, ["precision"]) + ids("bernoulli2", B2_UNSUPPORTED_UNARY, ["supported"])
              + ["bernoulli2.exp.precision"])
NOT_SELU = [r for r in LUT + PLAIN if r != "selu"]


def unary_notes(names, activation_dtype="qint8", bernoulli2=False):
    """What every use of these rows gets on bayes (and bernoulli2), whatever a probe tests: a
    lookup-table row's precision warning, ceil / floor's note on the value range of their input
    dtype; on bernoulli2 exp's precision warning, and every other row is unsupported there."""
    range_note = {"qint8": ["range_int8"], "qint16": ["range_int16"]}.get(activation_dtype, [])
    found = (ids(BAYES_BOTH, [r for r in names if r in LUT], ["precision"])
             + ids(BAYES_BOTH, [r for r in ("ceil", "floor") if r in names], range_note))
    if bernoulli2:
        found += ids("bernoulli2", [r for r in names if r in B2_UNSUPPORTED_UNARY], ["supported"])
        found += ["bernoulli2.exp.precision"] if "exp" in names else []
    return found

UNARY = [
    probe("fn: unary functions", each(FUNCTIONS), "1x2x4x4",
          ok=UNARY_OK + ids(BAYES_BOTH, ["ceil", "floor"], ["range_int16"]),
          fail=UNARY_FAIL + ids(BAYES_BOTH, ["ceil", "floor"], ["range_int8"])),
    probe("fn: unary functions torchscript", each(FUNCTIONS, [n for n in FUNCTIONS if n != "clip"]), "1x2x4x4",
          via="torchscript", ok=[i for i in UNARY_OK if ".clip." not in i],
          fail=[i for i in UNARY_FAIL if ".clip." not in i], also=unary_notes(["ceil", "floor"])),
    # jit records torch.clip as aten::clamp: from a TorchScript file it is reported as torch.clamp.
    probe("fn: clip torchscript is clamp", fn(lambda x: torch.clip(x, 0.0, 0.5)), "1x2x4x4", via="torchscript",
          ok=BAYES("clamp.input_dtype")),
    probe("fn: unary methods and aliases", each(METHODS), "1x2x4x4",
          ok=ids(BAYES_BOTH, LUT + PLAIN, ["input_dtype"]), also=unary_notes(LUT + PLAIN)),
    probe("fn: unary in-place", each(INPLACE), "1x2x4x4", ok=ids(BAYES_BOTH, LUT + PLAIN, ["input_dtype"]),
          also=unary_notes(LUT + PLAIN)),
    probe("fn: unary in-place torchscript", each(INPLACE, [n for n in INPLACE if n != "clip"]), "1x2x4x4",
          via="torchscript", ok=ids(BAYES_BOTH, [n for n in LUT + PLAIN if n != "clip"], ["input_dtype"]),
          also=unary_notes(LUT + PLAIN)),
    probe("fn: selu module", lambda: nn.SELU(), "1x2x4x4", ok=BAYES("selu.input_dtype"),
          fail=BAYES("selu.precision")),
    probe("fn: unary qint16", each(FUNCTIONS, ["exp", "ceil", "floor"]), "1x2x4x4", activation_dtype="qint16",
          ok=ids(BAYES_BOTH, ["exp", "ceil", "floor"], ["input_dtype"])
          + ids(BAYES_BOTH, ["ceil", "floor"], ["range_int8"]),
          fail=["bernoulli2.exp.input_dtype"] + ids(BAYES_BOTH, ["ceil", "floor"], ["range_int16"]),
          also=unary_notes(["exp"], bernoulli2=True) + ids("bernoulli2", ["ceil", "floor"], ["supported"])),
    # pow keeps an int32 input's dtype (the lookup-table rows output a quantized dtype otherwise).
    probe("fn: unary int32 input", each(FUNCTIONS, NOT_SELU), "1x2x4x4", input_dtypes=("int32",),
          fail=ids(BAYES_BOTH, NOT_SELU, ["input_dtype"]),
          also=unary_notes(NOT_SELU, "int32") + BAYES("pow.output_dtype")),
    # selu has no integer kernel; a complex input is another dtype the BPU does not take (its output too).
    probe("fn: selu complex input", fn(torch.selu), "1x2x4x4", input_dtypes=("complex64",),
          fail=BAYES("selu.input_dtype"), also=unary_notes(["selu"]) + BAYES("selu.output_dtype")),
    probe("fn: exp 2-D", fn(torch.exp), "2x8", fail=["bernoulli2.exp.four_d"], ok=BAYES("exp.input_dtype"),
          also=unary_notes(["exp"], bernoulli2=True)),
    probe("fn: clamp constant tensor bounds", fn(lambda m, x: (torch.clamp(x, m.lo, m.hi), torch.clip(x, min=m.lo)),
                                                lo=torch.zeros(1, 2, 1, 1), hi=torch.ones(1, 2, 1, 1)),
          "1x2x4x4", fail=BAYES("clamp.constant_bound") + BAYES("clip.constant_bound")),
    probe("fn: clamp constant tensor bounds torchscript",
          fn(lambda m, x: torch.clamp(x, m.lo, m.hi), lo=torch.zeros(1, 2, 1, 1), hi=torch.ones(1, 2, 1, 1)),
          "1x2x4x4", via="torchscript", fail=BAYES("clamp.constant_bound")),
    probe("fn: clamp activation tensor bound", fn(lambda x, y: torch.clamp(x, min=y)), ("1x2x4x4", "1x2x4x4"),
          ok=BAYES("clamp.constant_bound") + BAYES("clamp.input_dtype")),
]

# ------------------------------------------------------------------ add / sub / mul / div


def elementwise_probes(row, op, inplace, b2_constant=True, scalar_info=True):
    """The probes of an add-like row: `op(a, b)` the operator form, `inplace(a, b)` the in-place one."""
    b2_ok = ["input_dtype", "output_dtype", "in_channel", "four_d"] + (["constant_operand"] if b2_constant else [])
    # X5 broadcasts along N too (bayes_e drops broadcast_n) and takes 1 to 10 dims (rank).
    shared = ["input_dtype", "output_dtype", "broadcast_one"] + (["scalar"] if scalar_info else [])
    bayes_ok = ids("bayes", [row], shared + ["broadcast_n"]) + ids("bayes_e", [row], shared + ["rank"])
    found = [
        probe(f"fn: {row} at in_channel 2048", fn(op), ("1x2048x1x1", "1x2048x1x1"),
              ok=ids("bernoulli2", [row], b2_ok) + bayes_ok),
        probe(f"fn: {row} in_channel 2049", fn(op), ("1x2049x1x1", "1x2049x1x1"),
              fail=[f"bernoulli2.{row}.in_channel"]),
        probe(f"fn: {row} in-place", fn(inplace), ("1x2x4x4", "1x2x4x4"),
              ok=ids("bernoulli2", [row], b2_ok) + bayes_ok),
        probe(f"fn: {row} torchscript", fn(op), ("1x2x4x4", "1x2x4x4"), via="torchscript",
              ok=ids("bernoulli2", [row], b2_ok) + bayes_ok),
        probe(f"fn: {row} 2-D", fn(op), ("2x8", "2x8"), fail=[f"bernoulli2.{row}.four_d"],
              ok=BAYES(f"{row}.input_dtype")),
        # int32 in, int32 out: the output dtype fails too.
        probe(f"fn: {row} int32 inputs", fn(op), ("1x2x4x4", "1x2x4x4"), input_dtypes=("int32", "int32"),
              fail=ids(["bernoulli2"] + BAYES_BOTH, [row], ["input_dtype"]),
              also=ids(["bernoulli2"] + BAYES_BOTH, [row], ["output_dtype"])),
        probe(f"fn: {row} broadcast along N", fn(op), ("2x2x4x4", "1x2x4x4"),
              fail=[f"bayes.{row}.broadcast_n"], ok=BAYES(f"{row}.broadcast_one") + X5(f"{row}.rank"),
              findings={"bayes_e": {}}),
        probe(f"fn: {row} both inputs broadcast", fn(op), ("1x2x1x4", "1x1x4x1"),
              fail=BAYES(f"{row}.broadcast_one"), ok=X5(f"{row}.rank")),
        probe(f"fn: {row} broadcast in 10 dims", fn(op), ("1x2x1x1x1x1x1x1x1x2", "1x1x1x1x1x1x1x1x1x2"),
              ok=X5(f"{row}.rank")),
        probe(f"fn: {row} broadcast in 11 dims", fn(op), ("1x2x1x1x1x1x1x1x1x1x2", "1x1x1x1x1x1x1x1x1x1x2"),
              fail=X5(f"{row}.rank")),
        probe(f"fn: {row} 11 dims, no broadcast", fn(op), ("1x2x1x1x1x1x1x1x1x1x2", "1x2x1x1x1x1x1x1x1x1x2"),
              fail=X5(f"{row}.rank"), findings={"bayes_e": {f"bayes_e.{row}.rank": "error"}}),
    ]
    return found


def _iadd(a, b):
    a += b
    return a


def _imul(a, b):
    a *= b
    return a


def _isub(a, b):
    a -= b
    return a


def _idiv(a, b):
    a /= b
    return a


class _ScalarOps(nn.Module):
    """FloatFunctional add / mul / add_scalar / mul_scalar, converted with torch.ao (quantized::...)."""

    def __init__(self):
        super().__init__()
        from torch.ao import quantization as tq

        self.quant, self.dequant = tq.QuantStub(), tq.DeQuantStub()
        self.ops = nn.ModuleList(nn.quantized.FloatFunctional() for _ in range(4))

    def forward(self, x, y):
        x, y = self.quant(x), self.quant(y)
        a = self.ops[0].add(x, y)
        b = self.ops[1].mul(a, y)
        return self.dequant(self.ops[2].add_scalar(b, 1.0)), self.dequant(self.ops[3].mul_scalar(a, 0.5))


def _converted_scalar_ops():
    import warnings

    from torch.ao import quantization as tq

    model = _ScalarOps().eval()
    # signed symmetric activations, as the vendor's qconfig (torch's default quint8 fails every dtype)
    model.qconfig = tq.QConfig(activation=tq.MinMaxObserver.with_args(dtype=torch.qint8,
                                                                       qscheme=torch.per_tensor_symmetric),
                               weight=tq.default_weight_observer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tq.prepare(model, inplace=True)
        model(torch.rand(1, 2, 4, 4), torch.rand(1, 2, 4, 4))
        tq.convert(model, inplace=True)
    return model


ELEMENTWISE = (
    elementwise_probes("add", lambda a, b: a + b, lambda a, b: (a.clone().add_(b), _iadd(b.clone(), a)))
    + elementwise_probes("mul", lambda a, b: a * b, lambda a, b: (a.clone().mul_(b), _imul(b.clone(), a)))
    + elementwise_probes("sub", lambda a, b: a - b, lambda a, b: (a.clone().sub_(b), _isub(b.clone(), a)),
                         b2_constant=False, scalar_info=False)
    + [
        probe("fn: add/mul functions and methods", fn(lambda a, b: (torch.add(a, b), a.add(b), torch.mul(a, b),
                                                                   a.mul(b), torch.multiply(a, b))),
              ("1x2x4x4", "1x2x4x4"), ok=ids(["bernoulli2"] + BAYES_BOTH, ["add", "mul"], ["input_dtype"])),
        probe("fn: sub functions and methods", fn(lambda a, b: (torch.sub(a, b), a.sub(b), torch.subtract(a, b))),
              ("1x2x4x4", "1x2x4x4"), ok=ids(["bernoulli2"] + BAYES_BOTH, ["sub"], ["input_dtype"])),
        probe("fn: add/mul with a scalar", fn(lambda x: (x + 1, 2 + x, x * 0.5, 3 * x)), "1x2x4x4",
              fail=ids("bernoulli2", ["add", "mul"], ["constant_operand"])
              + ids(BAYES_BOTH, ["add", "mul"], ["scalar"]),
              ok=ids(BAYES_BOTH, ["add", "mul"], ["input_dtype"])),
        probe("fn: add/mul with a scalar torchscript", fn(lambda x: (x + 1, x * 0.5)), "1x2x4x4", via="torchscript",
              fail=ids("bernoulli2", ["add", "mul"], ["constant_operand"])),
        # torch's converted add_scalar picks its output's zero_point itself (the range shifted by the
        # number): not symmetric, whatever the qconfig.
        probe("fn: quantized add/mul_scalar torchscript", _converted_scalar_ops, ("1x2x4x4", "1x2x4x4"),
              via="torchscript", fail=ids("bernoulli2", ["add", "mul"], ["constant_operand"]),
              also="bernoulli2.quant_params"),
        probe("fn: add/mul with a constant tensor", fn(lambda m, x: (x + m.bias, x * m.scale),
                                                       bias=torch.ones(1, 2, 1, 1), scale=torch.ones(1, 2, 1, 1)),
              "1x2x4x4", fail=ids("bernoulli2", ["add", "mul"], ["constant_operand"])),
        probe("fn: sub with a scalar", fn(lambda x: (x - 1, 1 - x)), "1x2x4x4",
              ok=ids(["bernoulli2"] + BAYES_BOTH, ["sub"], ["input_dtype"]) + ["bernoulli2.sub.in_channel"]),
        # div: bayes takes qint16 only, and (unlike X5) two activations.
        probe("fn: div qint16", fn(lambda a, b: a / b), ("1x2x4x4", "1x2x4x4"), activation_dtype="qint16",
              ok=BAYES("div.input_dtype") + BAYES("div.output_dtype") + ["bayes.div.constant_operand"],
              fail=["bernoulli2.div.supported"]),
        probe("fn: div qint8", fn(lambda a, b: a / b), ("1x2x4x4", "1x2x4x4"), fail=BAYES("div.input_dtype")),
        probe("fn: div by a constant", fn(lambda x: x / 2), "1x2x4x4", activation_dtype="qint16",
              fail=["bayes.div.constant_operand"], ok=BAYES("div.input_dtype")),
        probe("fn: div functions, methods, in-place",
              fn(lambda a, b: (torch.div(a, b), a.div(b), torch.divide(a, b), torch.true_divide(a, b),
                               a.clone().div_(b), _idiv(b.clone(), a), torch.div(a, b, rounding_mode="floor"))),
              ("1x2x4x4", "1x2x4x4"), activation_dtype="qint16", ok=BAYES("div.input_dtype")),
        probe("fn: div torchscript", fn(lambda a, b: (a / b, a.clone().div_(b))), ("1x2x4x4", "1x2x4x4"),
              via="torchscript", activation_dtype="qint16", ok=BAYES("div.input_dtype"),
              fail=["bernoulli2.div.supported"]),
    ]
)

# ------------------------------------------------------------------ comparisons

COMPARE = ["eq", "ge", "gt", "le", "lt", "greater", "greater_equal", "less", "less_equal"]
JIT_COMPARE = ["eq", "ge", "gt", "le", "lt"]  # jit records greater as gt, less_equal as le ...


def _compare(a, b):
    return (a == b, a >= b, a > b, a <= b, a < b, torch.greater(a, b), torch.greater_equal(a, b),
            torch.less(a, b), torch.less_equal(a, b))


def _compare_forms(a, b):
    return (torch.eq(a, b), a.eq(0.5), torch.ge(a, b), a.ge(0.5), torch.gt(a, b), a.gt(0.5), torch.le(a, b),
            a.le(0.5), torch.lt(a, b), a.lt(0.5), a.greater(b), a.greater_equal(b), a.less(b), a.less_equal(b))


def _compare_inplace(a, b):
    return (a.clone().eq_(b), a.clone().ge_(b), a.clone().gt_(b), a.clone().le_(b), a.clone().lt_(b),
            a.clone().greater_(b), a.clone().greater_equal_(b), a.clone().less_(b), a.clone().less_equal_(b))


COMPARISONS = [
    probe("fn: comparisons", fn(_compare), ("1x2x4x4", "1x2x4x4"),
          ok=ids(BAYES_BOTH, COMPARE, ["input_dtype", "output_dtype"]) + ids("bayes_e", COMPARE, ["rank"]),
          fail=ids("bernoulli2", COMPARE, ["supported"])),
    probe("fn: comparison functions and methods", fn(_compare_forms), ("1x2x4x4", "1x2x4x4"),
          ok=ids(BAYES_BOTH, COMPARE, ["input_dtype"])),
    probe("fn: comparisons in-place", fn(_compare_inplace), ("1x2x4x4", "1x2x4x4"),
          ok=ids(BAYES_BOTH, COMPARE, ["input_dtype"])),
    probe("fn: comparisons torchscript", fn(_compare), ("1x2x4x4", "1x2x4x4"), via="torchscript",
          ok=ids(BAYES_BOTH, JIT_COMPARE, ["input_dtype", "output_dtype"]),
          fail=ids("bernoulli2", JIT_COMPARE, ["supported"])),
    probe("fn: comparisons int32 inputs", fn(_compare), ("1x2x4x4", "1x2x4x4"), input_dtypes=("int32", "int32"),
          fail=ids(BAYES_BOTH, COMPARE, ["input_dtype"])),
    probe("fn: comparisons broadcast in 10 dims", fn(_compare), ("1x2x1x1x1x1x1x1x1x2", "1x1x1x1x1x1x1x1x1x2"),
          ok=ids("bayes_e", COMPARE, ["rank"])),
    probe("fn: comparisons broadcast in 11 dims", fn(_compare), ("1x2x1x1x1x1x1x1x1x1x2", "1x1x1x1x1x1x1x1x1x1x2"),
          fail=ids("bayes_e", COMPARE, ["rank"])),
]

# ------------------------------------------------------------------ max / min / argmax / argmin

REDUCE = ["max", "min", "argmax", "argmin"]
REDUCE_B2 = ["max", "argmax", "argmin"]  # torch.min is not supported on bernoulli2
SHAPE_IDS = ["rank", "batch", "chw"]


def _reductions(x):
    """Every reduction returned as a model output (values and indices)."""
    values, index = torch.max(x, 1, keepdim=True)
    low, low_index = torch.min(x, 1, keepdim=True)
    return values, index, low, low_index, torch.argmax(x, 1, keepdim=True), torch.argmin(x, 1, keepdim=True)


def _reduction_forms(x):
    return (torch.max(x), x.max(1).values, x.max(dim=1)[1], torch.min(x), x.min(1).indices, x.argmax(),
            x.argmin(1), torch.argmax(x, dim=2), torch.argmin(x))


def _values_feed_a_layer(x):
    values, index = torch.max(x, 1, keepdim=True)
    return values + x, index


def _index_feeds_a_layer(x):
    _, index = torch.max(x, 1, keepdim=True)
    _, low = torch.min(x, 1, keepdim=True)
    return x + index, x + low, x + torch.argmax(x, 1, keepdim=True), x + torch.argmin(x, 1, keepdim=True)


def _argmax_feeds_a_layer(x):
    return x + torch.argmax(x, 1, keepdim=True), x + torch.argmin(x, 1, keepdim=True)


# An add that reads an int64 index fails its input dtype: a consequence of the index feeding a layer.
INDEX_ADD = ids(BAYES_BOTH, ["add"], ["input_dtype"])
B2_MIN = ["bernoulli2.min.supported"]  # _reductions calls torch.min, which bernoulli2 lacks
X5_CHANNELS = ids("bayes_e", ["argmax", "argmin"], ["channels"])  # above X5's 8191: unsettled, a warning

REDUCTIONS = [
    probe("fn: reductions as model outputs", fn(_reductions), "1x2x4x4",
          ok=ids("bernoulli2", REDUCE_B2, ["input_dtype", "model_output", "four_d"])
          + ids(BAYES_BOTH, REDUCE, ["input_dtype", "index_output"] + SHAPE_IDS),
          fail=["bernoulli2.min.supported"]),
    probe("fn: reductions torchscript", fn(_reductions), "1x2x4x4", via="torchscript",
          ok=ids("bernoulli2", REDUCE_B2, ["input_dtype", "model_output", "four_d"])
          + ids(BAYES_BOTH, REDUCE, ["input_dtype", "index_output"] + SHAPE_IDS), fail=B2_MIN),
    probe("fn: reduction forms", fn(_reduction_forms), "1x2x4x4",
          ok=ids(BAYES_BOTH, REDUCE, ["input_dtype", "index_output"])),
    probe("fn: max values feed a layer", fn(_values_feed_a_layer), "1x2x4x4",
          fail=["bernoulli2.max.model_output"], ok=BAYES("max.index_output")),
    probe("fn: max values feed a layer torchscript", fn(_values_feed_a_layer), "1x2x4x4", via="torchscript",
          fail=["bernoulli2.max.model_output"], ok=BAYES("max.index_output")),
    probe("fn: index feeds a layer", fn(_index_feeds_a_layer), "1x2x4x4",
          fail=ids(BAYES_BOTH, REDUCE, ["index_output"]) + ids("bernoulli2", REDUCE_B2, ["model_output"]),
          also=INDEX_ADD + ["bernoulli2.add.input_dtype"] + B2_MIN),
    probe("fn: index feeds a layer torchscript", fn(_index_feeds_a_layer), "1x2x4x4", via="torchscript",
          fail=ids(BAYES_BOTH, REDUCE, ["index_output"]), also=INDEX_ADD),
    probe("fn: argmax result feeds a layer", fn(_argmax_feeds_a_layer), "1x2x4x4",
          fail=ids(BAYES_BOTH, ["argmax", "argmin"], ["index_output"]), also=INDEX_ADD),
    probe("fn: reductions 3-D", fn(_reductions), "2x4x4",
          fail=ids(BAYES_BOTH, REDUCE, ["rank"]) + ids("bernoulli2", REDUCE_B2, ["four_d"]), also=B2_MIN),
    probe("fn: reductions without keepdim", fn(lambda x: (torch.max(x, 1)[0], torch.argmax(x, 1))), "1x2x4x4",
          fail=ids("bernoulli2", ["max", "argmax"], ["four_d"])),
    probe("fn: reductions N 4096", fn(_reductions), "4096x1x1x1", ok=ids(BAYES_BOTH, REDUCE, ["batch"])),
    probe("fn: reductions N 4097", fn(_reductions), "4097x1x1x1", fail=ids(BAYES_BOTH, REDUCE, ["batch"])),
    probe("fn: reductions C 65535", fn(_reductions), "1x65535x1x1", ok=ids(BAYES_BOTH, REDUCE, ["chw"]),
          also=X5_CHANNELS),
    probe("fn: reductions C 65536", fn(_reductions), "1x65536x1x1", fail=ids(BAYES_BOTH, REDUCE, ["chw"]),
          also=X5_CHANNELS),
    probe("fn: reductions qint16", fn(_reductions), "1x2x4x4", activation_dtype="qint16",
          fail=ids("bernoulli2", REDUCE_B2, ["input_dtype"]), ok=ids(BAYES_BOTH, REDUCE, ["input_dtype"]),
          also=B2_MIN),
    probe("fn: reductions int32 input", fn(_reductions), "1x2x4x4", input_dtypes=("int32",),
          fail=ids(BAYES_BOTH, REDUCE, ["input_dtype"])),
    # torch.maximum / torch.minimum, and torch.max(a, b) / torch.min(a, b), which are the same ops.
    probe("fn: maximum and minimum",
          fn(lambda a, b: (torch.maximum(a, b), a.maximum(b), torch.max(a, b), torch.minimum(a, b), a.min(b))),
          ("1x2x4x4", "1x2x4x4"),
          ok=ids(BAYES_BOTH, ["maximum", "minimum"], ["input_self_dtype", "input_other_dtype", "output_dtype"]),
          fail=ids("bernoulli2", ["maximum", "minimum"], ["supported"])),
    probe("fn: maximum and minimum torchscript", fn(lambda a, b: (torch.maximum(a, b), torch.min(a, b))),
          ("1x2x4x4", "1x2x4x4"), via="torchscript",
          ok=ids(BAYES_BOTH, ["maximum", "minimum"], ["input_self_dtype", "input_other_dtype"])),
    probe("fn: maximum and minimum int32 inputs", fn(lambda a, b: (torch.maximum(a, b), torch.min(a, b))),
          ("1x2x4x4", "1x2x4x4"), input_dtypes=("int32", "int32"),
          fail=ids(BAYES_BOTH, ["maximum", "minimum"], ["input_self_dtype", "input_other_dtype"]),
          also=ids(BAYES_BOTH, ["maximum", "minimum"], ["output_dtype"])),  # int32 in, int32 out
]

# ------------------------------------------------------------------ cat, split, gather, topk

def gather_index():
    """A constant gather index (registered as a buffer)."""
    return torch.zeros(1, 2, 2, 4, dtype=torch.long)


CAT_OK = ids("bernoulli2", ["cat"], ["input_dtype", "output_dtype", "four_d"]) + ids(
    BAYES_BOTH, ["cat"], ["input_dtype", "output_dtype", "rank", "batch", "hwc", "inputs"])

SHAPING = [
    probe("fn: cat at HWC 65536", fn(lambda a, b: torch.cat([a, b], 1)), ("1x1x256x256", "1x1x256x256"), ok=CAT_OK),
    # HWC<=65536 is per dimension (tests/probes/readings.py): a product of 65792 passes.
    probe("fn: cat HWC 65792", fn(lambda a, b: torch.cat([a, b], 1)), ("1x1x257x256", "1x1x257x256"),
          ok=BAYES("cat.hwc")),
    probe("fn: cat W 65537", fn(lambda a, b: torch.cat([a, b], 1)), ("1x1x1x65537", "1x1x1x65537"),
          fail=BAYES("cat.hwc")),
    probe("fn: cat aliases", fn(lambda a, b: (torch.concat([a, b], 1), torch.concatenate((a, b), dim=2))),
          ("1x2x4x4", "1x2x4x4"), ok=CAT_OK),
    probe("fn: cat torchscript", fn(lambda a, b: torch.cat([a, b], 1)), ("1x2x4x4", "1x2x4x4"), via="torchscript",
          ok=CAT_OK),
    probe("fn: cat N 4096", fn(lambda a, b: torch.cat([a, b], 1)), ("4096x1x1x1", "4096x1x1x1"), ok=BAYES("cat.batch")),
    probe("fn: cat N 4097", fn(lambda a, b: torch.cat([a, b], 1)), ("4097x1x1x1", "4097x1x1x1"),
          fail=BAYES("cat.batch")),
    probe("fn: cat 3-D", fn(lambda a, b: torch.cat([a, b], 1)), ("1x2x4", "1x2x4"),
          fail=BAYES("cat.rank") + ["bernoulli2.cat.four_d"]),
    probe("fn: cat of one tensor", fn(lambda x: torch.cat([x], 1)), "1x2x4x4", fail=BAYES("cat.inputs")),
    probe("fn: cat int32 inputs", fn(lambda a, b: torch.cat([a, b], 1)), ("1x2x4x4", "1x2x4x4"),
          input_dtypes=("int32", "int32"), fail=ids(["bernoulli2"] + BAYES_BOTH, ["cat"], ["input_dtype"]),
          also=ids(["bernoulli2"] + BAYES_BOTH, ["cat"], ["output_dtype"])),  # int32 in, int32 out
    probe("fn: split", fn(lambda x: (torch.split(x, 1, 1), x.split(2, 2), torch.split(x, [1, 3], 3))), "1x2x4x4",
          ok=ids(["bernoulli2"] + BAYES_BOTH, ["split"], ["input_dtype"]) + ["bernoulli2.split.four_d"]),
    probe("fn: split torchscript", fn(lambda x: (torch.split(x, 1, 1), x.split([1, 3], 3))), "1x2x4x4",
          via="torchscript", ok=ids(["bernoulli2"] + BAYES_BOTH, ["split"], ["input_dtype"])),
    probe("fn: split 2-D", fn(lambda x: torch.split(x, 1, 1)), "2x4", fail=["bernoulli2.split.four_d"]),
    probe("fn: split int32 input", fn(lambda x: torch.split(x, 1, 1)), "1x2x4x4", input_dtypes=("int32",),
          fail=ids(["bernoulli2"] + BAYES_BOTH, ["split"], ["input_dtype"])),
    probe("fn: gather and topk", fn(lambda m, x: (torch.gather(x, 1, m.index), x.gather(2, m.index),
                                                  torch.topk(x, 2, 1), x.topk(1, dim=3, largest=False)),
                                    index=gather_index()),
          "1x2x4x4", ok=BAYES("gather.input_self_dtype") + BAYES("topk.input_dtype"),
          fail=ids("bernoulli2", ["gather", "topk"], ["supported"])),
    probe("fn: gather and topk torchscript",
          fn(lambda m, x: (torch.gather(x, 1, m.index), torch.topk(x, 2, 1)), index=gather_index()),
          "1x2x4x4", via="torchscript", ok=BAYES("gather.input_self_dtype") + BAYES("topk.input_dtype")),
    probe("fn: gather and topk int32 input",
          fn(lambda m, x: (torch.gather(x, 1, m.index), torch.topk(x, 2, 1)), index=gather_index()),
          "1x2x4x4", input_dtypes=("int32",), fail=BAYES("gather.input_self_dtype") + BAYES("topk.input_dtype")),
]

# ------------------------------------------------------------------ matmul, mean, sum

MATMUL_OK = ids("bernoulli2", ["matmul"], ["input_dtype", "output_dtype", "four_d"]) + ids(
    BAYES_BOTH, ["matmul"], ["output_dtype", "rank", "input_size", "batch", "chw"])


def _matmul_of_size(w):
    """A [1, 16, 8192, w] qint8 operand (2^30 bytes at w = 8192) without allocating it: the input is
    one element, expanded (export traces with fake tensors)."""
    return fn(lambda x: torch.matmul(x.expand(1, 16, 8192, w), x.expand(1, 16, w, 1)))


REDUCE_SUM = [
    probe("fn: matmul 4-D", fn(lambda a, b: (a @ b, torch.matmul(a, b), a.matmul(b))), ("1x2x4x8", "1x2x8x4"),
          ok=MATMUL_OK),
    probe("fn: matmul torchscript", fn(lambda a, b: a @ b), ("1x2x4x8", "1x2x8x4"), via="torchscript", ok=MATMUL_OK),
    probe("fn: matmul 3-D", fn(lambda a, b: a @ b), ("2x4x8", "2x8x4"),
          fail=BAYES("matmul.rank") + ["bernoulli2.matmul.four_d"]),
    probe("fn: matmul qint16", fn(lambda a, b: a @ b), ("1x2x4x8", "1x2x8x4"), activation_dtype="qint16",
          fail=["bernoulli2.matmul.input_dtype"]),
    probe("fn: matmul input just under 1 GB", _matmul_of_size(8191), "1x1x1x1", ok=BAYES("matmul.input_size")),
    probe("fn: matmul input of 1 GB", _matmul_of_size(8192), "1x1x1x1", fail=BAYES("matmul.input_size")),
    probe("fn: matmul C 8192", fn(lambda a, b: a @ b), ("1x8192x1x2", "1x8192x2x1"), ok=BAYES("matmul.chw")),
    probe("fn: matmul C 8193", fn(lambda a, b: a @ b), ("1x8193x1x2", "1x8193x2x1"), fail=BAYES("matmul.chw")),
    probe("fn: matmul N 4096", fn(lambda a, b: a @ b), ("4096x1x1x2", "4096x1x2x1"), ok=BAYES("matmul.batch")),
    probe("fn: matmul N 4097", fn(lambda a, b: a @ b), ("4097x1x1x2", "4097x1x2x1"), fail=BAYES("matmul.batch")),
    probe("fn: mean over C", fn(lambda x: (torch.mean(x, 1, keepdim=True), x.mean(dim=-3, keepdim=True))), "1x2x4x4",
          ok=ids("bernoulli2", ["mean"], ["input_dtype", "output_dtype", "dims", "four_d"])
          + ids(BAYES_BOTH, ["mean"], ["input_dtype", "output_dtype", "dims"])),
    probe("fn: mean torchscript", fn(lambda x: torch.mean(x, 1, keepdim=True)), "1x2x4x4", via="torchscript",
          ok=ids("bernoulli2", ["mean"], ["input_dtype", "dims", "four_d"])
          + ids(BAYES_BOTH, ["mean"], ["input_dtype", "dims"])),
    probe("fn: mean over H and W", fn(lambda x: x.mean((2, 3), keepdim=True)), "1x2x4x4",
          fail=["bernoulli2.mean.dims"], ok=BAYES("mean.dims")),
    probe("fn: mean over N", fn(lambda x: x.mean(0, keepdim=True)), "2x2x4x4", fail=BAYES("mean.dims")),
    # keepdim: a 4-D output, as bernoulli2 requires.
    probe("fn: mean of everything", fn(lambda x: x.mean((0, 1, 2, 3), keepdim=True)), "1x2x4x4",
          fail=BAYES("mean.dims") + ["bernoulli2.mean.dims"]),
    probe("fn: mean and sum 2-D", fn(lambda x: (x.mean(1, keepdim=True), x.sum(1, keepdim=True))), "2x8",
          fail=ids("bernoulli2", ["mean", "sum"], ["four_d"]), ok=BAYES("mean.dims") + BAYES("sum.dims")),
    probe("fn: mean int32 input", fn(lambda x: torch.mean(x, 1, keepdim=True, dtype=torch.float32)), "1x2x4x4",
          input_dtypes=("int32",), fail=ids(["bernoulli2"] + BAYES_BOTH, ["mean"], ["input_dtype"])),
    probe("fn: sum over N and C", fn(lambda x: (torch.sum(x, (0, 1), keepdim=True), x.sum(1, keepdim=True))), "2x2x4x4",
          ok=ids("bernoulli2", ["sum"], ["input_dtype", "output_dtype", "dims", "four_d"])
          + ids(BAYES_BOTH, ["sum"], ["input_dtype", "output_dtype"]),
          fail=BAYES("sum.dims")),
    probe("fn: sum torchscript", fn(lambda x: torch.sum(x, (2, 3), keepdim=True)), "1x2x4x4", via="torchscript",
          ok=ids(BAYES_BOTH, ["sum"], ["input_dtype", "dims"]), fail=["bernoulli2.sum.dims"]),
    probe("fn: sum over C, H and W", fn(lambda x: x.sum((1, 2, 3), keepdim=True)), "1x2x4x4",
          ok=BAYES("sum.dims"), fail=["bernoulli2.sum.dims"]),
    probe("fn: sum qint16", fn(lambda x: x.sum(1, keepdim=True)), "1x2x4x4", activation_dtype="qint16",
          fail=["bernoulli2.sum.input_dtype"], ok=BAYES("sum.input_dtype")),
    probe("fn: sum int32 input", fn(lambda x: x.sum(1, keepdim=True)), "1x2x4x4", input_dtypes=("int32",),
          fail=BAYES("sum.input_dtype"), also=BAYES("sum.output_dtype")),  # an int32 sum is int64
]

PROBES = UNARY + ELEMENTWISE + COMPARISONS + REDUCTIONS + SHAPING + REDUCE_SUM
