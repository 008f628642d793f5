"""Issue 9: BPU/CPU partition with --fallback cpu, cost estimates, and --march all."""

from __future__ import annotations

import json

import torch
from torch import nn

from qcheck.api import Options, check, check_all_marches
from qcheck.capture import InputSpec
from tests.helpers import ROOT, run_cli, validate_report

SPLIT = f"{ROOT}/tests/eager_models.py:ThreeParts"  # three BPU subgraphs around two CPU layers


def test_fallback_cpu_splits_into_three_subgraphs():
    result = run_cli(SPLIT, "--march", "bernoulli2", "--input-shape", "1x3x16x16",
                     "--fallback", "cpu", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    validate_report(data)
    partition = data["partition"]
    assert partition["subgraph_count"] == 3
    assert [s["layers"] for s in partition["subgraphs"]] == [["conv1"], ["conv2"], ["conv3"]]
    assert partition["cuts"] == ["soft1", "soft2"]
    assert partition["transfers"] == 4
    statuses = {layer["name"]: (layer["status"], layer["subgraph"], layer["fallback"]) for layer in data["layers"]}
    assert statuses["soft1"] == ("cpu", None, True)
    assert statuses["conv2"] == ("pass", 2, False)
    # Without the fallback the same model fails, and the partition still says where it would cut.
    failing = run_cli(SPLIT, "--march", "bernoulli2", "--input-shape", "1x3x16x16",
                      "--format", "json")
    assert failing.returncode == 1
    assert json.loads(failing.stdout)["partition"]["subgraph_count"] == 3


class AroundTheCpu(nn.Module):
    """conv1 -> softmax (CPU on bernoulli2) -> add, and conv1 -> conv2 -> add: a branch skips the
    CPU layer. conv1, conv2 and add are connected through BPU edges alone, but the add waits on
    the softmax, which waits on conv1: one subgraph would wait on itself."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 1)
        self.soft = nn.Softmax(dim=1)
        self.conv2 = nn.Conv2d(8, 8, 1)

    def forward(self, x):
        y = self.conv1(x)
        return self.conv2(y) + self.soft(y)


def test_a_branch_around_a_cpu_layer_does_not_join_the_subgraphs_it_separates():
    options = Options(march="bernoulli2", inputs=[InputSpec((1, 3, 8, 8))], fallback="cpu")
    report = check(AroundTheCpu().eval(), options)
    partition = report.partition
    assert [[name.split(":")[-1] for name in s["layers"]] for s in partition["subgraphs"]] == [
        ["conv1", "conv2"], [next(l.name for l in report.layers if l.op == "torch.add")]]
    assert partition["cuts"] == ["soft"]
    # into the softmax, out of it, and conv2's result crossing into the second subgraph
    assert partition["transfers"] == 3


def test_whole_model_on_one_subgraph():
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 8, 3)).eval()
    report = check(model, Options(march="bayes", inputs=[InputSpec((1, 3, 16, 16))]))
    assert report.partition["subgraph_count"] == 1
    assert report.partition["transfers"] == 0
    assert "good" in report.partition["verdict"]


def test_cost_of_a_conv_and_a_linear_matches_hand_computation():
    class ConvThenLinear(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(16, 32, 3, padding=1)
            self.linear = nn.Linear(32, 10)

        def forward(self, x):
            y = self.conv(x)  # [1, 32, 8, 8]
            return self.linear(y.mean(dim=(2, 3)))  # [1, 32] -> [1, 10]

    report = check(ConvThenLinear().eval(), Options(march="bayes", inputs=[InputSpec((1, 16, 8, 8))],
                                                    advice=0.0))
    conv = next(layer for layer in report.layers if layer.name == "conv")
    linear = next(layer for layer in report.layers if layer.name == "linear")
    # conv: every output element (32*8*8) accumulates 16 input channels x 3 x 3 taps.
    assert conv.cost["macs"] == 32 * 8 * 8 * 16 * 3 * 3
    # bytes: qint8 input 16*8*8 + qint8 output 32*8*8 + qint8 weight 32*16*3*3 + qint32 bias 32*4.
    assert conv.cost["bytes"] == 16 * 8 * 8 + 32 * 8 * 8 + 32 * 16 * 3 * 3 + 32 * 4
    assert linear.cost["macs"] == 10 * 32
    assert linear.cost["bytes"] == 32 + 10 + 10 * 32 + 10 * 4
    # Roofline on bayes (rules/marches.yaml perf): the slower of compute and memory.
    perf = report.advice["assumed"]
    expected = max(conv.cost["macs"] / (perf["tops"] * 1e12 / 2), conv.cost["bytes"] / (perf["bandwidth_gbs"] * 1e9))
    assert abs(conv.cost["estimate_us"] - expected * 1e6) < 1e-3
    names = [item["name"] for item in report.advice["layers"]]
    assert names[0] == "conv" and "linear" in names


def test_all_marches_on_a_real_architecture():
    from transformers import ResNetConfig, ResNetModel

    torch.manual_seed(0)
    model = ResNetModel(ResNetConfig(embedding_size=8, hidden_sizes=[8, 16], depths=[1, 1], layer_type="basic"))
    reports = check_all_marches(model.eval(), Options(inputs=[InputSpec((1, 3, 32, 32))]))
    assert [r.march for r in reports] == ["bernoulli2", "bayes", "bayes_e"]
    assert len({len(r.layers) for r in reports}) == 1  # one capture, the same layers
    assert reports[1].verdict != "fail" and reports[2].verdict != "fail"
    from qcheck.render import render

    text = render(reports, "rich")
    assert "every march" in text and "runs the model whole: " in text
    for march in ("bernoulli2", "bayes", "bayes_e"):
        assert march in text


class FunctionalConv(nn.Module):
    """F.conv2d with its weight held as a parameter or as a registered buffer (as a model whose
    weights are computed once and frozen keeps them)."""

    def __init__(self, as_buffer: bool):
        super().__init__()
        weight = torch.randn(32, 16, 3, 3)
        if as_buffer:
            self.register_buffer("weight", weight)
        else:
            self.weight = nn.Parameter(weight)

    def forward(self, x):
        return torch.nn.functional.conv2d(x, self.weight, padding=1)


def test_a_weight_held_as_a_buffer_costs_as_a_weight():
    # Once the cost counted only parameters and constants as weights: a buffer weight was moved
    # at its float32 size (4 bytes an element) instead of the march's qint8 weight dtype.
    costs = []
    for as_buffer in (False, True):
        report = check(FunctionalConv(as_buffer).eval(), Options(march="bayes", inputs=[InputSpec((1, 16, 8, 8))],
                                                                   advice=0.0))
        (conv,) = [layer for layer in report.layers if layer.op == "torch.nn.Conv2d"]
        costs.append(conv.cost)
    # qint8 input 16*8*8 + qint8 output 32*8*8 + qint8 weight 32*16*3*3, no bias.
    assert costs[0]["bytes"] == costs[1]["bytes"] == 16 * 8 * 8 + 32 * 8 * 8 + 32 * 16 * 3 * 3
    assert costs[0]["macs"] == costs[1]["macs"] == 32 * 8 * 8 * 16 * 3 * 3


def test_a_pooling_window_costs_its_own_dims():
    # Every pooling op is costed by its window, whose dims are the pool's own: a kernel given as
    # one number spans 1 dim in 1-D (once it was squared as if 2-D), 3 in 3-D (once not a pool).
    def pool_macs(pool, shape):
        report = check(nn.Sequential(pool).eval(), Options(march="bayes", inputs=[InputSpec(shape)], advice=0.0))
        (layer,) = report.layers
        return layer.targets, layer.cost["macs"]

    assert pool_macs(nn.MaxPool1d(3), (1, 4, 12)) == (["aten::max_pool1d"], 4 * 4 * 3)  # [1, 4, 4] out
    assert pool_macs(nn.MaxPool3d(2), (1, 1, 4, 4, 4)) == (["aten::max_pool3d"], 2 * 2 * 2 * 8)  # 2x2x2 taps
    assert pool_macs(nn.MaxPool2d(3), (1, 2, 6, 6)) == (["aten::max_pool2d"], 2 * 2 * 2 * 9)
