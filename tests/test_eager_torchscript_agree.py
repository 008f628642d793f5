"""Eager and TorchScript must agree (DESIGN.md): the same model captured with torch.export
(qcheck.capture.capture) and as a TorchScript file (torch.jit.trace(strict=False), torch.jit.save,
qcheck.capture.capture_file) gives the same layers with the same statuses on every march.

For each model: at least 99% of the layers of either capture pair with a layer of the other
(tests/agreement.py says how they are paired), at least 99% of the pairs have the same status, and
no failing layer exists only in TorchScript. Small real modules first, one per way the two paths
used to differ; then real models of torchvision, timm, transformers and ultralytics.

Print the figures per model (layer counts, pairs, what differs) with

    PYTHONPATH=. python -m tests.test_eager_torchscript_agree [NAME ...]
"""

from __future__ import annotations

import os
import tempfile
import time
import warnings
from dataclasses import dataclass

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tests.agreement import Agreement, compare, layer_key

# trace/save/load are deprecated upstream; that is torch's business, not this test's
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning",
                                        "ignore::torch.jit.TracerWarning")


def capture_both(model: nn.Module, example: tuple, folder: str):
    """(eager graph, TorchScript graph) of one model on one example. The trace is of a copy made
    before the export: a model may cache tensors during forward (ultralytics' Detect keeps its
    anchors), and those an export leaves behind are fake tensors no trace can run."""
    import copy

    from qcheck.capture import capture, capture_file

    model.eval()
    untouched = copy.deepcopy(model)
    eager = capture(model, example_inputs=example)
    path = os.path.join(folder, "model.pt")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the model's own TracerWarnings
        torch.jit.save(torch.jit.trace(untouched, example, strict=False, check_trace=False), path)
    return eager, capture_file(path, None, example)


def agree(model: nn.Module, example: tuple, rules) -> tuple[list[Agreement], dict[str, float]]:
    """Capture both ways, check on every march, compare; with the seconds each part took."""
    from qcheck.api import check_graph
    from qcheck.options import Options

    times = {}
    with tempfile.TemporaryDirectory(prefix="qcheck-agree-") as folder:
        started = time.perf_counter()
        eager, script = capture_both(model, example, folder)
        times["capture"] = time.perf_counter() - started
    started = time.perf_counter()
    found = [compare(check_graph(eager, "eager", Options(march=march), rules),
                     check_graph(script, "torchscript", Options(march=march), rules))
             for march in rules.marches]
    times["check"] = time.perf_counter() - started
    return found, times


def assert_agree(found: list[Agreement]) -> None:
    for each in found:
        assert each.paired >= 0.99, each.describe()
        assert each.same_status >= 0.99, each.describe()
        assert not each.failing_only_in_script, each.describe()


def _reports(model: nn.Module, example: tuple, march: str, rules):
    from qcheck.api import check_graph
    from qcheck.options import Options

    with tempfile.TemporaryDirectory(prefix="qcheck-agree-") as folder:
        eager, script = capture_both(model, example, folder)
    return [check_graph(graph, "m", Options(march=march), rules) for graph in (eager, script)]


# ------------------------------------------------------------------------- one module per cause


