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
BIG = {"GPT-2-XL (1.5B)": ("gpt2_xl", ["1x128"], ["int64"])}
QUICK = ("seed Net", "ResNet-50", "BERT-base", "deep-1000")
RATIO_TARGETS = ("ResNet-50", "BERT-base")  # qcheck <= 1.15 x the floor


def has_torchvision() -> bool:
    return importlib.util.find_spec("torchvision") is not None
