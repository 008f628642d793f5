"""Probes for the torchvision rows (RoIAlign, MultiScaleRoIAlign, AnchorGenerator).

torchvision is not a dependency of qcheck and is not installed in qcheck's development venv (its
wheel pins a different torch), so these probes exist only where torchvision can be imported; the
coverage test lists the torchvision ids as unprobed otherwise. AnchorGenerator takes an ImageList,
so its probe builds one from an image tensor; its row matches by module (`ops: []`).

Two ids have no fail probe because torchvision's API cannot break them (see
tests/test_probe_coverage.py): RoIAlign pools exactly one feature map (`roi_align.feature_number`
is 1), and MultiScaleRoIAlign takes its boxes only as List[Tensor] and converts them itself
(`multi_scale_roi_align.box_format` always holds).
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


class Anchors(nn.Module):
    """torchvision's RPN AnchorGenerator (one size, three ratios per level) over `levels` feature
    maps of a 64x64 image; inputs: the image, then the feature maps. Returns the image's anchors."""

    def __init__(self, levels=2):
        super().__init__()
        from torchvision.models.detection.rpn import AnchorGenerator

        self.anchors = AnchorGenerator(tuple((16 << i,) for i in range(levels)), ((0.5, 1.0, 2.0),) * levels)

    def forward(self, image, *features):
        from torchvision.models.detection.image_list import ImageList

        return self.anchors(ImageList(image, [(64, 64)]), list(features))[0]


def _levels(count, depth=False):
    """Feature maps at strides 2, 4, 8 ... of a 64x64 image, then the boxes [3, 4]. With `depth`,
    each map is 5-D [1, 4, 2, H, W] (torchvision's roi_align reads only its first four dims)."""
    extra = "2x" if depth else ""
    return tuple(f"1x4x{extra}{64 >> (i + 1)}x{64 >> (i + 1)}" for i in range(count)) + ("3x4",)


ROI = "roi_align"
MULTI = "multi_scale_roi_align"
ANCHOR = "anchor_generator"
_ANCHOR_SHAPES = ("1x3x64x64", "1x4x16x16", "1x4x8x8")

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
        # bernoulli2 runs 4-D tensors only. torchvision's roi_align reads a feature map's first four
        # dims and does not reject a 5-D one, so a [1, 4, 2, H, W] map captures and runs.
        probe("roi_align 5-D feature", RoIAlignOnList, ("1x4x2x8x8", "3x4"), fail=f"bernoulli2.{ROI}.four_d"),
        probe("multiscale roi_align 5-D features", lambda: MultiScale(2), _levels(2, depth=True),
              fail=f"bernoulli2.{MULTI}.four_d"),
        # AnchorGenerator reads only the shapes of the image and the feature maps. torch.export bakes
        # those in, so the layer has no tensor input there and its input dtypes are not observed;
        # jit.trace records the shape reads (aten::size) as uses of the inputs, so a TorchScript
        # model's AnchorGenerator has the image and feature maps as inputs, and a uint8 image fails.
        probe("anchor generator", Anchors, _ANCHOR_SHAPES,
              ok=ALL(f"{ANCHOR}.input_dtype") + ALL(f"{ANCHOR}.output_dtype"), fail=f"bernoulli2.{ANCHOR}.static_shape"),
        probe("anchor generator torchscript", Anchors, _ANCHOR_SHAPES, via="torchscript",
              ok=ALL(f"{ANCHOR}.input_dtype") + ALL(f"{ANCHOR}.output_dtype"), fail=f"bernoulli2.{ANCHOR}.static_shape"),
        probe("anchor generator uint8 image torchscript", Anchors, _ANCHOR_SHAPES, via="torchscript",
              input_dtypes=("uint8", "float32", "float32"), fail=ALL(f"{ANCHOR}.input_dtype"),
              also=f"bernoulli2.{ANCHOR}.static_shape"),  # every AnchorGenerator's reminder
    ]
