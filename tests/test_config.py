"""[tool.qcheck] in pyproject.toml: discovery, per-model globs, precedence, and clear errors."""

from __future__ import annotations

import json

import pytest

from tests.helpers import ROOT, run_cli, validate_report
from tests.models import save_torchscript, seed_net


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("project")
    (folder / "models").mkdir()
    save_torchscript(seed_net(), (1, 1, 28, 28), folder / "models" / "seed.pt")
    (folder / "sub").mkdir()
    return folder


def _write(folder, text):
    (folder / "pyproject.toml").write_text("[project]\nname = 'demo'\n\n" + text)


def test_config_supplies_march_and_shapes_from_a_parent_folder(project):
    _write(project, '[tool.qcheck]\nmarch = "bernoulli2"\n\n[tool.qcheck.models."models/*.pt"]\n'
                    'input-shapes = ["1x1x28x28"]\n')
    result = run_cli(str(project / "models" / "seed.pt"), "--format", "json", "--no-cache", cwd=project / "sub")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    validate_report(data)
    assert data["march"] == "bernoulli2"


def test_command_line_overrides_the_config(project):
    _write(project, '[tool.qcheck]\nmarch = "bernoulli2"\n\n[tool.qcheck.models."models/*.pt"]\n'
                    'input-shapes = ["1x1x28x28"]\n')
    result = run_cli("models/seed.pt", "--march", "bayes", "--format", "json", "--no-cache", cwd=project)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["march"] == "bayes"


def test_a_bad_march_for_a_later_model_stops_the_run_before_any_check(project, tmp_path):
    """Options are checked for every model before the first is captured: a CI run does not spend
    minutes on the first models to fail on a typo in the last one's config."""
    (project / "models" / "second.pt").write_bytes((project / "models" / "seed.pt").read_bytes())
    _write(project, '[tool.qcheck]\nmarch = "bayes"\n\n[tool.qcheck.models."models/seed.pt"]\n'
                    'input-shapes = ["1x1x28x28"]\n\n[tool.qcheck.models."models/second.pt"]\n'
                    'march = "bayes-x"\ninput-shapes = ["1x1x28x28"]\n')
    report = tmp_path / "report.json"
    result = run_cli("models/seed.pt", "models/second.pt", "--format", "json", "--no-cache",
                     "--output", str(report), cwd=project)
    (project / "models" / "second.pt").unlink()
    assert result.returncode == 2, result.stderr
    assert "unknown march 'bayes-x'" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "checking" not in result.stderr and not report.exists()


def test_ignore_and_per_layer_ignores(project):
    _write(project, '[tool.qcheck]\nmarch = "bernoulli2"\n\n[tool.qcheck.ignore-layers]\n'
                    '"avg_*" = ["bernoulli2.avg_pool2d.*"]\n\n[tool.qcheck.models."models/*.pt"]\n'
                    'input-shapes = ["1x1x28x28"]\n')
    result = run_cli("models/seed.pt", "--format", "json", "--no-cache", cwd=project)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["verdict"] == "pass" and data["ignored"] == 1


def test_fail_on_from_config(project):
    _write(project, '[tool.qcheck]\nmarch = "bernoulli2"\nfail-on = "warning"\nignore = ["bernoulli2.avg_pool2d.kernel"]\n'
                    '\n[tool.qcheck.models."models/*.pt"]\ninput-shapes = ["1x1x28x28"]\n')
    result = run_cli("models/seed.pt", "--format", "json", "--no-cache", cwd=project)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("body, expected", [
    ('[tool.qcheck]\nmarch = "bayes"\ncolour = "red"\n', ["line 6", "unknown key 'colour'"]),
    ('[tool.qcheck]\nfail-on = "sometimes"\n', ["line 5", "fail-on must be one of error, warning"]),
    ('[tool.qcheck]\nignore = "bayes.conv2d.kernel"\n', ["line 5", "ignore must be a list of strings"]),
    ('[tool.qcheck.models."*.pt"]\ninput-shape = ["1x3"]\n', ["line 5", "unknown key 'models.\"*.pt\".input-shape'"]),
    ('[tool.qcheck]\nmarch = \n', ["invalid TOML"]),
    ('[tool.qcheck]\ndtype-overrides = { "head.*" = "qint4" }\n', ["line 5", "dtype-overrides"]),
])
def test_broken_config_is_one_line_exit_2(project, body, expected):
    _write(project, body)
    result = run_cli("models/seed.pt", "--input-shape", "1x1x28x28", cwd=project)
    assert result.returncode == 2
    assert result.stdout == ""
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith("qcheck: error: ") and "pyproject.toml" in line
    for part in expected:
        assert part in line


