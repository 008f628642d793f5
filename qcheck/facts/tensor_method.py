"""Facts for the tensor_method rows of the table (see qcheck/facts/__init__.py), and for the
torchvision rows (RoIAlign, MultiScaleRoIAlign), which have no facts file of their own."""

from __future__ import annotations

from typing import Any

from qcheck.facts import LayerView, extractor, fact, producers_of
from qcheck.patterns import is_box_list_cat

fact("num_feature_maps",
     "number of feature maps a RoIAlign layer pools from (levels of a MultiScaleRoIAlign)")
fact("rois_from_box_list", "true when roi_align's rois come from torchvision's List[Tensor] box conversion "
                           "(a cat of batch index and boxes), false when a [K, 5] Tensor is passed in")

# Transposes that qcheck.facts.layers does not read `dims` for: same meaning, the dimensions
# that move (N = 0). transpose / swapaxes / t / permute are read there.
_PAIR_SWAPS = ("transpose_", "swapaxes_", "swapdims", "swapdims_")


@extractor(ops={*_PAIR_SWAPS, "t_", "mT", "numpy_T", "movedim", "moveaxis"}, provides=("dims",),
           needs=("rank", "dims"))
def transpose_dims(view: LayerView, facts: dict[str, Any]) -> None:
    node = view.node
    rank = facts.get("rank")
    if "dims" in facts or node.namespace != "aten" or rank is None:
        return
    if node.op in _PAIR_SWAPS:
        normalized = _normalize([node.args.get("dim0"), node.args.get("dim1")], rank)
        if normalized is not None:
            facts["dims"] = normalized
    elif node.op == "t_":
        facts["dims"] = (0, 1) if rank == 2 else ()
    elif node.op == "mT" and rank >= 2:
        facts["dims"] = (rank - 2, rank - 1)
    elif node.op == "numpy_T":
        facts["dims"] = tuple(i for i in range(rank) if i != rank - 1 - i)
    elif node.op in ("movedim", "moveaxis"):
        order = _moved_order(node.args.get("source"), node.args.get("destination"), rank)
        if order is not None:
            facts["dims"] = tuple(i for i, d in enumerate(order) if d != i)


def _normalize(dims: list[Any], rank: int) -> tuple[int, ...] | None:
    if not rank or not all(isinstance(d, int) and not isinstance(d, bool) for d in dims):
        return None
    return tuple(sorted({d % rank for d in dims}))


def _moved_order(source: Any, destination: Any, rank: int) -> list[int] | None:
    """The permutation torch.movedim(x, source, destination) applies (as in torch's own code)."""
    src = [source] if isinstance(source, int) else source
    dst = [destination] if isinstance(destination, int) else destination
    if not isinstance(src, list) or not isinstance(dst, list) or len(src) != len(dst) or not rank:
        return None
    if not all(isinstance(d, int) for d in src + dst):
        return None
    src = [d % rank for d in src]
    dst = [d % rank for d in dst]
    order = [-1] * rank
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(rank) if d not in src)
    return [o if o != -1 else next(rest) for o in order]


@extractor(provides=("num_feature_maps", "rois_from_box_list", "rank", "input_shape", "max_dim_size",
                     "N", "C", "H", "W"),
           needs=("rank", "input_shape", "max_dim_size", "N", "C", "H", "W"))  # it overwrites them
def roi_align(view: LayerView, facts: dict[str, Any]) -> None:
    """RoIAlign reads one feature map; a grouped MultiScaleRoIAlign one per level it pools."""
    layer = view.layer
    pools = [n for n in layer.nodes if n.target == "torchvision::roi_align"]
    if not pools:
        return
    maps = {getattr(n.args.get("input"), "value", n.name) for n in pools}
    facts["num_feature_maps"] = len(maps)
    if len(layer.nodes) > 1:
        # A grouped MultiScaleRoIAlign: its first input is the boxes (converted first), so the
        # shape facts read as "the first input" are re-read from the pooled feature map.
        _feature_shape_facts(view.shape(view.node.args.get("input")), facts)
        # torchvision converts the List[Tensor] boxes itself, before the per-level selections;
        # read the conversion wherever it is in the layer.
        facts["rois_from_box_list"] = any(is_box_list_cat(n, view.graph) for n in layer.nodes)
        return
    rois = view.node.args.get("rois")
    producer = _producer(view, rois)
    facts["rois_from_box_list"] = producer is not None and is_box_list_cat(producer, view.graph)


def _producer(view: LayerView, ref: Any):
    name = getattr(ref, "value", None)
    if name is None:
        return None
    return producers_of(view.graph).get(name)  # built once per graph


def _feature_shape_facts(shape: tuple[int, ...] | None, facts: dict[str, Any]) -> None:
    if not shape:
        return
    facts["rank"] = len(shape)
    facts["input_shape"] = tuple(shape)
    facts["max_dim_size"] = max(shape)
    if len(shape) == 4:
        facts["N"], facts["C"], facts["H"], facts["W"] = shape
