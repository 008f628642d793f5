"""qcheck's own small graph IR: plain data, no torch.

Capture turns an exported, traced or scripted model into a `Graph`; every later stage reads only
this. Node arguments are named after the op's schema (``input``, ``weight``, ``stride``...), with
defaults filled in, so rules read the same facts whatever capture produced them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Ref:
    """An argument that is a graph value (a tensor, or a list built by another node)."""

    value: str


# Value kinds that hold model data rather than activations: weights (parameters), buffers
# (a BatchNorm's running stats, a weight registered with register_buffer, a converted model's
# packed weights) and constants the capture or the folding made.
WEIGHT_KINDS = frozenset({"parameter", "buffer", "constant"})


@dataclass(slots=True)
class Value:
    """A tensor flowing through the graph."""

    name: str
    shape: tuple[int, ...] | None
    dtype: str | None  # torch dtype name without the "torch." prefix: "float32", "qint8", "quint8"
    kind: str = "activation"  # activation | input | parameter | buffer | constant
    # Quantization facts a capture can read (fake-quant modules, quantized tensors).
    qscheme: dict[str, Any] | None = None


@dataclass(slots=True)
class Node:
    name: str  # unique within the graph
    target: str  # "aten::conv2d", "quantized::add", "prim::ListConstruct", "qcheck::quant_stub"
    args: dict[str, Any]  # schema argument name -> Ref | constant | list of those
    outputs: list[str]  # value names (may be empty for ops without tensor outputs)
    # Enclosing modules, outermost first: (qualified path, type name such as "Conv2d").
    module_stack: list[tuple[str, str]] = field(default_factory=list)
    source: str | None = None  # user's "file.py:42" when the capture knows it
    # Read from `target` and `args` once: every stage asks for them, several times per node. A
    # node is not changed after capture.
    op: str = field(init=False, repr=False, compare=False)  # "aten::add.Tensor" -> "add"
    namespace: str = field(init=False, repr=False, compare=False)  # "aten", "" when none
    refs: tuple[str, ...] = field(init=False, repr=False, compare=False)  # what input_refs() lists

    def __post_init__(self) -> None:
        self.op = self.target.split("::", 1)[-1].split(".", 1)[0]
        self.namespace = self.target.split("::", 1)[0] if "::" in self.target else ""
        found: list[str] = []
        for arg in self.args.values():
            if isinstance(arg, Ref):
                found.append(arg.value)
            elif isinstance(arg, (list, tuple)):
                for item in arg:
                    if isinstance(item, Ref):
                        found.append(item.value)
        self.refs = tuple(found)

    def input_refs(self) -> list[str]:
        """Value names this node reads, in argument order (lists flattened)."""
        return list(self.refs)


@dataclass
class Graph:
    nodes: list[Node]
    values: dict[str, Value]
    inputs: list[str]  # model input value names, in order
    outputs: list[str]  # model output value names, in order
    origin: str  # "export" | "torchscript" | "trace" | "pt2"
    # Attributes of modules the capture could read, by qualified path (for module-level rows
    # such as MultiheadAttention's add_bias_kv). Empty where the format keeps none.
    module_attrs: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the capture had to do (fallbacks)

    def producers(self) -> dict[str, Node]:
        return {out: node for node in self.nodes for out in node.outputs}

    def consumers(self) -> dict[str, list[Node]]:
        found: dict[str, list[Node]] = {}
        for node in self.nodes:
            for ref in node.refs:
                found.setdefault(ref, []).append(node)
        return found
