"""Eager-mode advice (`--mode eager`): what the vendor's eager quantization flow needs that fx
mode does for you: functional ops as modules, one module instance per call, QuantStub and
DeQuantStub around the BPU region, and declared fusions.

Findings carry mode-level rule ids (eager.*), not march ids: they hold on every march.
"""

from __future__ import annotations

from typing import Any

from qcheck import patterns, registry
from qcheck.dtypes import DEQUANT_STUB, QUANT_STUB
from qcheck.graph import Graph
from qcheck.mapping import Layer
from qcheck.report import Finding, LayerResult

FUNCTIONAL_MODULES = {"FloatFunctional", "QFunctional", "FXFloatFunctional"}
CONV_TYPES = {"Conv2d", "Conv3d", "ConvTranspose2d", "Linear"}
BN_TYPES = {"BatchNorm2d", "BatchNorm3d", "BatchNorm1d", "SyncBatchNorm"}
RELU_TYPES = {"ReLU", "ReLU6"}
# torch.ao.nn.intrinsic (and the vendor's) fused modules: their parts are already fused.
FUSED_TYPES = {"ConvReLU1d", "ConvReLU2d", "ConvReLU3d", "ConvBn1d", "ConvBn2d", "ConvBn3d", "ConvBnReLU1d",
               "ConvBnReLU2d", "ConvBnReLU3d", "LinearReLU", "LinearBn1d", "BNReLU2d", "BNReLU3d",
               "ConvAdd2d", "ConvAddReLU2d"}

# rule id -> (says, advice), from the one registry of rule ids
RULES = {rule: (own.says, own.advice) for rule, own in registry.EAGER_RULES.items()}


def _eager_text(text: str) -> str:
    return text.replace(" 或 ", " or ")


def _attribute_name(path: str | None, fallback: str) -> str:
    leaf = (path or "").rsplit(".", 1)[-1]
    return leaf if leaf.isidentifier() else fallback


def findings(graph: Graph, layers: list[Layer], results: list[LayerResult]) -> dict[str, list[Finding]]:
    """Eager-mode findings per layer name."""
    found: dict[str, list[Finding]] = {}
    by_name = {r.name: r for r in results}
    compute = [layer for layer in layers if layer.kind != "structural" and layer.name in by_name]

    def add(layer_name: str, rule: str, message: str, advice: str, severity: str = "error") -> None:
        found.setdefault(layer_name, []).append(Finding(rule, severity, message, advice))

    for layer in compute:
        _functional(layer, add)
    _reused(graph, compute, add)
    _stubs(graph, compute, by_name, add)
    _fusions(graph, compute, add)
    return found


def _functional(layer: Layer, add) -> None:
    op = layer.operator
    if op is None or not op.eager or layer.module_type in FUNCTIONAL_MODULES:
        return
    replacement = _eager_text(op.eager)
    module_class = replacement.split(" or ")[-1].rsplit(".", 1)[-1].removesuffix("()")
    if layer.module_type == module_class:
        return
    short = op.name.rsplit(".", 1)[-1]
    name = f"{short}_op" if short in ("add", "cat", "mul", "sub") else short
    if "FloatFunctional" in replacement:
        method = patterns.eager_method(layer.primary, op.patterns, short)
        hint = (f"in __init__: self.{name} = FloatFunctional(); in forward: self.{name}.{method}(...) "
                f"instead of {op.name}")
        if method.endswith("_scalar"):
            hint += f" (a scalar operand needs {method})"
    else:
        hint = f"in __init__: self.{name} = {replacement}(); in forward: self.{name}(x) instead of {op.name}"
    add(layer.name, "eager.replace_functional",
        f"{op.name} is a functional call; eager mode needs the module {replacement}", hint)


