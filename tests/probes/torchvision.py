"""Probes for the torchvision rows (RoIAlign, MultiScaleRoIAlign, AnchorGenerator).

torchvision is not a dependency of qcheck and is not installed in qcheck's development venv (its
wheel pins a different torch), so these probes exist only where torchvision can be imported; the
coverage test lists the torchvision ids as unprobed otherwise. AnchorGenerator has no probe: it
needs an ImageList input, and its row matches by module (`ops: []`).
"""

import importlib.util

from torch import nn

from tests.probes import on, probe

ALL = on("bernoulli2", "bayes", "bayes_e")
BAYES = on("bayes", "bayes_e")


class RoIAlignOnList(nn.Module):
    """torchvision.ops.RoIAlign with the boxes as List[Tensor[box_num, 4]] (one image)."""

    def __init__(self):
        super().__init__()
        from torchvision.ops import RoIAlign

        self.pool = RoIAlign((2, 2), spatial_scale=0.5, sampling_ratio=2)

    def forward(self, feature, boxes):
        return self.pool(feature, [boxes])


class RoIAlignOnTensor(RoIAlignOnList):
    """The same with the rois given as one Tensor[K, 5] (batch index, x1, y1, x2, y2)."""

    def forward(self, feature, rois):
        return self.pool(feature, rois)


class RoIAlignFunction(nn.Module):
    """torchvision.ops.roi_align, the function form."""

    def forward(self, feature, boxes):
        from torchvision.ops import roi_align

        return roi_align(feature, [boxes], 2, spatial_scale=0.5, sampling_ratio=2)


class MultiScale(nn.Module):
    """torchvision.ops.MultiScaleRoIAlign over `levels` feature maps of a 64x64 image."""

    def __init__(self, levels):
        super().__init__()
        from torchvision.ops import MultiScaleRoIAlign

        self.names = [str(i) for i in range(levels)]
        self.pool = MultiScaleRoIAlign(self.names, 2, sampling_ratio=2)

    def forward(self, *features_and_boxes):
        *features, boxes = features_and_boxes
        return self.pool(dict(zip(self.names, features)), [boxes], [(64, 64)])


def _levels(count):
    """Feature maps at strides 2, 4, 8 ... of a 64x64 image, then the boxes [3, 4]."""
    return tuple(f"1x4x{64 >> (i + 1)}x{64 >> (i + 1)}" for i in range(count)) + ("3x4",)


ROI = "roi_align"
MULTI = "multi_scale_roi_align"

if importlib.util.find_spec("torchvision") is None:
    PROBES = []
else:
    PROBES = [
        probe("roi_align module list boxes", RoIAlignOnList, ("1x4x8x8", "3x4"),
              ok=ALL(f"{ROI}.input_input_dtype") + ALL(f"{ROI}.output_dtype") + ["bernoulli2.roi_align.four_d"]
              + BAYES(f"{ROI}.feature_number") + BAYES(f"{ROI}.box_format")),
        probe("roi_align function", RoIAlignFunction, ("1x4x8x8", "3x4"),
              ok=ALL(f"{ROI}.input_input_dtype") + BAYES(f"{ROI}.box_format")),
        probe("roi_align tensor rois", RoIAlignOnTensor, ("1x4x8x8", "3x5"),
              ok=BAYES(f"{ROI}.feature_number"), fail=BAYES(f"{ROI}.box_format")),
        probe("roi_align qint16 feature", RoIAlignOnList, ("1x4x8x8", "3x4"), activation_dtype="qint16",
              fail=ALL(f"{ROI}.input_input_dtype")),
        probe("roi_align torchscript", RoIAlignOnList, ("1x4x8x8", "3x4"), via="torchscript",
              ok=ALL(f"{ROI}.input_input_dtype") + BAYES(f"{ROI}.box_format")),
        probe("multiscale roi_align 2 levels", lambda: MultiScale(2), _levels(2),
              ok=ALL(f"{MULTI}.input_input_dtype") + ALL(f"{MULTI}.output_dtype")
              + [f"bernoulli2.{MULTI}.four_d"] + BAYES(f"{MULTI}.feature_number") + BAYES(f"{MULTI}.box_format")),
        probe("multiscale roi_align 5 levels", lambda: MultiScale(5), _levels(5),
              ok=BAYES(f"{MULTI}.feature_number")),
        probe("multiscale roi_align 6 levels", lambda: MultiScale(6), _levels(6),
              fail=BAYES(f"{MULTI}.feature_number")),
        probe("multiscale roi_align qint16", lambda: MultiScale(1), _levels(1), activation_dtype="qint16",
              fail=ALL(f"{MULTI}.input_input_dtype")),
        probe("multiscale roi_align torchscript", lambda: MultiScale(2), _levels(2), via="torchscript",
              ok=ALL(f"{MULTI}.input_input_dtype") + BAYES(f"{MULTI}.box_format")),
    ]
