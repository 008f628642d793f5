"""Issue 4: quantized dtypes end to end on real torch.ao flows."""

from __future__ import annotations

import json

import pytest
import torch

from tests import quant_models
from tests.helpers import ROOT, cli_json, run_cli

SPEC = "tests/quant_models.py"


def _layers(data):
    return {layer["name"]: layer for layer in data["layers"]}


def test_float_model_is_one_qint8_region_with_qint8_weights():
    code, data = cli_json(f"{SPEC}:float_net", "--march", "bayes", "--input-shape", "1x3x12x12")
    layers = _layers(data)
    assert layers["quant"]["outputs"][0]["dtype"] == "qint8"
    assert layers["conv"]["op"] == "torch.nn.Conv2d"  # the fused ConvReLU2d is one layer
    assert layers["conv"]["inputs"] == [{"shape": [1, 3, 12, 12], "dtype": "qint8"}]
    assert layers["dequant"]["outputs"][0]["dtype"] == "float32"
    assert code == 0


def test_activation_dtype_and_per_layer_qint32_output(tmp_path):
    code, data = cli_json(f"{SPEC}:float_net", "--march", "bayes", "--input-shape", "1x3x12x12",
                          "--activation-dtype", "qint16")
    assert _layers(data)["conv"]["outputs"][0]["dtype"] == "qint16"
    (tmp_path / "pyproject.toml").write_text('[tool.qcheck]\ndtype-overrides = { "head" = "qint32" }\n')
    code, data = cli_json(f"{ROOT}/{SPEC}:float_net", "--march", "bayes", "--input-shape", "1x3x12x12",
                          cwd=tmp_path)
    layers = _layers(data)
    assert layers["head"]["outputs"][0]["dtype"] == "qint32"  # the high-precision output layer
    assert layers["dequant"]["inputs"][0]["dtype"] == "qint32" and code == 0


def test_qat_prepared_symmetric_model_passes_with_fake_quant_dtypes():
    code, data = cli_json(f"{SPEC}:qat_symmetric", "--march", "bayes", "--input-shape", "1x3x12x12")
    layers = _layers(data)
    assert data["verdict"] == "pass", [f for layer in data["layers"] for f in layer["findings"]]
    assert layers["conv"]["inputs"][0]["dtype"] == "qint8"
    assert layers["conv"]["outputs"][0]["dtype"] == "qint8"
    assert layers["dequant"]["outputs"][0]["dtype"] == "float32"


def test_qat_prepared_default_qconfig_is_quint8_with_advice():
    code, data = cli_json(f"{SPEC}:qat_default", "--march", "bayes", "--input-shape", "1x3x12x12")
    assert code == 1
    conv = _layers(data)["conv"]
    assert conv["inputs"][0]["dtype"] == "quint8"
    rules = {f["rule"]: f for f in conv["findings"]}
    assert "signed" in rules["bayes.conv2d.input_dtype"]["advice"]
    # The head's output (no ReLU after it) has an asymmetric range: a non-zero zero point.
    head = {f["rule"]: f for f in _layers(data)["head"]["findings"]}
    assert head["bayes.quant_params"]["observed"]["zero_point"] != 0


def test_converted_model_from_a_saved_torchscript_file(tmp_path):
    model = quant_models.converted()
    path = tmp_path / "converted.pt"
    torch.jit.save(torch.jit.trace(model, torch.rand(1, 3, 12, 12)), str(path))
    code, data = cli_json(str(path), "--march", "bayes", "--input-shape", "1x3x12x12")
    assert code == 1
    ops = [layer["op"] for layer in data["layers"]]
    assert ops[0] == "torch.quantization.QuantStub" and ops[-1] == "torch.quantization.DeQuantStub"
    assert "torch.nn.Conv2d" in ops and "torch.nn.MaxPool2d" in ops
    conv = next(layer for layer in data["layers"] if layer["op"] == "torch.nn.Conv2d")
    assert conv["inputs"][0]["dtype"] == "quint8"
    assert any("quint8" in f["message"] and "signed" in (f["advice"] or "") for f in conv["findings"])
    assert data["layers"][-1]["outputs"][0]["dtype"] == "float32"