def _reused(graph: Graph, layers: list[Layer], add) -> None:
    seen: set[str] = set()
    for layer in layers:
        path = layer.module_path
        if not path or path in seen:
            continue
        attrs = graph.module_attrs.get(path, {})
        calls = attrs.get("calls", 0)
        quantizes = attrs.get("type") in FUNCTIONAL_MODULES or (attrs.get("leaf") and layer.operator is not None)
        if calls > 1 and quantizes:
            seen.add(path)
            add(layer.name, "eager.reused_module",
                f"module {path} ({attrs.get('type')}) is called {calls} times in forward; each call needs "
                "its own quantization parameters",
                f"create {calls} instances (e.g. self.{_attribute_name(path, 'm')}_1 = ...) and call each once")


def _stubs(graph: Graph, layers: list[Layer], results: dict[str, LayerResult], add) -> None:
    ops = [layer for layer in layers if layer.operator is None or layer.operator.name not in (QUANT_STUB, DEQUANT_STUB)]
    has_quant = any(layer.operator is not None and layer.operator.name == QUANT_STUB for layer in layers)
    has_dequant = any(layer.operator is not None and layer.operator.name == DEQUANT_STUB for layer in layers)
    bpu = [layer for layer in ops if results[layer.name].region == "bpu"]
    if not bpu:
        return
    if not has_quant:
        add(bpu[0].name, "eager.missing_quant_stub",
            "no QuantStub before the first BPU op: eager mode leaves the input in float",
            "in __init__: self.quant = QuantStub(); first line of forward: x = self.quant(x)")
    outputs = set(graph.outputs)
    last = [layer for layer in bpu if any(v.name in outputs for v in layer.outputs)]
    if not has_dequant or last:
        target = (last or bpu[-1:])[0]
        add(target.name, "eager.missing_dequant_stub",
            "no DeQuantStub after the last BPU op: the model output stays quantized",
            "in __init__: self.dequant = DeQuantStub(); in forward: return self.dequant(x)")


def _fusions(graph: Graph, layers: list[Layer], add) -> None:
    consumers: dict[str, list[Layer]] = {}
    for layer in layers:
        for value in layer.inputs:
            consumers.setdefault(value.name, []).append(layer)

    def only_next(layer: Layer) -> Layer | None:
        nexts = [c for v in layer.outputs for c in consumers.get(v.name, [])]
        return nexts[0] if len(nexts) == 1 and len(layer.outputs) == 1 else None

    for layer in layers:
        if layer.module_type not in CONV_TYPES or not layer.module_path:
            continue
        if any(kind in FUSED_TYPES for _, kind in layer.primary.module_stack):
            continue
        chain = [layer]
        nxt = only_next(layer)
        if nxt is not None and nxt.module_type in BN_TYPES and nxt.module_path:
            chain.append(nxt)
            nxt = only_next(nxt)
        if nxt is not None and nxt.module_type in FUNCTIONAL_MODULES and nxt.operator is not None \
                and nxt.operator.name == "torch.add":
            chain.append(nxt)
            nxt = only_next(nxt)
        if nxt is not None and nxt.module_type in RELU_TYPES and nxt.module_path:
            chain.append(nxt)
        if len(chain) < 2:
            continue
        names = [c.module_path for c in chain]
        kinds = " + ".join(c.module_type for c in chain)
        uses_add = any(c.module_type in FUNCTIONAL_MODULES for c in chain)
        fuser = (", fuser_func=horizon.quantization.fuse_known_modules" if uses_add else "")
        # torch's fuse_modules cannot fuse a FloatFunctional add; the vendor's fuser can, so that
        # one is a hint (info) rather than a warning.
        add(layer.name, "eager.unfused", f"{kinds} ({', '.join(names)}) can be fused and is not",
            f"torch.ao.quantization.fuse_modules(model, [{names!r}], inplace=True{fuser})".replace("'", '"'),
            severity="info" if uses_add else "warning")


def explain(rule: str) -> tuple[str, str] | None:
    return RULES.get(rule)


def as_metadata() -> dict[str, dict[str, Any]]:
    return {rule: {"says": says, "operator": None, "march": None, "table": None, "note": None, "advice": advice}
            for rule, (says, advice) in RULES.items()}
