"""Named patterns: what qcheck knows about one operator beyond its row's constraints (how its
capture looks, how eager mode spells it). A row declares the patterns it has by name
(`patterns: [box_list_to_rois]` in rules/*.yaml); each is implemented once here, the rule loader
refuses a name not registered here, and the stage that applies a pattern looks it up by name.
Plain functions over qcheck's graph: no torch."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from qcheck.graph import Graph, Node


@dataclass(frozen=True)
class Pattern:
    name: str
    says: str  # what the pattern is, in one sentence (docs/RULES.md lists them)
    # mapping: (the layer's primary node, graph, producers, consumers, nodes other layers took)
    # -> the nodes before the op that belong to its layer
    absorbs: Callable[[Node, Graph, dict, dict, Collection[str]], list[Node]] | None = None
    # eager mode: (the layer's primary node, the FloatFunctional method the row names) -> the method
    eager_method: Callable[[Node, str], str] | None = None


PATTERNS: dict[str, Pattern] = {}


def _register(pattern: Pattern) -> None:
    PATTERNS[pattern.name] = pattern


def eager_method(primary: Node, names: list[str], method: str) -> str:
    """The FloatFunctional method eager mode needs for a layer whose row has these patterns."""
    for name in names:
        hook = PATTERNS[name].eager_method
        if hook is not None:
            method = hook(primary, method)
    return method


# ---------------------------------------------------------------------------- box_list_to_rois

# What torchvision's convert_boxes_to_roi_format builds the batch-index column from: b[:, :1],
# full_like(..., i), and a cat over the images.
_BOX_ID_OPS = ("slice", "full_like", "cat", "concat")


def _box_list_conversion(roi: Node, graph: Graph, producers: dict, consumers: dict,
                         taken: Collection[str]) -> list[Node]:
    """torchvision.ops.roi_align(input, List[Tensor] boxes) converts the boxes to [K, 5] rois with
    cat([batch index [K, 1], boxes [K, 4]], dim=1) before the op: the table's List[Tensor] box
    format. Those nodes are part of the RoIAlign layer (as they are inside a grouped RoIAlign or
    MultiScaleRoIAlign module), not [K, 1] / [K, 5] layers of their own judged by the slice and
    cat rows. Only the cat and its batch-index side are taken; the boxes are the model's."""
    cat = producers.get(getattr(roi.args.get("rois"), "value", None))
    if cat is None or not is_box_list_cat(cat, graph):
        return []
    tensors = cat.args["tensors"]
    inside = {roi.name}
    chain = []
    pending = [cat]
    while pending:
        node = pending.pop()
        if node.name in inside or node.name in taken or node.namespace != "aten" or node.op not in _BOX_ID_OPS:
            continue
        if not all(c.name in inside for out in node.outputs for c in consumers.get(out, ())):
            continue  # read elsewhere too: it is the model's, not the conversion's
        inside.add(node.name)
        chain.append(node)
        refs = [tensors[0].value] if node is cat else node.refs  # the batch-index side only
        pending.extend(producers[ref] for ref in refs if ref in producers)
    return chain


def is_box_list_cat(node: Node, graph: Graph) -> bool:
    """The conversion's last step: cat([batch index [K, 1], boxes [K, 4]], dim=1). Read by the
    pattern and by the RoIAlign facts (`rois_from_box_list`)."""
    tensors = node.args.get("tensors")
    if node.namespace != "aten" or node.op not in ("cat", "concat") or not isinstance(tensors, list) \
            or len(tensors) != 2:
        return False
    shapes = [getattr(graph.values.get(getattr(t, "value", None)), "shape", None) for t in tensors]
    return all(s is not None and len(s) == 2 for s in shapes) and [s[1] for s in shapes] == [1, 4]


_register(Pattern(
    name="box_list_to_rois",
    says="torchvision's conversion of List[Tensor] boxes to [K, 5] rois (a slice, a full_like and a cat "
         "before the op) is part of the op's layer",
    absorbs=_box_list_conversion))


# ------------------------------------------------------------------------------ scalar_method


def _has_scalar(primary: Node) -> bool:
    return any(_is_number(primary.args.get(k)) for k in ("other", "input", "self"))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _scalar_method(primary: Node, method: str) -> str:
    return f"{method}_scalar" if _has_scalar(primary) else method


_register(Pattern(
    name="scalar_method",
    says="FloatFunctional has a scalar form of the op's method (add_scalar, mul_scalar), which eager "
         "mode needs when an operand is a number",
    eager_method=_scalar_method))
