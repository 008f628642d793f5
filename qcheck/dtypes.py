"""Give every tensor a quantized dtype and every layer a region (BPU or CPU).

The march's default qconfig (its `dtypes` in rules/marches.yaml: qint8 activations and weights,
qint32 biases on the shipped marches) gives the dtypes; --activation-dtype and per-layer overrides
change the activation dtype.
Between a QuantStub and a DeQuantStub the model runs on the BPU; outside, in float on the CPU. A
model with no stubs at all is taken as one BPU region (an implicit QuantStub at every input).
Outputs follow the table: "same as input" keeps the input's dtype; a listed output takes the
activation dtype when listed, else the first listed (torch.eq gives qbool, torch.div qint16).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from qcheck.graph import Graph
from qcheck.mapping import Layer
from qcheck.rules import RuleSet

QUANT_STUB = "torch.quantization.QuantStub"
DEQUANT_STUB = "torch.quantization.DeQuantStub"
FLOAT = "float32"


@dataclass(frozen=True)
class DtypeConfig:
    activation: str
    weight: str
    bias: str
    # (layer-name glob, activation dtype) pairs: the analogue of a per-module qconfig.
    overrides: tuple[tuple[str, str], ...] = ()

    @classmethod
    def for_march(cls, rules: RuleSet, march: str, activation: str | None = None,
                  overrides: tuple[tuple[str, str], ...] = ()) -> "DtypeConfig":
        """The march's default dtypes (rules/marches.yaml), with an explicit activation dtype."""
        dtypes = rules.marches[march].dtypes
        return cls(activation or dtypes["activation"], dtypes["weight"], dtypes["bias"], overrides)

    def for_layer(self, name: str) -> "DtypeConfig":
        for pattern, dtype in self.overrides:
            if fnmatch.fnmatchcase(name, pattern):
                return DtypeConfig(dtype, self.weight, self.bias, self.overrides)
        return self


@dataclass
class Assignment:
    dtypes: dict[str, str] = field(default_factory=dict)  # value name -> dtype
    regions: dict[str, str] = field(default_factory=dict)  # layer name -> "bpu" | "cpu"
    fake_quant: dict[str, str] = field(default_factory=dict)  # quantized value -> fake-quant node
    fake_quantized: set[str] = field(default_factory=set)  # values whose dtype a fake-quant set
    fake_quant_nodes: set[str] = field(default_factory=set)  # every fake-quant node (rules.fake_quant)


def assign(graph: Graph, layers: list[Layer], rules: RuleSet, march: str,
           config: DtypeConfig | None = None) -> Assignment:
    config = config or DtypeConfig.for_march(rules, march)
    has_stubs = any(layer.operator is not None and layer.operator.name == QUANT_STUB for layer in layers)
    result = Assignment()
    for name in graph.inputs:
        result.dtypes[name] = FLOAT if has_stubs else _quantized(graph, name, config)
    base = config
    for layer in layers:
        config = base.for_layer(layer.name)
        in_dtypes = [_dtype_of(result, graph, v.name, config) for v in layer.inputs]
        op_name = layer.operator.name if layer.operator else None
        if op_name == QUANT_STUB:
            # A converted model's quantize_per_tensor says its dtype (torch's quint8, often).
            region = "bpu"
            outputs = [v.dtype if v.dtype and v.dtype.startswith("q") else config.activation
                       for v in layer.outputs]
        elif op_name == DEQUANT_STUB:
            region, outputs = "bpu", [FLOAT] * len(layer.outputs)
        elif in_dtypes and all(d == FLOAT for d in in_dtypes):
            # On the CPU nothing is quantized: tensors keep torch's dtype (float, or int indices).
            region, outputs = "cpu", [v.dtype or FLOAT for v in layer.outputs]
        elif layer.parts:
            region = "bpu"
            outputs = _composite_outputs(graph, layer, result, rules, march, config)
        else:
            region = "bpu"
            outputs = _outputs(graph, layer, in_dtypes, rules, march, config)
        result.regions[layer.name] = region
        for value, dtype in zip(layer.outputs, outputs):
            result.dtypes[value.name] = dtype
        _fake_quant(layer, result, rules.fake_quant)
        # Values consumed only inside a grouped layer still get a dtype, for completeness.
        for node in layer.nodes:
            for out in node.outputs:
                result.dtypes.setdefault(out, outputs[0] if outputs else config.activation)
    return result


