"""Baselines: today's findings recorded; only new ones fail; fingerprints survive line shifts."""

from __future__ import annotations

import json
from dataclasses import replace

from qcheck import baseline
from qcheck.api import Options, check_graph
from qcheck.capture import InputSpec, capture
from qcheck.report import fingerprint
from qcheck.rules import load_rules
from tests.eager_models import ThreeParts
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


def test_later_stages_leave_the_reports_they_read_unchanged():
    rules = load_rules()
    options = Options(march="bernoulli2", inputs=[InputSpec((1, 3, 16, 16))], fallback="cpu")
    graph = capture(ThreeParts().eval(), options.inputs)
    report = check_graph(graph, "three_parts", options, rules)
    before = report.to_dict()
    assert {layer.name: (layer.status, layer.fallback) for layer in report.layers if layer.fallback} == {
        "soft1": ("cpu", True), "soft2": ("cpu", True)}
    # The same graph checked again (eager mode, no fallback) changes nothing of the first report.
    failing = check_graph(graph, "three_parts", replace(options, fallback=None, mode="eager"), rules)
    assert {layer.name for layer in failing.layers if layer.status == "fail"} >= {"soft1", "soft2"}
    assert any(f.rule.startswith("eager.") for _, f in failing.findings())
    assert report.to_dict() == before
    assert check_graph(graph, "three_parts", options, rules).to_dict() == before
    # A baseline that knows soft1's findings gives a new report; the checked one keeps them.
    soft1 = next(layer for layer in report.layers if layer.name == "soft1")
    known = {fingerprint(report, soft1, finding) for finding in soft1.findings}
    applied = baseline.apply(report, known)
    assert report.to_dict() == before
    statuses = {layer.name: layer.status for layer in applied.layers}
    # soft1's errors are known, so it passes; soft2 still fails and still runs on the CPU.
    assert (statuses["soft1"], statuses["soft2"]) == ("pass", "cpu")
    assert applied.baselined == len(soft1.findings) > 0
    assert [layer.findings for layer in applied.layers if layer.name != "soft1"] == [
        layer.findings for layer in report.layers if layer.name != "soft1"]