class ShapeArithmetic(nn.Module):
    """ShuffleNet's channel shuffle (`channels // groups`) and Swin's window padding (`%`)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 1)

    def forward(self, x):
        x = self.conv(x)
        b, c, h, w = x.shape
        x = x.view(b, 2, c // 2, h, w).transpose(1, 2).reshape(b, c, h, w)
        pad_h, pad_w = (4 - h % 4) % 4, (4 - w % 4) % 4
        return F.pad(x, (0, pad_w, 0, pad_h))


@pytest.mark.parametrize("march", ["bernoulli2", "bayes", "bayes_e"])
def test_shape_arithmetic_is_never_a_layer(march, rules):
    eager, script = _reports(ShapeArithmetic(), (torch.rand(1, 8, 6, 6),), march, rules)
    for report in (eager, script):
        assert not [layer.op for layer in report.layers if any(t.shape == [] for t in layer.outputs)]
    assert [layer_key(layer) for layer in script.layers] == [layer_key(layer) for layer in eager.layers]
    assert [layer.status for layer in script.layers] == [layer.status for layer in eager.layers]


class ScaledByTheHeadSize(nn.Module):
    """Swin's `q * (C // num_heads) ** -0.5` and a plain `x * 2.0`."""

    def forward(self, q):
        c = q.shape[-1]
        return q * (c // 2) ** -0.5 * 2.0


@pytest.mark.parametrize("march", ["bernoulli2", "bayes", "bayes_e"])
def test_a_python_number_operand_is_a_scalar_not_a_broadcast(march, rules):
    eager, script = _reports(ScaledByTheHeadSize(), (torch.rand(1, 3, 49, 32),), march, rules)
    for report in (eager, script):
        assert [layer.op for layer in report.layers] == ["torch.mul", "torch.mul"]
        assert not [f.rule for _, f in report.findings() if "broadcast" in f.rule]
    assert [layer.status for layer in script.layers] == [layer.status for layer in eager.layers]


class GhostSlice(nn.Module):
    """GhostNet's `out[:, :self.out_chs]`, whole when the channels are exactly out_chs; then a
    slice that does cut."""

    def __init__(self):
        super().__init__()
        self.primary = nn.Conv2d(4, 4, 1)
        self.cheap = nn.Conv2d(4, 4, 3, padding=1, groups=4)

    def forward(self, x):
        x = self.primary(x)
        out = torch.cat([x, self.cheap(x)], dim=1)
        return out[:, :8], out[:, :6]


def test_a_slice_over_the_whole_dimension_is_not_a_layer(rules):
    eager, script = _reports(GhostSlice(), (torch.rand(1, 4, 8, 8),), "bayes", rules)
    for report in (eager, script):
        slices = [layer for layer in report.layers if layer.op == "torch.Tensor.__getitem__"]
        assert [layer.outputs[0].shape for layer in slices] == [[1, 6, 8, 8]]


class Strides(nn.Module):
    """ultralytics' make_anchors: one stride per level read from a buffer (`self.stride[i]`, a
    scalar export names but lists no output for), filled to the level's size: all constant."""

    def __init__(self):
        super().__init__()
        self.register_buffer("stride", torch.tensor([8.0, 16.0]))

    def forward(self, p3, p4):
        levels = [p3, p4]
        strides = [f.new_full((f.shape[2] * f.shape[3], 1), self.stride[i]) for i, f in enumerate(levels)]
        boxes = torch.cat([f.flatten(2) for f in levels], dim=2)
        return boxes * torch.cat(strides).transpose(0, 1)


@pytest.mark.parametrize("march", ["bernoulli2", "bayes", "bayes_e"])
def test_constants_filled_from_a_buffer_scalar_are_folded(march, rules):
    eager, script = _reports(Strides(), (torch.rand(1, 4, 8, 8), torch.rand(1, 4, 4, 4)), march, rules)
    for report in (eager, script):
        # the data's flatten, cat and scaling are layers; the strides' cat and transpose fold
        assert [(layer.op, layer.outputs[0].shape) for layer in report.layers] == [
            ("torch.Tensor.reshape", [1, 4, 64]), ("torch.Tensor.reshape", [1, 4, 16]),
            ("torch.cat", [1, 4, 80]), ("torch.mul", [1, 4, 80])]
    assert [layer.status for layer in script.layers] == [layer.status for layer in eager.layers]


class StubbedWithCpuTail(nn.Module):
    """A float model with its BPU region marked, and a tail the BPU cannot run after it."""

    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        y = self.conv(self.quant(x))
        return F.gelu(self.dequant(y)).softmax(dim=1)


@pytest.mark.parametrize("march", ["bernoulli2", "bayes", "bayes_e"])
def test_stub_boundaries_survive_a_traced_float_model(march, rules):
    eager, script = _reports(StubbedWithCpuTail(), (torch.rand(1, 3, 16, 16),), march, rules)
    for report in (eager, script):
        described = [(layer.module_path, layer.op, layer.region, layer.status) for layer in report.layers]
        assert described[:3] == [("quant", "torch.quantization.QuantStub", "bpu", "pass"),
                                 ("conv", "torch.nn.Conv2d", "bpu", "pass"),
                                 ("dequant", "torch.quantization.DeQuantStub", "bpu", "pass")]
        assert [(region, status) for _, _, region, status in described[3:]] == [("cpu", "cpu")] * 2
    assert "inferred" not in " ".join(eager.notes)
    assert any("QuantStub/DeQuantStub" in note for note in script.notes)  # says it placed them


class TwoHeads(nn.Module):
    """Two DeQuantStubs called one after the other: each marks its own head's output."""

    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.box = nn.Conv2d(3, 4, 1)
        self.cls = nn.Conv2d(3, 2, 1)
        self.dequant_box = torch.ao.quantization.DeQuantStub()
        self.dequant_cls = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        box, cls = self.box(x), self.cls(x)
        return self.dequant_box(box).exp(), self.dequant_cls(cls).sigmoid()


def test_consecutive_stubs_mark_one_tensor_each(rules):
    eager, script = _reports(TwoHeads(), (torch.rand(1, 3, 8, 8),), "bernoulli2", rules)
    for report in (eager, script):
        stubs = {layer.module_path: layer.after for layer in report.layers if layer.op.endswith("DeQuantStub")}
        assert sorted(stubs) == ["dequant_box", "dequant_cls"]
        assert [name.split(":")[0] for name in stubs["dequant_box"]] == ["box"]
        assert [name.split(":")[0] for name in stubs["dequant_cls"]] == ["cls"]
        assert {layer.region for layer in report.layers if layer.op in ("torch.exp", "torch.sigmoid")} == {"cpu"}
    assert [layer.status for layer in script.layers] == [layer.status for layer in eager.layers]


class SplitAndListed(nn.Module):
    """chunk and unbind return lists in TorchScript; two ModuleLists share their indices."""

    def __init__(self):
        super().__init__()
        self.qkvs = nn.ModuleList([nn.Conv2d(4, 12, 1), nn.Conv2d(4, 12, 1)])
        self.dws = nn.ModuleList([nn.Conv2d(4, 4, 3, padding=1, groups=4), nn.Conv2d(4, 4, 3, padding=1, groups=4)])

    def forward(self, x):
        outs = []
        for qkv, dw in zip(self.qkvs, self.dws):
            q, k, v = qkv(x).chunk(3, dim=1)
            outs.append(dw(q) + k * v)
        a, b = torch.stack(outs).unbind(0)
        return a + b


@pytest.mark.parametrize("march", ["bernoulli2", "bayes", "bayes_e"])
def test_list_outputs_and_module_lists_agree(march, rules):
    found = [compare(*_reports(SplitAndListed(), (torch.rand(1, 4, 8, 8),), march, rules))]
    assert found[0].paired == 1.0 and found[0].same_status == 1.0, found[0].describe()
    eager, script = _reports(SplitAndListed(), (torch.rand(1, 4, 8, 8),), march, rules)
    paths = sorted(layer.module_path for layer in script.layers if layer.op == "torch.nn.Conv2d")
    assert paths == ["dws.0", "dws.1", "qkvs.0", "qkvs.1"]
    for report in (eager, script):  # the op makes the three tensors, whichever capture
        chunks = [layer for layer in report.layers if layer.targets[:1] == ["aten::chunk"]]
        assert [len(layer.outputs) for layer in chunks] == [3, 3], [layer.op for layer in chunks]


# ------------------------------------------------------------------------------- real models


@dataclass(frozen=True)
class Case:
    name: str  # "library:architecture"
    library: str  # what pytest.importorskip needs

    def build(self) -> tuple[nn.Module, tuple]:
        source, _, arch = self.name.partition(":")
        image = (torch.rand(1, 3, 224, 224),)
        if source == "tv":
            import torchvision

            return torchvision.models.get_model(arch, weights=None), image
        if source == "timm":
            import timm

            return timm.create_model(arch, pretrained=False), image
        if source == "hf":
            import transformers

            small = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=128,
                         torchscript=True)
            if arch == "bert":
                return transformers.BertModel(transformers.BertConfig(**small)), (torch.ones(1, 32, dtype=torch.long),)
            return transformers.ViTModel(transformers.ViTConfig(image_size=224, patch_size=16, **small)), image
        if source == "yolo":
            from ultralytics.nn.tasks import DetectionModel

            model = DetectionModel(f"{arch}.yaml", verbose=False)
            # As ultralytics' exporter sets it: the head returns its decoded predictions alone,
            # not with the dict of raw ones (a trace's outputs must be tensors).
            model.model[-1].export = True
            return model, (torch.rand(1, 3, 320, 320),)
        raise ValueError(self.name)