def test_two_quant_regions_and_a_cpu_op_between_them():
    code, data = cli_json(f"{SPEC}:TwoRegions", "--march", "bayes", "--input-shape", "1x3x4x4")
    layers = data["layers"]
    statuses = [(layer["name"], layer["status"]) for layer in layers]
    sort = next(layer for layer in layers if "sort" in layer["op"])
    assert sort["status"] == "cpu" and sort["inputs"][0]["dtype"] == "float32"
    assert _layers(data)["conv2"]["status"] == "pass" and _layers(data)["conv2"]["inputs"][0]["dtype"] == "qint8"
    assert code == 0, statuses
    assert data["partition"]["subgraph_count"] == 2


def test_div_needs_qint16_and_the_advice_names_the_config_line(tmp_path):
    model = tmp_path / "div.py"
    model.write_text("import torch\nfrom torch import nn\n\nclass M(nn.Module):\n"
                     "    def __init__(self):\n        super().__init__()\n        self.a = nn.Conv2d(2, 2, 1)\n"
                     "        self.b = nn.Conv2d(2, 2, 1)\n\n    def forward(self, x):\n"
                     "        return torch.div(self.a(x), self.b(x))\n")
    code, data = cli_json(f"{model}:M", "--march", "bayes", "--input-shape", "1x2x4x4")
    div = next(layer for layer in data["layers"] if layer["op"] == "torch.div")
    finding = next(f for f in div["findings"] if f["rule"] == "bayes.div.input_dtype")
    assert 'dtype-overrides = { "a" = "qint16" }' in finding["advice"]
    code, data = cli_json(f"{model}:M", "--march", "bayes", "--input-shape", "1x2x4x4", "--activation-dtype",
                          "qint16")
    div = next(layer for layer in data["layers"] if layer["op"] == "torch.div")
    assert not [f for f in div["findings"] if f["rule"] == "bayes.div.input_dtype"]


@pytest.mark.parametrize("factory, source, ok", [
    ("camera_net_fixed", "pyramid", True),
    ("camera_net_wrong", "pyramid", False),
    ("camera_net_unscaled", "resizer", False),
    ("camera_net_unscaled", "ddr", True),
])
def test_input_source_needs_a_fixed_scale_of_1_128(factory, source, ok):
    result = run_cli(f"{SPEC}:{factory}", "--march", "bayes", "--input-shape", "1x3x4x4", "--input-source",
                     source, "--format", "json")
    data = json.loads(result.stdout)
    quant = _layers(data)["quant"]
    rules = [f["rule"] for f in quant["findings"]]
    if ok:
        assert "bayes.quant_stub.input_scale" not in rules
    else:
        assert "bayes.quant_stub.input_scale" in rules and result.returncode == 1


def _dtype_table(data):
    return {layer["name"]: ([t["dtype"] for t in layer["inputs"]], [t["dtype"] for t in layer["outputs"]])
            for layer in data["layers"]}


def test_every_layer_dtype_of_the_qat_model():
    _, data = cli_json(f"{SPEC}:qat_symmetric", "--march", "bayes", "--input-shape", "1x3x12x12")
    assert _dtype_table(data) == {
        "quant": (["float32"], ["qint8"]),
        "conv": (["qint8"], ["qint8"]),
        "pool": (["qint8"], ["qint8"]),
        "head": (["qint8"], ["qint8"]),
        "dequant": (["qint8"], ["float32"]),
    }


def test_every_layer_dtype_of_the_converted_model(tmp_path):
    path = tmp_path / "converted.pt"
    torch.jit.save(torch.jit.trace(quant_models.converted(), torch.rand(1, 3, 12, 12)), str(path))
    _, data = cli_json(str(path), "--march", "bayes", "--input-shape", "1x3x12x12")
    table = list(_dtype_table(data).values())
    ops = [layer["op"] for layer in data["layers"]]
    assert ops == ["torch.quantization.QuantStub", "torch.nn.Conv2d", "torch.nn.MaxPool2d", "torch.nn.Conv2d",
                   "torch.quantization.DeQuantStub"]
    assert table == [(["float32"], ["quint8"]), (["quint8"], ["quint8"]), (["quint8"], ["quint8"]),
                     (["quint8"], ["quint8"]), (["quint8"], ["float32"])]


