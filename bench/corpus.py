"""The benchmark corpus as data (no torch import: the driver stays small, so a child's peak RSS
is its own). Factories live in bench/models.py; the CLI spec is bench/models.py:<factory>."""

from __future__ import annotations

import importlib.util

# label -> (factory, input shapes, input dtypes)
CORPUS = {
    "seed Net": ("seed_net", ["1x1x28x28"], []),
    "ResNet-50": ("resnet50", ["1x3x224x224"], []),
    "MobileNetV2": ("mobilenet_v2", ["1x3x224x224"], []),
    "ConvNeXt-T": ("convnext_tiny", ["1x3x224x224"], []),
    "ViT-B/16": ("vit_b16", ["1x3x224x224"], []),
    "BERT-base": ("bert_base", ["1x128"], ["int64"]),
    "Swin-T": ("swin_tiny", ["1x3x224x224"], []),
    "deep-100": ("deep_100", ["1x8x8x8"], []),
    "deep-1000": ("deep_1000", ["1x8x8x8"], []),
    "deep-5000": ("deep_5000", ["1x8x8x8"], []),
}
TORCHVISION = {
    "tv ResNet-50": ("tv_resnet50", ["1x3x224x224"], []),
    "tv MobileNetV2": ("tv_mobilenet_v2", ["1x3x224x224"], []),
    "tv ViT-B/16": ("tv_vit_b_16", ["1x3x224x224"], []),
}
ULTRALYTICS = {"YOLOv8n": ("yolov8n", ["1x3x640x640"], [])}
BIG = {"GPT-2-XL (1.5B)": ("gpt2_xl", ["1x128"], ["int64"])}
QUICK = ("seed Net", "ResNet-50", "BERT-base", "deep-1000")
RATIO_TARGETS = ("ResNet-50", "BERT-base")  # qcheck <= 1.15 x the floor


def has_torchvision() -> bool:
    return importlib.util.find_spec("torchvision") is not None


def has_ultralytics() -> bool:
    return has_torchvision() and importlib.util.find_spec("ultralytics") is not None


def real_corpus() -> dict:
    """tests/corpus.py's models whose libraries import, as label -> (spec, shapes, dtypes)."""
    import os
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if root not in sys.path:
        sys.path.insert(0, root)
    from tests.corpus import CORPUS as REAL

    path = os.path.join(root, "tests", "corpus.py")
    return {m.label: (f"{path}:{m.factory}", list(m.shapes), list(m.dtypes)) for m in REAL if m.available()}
