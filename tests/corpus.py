"""The real-model corpus: third-party models people deploy on the BPU, built from their configs with
no weights (nothing is downloaded), each with the inputs it is deployed at and the verdict qcheck
must give per march, with the reason written beside it.

It drives tests/test_corpus.py (capture both ways, every node accounted for, eager = TorchScript,
the expected verdicts) and bench/models_page.py (docs/MODELS.md). Every factory is a function of
no arguments, so `tests/corpus.py:yolov8n` is also an eager spec for the CLI.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("YOLO_OFFLINE", "1")

MARCHES = ("bernoulli2", "bayes", "bayes_e")


@dataclass(frozen=True)
class Expect:
    """The verdict on one march and why (the failing rules, when it fails)."""

    verdict: str  # pass | warn | fail
    why: str
    rules: tuple[str, ...] = ()  # the rule ids that fail (fail) or warn (warn); all of them


@dataclass(frozen=True)
class RealModel:
    label: str
    library: str  # ultralytics | torchvision | timm | transformers
    factory: str  # a function of this module
    shapes: tuple[str, ...]
    dtypes: tuple[str, ...] = ()
    expect: dict[str, Expect] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()  # ops with no table row and no decomposition: genuinely unsupported
    # Why this model's TorchScript file is not compared with its eager capture (None: it is).
    torchscript_gap: str | None = None

    def available(self) -> bool:
        needs = {"ultralytics": ("ultralytics", "torchvision"), "torchvision": ("torchvision",),
                 "timm": ("timm", "torchvision"), "transformers": ("transformers",)}[self.library]
        return all(importlib.util.find_spec(name) is not None for name in needs)

    def build(self):
        return globals()[self.factory]()


# --- factories ------------------------------------------------------------------------------

def _ultralytics(kind: str, config: str):
    import ultralytics.nn.tasks as tasks

    model = getattr(tasks, kind)(config, verbose=False).eval()
    # As ultralytics' own exporters set it (and the vendor's model zoo exports): the heads return
    # their output tensors only, not also the dict of raw predictions (YOLOv10's training-only
    # one-to-many branch among them) that a deployed model never computes.
    for sub in model.modules():
        if isinstance(getattr(type(sub), "export", None), bool):
            sub.export, sub.format = True, "torchscript"
    return model


def yolov5n():
    return _ultralytics("DetectionModel", "yolov5n.yaml")


def yolov8n():
    return _ultralytics("DetectionModel", "yolov8n.yaml")


def yolov8n_seg():
    return _ultralytics("SegmentationModel", "yolov8n-seg.yaml")


def yolov8n_pose():
    return _ultralytics("PoseModel", "yolov8n-pose.yaml")


def yolov8n_obb():
    return _ultralytics("OBBModel", "yolov8n-obb.yaml")


def yolov8n_cls():
    return _ultralytics("ClassificationModel", "yolov8n-cls.yaml")


def yolov10n():
    return _ultralytics("DetectionModel", "yolov10n.yaml")


def yolo11n():
    return _ultralytics("DetectionModel", "yolo11n.yaml")


def rtdetr_l():
    return _ultralytics("RTDETRDetectionModel", "rtdetr-l.yaml")


def _torchvision(name: str, **kwargs):
    import torchvision

    return torchvision.models.get_model(name, weights=None, **kwargs).eval()


def tv_resnet50():
    return _torchvision("resnet50")


def tv_mobilenet_v3_small():
    return _torchvision("mobilenet_v3_small")


def tv_shufflenet_v2():
    return _torchvision("shufflenet_v2_x1_0")


def tv_efficientnet_b0():
    return _torchvision("efficientnet_b0")


def tv_regnet_y_400mf():
    return _torchvision("regnet_y_400mf")


def tv_squeezenet():
    return _torchvision("squeezenet1_0")


def tv_swin_t():
    return _torchvision("swin_t")


def tv_vit_b_16():
    return _torchvision("vit_b_16")


def tv_deeplabv3_mobilenet():
    return _torchvision("deeplabv3_mobilenet_v3_large", weights_backbone=None, aux_loss=False)


def tv_lraspp_mobilenet():
    return _torchvision("lraspp_mobilenet_v3_large", weights_backbone=None)


def tv_ssdlite():
    return _torchvision("ssdlite320_mobilenet_v3_large", weights_backbone=None)


def tv_fasterrcnn_mobilenet():
    return _torchvision("fasterrcnn_mobilenet_v3_large_320_fpn", weights_backbone=None)


def _timm(name: str):
    import timm

    return timm.create_model(name, pretrained=False).eval()


def timm_ghostnet():
    return _timm("ghostnet_100")


def timm_mobilenetv3():
    return _timm("mobilenetv3_small_100")


def timm_repvgg():
    return _timm("repvgg_a0")


def timm_efficientvit():
    return _timm("efficientvit_m0")


def timm_vit_tiny():
    return _timm("vit_tiny_patch16_224")


def timm_swin_tiny():
    return _timm("swin_tiny_patch4_window7_224")


def timm_convnext_atto():
    return _timm("convnext_atto")


def timm_efficientformer():
    return _timm("efficientformer_l1")


def timm_fastvit():
    return _timm("fastvit_t8")


def timm_edgenext():
    return _timm("edgenext_xx_small")


def timm_regnetx():
    return _timm("regnetx_002")


def _hf(config_name: str, model_name: str, **config):
    import transformers
    from transformers.utils import logging

    logging.set_verbosity_error()
    model = getattr(transformers, model_name)(getattr(transformers, config_name)(**config))
    return model.eval()


def hf_bert():
    return _hf("BertConfig", "BertModel")  # bert-base sizes


def hf_distilbert():
    return _hf("DistilBertConfig", "DistilBertModel")


def hf_gpt2():
    return _hf("GPT2Config", "GPT2Model")


def hf_vit():
    return _hf("ViTConfig", "ViTForImageClassification")  # ViT-B/16


def hf_mobilevit():
    return _hf("MobileViTConfig", "MobileViTForImageClassification")


def hf_segformer():
    return _hf("SegformerConfig", "SegformerForSemanticSegmentation")  # MiT-b0


def hf_convnext():
    return _hf("ConvNextConfig", "ConvNextForImageClassification")


# --- the corpus -----------------------------------------------------------------------------

_IMAGE = ("1x3x224x224",)
_YOLO = ("1x3x640x640",)
_TEXT = ("1x128",)

_SCRIPTED_DETECTOR = ("a scripted torchvision detector keeps its transform and post-processing in "
                      "TorchScript control flow (loops over images and levels) that qcheck's TorchScript "
                      "reader does not unroll: it sees about a tenth of the layers export sees")

CORPUS: tuple[RealModel, ...] = (
    RealModel("YOLOv5n", "ultralytics", "yolov5n", _YOLO),
    RealModel("YOLOv8n", "ultralytics", "yolov8n", _YOLO),
    RealModel("YOLOv8n-seg", "ultralytics", "yolov8n_seg", _YOLO),
    RealModel("YOLOv8n-pose", "ultralytics", "yolov8n_pose", _YOLO),
    RealModel("YOLOv8n-obb", "ultralytics", "yolov8n_obb", ("1x3x1024x1024",)),
    RealModel("YOLOv8n-cls", "ultralytics", "yolov8n_cls", _IMAGE),
    RealModel("YOLOv10n", "ultralytics", "yolov10n", _YOLO),
    RealModel("YOLO11n", "ultralytics", "yolo11n", _YOLO),
    RealModel("RT-DETR-l", "ultralytics", "rtdetr_l", _YOLO),
    RealModel("ResNet-50", "torchvision", "tv_resnet50", _IMAGE),
    RealModel("MobileNetV3-S", "torchvision", "tv_mobilenet_v3_small", _IMAGE),
    RealModel("ShuffleNetV2", "torchvision", "tv_shufflenet_v2", _IMAGE),
    RealModel("EfficientNet-B0", "torchvision", "tv_efficientnet_b0", _IMAGE),
    RealModel("RegNetY-400MF", "torchvision", "tv_regnet_y_400mf", _IMAGE),
    RealModel("SqueezeNet", "torchvision", "tv_squeezenet", _IMAGE),
    RealModel("Swin-T", "torchvision", "tv_swin_t", _IMAGE),
    RealModel("ViT-B/16", "torchvision", "tv_vit_b_16", _IMAGE),
    RealModel("DeepLabV3-MobileNetV3", "torchvision", "tv_deeplabv3_mobilenet", ("1x3x320x320",)),
    RealModel("LRASPP-MobileNetV3", "torchvision", "tv_lraspp_mobilenet", ("1x3x320x320",)),
    RealModel("SSDlite320", "torchvision", "tv_ssdlite", ("1x3x320x320",), torchscript_gap=_SCRIPTED_DETECTOR),
    RealModel("FasterRCNN-MobileNetV3-320", "torchvision", "tv_fasterrcnn_mobilenet", ("1x3x320x320",),
              torchscript_gap=_SCRIPTED_DETECTOR),
    RealModel("GhostNet", "timm", "timm_ghostnet", _IMAGE),
    RealModel("MobileNetV3-S (timm)", "timm", "timm_mobilenetv3", _IMAGE),
    RealModel("RepVGG-A0", "timm", "timm_repvgg", _IMAGE),
    RealModel("EfficientViT-M0", "timm", "timm_efficientvit", _IMAGE),
    RealModel("ViT-Tiny", "timm", "timm_vit_tiny", _IMAGE),
    RealModel("Swin-T (timm)", "timm", "timm_swin_tiny", _IMAGE),
    RealModel("ConvNeXt-Atto", "timm", "timm_convnext_atto", _IMAGE),
    RealModel("EfficientFormer-L1", "timm", "timm_efficientformer", _IMAGE),
    RealModel("FastViT-T8", "timm", "timm_fastvit", _IMAGE),
    RealModel("EdgeNeXt-XXS", "timm", "timm_edgenext", _IMAGE),
    RealModel("RegNetX-200MF", "timm", "timm_regnetx", _IMAGE),
    RealModel("BERT-base", "transformers", "hf_bert", _TEXT, ("int64",)),
    RealModel("DistilBERT", "transformers", "hf_distilbert", _TEXT, ("int64",)),
    RealModel("GPT-2", "transformers", "hf_gpt2", _TEXT, ("int64",)),
    RealModel("ViT-B/16 (HF)", "transformers", "hf_vit", _IMAGE),
    RealModel("MobileViT-S", "transformers", "hf_mobilevit", ("1x3x256x256",)),
    RealModel("SegFormer-B0", "transformers", "hf_segformer", ("1x3x512x512",)),
    RealModel("ConvNeXt-T (HF)", "transformers", "hf_convnext", _IMAGE),
)


def by_label(label: str) -> RealModel:
    return next(model for model in CORPUS if model.label == label)


# Ops the corpus meets that are neither table rows nor compositions of them, and why.
UNSUPPORTED = {
    "aten::embedding": "a token embedding is a table lookup by integer ids: no row of the table takes "
                       "int64 indices; the vendor's flow runs it on the CPU before the QuantStub",
    "aten::copy_": "an in-place write into a slice (ultralytics' pose head decodes keypoints with "
                   "y[:, 2::3] = y[:, 2::3].sigmoid()): no table row writes into part of a tensor",
    "torchvision::nms": "non-maximum suppression is post-processing: the vendor's lists run no NMS on the "
                        "BPU (cut it out of the graph and run it on the CPU)",
    "aten::__and__": "a logical and of two masks (Faster R-CNN's box filtering): no table row",
}
