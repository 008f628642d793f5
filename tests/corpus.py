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
    # Layers only the TorchScript file has, may fail: the ops (their judged-as names) and why.
    torchscript_only_ops: tuple[str, ...] = ()
    torchscript_only_why: str | None = None

    def available(self) -> bool:
        needs = {"ultralytics": ("ultralytics", "torchvision"), "torchvision": ("torchvision",),
                 "timm": ("timm", "torchvision"), "transformers": ("transformers",)}[self.library]
        return all(importlib.util.find_spec(name) is not None for name in needs)

    def build(self):
        import torch

        torch.manual_seed(0)  # the same weights every time: detectors' post-processing depends on them
        return globals()[self.factory]()


# --- factories ------------------------------------------------------------------------------

def _factory(build, *args, **kwargs):
    """A function of no arguments (what an eager spec names) building one model."""
    def factory():
        return build(*args, **kwargs)
    return factory


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


yolov5n = _factory(_ultralytics, "DetectionModel", "yolov5n.yaml")
yolov8n = _factory(_ultralytics, "DetectionModel", "yolov8n.yaml")
yolov8n_seg = _factory(_ultralytics, "SegmentationModel", "yolov8n-seg.yaml")
yolov8n_pose = _factory(_ultralytics, "PoseModel", "yolov8n-pose.yaml")
yolov8n_obb = _factory(_ultralytics, "OBBModel", "yolov8n-obb.yaml")
yolov8n_cls = _factory(_ultralytics, "ClassificationModel", "yolov8n-cls.yaml")
yolov10n = _factory(_ultralytics, "DetectionModel", "yolov10n.yaml")
yolo11n = _factory(_ultralytics, "DetectionModel", "yolo11n.yaml")
rtdetr_l = _factory(_ultralytics, "RTDETRDetectionModel", "rtdetr-l.yaml")


def _torchvision(name: str, **kwargs):
    import torchvision

    return torchvision.models.get_model(name, weights=None, **kwargs).eval()


tv_resnet50 = _factory(_torchvision, "resnet50")
tv_mobilenet_v3_small = _factory(_torchvision, "mobilenet_v3_small")
tv_shufflenet_v2 = _factory(_torchvision, "shufflenet_v2_x1_0")
tv_efficientnet_b0 = _factory(_torchvision, "efficientnet_b0")
tv_regnet_y_400mf = _factory(_torchvision, "regnet_y_400mf")
tv_squeezenet = _factory(_torchvision, "squeezenet1_0")
tv_swin_t = _factory(_torchvision, "swin_t")
tv_vit_b_16 = _factory(_torchvision, "vit_b_16")
tv_deeplabv3_mobilenet = _factory(_torchvision, "deeplabv3_mobilenet_v3_large", weights_backbone=None, aux_loss=False)
tv_lraspp_mobilenet = _factory(_torchvision, "lraspp_mobilenet_v3_large", weights_backbone=None)
tv_ssdlite = _factory(_torchvision, "ssdlite320_mobilenet_v3_large", weights_backbone=None)
tv_fasterrcnn_mobilenet = _factory(_torchvision, "fasterrcnn_mobilenet_v3_large_320_fpn", weights_backbone=None)


def _timm(name: str):
    import timm

    return timm.create_model(name, pretrained=False).eval()


timm_ghostnet = _factory(_timm, "ghostnet_100")
timm_mobilenetv3 = _factory(_timm, "mobilenetv3_small_100")
timm_repvgg = _factory(_timm, "repvgg_a0")
timm_efficientvit = _factory(_timm, "efficientvit_m0")
timm_vit_tiny = _factory(_timm, "vit_tiny_patch16_224")
timm_swin_tiny = _factory(_timm, "swin_tiny_patch4_window7_224")
timm_convnext_atto = _factory(_timm, "convnext_atto")
timm_efficientformer = _factory(_timm, "efficientformer_l1")
timm_fastvit = _factory(_timm, "fastvit_t8")
timm_edgenext = _factory(_timm, "edgenext_xx_small")
timm_regnetx = _factory(_timm, "regnetx_002")


def _hf(config_name: str, model_name: str, **config):
    import transformers
    from transformers.utils import logging

    logging.set_verbosity_error()
    model = getattr(transformers, model_name)(getattr(transformers, config_name)(**config))
    return model.eval()


hf_bert = _factory(_hf, "BertConfig", "BertModel")  # bert-base sizes
hf_distilbert = _factory(_hf, "DistilBertConfig", "DistilBertModel")
hf_gpt2 = _factory(_hf, "GPT2Config", "GPT2Model")
hf_vit = _factory(_hf, "ViTConfig", "ViTForImageClassification")  # ViT-B/16
hf_mobilevit = _factory(_hf, "MobileViTConfig", "MobileViTForImageClassification")
hf_segformer = _factory(_hf, "SegformerConfig", "SegformerForSemanticSegmentation")  # MiT-b0
hf_convnext = _factory(_hf, "ConvNextConfig", "ConvNextForImageClassification")


# --- the corpus -----------------------------------------------------------------------------

_IMAGE = ("1x3x224x224",)
_YOLO = ("1x3x640x640",)
_TEXT = ("1x128",)

# torchvision's batched_nms picks its algorithm with `torchvision._is_tracing()`: a trace (the
# eager capture's fallback, since export refuses SSD) records the coordinate trick, a scripted
# file keeps the per-class loop, whose ops the trace never ran. Every other layer pairs.
_SSD_NMS = ("aten::_unique2", "torch.eq", "aten::where", "aten::index_put_", "aten::sort", "torch.cat",
            "torchvision::nms")
