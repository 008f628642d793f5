"""Composites: ops that are not table rows but compositions of rows (rules/composites.yaml), judged
through their decomposition; and constants built from sizes, which the compiler folds.

The probes (tests/probes/composites.py) hold each composite at and just past its parts' limits.
Here: the rule-file format is validated strictly, the report and every renderer say what a
composite layer was judged as, `explain` / `rules` show the decomposition, anchors built from
sizes are structural, and real models have no composite left unknown."""

from __future__ import annotations

import importlib.util
import json
import os
import tempfile

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from qcheck.api import Options, check_graph
from qcheck.capture import InputSpec, capture, capture_file, example_tensors
from qcheck.errors import QcheckError
from qcheck.mapping import map_graph
from qcheck.render import render
from qcheck.report import Report
from qcheck.rules import load_rules
from tests.helpers import run_cli, validate_report

# ------------------------------------------------------------------ the format, validated strictly

GOOD_PART = """\
composites:
  - name: team.Swish
    id: team_swish
    formula: "x * sigmoid(x)"
    match:
      ops: [aten::hardswish]
    arguments: [self]
    tensors:
      gate: "self"
    parts:
{parts}
"""
SIGMOID = "      - {id: gate, as: torch.nn.Sigmoid, op: aten::sigmoid, args: {self: self}, out: gate}\n"
MUL = "      - {id: product, as: torch.mul, op: aten::mul, args: {self: self, other: gate}, out: out}\n"


def _load(tmp_path, text: str):
    path = tmp_path / "team.yaml"
    path.write_text(text)
    return load_rules([str(path)])


def test_a_team_file_can_add_a_composite_or_replace_one(tmp_path):
    rules = _load(tmp_path, GOOD_PART.format(parts=SIGMOID + MUL))
    composite = rules.composites["team.Swish"]
    assert composite.judged_as == ["torch.nn.Sigmoid", "torch.mul"]
    # As for rows, the first entry naming an op wins: the shipped hardswish, then the team's.
    assert [c.name for c in rules.composite_candidates("aten::hardswish")] == ["torch.nn.Hardswish", "team.Swish"]
    replaced = _load(tmp_path, GOOD_PART.format(parts=SIGMOID + MUL).replace("name: team.Swish", "name: torch.nn.Hardswish")
                     .replace("id: team_swish", "id: hardswish"))
    assert replaced.composite_candidates("aten::hardswish")[0].judged_as == ["torch.nn.Sigmoid", "torch.mul"]


@pytest.mark.parametrize("parts, line, message", [
    (SIGMOID.replace("torch.nn.Sigmoid", "torch.nn.Sigmoidd") + MUL, 11,
     "judged as 'torch.nn.Sigmoidd', which is not an operator of the rule files"),
    (SIGMOID.replace("aten::sigmoid", "aten::tanh") + MUL, 11, "torch.nn.Sigmoid does not match aten::tanh"),
    (SIGMOID + MUL.replace("other: gate", "other: gait"), 12, "'gait'"),
    (MUL + SIGMOID, 11, "tensor 'gate' is read before a part writes it"),
    (SIGMOID + MUL.replace("out: out", "out: gate"), 2, "no part writes the op's output"),
    (SIGMOID + SIGMOID, 12, "part id 'gate' appears twice"),
    (SIGMOID.replace("out: gate", "outt: gate") + MUL, 11, "unknown key 'outt'"),
    (SIGMOID.replace("op: aten::sigmoid", "op: sigmoid") + MUL, 11, "is not an op name"),
    (SIGMOID.replace("args: {self: self}", "views: {self: self}") + MUL, 11, "views are for a part without op"),
    (SIGMOID + MUL.replace("other: gate", "other: 'gate[0] +'"), 12, "syntax error"),
])
def test_a_bad_composite_names_its_file_and_line(tmp_path, parts, line, message):
    with pytest.raises(QcheckError) as error:
        _load(tmp_path, GOOD_PART.format(parts=parts))
    text = str(error.value)
    assert text.startswith(f"{tmp_path / 'team.yaml'}: line {line}: "), text
    assert message in text, text


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace('gate: "self"', 'gate: "selff[0]"'), "unknown name 'selff'"),
    (lambda t: t.replace('gate: "self"', 'gate: "self.__class__"'), "Attribute is not allowed"),
    (lambda t: t.replace("name: team.Swish", "name: torch.mul"), "has the name of a table row"),
    (lambda t: t.replace("id: team_swish", "id: conv2d"), "already used by torch.nn.Conv2d"),
    (lambda t: t.replace("arguments: [self]", "arguments: [self, out]"), "'out' is the op's output"),
    (lambda t: t.replace("    tensors:\n", "    tensors:\n      unused: self\n"), "no part writes tensor 'unused'"),
])
def test_bad_composite_declarations_are_refused(tmp_path, edit, message):
    with pytest.raises(QcheckError) as error:
        _load(tmp_path, edit(GOOD_PART.format(parts=SIGMOID + MUL)))
    assert message in str(error.value) and str(error.value).startswith(str(tmp_path / "team.yaml")), str(error.value)


