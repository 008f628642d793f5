"""Facts for the nn_layers and functional rows of the table (see qcheck/facts/__init__.py).

Resizes: whether the op takes its scale factor as given (the vendor's Interpolate requires
recompute_scale_factor=True whenever scale_factor is used). Layer norms: the H x W part of
normalized_shape. (A padding's mode is the `padding` extractor's, in layers.py.)
"""

from __future__ import annotations

from typing import Any

from qcheck.facts import LayerView, extractor, fact
from qcheck.opfamilies import RESIZES

fact("uses_scale_factor",
     "true when a resize takes scale_factor as given (interpolate without recompute_scale_factor=True); "
     "false when it is given an output size (size=, or scale_factor with recompute_scale_factor=True). "
     "Always false for torch's nn.Upsample / UpsamplingNearest2d / UpsamplingBilinear2d, which the "
     "vendor's plugin converts with recompute_scale_factor=True (unknown for them in a saved "
     "TorchScript file, which keeps no module attributes to tell torch's class from a namesake)")
fact("normalized_hw", "H x W part of a layer norm's normalized_shape: the product of its last two "
                      "dims (its only dim when it has one)")

# Modules whose vendor (quantized) version sets recompute_scale_factor=True by itself.
_SELF_RECOMPUTING = {"Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"}


@extractor(ops=RESIZES, provides=("uses_scale_factor",))
def resize_scale_factor(view: LayerView, facts: dict[str, Any]) -> None:
    node = view.node
    if node.op not in RESIZES or node.namespace != "aten":
        return
    module_type = view.layer.module_type
    if module_type in _SELF_RECOMPUTING:
        attrs = view.graph.module_attrs.get(view.layer.module_path or "")
        if not attrs:
            return  # a TorchScript file: torch's module or a user class of the same name, unknown
        if attrs.get("name") == module_type and "recompute_scale_factor" in attrs:
            facts["uses_scale_factor"] = False  # torch's class (it sets self.name to its class name)
            return
    if "scale_factors" in node.args:  # the .vec overload: (input, output_size, [align_corners,] scale_factors)
        facts["uses_scale_factor"] = node.args["scale_factors"] is not None and node.args.get("output_size") is None
    elif "output_size" in node.args:  # the sized overload always carries the output size
        facts["uses_scale_factor"] = False


@extractor(ops=("layer_norm", "native_layer_norm"), needs=("normalized_shape",),
           provides=("normalized_shape", "normalized_numel", "normalized_hw"))
def layer_norm_shape(view: LayerView, facts: dict[str, Any]) -> None:
    node = view.node
    shape = node.args.get("normalized_shape")
    if node.op not in ("layer_norm", "native_layer_norm") or not isinstance(shape, list) or not shape:
        return
    if not all(isinstance(d, int) for d in shape):
        return
    if "normalized_shape" not in facts:
        facts["normalized_shape"] = tuple(shape)
        numel = 1
        for d in shape:
            numel *= d
        facts["normalized_numel"] = numel
    last = shape[-2:]
    facts["normalized_hw"] = last[0] * last[1] if len(last) == 2 else last[0]