_SSD_NMS_WHY = ("torchvision's batched_nms takes another branch when traced (torchvision._is_tracing()): "
                "the scripted file keeps the per-class NMS loop the trace replaced")

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
    RealModel("SSDlite320", "torchvision", "tv_ssdlite", ("1x3x320x320",), torchscript_only_ops=_SSD_NMS,
              torchscript_only_why=_SSD_NMS_WHY),
    RealModel("FasterRCNN-MobileNetV3-320", "torchvision", "tv_fasterrcnn_mobilenet", ("1x3x320x320",)),
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
    "aten::where": "a select by a mask (torch.where, in SSDlite's and Faster R-CNN's box "
                   "post-processing): no table row",
}


# label -> (the ops its layers may report unknown, all of them in UNSUPPORTED; per march the verdict,
# why, and exactly the rules that fail (a failing verdict) or warn (otherwise)). Written by
# `python bench/models_page.py --from RUN.jsonl --expectations` from a corpus run
# (bench/corpus_run.py --json RUN.jsonl) and reviewed: a change here is a change of qcheck's answer.
EXPECTED = {
    'YOLOv5n': ((), {
        'bernoulli2': Expect('fail', 'both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; non-4-D cats; torch.div is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.cat.four_d', 'bernoulli2.div.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.mul.four_d', 'bernoulli2.sigmoid.four_d', 'bernoulli2.softmax.supported', 'bernoulli2.split.four_d', 'bernoulli2.sub.four_d', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('fail', 'bayes divides two feature maps only, not by a constant; torch.div takes qint16 inputs only (a division fed qint8)',
                         ('bayes.div.constant_operand', 'bayes.div.input_dtype')),
        'bayes_e': Expect('fail', 'torch.div takes qint16 inputs only (a division fed qint8)',
                         ('bayes_e.div.input_dtype',)),
    }),
    'YOLOv8n': ((), {
        'bernoulli2': Expect('fail', 'both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; non-4-D cats; torch.div is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.cat.four_d', 'bernoulli2.div.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.mul.four_d', 'bernoulli2.sigmoid.four_d', 'bernoulli2.softmax.supported', 'bernoulli2.split.four_d', 'bernoulli2.sub.four_d', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('fail', 'bayes divides two feature maps only, not by a constant; torch.div takes qint16 inputs only (a division fed qint8)',
                         ('bayes.div.constant_operand', 'bayes.div.input_dtype')),
        'bayes_e': Expect('fail', 'torch.div takes qint16 inputs only (a division fed qint8)',
                         ('bayes_e.div.input_dtype',)),
    }),
    'YOLOv8n-seg': ((), {
        'bernoulli2': Expect('fail', 'both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; non-4-D cats; torch.div is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.cat.four_d', 'bernoulli2.div.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.mul.four_d', 'bernoulli2.sigmoid.four_d', 'bernoulli2.softmax.supported', 'bernoulli2.split.four_d', 'bernoulli2.sub.four_d', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('fail', 'bayes divides two feature maps only, not by a constant; torch.div takes qint16 inputs only (a division fed qint8)',
                         ('bayes.div.constant_operand', 'bayes.div.input_dtype')),
        'bayes_e': Expect('fail', 'torch.div takes qint16 inputs only (a division fed qint8)',
                         ('bayes_e.div.input_dtype',)),
    }),
    'YOLOv8n-pose': ((), {
        'bernoulli2': Expect('fail', 'both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; non-4-D cats; torch.div is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.cat.four_d', 'bernoulli2.div.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.mul.four_d', 'bernoulli2.sigmoid.four_d', 'bernoulli2.softmax.supported', 'bernoulli2.split.four_d', 'bernoulli2.sub.four_d', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('fail', 'bayes divides two feature maps only, not by a constant; torch.div takes qint16 inputs only (a division fed qint8)',
                         ('bayes.div.constant_operand', 'bayes.div.input_dtype')),
        'bayes_e': Expect('fail', 'torch.div takes qint16 inputs only (a division fed qint8)',
                         ('bayes_e.div.input_dtype',)),
    }),
    'YOLOv8n-obb': ((), {
        'bernoulli2': Expect('fail', 'both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; non-4-D cats; torch.cos is not supported on bernoulli2 (supported on bayes, bayes_e); torch.div is not supported on bernoulli2 (supported on bayes, bayes_e); torch.sin is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.cat.four_d', 'bernoulli2.cos.supported', 'bernoulli2.div.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.mul.four_d', 'bernoulli2.sigmoid.four_d', 'bernoulli2.sin.supported', 'bernoulli2.softmax.supported', 'bernoulli2.split.four_d', 'bernoulli2.sub.four_d', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('fail', 'bayes divides two feature maps only, not by a constant; torch.div takes qint16 inputs only (a division fed qint8)',
                         ('bayes.div.constant_operand', 'bayes.div.input_dtype')),
        'bayes_e': Expect('fail', 'torch.div takes qint16 inputs only (a division fed qint8)',
                         ('bayes_e.div.input_dtype',)),
    }),
    'YOLOv8n-cls': ((), {
        'bernoulli2': Expect('fail', 'torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported',
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.linear.supported', 'bernoulli2.softmax.supported', 'bernoulli2.tensor_reshape.supported')),
        'bayes': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, silu.precision, softmax.precision',
                         ('bayes.adaptive_avg_pool2d.precision', 'bayes.silu.precision', 'bayes.softmax.precision')),
        'bayes_e': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, silu.precision, softmax.precision',
                         ('bayes_e.adaptive_avg_pool2d.precision', 'bayes_e.silu.precision', 'bayes_e.softmax.precision')),
    }),
    'YOLOv10n': ((), {
        'bernoulli2': Expect('fail', 'both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; non-4-D cats; torch.div is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.cat.four_d', 'bernoulli2.div.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.mul.four_d', 'bernoulli2.sigmoid.four_d', 'bernoulli2.softmax.supported', 'bernoulli2.split.four_d', 'bernoulli2.sub.four_d', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('fail', 'bayes divides two feature maps only, not by a constant; torch.div takes qint16 inputs only (a division fed qint8)',
                         ('bayes.div.constant_operand', 'bayes.div.input_dtype')),
        'bayes_e': Expect('fail', 'torch.div takes qint16 inputs only (a division fed qint8)',
                         ('bayes_e.div.input_dtype',)),
    }),
    'YOLO11n': ((), {
        'bernoulli2': Expect('fail', 'both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; non-4-D cats; torch.div is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.cat.four_d', 'bernoulli2.div.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.mul.four_d', 'bernoulli2.sigmoid.four_d', 'bernoulli2.softmax.supported', 'bernoulli2.split.four_d', 'bernoulli2.sub.four_d', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('fail', 'bayes divides two feature maps only, not by a constant; torch.div takes qint16 inputs only (a division fed qint8)',
                         ('bayes.div.constant_operand', 'bayes.div.input_dtype')),
        'bayes_e': Expect('fail', 'torch.div takes qint16 inputs only (a division fed qint8)',
                         ('bayes_e.div.input_dtype',)),
    }),
    'RT-DETR-l': ((), {
        'bernoulli2': Expect('fail', 'both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; non-4-D cats; torch.clamp is not supported on bernoulli2 (supported on bayes, bayes_e); torch.div is not supported on bernoulli2 (supported on bayes, bayes_e); torch.gather is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.functional.grid_sample is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Layernorm is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); torch.log is not supported on bernoulli2 (supported on bayes, bayes_e); this op is only supported as a model output: its result must not feed another layer; input channels must be at most 2048; input dtype must be one of qint8, qint16; output dtype must be one of qint8, qint16; torch.nn.MultiheadAttention is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.functional.pad is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); sum is only supported along the batch (N) and channel (C) dimensions; torch.Tensor.expand is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e); torch.topk is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.cat.four_d', 'bernoulli2.clamp.supported', 'bernoulli2.div.supported', 'bernoulli2.gather.supported', 'bernoulli2.gelu.four_d', 'bernoulli2.grid_sample.supported', 'bernoulli2.layer_norm.supported', 'bernoulli2.linear.supported', 'bernoulli2.log.supported', 'bernoulli2.max.four_d', 'bernoulli2.max.model_output', 'bernoulli2.mul.constant_operand', 'bernoulli2.mul.four_d', 'bernoulli2.mul.in_channel', 'bernoulli2.mul.input_dtype', 'bernoulli2.mul.output_dtype', 'bernoulli2.multihead_attention.supported', 'bernoulli2.pad.supported', 'bernoulli2.relu_module.four_d', 'bernoulli2.sigmoid.four_d', 'bernoulli2.softmax.supported', 'bernoulli2.split.four_d', 'bernoulli2.sub.four_d', 'bernoulli2.sub.input_dtype', 'bernoulli2.sub.output_dtype', 'bernoulli2.sum.dims', 'bernoulli2.sum.four_d', 'bernoulli2.tensor_expand.supported', 'bernoulli2.tensor_getitem.four_d', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported', 'bernoulli2.topk.supported')),
        'bayes': Expect('fail', "a cat of more inputs than the row allows; bayes divides two feature maps only, not by a constant; torch.div takes qint16 inputs only (a division fed qint8); torch.div's output dtype; input dtype must be one of qint8, qint16; output dtype must be one of qint8, qint16; transposes that move the N dim (attention and decode reshapes)",
                         ('bayes.cat.inputs', 'bayes.div.constant_operand', 'bayes.div.input_dtype', 'bayes.div.output_dtype', 'bayes.mul.input_dtype', 'bayes.mul.output_dtype', 'bayes.sub.input_dtype', 'bayes.sub.output_dtype', 'bayes.tensor_expand.input_dtype', 'bayes.tensor_transpose.batch_dim')),
        'bayes_e': Expect('fail', "a cat of more inputs than the row allows; torch.div takes qint16 inputs only (a division fed qint8); torch.div's output dtype; input dtype must be one of qint8, qint16; output dtype must be one of qint8, qint16; transposes that move the N dim (attention and decode reshapes)",
                         ('bayes_e.cat.inputs', 'bayes_e.div.input_dtype', 'bayes_e.div.output_dtype', 'bayes_e.mul.input_dtype', 'bayes_e.mul.output_dtype', 'bayes_e.sub.input_dtype', 'bayes_e.sub.output_dtype', 'bayes_e.tensor_expand.input_dtype', 'bayes_e.tensor_transpose.batch_dim')),
    }),
    'ResNet-50': ((), {
        'bernoulli2': Expect('fail', 'torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported',
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.linear.supported', 'bernoulli2.tensor_reshape.supported')),
        'bayes': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision',
                         ('bayes.adaptive_avg_pool2d.precision',)),
        'bayes_e': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision',
                         ('bayes_e.adaptive_avg_pool2d.precision',)),
    }),
    'MobileNetV3-S': ((), {
        'bernoulli2': Expect('fail', "torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); HardSigmoid (hardswish's gate) is not supported; torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); tensors that are not 4-D; reshape/flatten is not supported",
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.hardsigmoid.supported', 'bernoulli2.linear.supported', 'bernoulli2.mul.four_d', 'bernoulli2.tensor_reshape.supported')),
        'bayes': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, hardsigmoid.precision',
                         ('bayes.adaptive_avg_pool2d.precision', 'bayes.hardsigmoid.precision')),
        'bayes_e': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, hardsigmoid.precision',
                         ('bayes_e.adaptive_avg_pool2d.precision', 'bayes_e.hardsigmoid.precision')),
    }),
    'ShuffleNetV2': ((), {
        'bernoulli2': Expect('fail', 'torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); mean is only supported along the channel dimension (dim=1); tensors that are not 4-D; reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.linear.supported', 'bernoulli2.mean.dims', 'bernoulli2.mean.four_d', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('pass', 'every layer passes',
                         ()),
        'bayes_e': Expect('pass', 'every layer passes',
                         ()),
    }),
    'EfficientNet-B0': ((), {
        'bernoulli2': Expect('fail', 'torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported',
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.linear.supported', 'bernoulli2.tensor_reshape.supported')),
        'bayes': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, sigmoid.precision, silu.precision',
                         ('bayes.adaptive_avg_pool2d.precision', 'bayes.sigmoid.precision', 'bayes.silu.precision')),
        'bayes_e': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, sigmoid.precision, silu.precision',
                         ('bayes_e.adaptive_avg_pool2d.precision', 'bayes_e.sigmoid.precision', 'bayes_e.silu.precision')),
    }),
    'RegNetY-400MF': ((), {
        'bernoulli2': Expect('fail', 'torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported',
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.linear.supported', 'bernoulli2.tensor_reshape.supported')),
        'bayes': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, sigmoid.precision',
                         ('bayes.adaptive_avg_pool2d.precision', 'bayes.sigmoid.precision')),
        'bayes_e': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, sigmoid.precision',
                         ('bayes_e.adaptive_avg_pool2d.precision', 'bayes_e.sigmoid.precision')),
    }),
    'SqueezeNet': ((), {
        'bernoulli2': Expect('fail', 'torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported',
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.tensor_reshape.supported')),
        'bayes': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision',
                         ('bayes.adaptive_avg_pool2d.precision',)),
        'bayes_e': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision',
                         ('bayes_e.adaptive_avg_pool2d.precision',)),
    }),
    'Swin-T': ((), {
        'bernoulli2': Expect('fail', 'torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; torch.nn.Layernorm is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.functional.pad is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.layer_norm.supported', 'bernoulli2.linear.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.pad.supported', 'bernoulli2.softmax.supported', 'bernoulli2.tensor_getitem.four_d', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('fail', 'adds broadcast along N (the X5 broadcasts there); transposes that move the N dim (attention and decode reshapes)',
                         ('bayes.add.broadcast_n', 'bayes.tensor_transpose.batch_dim')),
        'bayes_e': Expect('fail', 'transposes that move the N dim (attention and decode reshapes)',
                         ('bayes_e.tensor_transpose.batch_dim',)),
    }),
    'ViT-B/16': ((), {
        'bernoulli2': Expect('fail', 'both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; non-4-D cats; torch.nn.Layernorm is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.MultiheadAttention is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.cat.four_d', 'bernoulli2.gelu.four_d', 'bernoulli2.layer_norm.supported', 'bernoulli2.linear.supported', 'bernoulli2.multihead_attention.supported', 'bernoulli2.tensor_getitem.four_d', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('warn', 'warnings only: cat.rank, gelu.precision, layer_norm.input_hw, layer_norm.precision, multihead_attention.precision',
                         ('bayes.cat.rank', 'bayes.gelu.precision', 'bayes.layer_norm.input_hw', 'bayes.layer_norm.precision', 'bayes.multihead_attention.precision')),
        'bayes_e': Expect('warn', 'warnings only: cat.rank, gelu.precision, layer_norm.input_hw, layer_norm.precision, multihead_attention.precision',
                         ('bayes_e.cat.rank', 'bayes_e.gelu.precision', 'bayes_e.layer_norm.input_hw', 'bayes_e.layer_norm.precision', 'bayes_e.multihead_attention.precision')),
    }),
    'DeepLabV3-MobileNetV3': ((), {
        'bernoulli2': Expect('fail', "torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); HardSigmoid (hardswish's gate) is not supported",
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.hardsigmoid.supported')),
        'bayes': Expect('fail', "dilated convolutions beyond the row's limits",
                         ('bayes.conv2d.dilation',)),
        'bayes_e': Expect('fail', "dilated convolutions beyond the row's limits",
                         ('bayes_e.conv2d.dilation',)),
    }),
    'LRASPP-MobileNetV3': ((), {
        'bernoulli2': Expect('fail', "torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); HardSigmoid (hardswish's gate) is not supported",
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.hardsigmoid.supported')),
        'bayes': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, hardsigmoid.precision, sigmoid.precision',
                         ('bayes.adaptive_avg_pool2d.precision', 'bayes.hardsigmoid.precision', 'bayes.sigmoid.precision')),
        'bayes_e': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, hardsigmoid.precision, sigmoid.precision',
                         ('bayes_e.adaptive_avg_pool2d.precision', 'bayes_e.hardsigmoid.precision', 'bayes_e.sigmoid.precision')),
    }),
    'SSDlite320': (('torchvision::nms',), {
        'bernoulli2': Expect('fail', "torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; non-4-D cats; torch.clamp is not supported on bernoulli2 (supported on bayes, bayes_e); torch.div is not supported on bernoulli2 (supported on bayes, bayes_e); torch.gt is not supported on bernoulli2 (supported on bayes, bayes_e); HardSigmoid (hardswish's gate) is not supported; this op is only supported as a model output: its result must not feed another layer; torch.min is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.functional.pad is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); input self dtype must be one of qint8, qint16, qint32; reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e); torch.topk is not supported on bernoulli2 (supported on bayes, bayes_e); ops with neither a table row nor a decomposition (see UNSUPPORTED)",
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.cat.four_d', 'bernoulli2.clamp.supported', 'bernoulli2.div.supported', 'bernoulli2.exp.four_d', 'bernoulli2.gt.supported', 'bernoulli2.hardsigmoid.supported', 'bernoulli2.max.four_d', 'bernoulli2.max.model_output', 'bernoulli2.min.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.mul.four_d', 'bernoulli2.pad.supported', 'bernoulli2.softmax.supported', 'bernoulli2.split.four_d', 'bernoulli2.sub.four_d', 'bernoulli2.tensor_getitem.four_d', 'bernoulli2.tensor_getitem.input_self_dtype', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported', 'bernoulli2.topk.supported', 'bernoulli2.unknown_op')),
        'bayes': Expect('fail', 'a cat of more inputs than the row allows; bayes divides two feature maps only, not by a constant; torch.div takes qint16 inputs only (a division fed qint8); input dtype must be one of qint8; N must be between 1 and 4096; ops with neither a table row nor a decomposition (see UNSUPPORTED)',
                         ('bayes.cat.inputs', 'bayes.div.constant_operand', 'bayes.div.input_dtype', 'bayes.interpolate.input_dtype', 'bayes.max.batch', 'bayes.unknown_op')),
        'bayes_e': Expect('fail', 'a cat of more inputs than the row allows; torch.div takes qint16 inputs only (a division fed qint8); input dtype must be one of qint8; N must be between 1 and 4096; ops with neither a table row nor a decomposition (see UNSUPPORTED)',
                         ('bayes_e.cat.inputs', 'bayes_e.div.input_dtype', 'bayes_e.interpolate.input_dtype', 'bayes_e.max.batch', 'bayes_e.unknown_op')),
    }),
    'FasterRCNN-MobileNetV3-320': (('aten::__and__', 'aten::where', 'torchvision::nms'), {
        'bernoulli2': Expect('fail', "torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; input dtype must be one of qint8, qint16; output dtype must be one of qint8, qint16; non-4-D cats; torch.clamp is not supported on bernoulli2 (supported on bayes, bayes_e); torch.div is not supported on bernoulli2 (supported on bayes, bayes_e); torch.ge is not supported on bernoulli2 (supported on bayes, bayes_e); torch.gt is not supported on bernoulli2 (supported on bayes, bayes_e); HardSigmoid (hardswish's gate) is not supported; torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); this op is only supported as a model output: its result must not feed another layer; torch.min is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.functional.pad is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); input self dtype must be one of qint8, qint16, qint32; reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e); torch.topk is not supported on bernoulli2 (supported on bayes, bayes_e); ops with neither a table row nor a decomposition (see UNSUPPORTED)",
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.add.input_dtype', 'bernoulli2.add.output_dtype', 'bernoulli2.cat.four_d', 'bernoulli2.cat.input_dtype', 'bernoulli2.cat.output_dtype', 'bernoulli2.clamp.supported', 'bernoulli2.div.supported', 'bernoulli2.exp.four_d', 'bernoulli2.ge.supported', 'bernoulli2.gt.supported', 'bernoulli2.hardsigmoid.supported', 'bernoulli2.linear.supported', 'bernoulli2.max.four_d', 'bernoulli2.max.model_output', 'bernoulli2.min.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.mul.four_d', 'bernoulli2.pad.supported', 'bernoulli2.relu.four_d', 'bernoulli2.sigmoid.four_d', 'bernoulli2.softmax.supported', 'bernoulli2.split.four_d', 'bernoulli2.split.input_dtype', 'bernoulli2.sub.four_d', 'bernoulli2.tensor_getitem.four_d', 'bernoulli2.tensor_getitem.input_self_dtype', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported', 'bernoulli2.topk.supported', 'bernoulli2.unknown_op')),
        'bayes': Expect('fail', 'input dtype must be one of qint8, qint16; output dtype must be one of qint8, qint16; a cat of more inputs than the row allows; bayes divides two feature maps only, not by a constant; torch.div takes qint16 inputs only (a division fed qint8); input dtype must be one of qint8; in_features must be at most 8192; N must be between 1 and 4096; ops with neither a table row nor a decomposition (see UNSUPPORTED)',
                         ('bayes.add.input_dtype', 'bayes.add.output_dtype', 'bayes.cat.input_dtype', 'bayes.cat.inputs', 'bayes.cat.output_dtype', 'bayes.div.constant_operand', 'bayes.div.input_dtype', 'bayes.interpolate.input_dtype', 'bayes.linear.in_features', 'bayes.max.batch', 'bayes.split.input_dtype', 'bayes.unknown_op')),
        'bayes_e': Expect('fail', 'input dtype must be one of qint8, qint16; output dtype must be one of qint8, qint16; a cat of more inputs than the row allows; torch.div takes qint16 inputs only (a division fed qint8); input dtype must be one of qint8; in_features must be at most 8192; N must be between 1 and 4096; ops with neither a table row nor a decomposition (see UNSUPPORTED)',
                         ('bayes_e.add.input_dtype', 'bayes_e.add.output_dtype', 'bayes_e.cat.input_dtype', 'bayes_e.cat.inputs', 'bayes_e.cat.output_dtype', 'bayes_e.div.input_dtype', 'bayes_e.interpolate.input_dtype', 'bayes_e.linear.in_features', 'bayes_e.max.batch', 'bayes_e.split.input_dtype', 'bayes_e.unknown_op')),
    }),
    'GhostNet': ((), {
        'bernoulli2': Expect('fail', "torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); HardSigmoid (hardswish's gate) is not supported; torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); mean is only supported along the channel dimension (dim=1); reshape/flatten is not supported",
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.hardsigmoid.supported', 'bernoulli2.linear.supported', 'bernoulli2.mean.dims', 'bernoulli2.tensor_reshape.supported')),
        'bayes': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, hardsigmoid.precision',
                         ('bayes.adaptive_avg_pool2d.precision', 'bayes.hardsigmoid.precision')),
        'bayes_e': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, hardsigmoid.precision',
                         ('bayes_e.adaptive_avg_pool2d.precision', 'bayes_e.hardsigmoid.precision')),
    }),
    'MobileNetV3-S (timm)': ((), {
        'bernoulli2': Expect('fail', "torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); HardSigmoid (hardswish's gate) is not supported; torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); mean is only supported along the channel dimension (dim=1); reshape/flatten is not supported",
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.hardsigmoid.supported', 'bernoulli2.linear.supported', 'bernoulli2.mean.dims', 'bernoulli2.tensor_reshape.supported')),
        'bayes': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, hardsigmoid.precision',
                         ('bayes.adaptive_avg_pool2d.precision', 'bayes.hardsigmoid.precision')),
        'bayes_e': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, hardsigmoid.precision',
                         ('bayes_e.adaptive_avg_pool2d.precision', 'bayes_e.hardsigmoid.precision')),
    }),
    'RepVGG-A0': ((), {
        'bernoulli2': Expect('fail', 'torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported',
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.linear.supported', 'bernoulli2.tensor_reshape.supported')),
        'bayes': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, batch_norm2d.standalone',
                         ('bayes.adaptive_avg_pool2d.precision', 'bayes.batch_norm2d.standalone')),
        'bayes_e': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, batch_norm2d.standalone',
                         ('bayes_e.adaptive_avg_pool2d.precision', 'bayes_e.batch_norm2d.standalone')),
    }),
    'EfficientViT-M0': ((), {
        'bernoulli2': Expect('fail', 'torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); mean is only supported along the channel dimension (dim=1); torch.nn.functional.pad is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.linear.supported', 'bernoulli2.matmul.four_d', 'bernoulli2.mean.dims', 'bernoulli2.mul.constant_operand', 'bernoulli2.mul.four_d', 'bernoulli2.pad.supported', 'bernoulli2.softmax.supported', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('fail', 'adds broadcast along N (the X5 broadcasts there)',
                         ('bayes.add.broadcast_n',)),
        'bayes_e': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, batch_norm2d.standalone, matmul.rank, sigmoid.precision, softmax.precision',
                         ('bayes_e.adaptive_avg_pool2d.precision', 'bayes_e.batch_norm2d.standalone', 'bayes_e.matmul.rank', 'bayes_e.sigmoid.precision', 'bayes_e.softmax.precision')),
    }),
    'ViT-Tiny': ((), {
        'bernoulli2': Expect('fail', 'both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; non-4-D cats; torch.nn.Layernorm is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.cat.four_d', 'bernoulli2.gelu.four_d', 'bernoulli2.layer_norm.supported', 'bernoulli2.linear.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.softmax.supported', 'bernoulli2.split.four_d', 'bernoulli2.tensor_getitem.four_d', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('fail', 'transposes that move the N dim (attention and decode reshapes)',
                         ('bayes.tensor_transpose.batch_dim',)),
        'bayes_e': Expect('fail', 'transposes that move the N dim (attention and decode reshapes)',
                         ('bayes_e.tensor_transpose.batch_dim',)),
    }),
    'Swin-T (timm)': ((), {
        'bernoulli2': Expect('fail', 'both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; input channels must be at most 2048; torch.nn.Layernorm is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); mean is only supported along the channel dimension (dim=1); torch.nn.functional.pad is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.add.in_channel', 'bernoulli2.gelu.four_d', 'bernoulli2.layer_norm.supported', 'bernoulli2.linear.supported', 'bernoulli2.mean.dims', 'bernoulli2.mean.four_d', 'bernoulli2.mul.constant_operand', 'bernoulli2.pad.supported', 'bernoulli2.softmax.supported', 'bernoulli2.split.four_d', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('fail', 'adds broadcast along N (the X5 broadcasts there); transposes that move the N dim (attention and decode reshapes)',
                         ('bayes.add.broadcast_n', 'bayes.tensor_transpose.batch_dim')),
        'bayes_e': Expect('fail', 'transposes that move the N dim (attention and decode reshapes)',
                         ('bayes_e.tensor_transpose.batch_dim',)),
    }),
    'ConvNeXt-Atto': ((), {
        'bernoulli2': Expect('fail', 'torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Layernorm is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); both operands must be activations: a constant operand (a number or a constant tensor) is not supported; reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.layer_norm.supported', 'bernoulli2.linear.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, gelu.precision, layer_norm.precision',
                         ('bayes.adaptive_avg_pool2d.precision', 'bayes.gelu.precision', 'bayes.layer_norm.precision')),
        'bayes_e': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, gelu.precision, layer_norm.precision',
                         ('bayes_e.adaptive_avg_pool2d.precision', 'bayes_e.gelu.precision', 'bayes_e.layer_norm.precision')),
    }),
    'EfficientFormer-L1': ((), {
        'bernoulli2': Expect('fail', 'both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; torch.div is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Layernorm is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.div.supported', 'bernoulli2.gelu.four_d', 'bernoulli2.layer_norm.supported', 'bernoulli2.linear.supported', 'bernoulli2.mean.four_d', 'bernoulli2.mul.constant_operand', 'bernoulli2.mul.four_d', 'bernoulli2.softmax.supported', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('fail', 'bayes divides two feature maps only, not by a constant; torch.div takes qint16 inputs only (a division fed qint8)',
                         ('bayes.div.constant_operand', 'bayes.div.input_dtype')),
        'bayes_e': Expect('fail', 'torch.div takes qint16 inputs only (a division fed qint8)',
                         ('bayes_e.div.input_dtype',)),
    }),
    'FastViT-T8': ((), {
        'bernoulli2': Expect('fail', 'torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); both operands must be activations: a constant operand (a number or a constant tensor) is not supported; torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); mean is only supported along the channel dimension (dim=1); reshape/flatten is not supported',
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.add.constant_operand', 'bernoulli2.linear.supported', 'bernoulli2.mean.dims', 'bernoulli2.mul.constant_operand', 'bernoulli2.tensor_reshape.supported')),
        'bayes': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, batch_norm2d.standalone, gelu.precision, sigmoid.precision',
                         ('bayes.adaptive_avg_pool2d.precision', 'bayes.batch_norm2d.standalone', 'bayes.gelu.precision', 'bayes.sigmoid.precision')),
        'bayes_e': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision, batch_norm2d.standalone, gelu.precision, sigmoid.precision',
                         ('bayes_e.adaptive_avg_pool2d.precision', 'bayes_e.batch_norm2d.standalone', 'bayes_e.gelu.precision', 'bayes_e.sigmoid.precision')),
    }),
    'EdgeNeXt-XXS': ((), {
        'bernoulli2': Expect('fail', 'torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; torch.clamp is not supported on bernoulli2 (supported on bayes, bayes_e); torch.div is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Layernorm is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); torch.pow is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); torch.sqrt is not supported on bernoulli2 (supported on bayes, bayes_e); sum is only supported along the batch (N) and channel (C) dimensions; torch.Tensor.expand is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.clamp.supported', 'bernoulli2.div.supported', 'bernoulli2.layer_norm.supported', 'bernoulli2.linear.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.mul.four_d', 'bernoulli2.pow.supported', 'bernoulli2.softmax.supported', 'bernoulli2.split.four_d', 'bernoulli2.sqrt.supported', 'bernoulli2.sum.dims', 'bernoulli2.tensor_expand.supported', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('fail', 'torch.div takes qint16 inputs only (a division fed qint8); transposes that move the N dim (attention and decode reshapes)',
                         ('bayes.div.input_dtype', 'bayes.tensor_transpose.batch_dim')),
        'bayes_e': Expect('fail', 'torch.div takes qint16 inputs only (a division fed qint8); transposes that move the N dim (attention and decode reshapes)',
                         ('bayes_e.div.input_dtype', 'bayes_e.tensor_transpose.batch_dim')),
    }),
    'RegNetX-200MF': ((), {
        'bernoulli2': Expect('fail', 'torch.nn.AdaptiveAvgPool2d is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported',
                         ('bernoulli2.adaptive_avg_pool2d.supported', 'bernoulli2.linear.supported', 'bernoulli2.tensor_reshape.supported')),
        'bayes': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision',
                         ('bayes.adaptive_avg_pool2d.precision',)),
        'bayes_e': Expect('warn', 'warnings only: adaptive_avg_pool2d.precision',
                         ('bayes_e.adaptive_avg_pool2d.precision',)),
    }),
    'BERT-base': (('aten::embedding',), {
        'bernoulli2': Expect('fail', 'both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; torch.nn.Layernorm is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e); ops with neither a table row nor a decomposition (see UNSUPPORTED)',
                         ('bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.gelu.four_d', 'bernoulli2.layer_norm.supported', 'bernoulli2.linear.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.softmax.supported', 'bernoulli2.tanh.four_d', 'bernoulli2.tensor_getitem.four_d', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported', 'bernoulli2.unknown_op')),
        'bayes': Expect('fail', 'ops with neither a table row nor a decomposition (see UNSUPPORTED)',
                         ('bayes.unknown_op',)),
        'bayes_e': Expect('fail', 'ops with neither a table row nor a decomposition (see UNSUPPORTED)',
                         ('bayes_e.unknown_op',)),
    }),
    'DistilBERT': (('aten::embedding',), {
        'bernoulli2': Expect('fail', 'both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; torch.nn.Layernorm is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e); ops with neither a table row nor a decomposition (see UNSUPPORTED)',
                         ('bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.gelu.four_d', 'bernoulli2.layer_norm.supported', 'bernoulli2.linear.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.softmax.supported', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported', 'bernoulli2.unknown_op')),
        'bayes': Expect('fail', 'ops with neither a table row nor a decomposition (see UNSUPPORTED)',
                         ('bayes.unknown_op',)),
        'bayes_e': Expect('fail', 'ops with neither a table row nor a decomposition (see UNSUPPORTED)',
                         ('bayes_e.unknown_op',)),
    }),
    'GPT-2': (('aten::embedding',), {
        'bernoulli2': Expect('fail', 'both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; torch.nn.Layernorm is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); torch.pow is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e); ops with neither a table row nor a decomposition (see UNSUPPORTED)',
                         ('bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.layer_norm.supported', 'bernoulli2.linear.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.mul.four_d', 'bernoulli2.pow.supported', 'bernoulli2.softmax.supported', 'bernoulli2.split.four_d', 'bernoulli2.tanh.four_d', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported', 'bernoulli2.unknown_op')),
        'bayes': Expect('fail', 'ops with neither a table row nor a decomposition (see UNSUPPORTED)',
                         ('bayes.unknown_op',)),
        'bayes_e': Expect('fail', 'ops with neither a table row nor a decomposition (see UNSUPPORTED)',
                         ('bayes_e.unknown_op',)),
    }),
    'ViT-B/16 (HF)': ((), {
        'bernoulli2': Expect('fail', 'both operands must be activations: a constant operand (a number or a constant tensor) is not supported; tensors that are not 4-D; non-4-D cats; torch.nn.Layernorm is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.add.constant_operand', 'bernoulli2.add.four_d', 'bernoulli2.cat.four_d', 'bernoulli2.gelu.four_d', 'bernoulli2.layer_norm.supported', 'bernoulli2.linear.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.softmax.supported', 'bernoulli2.tensor_getitem.four_d', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('warn', 'warnings only: cat.rank, gelu.precision, layer_norm.input_hw, layer_norm.precision, softmax.precision',
                         ('bayes.cat.rank', 'bayes.gelu.precision', 'bayes.layer_norm.input_hw', 'bayes.layer_norm.precision', 'bayes.softmax.precision')),
        'bayes_e': Expect('warn', 'warnings only: cat.rank, gelu.precision, layer_norm.input_hw, layer_norm.precision, softmax.precision',
                         ('bayes_e.cat.rank', 'bayes_e.gelu.precision', 'bayes_e.layer_norm.input_hw', 'bayes_e.layer_norm.precision', 'bayes_e.softmax.precision')),
    }),
    'MobileViT-S': ((), {
        'bernoulli2': Expect('fail', 'tensors that are not 4-D; torch.div is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Layernorm is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); mean is only supported along the channel dimension (dim=1); torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.add.four_d', 'bernoulli2.div.supported', 'bernoulli2.layer_norm.supported', 'bernoulli2.linear.supported', 'bernoulli2.mean.dims', 'bernoulli2.mean.four_d', 'bernoulli2.silu.four_d', 'bernoulli2.softmax.supported', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('fail', 'bayes divides two feature maps only, not by a constant; torch.div takes qint16 inputs only (a division fed qint8); a softmax fed qint16',
                         ('bayes.div.constant_operand', 'bayes.div.input_dtype', 'bayes.softmax.input_dtype')),
        'bayes_e': Expect('fail', 'torch.div takes qint16 inputs only (a division fed qint8); a softmax fed qint16',
                         ('bayes_e.div.input_dtype', 'bayes_e.softmax.input_dtype')),
    }),
    'SegFormer-B0': ((), {
        'bernoulli2': Expect('fail', 'tensors that are not 4-D; input channels must be at most 2048; torch.nn.Layernorm is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); both operands must be activations: a constant operand (a number or a constant tensor) is not supported; torch.nn.Softmax is not supported on bernoulli2 (supported on bayes, bayes_e); reshape/flatten is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.add.four_d', 'bernoulli2.add.in_channel', 'bernoulli2.gelu.four_d', 'bernoulli2.layer_norm.supported', 'bernoulli2.linear.supported', 'bernoulli2.mul.constant_operand', 'bernoulli2.softmax.supported', 'bernoulli2.tensor_reshape.supported', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('fail', 'matmuls with a dim above 8192',
                         ('bayes.matmul.chw',)),
        'bayes_e': Expect('fail', 'matmuls with a dim above 8192',
                         ('bayes_e.matmul.chw',)),
    }),
    'ConvNeXt-T (HF)': ((), {
        'bernoulli2': Expect('fail', 'torch.nn.Layernorm is not supported on bernoulli2 (supported on bayes, bayes_e); torch.nn.Linear is not supported on bernoulli2 (supported on bayes, bayes_e); mean is only supported along the channel dimension (dim=1); tensors that are not 4-D; both operands must be activations: a constant operand (a number or a constant tensor) is not supported; torch.Tensor.transpose is not supported on bernoulli2 (supported on bayes, bayes_e)',
                         ('bernoulli2.layer_norm.supported', 'bernoulli2.linear.supported', 'bernoulli2.mean.dims', 'bernoulli2.mean.four_d', 'bernoulli2.mul.constant_operand', 'bernoulli2.tensor_transpose.supported')),
        'bayes': Expect('warn', 'warnings only: gelu.precision, layer_norm.precision',
                         ('bayes.gelu.precision', 'bayes.layer_norm.precision')),
        'bayes_e': Expect('warn', 'warnings only: gelu.precision, layer_norm.precision',
                         ('bayes_e.gelu.precision', 'bayes_e.layer_norm.precision')),
    }),
}
