"""Issue 2 end to end: real models, the real CLI in a subprocess, the documented JSON shape."""

from __future__ import annotations

import json
import os

import pytest

from tests.helpers import EXAMPLES, cli_json, run_cli, validate_report

SEED = os.path.join("examples", "seed_net.py") + ":Net"


def _layer(data, name):
    return next(layer for layer in data["layers"] if layer["name"] == name)


def test_seed_net_passes_on_bayes():
    code, data = cli_json(SEED, "--march", "bayes", "--input-shape", "1x1x28x28")
    assert code == 0
    assert data["verdict"] == "pass"
    ops = [layer["op"] for layer in data["layers"]]
    assert ops == ["torch.quantization.QuantStub", "torch.nn.Conv2d", "torch.nn.BatchNorm2d",
                   "torch.nn.ReLU", "torch.nn.MaxPool2d", "torch.nn.Conv2d", "torch.nn.BatchNorm2d",
                   "torch.nn.ReLU", "torch.nn.AvgPool2d", "torch.nn.Conv2d",
                   "torch.quantization.DeQuantStub"]
    conv = _layer(data, "conv0.0")
    assert conv["inputs"] == [{"shape": [1, 1, 28, 28], "dtype": "qint8"}]
    assert conv["outputs"] == [{"shape": [1, 10, 24, 24], "dtype": "qint8"}]
    assert conv["module_type"] == "Conv2d"
    assert conv["source"] == "examples/seed_net.py:43"


def test_seed_net_fails_on_bernoulli2_at_the_avgpool_kernel():
    code, data = cli_json(SEED, "--march", "bernoulli2", "--input-shape", "1x1x28x28")
    assert code == 1
    assert data["verdict"] == "fail"
    failing = [layer for layer in data["layers"] if layer["status"] == "fail"]
    assert [layer["name"] for layer in failing] == ["avg_pool"]
    (finding,) = failing[0]["findings"]
    assert finding["rule"] == "bernoulli2.avg_pool2d.kernel"
    assert finding["observed"] == {"kernel_h": 8, "kernel_w": 8}
    assert "7" in finding["message"] and "kernel_h=8" in finding["message"]
    assert failing[0]["source"] == "examples/seed_net.py:46"


def test_seed_net_as_torchscript_file(tmp_path):
    import torch

    from tests.helpers import ROOT

    import sys

    sys.path.insert(0, EXAMPLES)
    try:
        from seed_net import Net
    finally:
        sys.path.remove(EXAMPLES)
    path = tmp_path / "seed_net.pt"
    torch.jit.save(torch.jit.trace(Net().eval(), torch.rand(1, 1, 28, 28)), str(path))
    code, bayes = cli_json(str(path), "--march", "bayes", "--input-shape", "1x1x28x28", cwd=ROOT)
    assert code == 0 and bayes["verdict"] == "pass"
    code, bernoulli = cli_json(str(path), "--march", "bernoulli2", "--input-shape", "1x1x28x28", cwd=ROOT)
    assert code == 1
    failing = [layer for layer in bernoulli["layers"] if layer["status"] == "fail"]
    assert len(failing) == 1 and failing[0]["op"] == "torch.nn.AvgPool2d"
    assert failing[0]["findings"][0]["rule"] == "bernoulli2.avg_pool2d.kernel"
    assert failing[0]["findings"][0]["observed"] == {"kernel_h": 8, "kernel_w": 8}
    assert failing[0]["source"].endswith("seed_net.py:46")


def test_rich_report_names_layer_rule_and_verdict():
    result = run_cli(SEED, "--march", "bernoulli2", "--input-shape", "1x1x28x28")
    assert result.returncode == 1
    out = result.stdout
    assert "avg_pool" in out and "bernoulli2.avg_pool2d.kernel" in out
    assert "kernel_h=8" in out and "examples/seed_net.py:46" in out
    assert "verdict: FAIL on bernoulli2" in out
    assert result.stderr == ""


@pytest.mark.parametrize("spelling, canonical", [("BAYES", "bayes"), ("bayes-e", "bayes_e"),
                                                  ("Bernoulli2", "bernoulli2")])
def test_march_spellings(spelling, canonical):
    code, data = cli_json(SEED, "--march", spelling, "--input-shape", "1x1x28x28")
    assert data["march"] == canonical


def test_no_march_is_a_usage_error_naming_the_choices():
    result = run_cli(SEED, "--input-shape", "1x1x28x28")
    assert result.returncode == 2
    assert result.stdout == ""
    line = result.stderr.strip()
    assert line.startswith("qcheck: error:") and "\n" not in line
    for march in ("bernoulli2", "bayes", "bayes_e"):
        assert march in line


def test_fail_on_warning_turns_warn_into_exit_1(tmp_path):
    model = tmp_path / "softmax_model.py"
    model.write_text("import torch\n\nclass M(torch.nn.Module):\n"
                     "    def forward(self, x):\n        return torch.softmax(x, dim=1)\n")
    code, data = cli_json(f"{model}:M", "--march", "bayes", "--input-shape", "1x4x2x2")
    assert data["verdict"] == "warn" and code == 0
    result = run_cli(f"{model}:M", "--march", "bayes", "--input-shape", "1x4x2x2", "--fail-on", "warning",
                     "--format", "json")
    assert result.returncode == 1
    validate_report(json.loads(result.stdout))


def test_json_output_file_and_nothing_else_on_stdout(tmp_path):
    out = tmp_path / "report.json"
    result = run_cli(SEED, "--march", "bayes", "--input-shape", "1x1x28x28", "--format", "json",
                     "--output", str(out))
    assert result.returncode == 0 and result.stdout == ""
    validate_report(json.loads(out.read_text()))
