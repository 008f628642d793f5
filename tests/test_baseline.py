"""Baselines: today's findings recorded; only new ones fail; fingerprints survive line shifts."""

from __future__ import annotations

import json

from tests.helpers import run_cli

MODEL = '''from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
{extra_init}        self.conv = nn.Conv2d(1, 4, 3)
        self.pool = nn.AvgPool2d({kernel})

    def forward(self, x):
{extra_forward}        return self.pool(self.conv(x))
'''


def _model(tmp_path, kernel=8, shift=0, extra=False):
    extra_init = "        self.pool2 = nn.AvgPool2d(9)\n" if extra else ""
    extra_forward = "        # an unrelated edit\n" * shift
    text = MODEL.format(kernel=kernel, extra_init=extra_init, extra_forward=extra_forward)
    if extra:
        text = text.replace("return self.pool(self.conv(x))", "return self.pool2(self.pool(self.conv(x)))")
    path = tmp_path / "net.py"
    path.write_text(text)
    return f"{path}:Net"


def _run(spec, *args):
    return run_cli(spec, "--march", "bernoulli2", "--input-shape", "1x1x80x80", *args)


def test_baseline_fails_only_on_new_findings(tmp_path):
    baseline = tmp_path / "baseline.json"
    spec = _model(tmp_path)
    first = _run(spec, "--write-baseline", str(baseline))
    assert first.returncode == 1
    recorded = json.loads(baseline.read_text())
    assert [e["rule"] for e in recorded["findings"]] == ["bernoulli2.avg_pool2d.kernel"]

    # Unrelated edits shift the pool's source line: still known.
    shifted = _model(tmp_path, shift=3)
    result = _run(shifted, "--baseline", str(baseline), "--format", "json")
    assert result.returncode == 0, result.stdout
    data = json.loads(result.stdout)
    assert data["baselined"] == 1 and data["verdict"] == "pass"

    # A new failing layer is reported.
    result = _run(_model(tmp_path, extra=True), "--baseline", str(baseline), "--format", "json")
    assert result.returncode == 1
    failing = [layer["name"] for layer in json.loads(result.stdout)["layers"] if layer["status"] == "fail"]
    assert failing == ["pool2"]


def test_changed_layer_is_not_covered_by_the_baseline(tmp_path):
    baseline = tmp_path / "baseline.json"
    _run(_model(tmp_path, kernel=8), "--write-baseline", str(baseline))
    result = _run(_model(tmp_path, kernel=9), "--baseline", str(baseline), "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["baselined"] == 0


def test_bad_baseline_file_is_a_usage_error(tmp_path):
    bad = tmp_path / "baseline.json"
    bad.write_text("{not json")
    result = _run(_model(tmp_path), "--baseline", str(bad))
    assert result.returncode == 2
    assert "baseline.json" in result.stderr and "--write-baseline" in result.stderr