def test_a_bad_composite_is_one_line_and_exit_2_on_the_command_line(tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text(GOOD_PART.format(parts=SIGMOID.replace("torch.nn.Sigmoid", "torch.nn.Nope") + MUL))
    result = run_cli("examples/seed_net.py:Net", "--march", "bayes", "--input-shape", "1x1x28x28",
                     "--rules", str(path))
    assert result.returncode == 2, result.stderr
    assert "team.yaml: line 11:" in result.stderr and "torch.nn.Nope" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


# ------------------------------------------------------------------ what the report says


class Block(nn.Module):
    """A hardswish (module), a chunk and an attention: three composites in one small model."""

    def __init__(self):
        super().__init__()
        self.act = nn.Hardswish()

    def forward(self, x, q, k, v):
        a, b = self.act(x).chunk(2, dim=1)
        return a + b, F.scaled_dot_product_attention(q, k, v)


SHAPES = [(1, 2050, 2, 2), (1, 1, 8193, 4), (1, 1, 3, 4), (1, 1, 3, 4)]  # C past mul's limit, L past matmul's


@pytest.fixture(scope="module")
def block_graph():
    return capture(Block(), [InputSpec(shape) for shape in SHAPES])


def _report(graph, march, rules):
    return check_graph(graph, "block", Options(march=march), rules)


def test_each_composite_layer_says_what_it_was_judged_as(block_graph, rules):
    report = _report(block_graph, "bernoulli2", rules)
    by_op = {layer.op: layer for layer in report.layers}
    hardswish = by_op["torch.nn.Hardswish"]
    assert hardswish.name == "act" and hardswish.module_type == "Hardswish"
    assert hardswish.judged_as == ["torch.nn.HardSigmoid", "torch.mul"]
    assert [(f.rule, f.part) for f in hardswish.findings] == [
        ("bernoulli2.hardsigmoid.supported", "gate"), ("bernoulli2.mul.in_channel", "product")]
    assert hardswish.findings[1].message.startswith("part product (torch.mul): input channels must be at most 2048")
    assert "C=2050" in hardswish.findings[1].message
    assert by_op["torch.chunk"].judged_as == ["torch.split"]
    attention = by_op["torch.nn.functional.scaled_dot_product_attention"]
    assert attention.judged_as == ["torch.matmul", "torch.mul", "torch.nn.Softmax", "torch.matmul"]
    assert report.nodes["unknown"] == 0


def test_part_findings_read_real_shapes_and_dtypes(block_graph, rules):
    bayes = {layer.op: layer for layer in _report(block_graph, "bayes", rules).layers}
    attention = bayes["torch.nn.functional.scaled_dot_product_attention"]
    chw = [f for f in attention.findings if f.rule == "bayes.matmul.chw"]
    assert [f.part for f in chw] == ["scores", "weighted"]
    assert chw[0].observed["H"] == 8193 and chw[0].observed["other_W"] == 3  # q [.., L, E] @ k^T [.., E, S]
    assert chw[1].observed["H"] == 8193 and chw[1].observed["W"] == 3  # weights [.., L, S] @ v [.., S, E]
    qint16 = check_graph(block_graph, "block", Options(march="bayes", activation_dtype="qint16"), rules)
    softmax = [f for layer in qint16.layers for f in layer.findings if f.part == "softmax"]
    assert [f.rule for f in softmax] == ["bayes.softmax.input_dtype", "bayes.softmax.precision"]
    assert "qint16" in softmax[0].message  # the scores matmul outputs qint16, which the softmax refuses


def test_json_carries_judged_as_and_parts_and_reads_back(block_graph, rules):
    report = _report(block_graph, "bernoulli2", rules)
    data = json.loads(render(report, "json"))
    validate_report(data)
    layer = next(item for item in data["layers"] if item["op"] == "torch.nn.Hardswish")
    assert layer["judged_as"] == ["torch.nn.HardSigmoid", "torch.mul"]
    assert layer["parts"] == [{"part": "gate", "row": "torch.nn.HardSigmoid"}, {"part": "product", "row": "torch.mul"}]
    assert [f["part"] for f in layer["findings"]] == ["gate", "product"]
    plain = next(item for item in data["layers"] if item["op"] == "torch.add")
    assert "judged_as" not in plain and all("part" not in f for f in plain["findings"])
    again = Report.from_dict(data)
    assert again.to_dict() == report.to_dict()


def test_every_renderer_shows_what_a_composite_was_judged_as(block_graph, rules):
    report = _report(block_graph, "bernoulli2", rules)
    judged = "judged as torch.nn.HardSigmoid + torch.mul"
    assert judged in render(report, "rich", width=400)
    assert f"`torch.nn.Hardswish` ({judged})" in render(report, "markdown")
    assert judged in render(report, "html")
    assert f"act (torch.nn.Hardswish, {judged}): part product (torch.mul)" in render(report, "github")
    assert f"act (torch.nn.Hardswish; {judged})" in render(report, "junit")
    sarif = json.loads(render(report, "sarif"))
    parts = {(r["ruleId"], r["properties"].get("part")) for r in sarif["runs"][0]["results"]
             if r["properties"]["op"] == "torch.nn.Hardswish"}
    assert parts == {("bernoulli2.hardsigmoid.supported", "gate"), ("bernoulli2.mul.in_channel", "product")}


def test_two_parts_breaking_one_rule_are_two_findings_with_their_own_fingerprints(block_graph, rules):
    from qcheck.report import fingerprint

    report = _report(block_graph, "bayes", rules)
    layer = next(item for item in report.layers if item.judged_as and item.judged_as[0] == "torch.matmul")
    prints = {fingerprint(report, layer, f) for f in layer.findings if f.rule == "bayes.matmul.chw"}
    assert len(prints) == 2


# ------------------------------------------------------------------ explain and rules


def test_explain_shows_the_decomposition():
    result = run_cli("explain", "torch.nn.functional.scaled_dot_product_attention")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "judged as: torch.matmul + torch.mul + torch.add + torch.add + torch.nn.Softmax + torch.matmul" in out
    assert "scores       as torch.matmul: aten::matmul(self=query, other=key_t) -> scores" in out
    assert "key_t: shape key[:-2] + (key[-1], key[-2]), key seen so" in out
    assert "composites.yaml:" in out
    by_id = run_cli("explain", "hardswish").stdout
    assert "hardswish(x) = x * hardsigmoid(x)" in by_id and "gate     as torch.nn.HardSigmoid" in by_id


def test_rules_shows_a_composite_and_its_rows():
    text = run_cli("rules", "--op", "torch.unbind", "--march", "bayes").stdout
    assert "judged as: torch.split + torch.Tensor.reshape" in text
    assert "torch.split  [bayes]  supported" in text and "torch.Tensor.reshape  [bayes]  supported" in text
    (entry,) = json.loads(run_cli("rules", "--op", "torch.chunk", "--format", "json").stdout)
    assert entry["composite"] == "torch.chunk" and entry["judged_as"] == ["torch.split"]
    assert entry["parts"][0]["args"]["split_size"] == "(self[dim] + chunks - 1) // chunks"
    assert {row["operator"] for row in entry["rows"]} == {"torch.split"}
    listing = run_cli("rules", "--march", "bayes").stdout
    assert "torch.nn.BatchNorm1d  [composite]  judged as torch.nn.BatchNorm2d" in listing


# ------------------------------------------------------------------ constants built from sizes


class Anchors(nn.Module):
    """Anchor points and strides as ultralytics' make_anchors builds them (arange on a feature
    map's size, type_as the feature map, meshgrid, stack, new_full), then used on the feature map."""

    def forward(self, feature):
        _, _, h, w = feature.shape
        sx = torch.arange(w).type_as(feature) + 0.5
        sy = torch.arange(h).type_as(feature) + 0.5
        sy, sx = torch.meshgrid(sy, sx, indexing="ij")
        points = torch.stack((sx, sy), -1).view(-1, 2)
        strides = feature.new_full((h * w, 1), 8.0)
        boxes = feature.flatten(2).transpose(1, 2)[..., :2]  # [1, H*W, 2]
        return boxes + points * strides


@pytest.mark.parametrize("via", ["export", "torchscript"])
def test_anchors_built_from_sizes_are_folded(via, rules):
    inputs = [InputSpec((1, 4, 8, 8))]
    if via == "export":
        graph = capture(Anchors(), inputs)
    else:
        traced = torch.jit.trace(Anchors().eval(), example_tensors(inputs), check_trace=False)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "anchors.pt")
            torch.jit.save(traced, path)
            graph = capture_file(path, inputs, None)
    mapping = map_graph(graph, rules)
    structural = {layer.target for layer in mapping.layers if layer.kind == "structural"}
    assert {"aten::arange", "aten::type_as", "aten::meshgrid", "aten::stack", "aten::new_full"} <= structural
    report = check_graph(graph, "anchors", Options(march="bayes"), rules)
    assert report.nodes["unknown"] == 0
    # The feature map's own ops stay layers; the anchors are one constant operand of the add.
    assert [layer.op for layer in report.layers] == ["torch.Tensor.reshape", "torch.Tensor.transpose",
                                                      "torch.Tensor.__getitem__", "torch.add"]
    add = report.layers[-1]
    assert len(add.inputs) == 1  # the folded anchors are a constant, not an activation input