def range_dtype(quant_min: int, quant_max: int) -> str:
    """The quantized dtype a fake-quant's integer range stands for: [-128, 127] -> qint8."""
    span = quant_max - quant_min + 1
    bits = max(1, (span - 1).bit_length())
    signed = quant_min < 0
    for width in (8, 16, 32):
        if bits <= width:
            return ("qint" if signed else "quint") + str(width)
    return "qint32"


def _fake_quant(layer: Layer, result: Assignment, fake_quant_ops: set[str]) -> None:
    """A QAT fake-quant decides the dtype of the tensor it quantizes (weights included)."""
    for node in layer.nodes:
        if node.target not in fake_quant_ops:
            continue
        result.fake_quant_nodes.add(node.name)
        low, high = node.args.get("quant_min"), node.args.get("quant_max")
        if not isinstance(low, int) or not isinstance(high, int):
            continue
        dtype = range_dtype(low, high)
        for name in node.outputs[:1] + list(node.refs[:1]):
            result.dtypes[name] = dtype
            result.fake_quantized.add(name)
        for name in node.outputs[:1] + list(node.refs[:1]):
            result.fake_quant[name] = node.name


def _dtype_of(result: Assignment, graph: Graph, name: str, config: DtypeConfig) -> str:
    """The dtype assigned so far, else the quantized default (computed only when needed)."""
    dtype = result.dtypes.get(name, _MISSING)
    return _quantized(graph, name, config) if dtype is _MISSING else dtype


_MISSING = object()


def _quantized(graph: Graph, name: str, config: DtypeConfig) -> str:
    """The dtype a value has on the BPU when nothing more specific is known."""
    value = graph.values.get(name)
    torch_dtype = value.dtype if value is not None else None
    if torch_dtype is None or torch_dtype.startswith("float") or torch_dtype == "bfloat16":
        return config.activation
    if torch_dtype.startswith("q"):  # already quantized (a converted model): quint8, qint8, qint32
        return torch_dtype
    return "qbool" if torch_dtype == "bool" else torch_dtype


def _composite_outputs(graph: Graph, layer: Layer, result: Assignment, rules: RuleSet, march: str,
                       config: DtypeConfig) -> list[str]:
    """A composite layer's tensors take their dtypes part by part, each as its row says (the
    softmax inside an attention gets what the scores matmul outputs); its outputs, what the
    last part writing them gives."""
    for part in layer.parts:
        in_dtypes = [_dtype_of(result, graph, v.name, config) for v in part.layer.inputs]
        for value, dtype in zip(part.layer.outputs, _outputs(graph, part.layer, in_dtypes, rules, march, config)):
            result.dtypes[value.name] = dtype
    in_dtypes = [_dtype_of(result, graph, v.name, config) for v in layer.inputs]
    fallback = next((d for d in in_dtypes if d.startswith("q") and d != "qbool"), config.activation)
    return [result.dtypes.get(value.name, fallback) for value in layer.outputs]


def _outputs(graph: Graph, layer: Layer, in_dtypes: list[str], rules: RuleSet, march: str,
             config: DtypeConfig) -> list[str]:
    # Integer inputs (indices, token ids) say nothing about the dtype of a float output.
    first_in = next((d for d in in_dtypes if d.startswith("q") and d != "qbool"), config.activation)
    spec = None
    if layer.operator is not None:
        rule = rules.rule(layer.operator.name, march)
        spec = rule.output if rule.supported else None
    found = []
    for index, value in enumerate(layer.outputs):
        if value.dtype and value.dtype.startswith("q"):
            found.append(value.dtype)  # a converted model's tensors say their own dtype
            continue
        allowed = spec.get(index) if isinstance(spec, dict) else spec
        if value.dtype and not value.dtype.startswith("float") and value.dtype != "bfloat16":
            # Indices and masks: the table's integer dtype where it lists one (index: int32).
            integer = [d for d in allowed or () if d in ("int32",)] if isinstance(allowed, list) else []
            found.append(integer[0] if integer else "qbool" if value.dtype == "bool" else value.dtype)
            continue
        if allowed is None or allowed == "same" or layer.kind != "operator":
            found.append(first_in)
        elif config.activation in allowed:
            found.append(config.activation)  # a layer's qconfig sets its output dtype
        elif first_in in allowed:
            found.append(first_in)
        else:
            found.append(allowed[0])
    return found