def test_explicit_config_file(tmp_path):
    config = tmp_path / "qcheck.toml"
    config.write_text('[tool.qcheck]\nmarch = "bayes_e"\n')
    result = run_cli("examples/seed_net.py:Net", "--input-shape", "1x1x28x28", "--config", str(config),
                     "--format", "json", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["march"] == "bayes_e"


def _softmax_onnx(folder) -> str:
    """A one-Softmax ONNX model: on the CPU on bayes_e unless run_on_bpu names the node."""
    onnx = pytest.importorskip("onnx")
    from tests.onnx_probes import PROBES, build

    probe = next(p for p in PROBES if p.name == "x5_softmax_default_cpu")
    (folder / "models").mkdir(exist_ok=True)
    path = folder / "models" / "softmax.onnx"
    onnx.save(build(probe), str(path))
    return str(path)


def _softmax_region(result) -> str:
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    validate_report(data)
    return next(layer["region"] for layer in data["layers"] if layer["op"] == "Softmax")


def test_run_on_bpu_from_config_moves_the_node(tmp_path):
    _softmax_onnx(tmp_path)
    _write(tmp_path, '[tool.qcheck]\nmarch = "bayes_e"\n')
    assert _softmax_region(run_cli("models/softmax.onnx", "--format", "json", cwd=tmp_path)) == "cpu"
    _write(tmp_path, '[tool.qcheck]\nmarch = "bayes_e"\n\n[tool.qcheck.models."models/*.onnx"]\n'
                     'run-on-bpu = ["probe"]\n')
    assert _softmax_region(run_cli("models/softmax.onnx", "--format", "json", cwd=tmp_path)) == "bpu"
    _write(tmp_path, '[tool.qcheck]\nmarch = "bayes_e"\nrun-on-bpu = ["nope"]\n')
    result = run_cli("models/softmax.onnx", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "'nope'" in result.stderr and "no node of that name" in result.stderr and "softmax.onnx" in result.stderr


@pytest.mark.parametrize("value", ['"probe"', '[""]', '[3]', '{ probe = true }'])
def test_bad_run_on_bpu_in_config_is_one_line_exit_2(tmp_path, value):
    _softmax_onnx(tmp_path)
    for body in (f'[tool.qcheck]\nmarch = "bayes_e"\nrun-on-bpu = {value}\n',
                 f'[tool.qcheck]\nmarch = "bayes_e"\n\n[tool.qcheck.models."*.onnx"]\nrun-on-bpu = {value}\n'):
        _write(tmp_path, body)
        result = run_cli("models/softmax.onnx", cwd=tmp_path)
        assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
        line = result.stderr.strip()
        assert "\n" not in line and line.startswith("qcheck: error: ") and "pyproject.toml" in line, line
        assert "run-on-bpu must be a list of ONNX node names" in line and "line " in line, line


def test_run_on_bpu_from_the_api_is_checked_like_the_option():
    from qcheck.errors import QcheckError
    from qcheck.options import Options, validate

    validate(Options(march="bayes_e", run_on_bpu=["/model.10/attn/Softmax"]))
    for bad in ("/model.10/attn/Softmax", [""], [None]):
        with pytest.raises(QcheckError, match="--run-on-bpu must be a list of ONNX node names"):
            validate(Options(march="bayes_e", run_on_bpu=bad))


def test_ptq_gates_and_flow_from_config(tmp_path, project):
    """max-subgraphs and fail-on-cpu gate a model as the options do (per model glob, the command
    line winning); flow = "ptq" checks a PyTorch model in the PTQ flow."""
    _softmax_onnx(tmp_path)  # one Softmax, on the CPU: no BPU subgraph, one CPU node
    _write(tmp_path, '[tool.qcheck]\nmarch = "bayes_e"\n\n[tool.qcheck.models."models/*.onnx"]\n'
                     'fail-on-cpu = "any"\n')
    gated = run_cli("models/softmax.onnx", "--format", "json", cwd=tmp_path)
    assert gated.returncode == 1, gated.stderr
    assert [f["rule"] for f in json.loads(gated.stdout)["layers"][0]["findings"]] == ["onnx.gate.cpu"]
    _write(tmp_path, '[tool.qcheck]\nmarch = "bayes_e"\nfail-on-cpu = "inside"\n')  # no BPU node around it
    assert run_cli("models/softmax.onnx", cwd=tmp_path).returncode == 0
    assert run_cli("models/softmax.onnx", "--fail-on-cpu", "any", cwd=tmp_path).returncode == 1  # the CLI wins
    _write(tmp_path, '[tool.qcheck]\nmarch = "bayes_e"\nrun-on-bpu = ["probe"]\nmax-subgraphs = 0\n')
    zero = run_cli("models/softmax.onnx", "--format", "json", cwd=tmp_path)  # one BPU subgraph > 0
    assert zero.returncode == 1 and "onnx.gate.max_subgraphs" in zero.stdout, zero.stderr
    assert run_cli("models/softmax.onnx", "--max-subgraphs", "1", cwd=tmp_path).returncode == 0
    _write(project, '[tool.qcheck]\nmarch = "bernoulli2"\n\n[tool.qcheck.models."models/*.pt"]\n'
                    'input-shapes = ["1x1x28x28"]\nflow = "ptq"\n')
    ptq = run_cli("models/seed.pt", "--format", "json", "--no-cache", cwd=project)
    data = json.loads(ptq.stdout)
    assert data["capture"] == "onnx" and ptq.returncode == 0, ptq.stderr  # the AvgPool falls to the CPU
    assert json.loads(run_cli("models/seed.pt", "--flow", "qat", "--format", "json", "--no-cache",
                              cwd=project).stdout)["capture"] != "onnx"


@pytest.mark.parametrize("body, words", [
    ('max-subgraphs = -1', "max-subgraphs must be a whole number"),
    ('max-subgraphs = "1"', "max-subgraphs must be a whole number"),
    ('max-subgraphs = true', "max-subgraphs must be a whole number"),
    ('fail-on-cpu = "all"', "fail-on-cpu"),
    ('flow = "onnx"', "flow"),
])
def test_bad_ptq_settings_in_config_are_one_line_exit_2(tmp_path, body, words):
    _softmax_onnx(tmp_path)
    _write(tmp_path, f'[tool.qcheck]\nmarch = "bayes_e"\n{body}\n')
    result = run_cli("models/softmax.onnx", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and "pyproject.toml" in line and words in line and "line " in line, line