# ------------------------------------------------------------------ real models

_TORCHVISION = importlib.util.find_spec("torchvision") is not None
_TIMM = importlib.util.find_spec("timm") is not None


@pytest.mark.skipif(not _TORCHVISION, reason="torchvision is not installed")
@pytest.mark.parametrize("name, composite, count", [("mobilenet_v3_small", "torch.nn.Hardswish", 19),
                                                    ("shufflenet_v2_x0_5", "torch.chunk", 13)])
def test_torchvision_models_have_no_unknown_composite(name, composite, count, rules):
    import torchvision

    model = getattr(torchvision.models, name)(weights=None).eval()
    graph = capture(model, [InputSpec((1, 3, 64, 64))])
    bayes = check_graph(graph, name, Options(march="bayes"), rules)
    assert bayes.nodes["unknown"] == 0
    judged = [layer for layer in bayes.layers if layer.op == composite]
    assert len(judged) == count and all(layer.judged_as for layer in judged)
    assert bayes.verdict in ("pass", "warn"), [f.rule for _, f in bayes.findings() if f.severity == "error"]


@pytest.mark.skipif(not _TIMM, reason="timm is not installed")
def test_timm_vit_unbind_and_attention_are_judged(rules):
    import timm

    model = timm.create_model("vit_tiny_patch16_224", pretrained=False, img_size=32, depth=2).eval()
    graph = capture(model, [InputSpec((1, 3, 32, 32))])
    report = check_graph(graph, "vit", Options(march="bayes"), rules)
    assert report.nodes["unknown"] == 0
    ops = [layer.op for layer in report.layers]
    assert ops.count("torch.unbind") == 2 and ops.count("torch.nn.functional.scaled_dot_product_attention") == 2
    attention = next(layer for layer in report.layers if layer.op.endswith("scaled_dot_product_attention"))
    assert [(f.rule, f.part) for f in attention.findings] == [("bayes.mul.scalar", "scale"),
                                                              ("bayes.softmax.precision", "softmax")]
    b2 = check_graph(graph, "vit", Options(march="bernoulli2"), rules)
    unbind = next(layer for layer in b2.layers if layer.op == "torch.unbind")
    assert [(f.rule, f.part) for f in unbind.findings] == [  # qkv is [3, B, heads, N, D]
        ("bernoulli2.split.four_d", "split"), ("bernoulli2.tensor_reshape.supported", "squeeze")]


