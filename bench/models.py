"""The benchmark corpus: model factories of no arguments, so each is an eager spec for qcheck
(`bench/models.py:resnet50`) and the floor builds exactly the same module.

Real third-party architectures are built from their default configs, without weights (no hub,
no download): the configs are the published sizes (ResNet-50, ViT-B/16, BERT-base...). Synthetic
deep models have N layers for N from 100 to 20,000 graph nodes.
"""

from __future__ import annotations

import os

import torch
from torch import nn

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _quiet_transformers():
    try:
        from transformers.utils import logging

        logging.set_verbosity_error()
    except ImportError:
        pass


def _hf(config_name: str, model_name: str, **config):
    _quiet_transformers()
    import transformers

    model = getattr(transformers, model_name)(getattr(transformers, config_name)(**config))
    return model.eval()


# --- transformers (real architectures, default = published sizes) ---------------------------

def resnet50():
    return _hf("ResNetConfig", "ResNetForImageClassification")  # default config: ResNet-50


def mobilenet_v2():
    return _hf("MobileNetV2Config", "MobileNetV2ForImageClassification")


def convnext_tiny():
    return _hf("ConvNextConfig", "ConvNextForImageClassification")


def vit_b16():
    return _hf("ViTConfig", "ViTForImageClassification")  # default: ViT-B/16 at 224


def bert_base():
    return _hf("BertConfig", "BertModel")  # default: bert-base-uncased sizes


def swin_tiny():
    return _hf("SwinConfig", "SwinForImageClassification")


def gpt2_xl():
    """GPT-2-XL sizes: 48 layers, 1600 wide, 25 heads, about 1.56 billion parameters."""
    return _hf("GPT2Config", "GPT2LMHeadModel", n_embd=1600, n_layer=48, n_head=25, use_cache=False)


# --- torchvision, where installed -------------------------------------------------------------

def _torchvision(name: str):
    import torchvision

    return getattr(torchvision.models, name)(weights=None).eval()


def tv_resnet50():
    return _torchvision("resnet50")


def tv_mobilenet_v2():
    return _torchvision("mobilenet_v2")


def tv_vit_b_16():
    return _torchvision("vit_b_16")


# --- ultralytics, where installed (built from its yaml config: no weights) ---------------------

def yolov8n():
    os.environ.setdefault("YOLO_OFFLINE", "1")
    from ultralytics.nn.tasks import DetectionModel

    return DetectionModel("yolov8n.yaml", verbose=False).eval()


# --- the seed's Net ---------------------------------------------------------------------------

def seed_net():
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(os.path.dirname(here), "examples", "seed_net.py")
    spec = importlib.util.spec_from_file_location("qcheck_bench_seed_net", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Net().eval()


# --- synthetic deep graphs --------------------------------------------------------------------

class Block(nn.Module):
    """conv -> batch norm -> relu, plus a residual add: 4 graph nodes (the add reads the input)."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)
        self.bn = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.bn(self.conv(x))) + x


class Deep(nn.Module):
    """`blocks` residual blocks at 8x8x8: about 4 graph nodes per block."""

    def __init__(self, blocks: int, channels: int = 8):
        super().__init__()
        self.blocks = nn.Sequential(*[Block(channels) for _ in range(blocks)])

    def forward(self, x):
        return self.blocks(x)


def deep(nodes: int) -> Deep:
    return Deep(max(1, nodes // 4)).eval()


def deep_100():
    return deep(100)


def deep_1000():
    return deep(1000)


def deep_5000():
    return deep(5000)


def deep_20000():
    return deep(20000)
