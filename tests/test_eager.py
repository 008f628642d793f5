"""Issue 5: eager-mode advice at the right file:line, and a model that follows it checks clean."""

from __future__ import annotations

import pytest

from tests.helpers import cli_json, run_cli

SPEC = "tests/eager_models.py"


@pytest.fixture(scope="module")
def broken():
    code, data = cli_json(f"{SPEC}:Broken", "--march", "bayes", "--mode", "eager", "--input-shape", "1x3x8x8")
    assert code == 1
    return data


def _findings(data, rule):
    return [(layer["name"], layer["source"], f) for layer in data["layers"] for f in layer["findings"]
            if f["rule"] == rule]


def test_functional_calls_need_modules_at_their_lines(broken):
    found = {source: f for _, source, f in _findings(broken, "eager.replace_functional")}
    assert set(found) == {"tests/eager_models.py:23", "tests/eager_models.py:24", "tests/eager_models.py:27",
                          "tests/eager_models.py:29", "tests/eager_models.py:30"}
    assert "FloatFunctional" in found["tests/eager_models.py:23"]["message"]
    assert ".add(" in found["tests/eager_models.py:23"]["advice"]
    assert "nn.ReLU" in found["tests/eager_models.py:24"]["message"]
    assert ".cat(" in found["tests/eager_models.py:27"]["advice"]
    assert "add_scalar" in found["tests/eager_models.py:29"]["advice"]
    assert "Interpolate" in found["tests/eager_models.py:30"]["message"]


def test_reused_float_functional(broken):
    (hit,) = _findings(broken, "eager.reused_module")
    name, source, finding = hit
    assert source == "tests/eager_models.py:25"
    assert "self.ff" not in finding["message"] and "module ff (FloatFunctional) is called 2 times" in finding["message"]


def test_missing_stubs(broken):
    (quant,) = _findings(broken, "eager.missing_quant_stub")
    assert quant[1] == "tests/eager_models.py:22" and "QuantStub()" in quant[2]["advice"]
    (dequant,) = _findings(broken, "eager.missing_dequant_stub")
    assert dequant[1] == "tests/eager_models.py:30"


def test_unfused_conv_bn_relu_names_the_modules(broken):
    (hit,) = _findings(broken, "eager.unfused")
    assert hit[1] == "tests/eager_models.py:22"
    assert 'fuse_modules(model, [["conv", "bn", "relu"]]' in hit[2]["advice"]
    assert hit[2]["severity"] == "warning"


def test_standalone_batchnorm_warns(broken):
    (hit,) = _findings(broken, "bayes.batch_norm2d.standalone")
    assert hit[1] == "tests/eager_models.py:28" and hit[2]["severity"] == "warning"


def test_fx_mode_does_not_ask_for_eager_changes():
    code, data = cli_json(f"{SPEC}:Broken", "--march", "bayes", "--input-shape", "1x3x8x8")
    assert not [f for layer in data["layers"] for f in layer["findings"] if f["rule"].startswith("eager.")]


def test_following_the_advice_checks_clean():
    code, data = cli_json(f"{SPEC}:fixed_and_fused", "--march", "bayes", "--mode", "eager", "--input-shape",
                          "1x3x8x8")
    problems = [(layer["name"], f["rule"], f["message"]) for layer in data["layers"] for f in layer["findings"]
                if f["severity"] != "info"]
    assert problems == [] and code == 0 and data["verdict"] == "pass"


def test_rich_report_groups_findings_by_source_line():
    result = run_cli(f"{SPEC}:Broken", "--march", "bayes", "--mode", "eager", "--input-shape", "1x3x8x8")
    text = result.stdout
    start = text.index("findings by source line")
    section = text[start:]
    lines = [section.index(f"tests/eager_models.py:{n}") for n in (22, 23, 24, 25, 27, 28, 29, 30)]
    assert lines == sorted(lines)


def test_explain_eager_rule():
    result = run_cli("explain", "eager.reused_module")
    assert result.returncode == 0 and "one instance per call" in result.stdout