@pytest.mark.skipif(importlib.util.find_spec("ultralytics") is None, reason="ultralytics is not installed")
def test_yolo_detect_head_anchors_are_folded_and_c2f_chunks_judged(rules, monkeypatch):
    """YOLOv8n's Detect head builds its anchors with make_anchors (arange, type_as, meshgrid,
    stack, new_full on the feature maps' sizes): all folded; C2f's chunk is a split."""
    monkeypatch.setenv("YOLO_OFFLINE", "1")
    from ultralytics.nn.tasks import DetectionModel

    from qcheck.capture.export import module_attributes, program_to_graph

    model = DetectionModel("yolov8n.yaml", verbose=False).eval()
    program = torch.export.export(model, (torch.zeros(1, 3, 64, 64),), strict=False)
    graph = program_to_graph(program, module_attrs=module_attributes(model))
    report = check_graph(graph, "yolov8n", Options(march="bayes"), rules)
    assert report.nodes["unknown"] == 0
    targets = {target for layer in report.layers for target in layer.targets}
    assert not targets & {"aten::arange", "aten::meshgrid", "aten::stack", "aten::new_full", "aten::type_as"}
    chunks = [layer for layer in report.layers if layer.op == "torch.chunk"]
    assert len(chunks) == 9 and all(layer.judged_as == ["torch.split"] for layer in chunks)