def test_every_layer_dtype_of_the_two_region_model():
    _, data = cli_json(f"{SPEC}:TwoRegions", "--march", "bayes", "--input-shape", "1x3x4x4")
    table = {layer["name"]: (layer["status"],) + _dtype_table(data)[layer["name"]] for layer in data["layers"]}
    bpu = {name: row for name, row in table.items() if row[0] != "cpu"}
    cpu = {name: row for name, row in table.items() if row[0] == "cpu"}
    assert bpu == {
        "quant1": ("pass", ["float32"], ["qint8"]), "conv1": ("pass", ["qint8"], ["qint8"]),
        "dequant1": ("pass", ["qint8"], ["float32"]), "quant2": ("pass", ["float32"], ["qint8"]),
        "conv2": ("pass", ["qint8"], ["qint8"]), "dequant2": ("pass", ["qint8"], ["float32"]),
    }
    # torch.sort on the CPU: float values in, float values and int64 indices out, nothing quantized.
    assert list(cpu.values()) == [("cpu", ["float32"], ["float32", "int64"])]


class FakeQuantBetween(torch.nn.Module):
    """conv -> a fake-quant (per tensor or per channel, as QAT observers write them) -> BatchNorm."""

    def __init__(self, per_channel: bool, relu: bool = False):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 1)
        self.bn = torch.nn.BatchNorm2d(4)
        self.per_channel, self.relu = per_channel, relu

    def forward(self, x):
        y = self.conv(x)
        if self.relu:
            y = torch.relu(y)
        if self.per_channel:
            y = torch.fake_quantize_per_channel_affine(y, torch.full((4,), 0.1), torch.zeros(4, dtype=torch.int32),
                                                       1, -128, 127)
        else:
            y = torch.fake_quantize_per_tensor_affine(y, 0.1, 0, -128, 127)
        return self.bn(y)


@pytest.mark.parametrize("per_channel,relu,expected", [(False, False, True), (True, False, True), (True, True, False)])
def test_batch_norm_follows_a_conv_through_any_fake_quant(rules, per_channel, relu, expected):
    # The facts once looked through per-tensor fake-quants only (their own list of four ops), the
    # dtypes stage through all eight: now both read rules/structural.yaml's fake_quant list.
    from qcheck import facts
    from qcheck.capture import InputSpec, capture
    from qcheck.check import fact_context
    from qcheck.dtypes import assign
    from qcheck.mapping import map_graph

    mapping = map_graph(capture(FakeQuantBetween(per_channel, relu).eval(), [InputSpec((1, 3, 4, 4))]), rules)
    assignment = assign(mapping.graph, mapping.layers, rules, "bayes")
    (fake_quant,) = [n for n in mapping.graph.nodes if n.target in rules.fake_quant]
    assert fake_quant.name in assignment.fake_quant_nodes
    assert assignment.dtypes[fake_quant.outputs[0]] == "qint8"  # its range [-128, 127]
    (bn,) = [layer for layer in mapping.layers if layer.operator is not None and layer.operator.id == "batch_norm2d"]
    view = facts.LayerView(bn, mapping.graph, assignment.dtypes, set(mapping.graph.outputs),
                           fact_context(assignment, "ddr"))
    assert facts.collect(view, frozenset({"follows_conv"}))["follows_conv"] is expected


class CatNet(torch.nn.Module):
    """FloatFunctional.cat of `count` tensors: quantized::cat in the converted model."""

    def __init__(self, count: int):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.cat = torch.ao.nn.quantized.FloatFunctional()
        self.dequant = torch.ao.quantization.DeQuantStub()
        self.count = count

    def forward(self, x):
        x = self.quant(x)
        return self.dequant(self.cat.cat([x] * self.count, dim=1))


@pytest.mark.parametrize("count,fires", [(1, True), (2, False)])
def test_converted_cat_is_held_to_its_input_count(tmp_path, count, fires):
    # quantized::cat names its tensor list `qx`, and the cat family that counts the tensors once
    # lacked the quantized ops: a converted cat of one tensor passed the 2 <= inputs limit.
    model = CatNet(count).eval()
    model.qconfig = quant_models.symmetric_qconfig()
    quant_models._engine()
    torch.ao.quantization.prepare_qat(model.train(), inplace=True)
    model(torch.rand(1, 3, 4, 4))
    path = tmp_path / "cat.pt"
    torch.jit.save(torch.jit.trace(torch.ao.quantization.convert(model.eval()), torch.rand(1, 3, 4, 4)), str(path))
    _, data = cli_json(str(path), "--march", "bayes", "--input-shape", "1x3x4x4")
    (cat,) = [layer for layer in data["layers"] if layer["op"] == "torch.cat"]
    assert cat["targets"] == ["quantized::cat"]
    rules_fired = {finding["rule"] for finding in cat["findings"]}
    assert ("bayes.cat.inputs" in rules_fired) is fires