# All of them take about 2 minutes on one core (capture both ways and check three marches:
# EfficientViT-M0 and Swin-T the slowest, about 11 s each).
CORPUS = (
    Case("tv:resnet50", "torchvision"),
    Case("tv:mobilenet_v3_small", "torchvision"),
    Case("tv:shufflenet_v2_x1_0", "torchvision"),
    Case("tv:efficientnet_b0", "torchvision"),
    Case("tv:swin_t", "torchvision"),
    Case("tv:vit_b_16", "torchvision"),
    Case("tv:squeezenet1_0", "torchvision"),
    Case("tv:regnet_y_400mf", "torchvision"),
    Case("tv:convnext_tiny", "torchvision"),
    Case("timm:ghostnet_100", "timm"),
    Case("timm:mobilenetv3_small_100", "timm"),
    Case("timm:repvgg_a0", "timm"),
    Case("timm:efficientvit_m0", "timm"),
    Case("timm:vit_tiny_patch16_224", "timm"),
    Case("timm:swin_tiny_patch4_window7_224", "timm"),
    Case("timm:convnext_atto", "timm"),
    Case("hf:bert", "transformers"),
    Case("hf:vit", "transformers"),
    Case("yolo:yolov8n", "ultralytics"),
)


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.name)
def test_real_model_agrees(case: Case, rules):
    pytest.importorskip(case.library)
    if case.library in ("timm", "ultralytics"):
        pytest.importorskip("torchvision")
    os.environ.setdefault("YOLO_OFFLINE", "1")
    model, example = case.build()
    found, _ = agree(model, example, rules)
    assert_agree(found)


def main(names: list[str]) -> None:
    import sys

    from qcheck.rules import load_rules

    os.environ.update(HF_HUB_OFFLINE="1", YOLO_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    warnings.simplefilter("ignore")
    rules = load_rules()
    for case in [case for case in CORPUS if not names or case.name in names]:
        started = time.perf_counter()
        try:
            model, example = case.build()
            found, times = agree(model, example, rules)
        except Exception as error:  # measuring: say what broke and go on
            print(f"== {case.name}: {type(error).__name__}: {str(error).splitlines()[0][:300]}", flush=True)
            continue
        print(f"== {case.name} ({time.perf_counter() - started:.1f} s: capture {times['capture']:.1f} s, "
              f"check {times['check']:.1f} s)")
        for each in found:
            print(each.describe())
        sys.stdout.flush()


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
