"""The PTQ flow on ONNX models: probes at each BPU limit, the model rules, bad input, and real
models exported by torch's TorchScript-based exporter checked against the vendor's results."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

onnx = pytest.importorskip("onnx")

from qcheck.onnx.check import check_onnx  # noqa: E402
from qcheck.onnx.rules import GENERAL, load_onnx_rules  # noqa: E402
from tests.onnx_probes import PROBES, build, conv_then  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _save(model, folder, name="m.onnx") -> str:
    path = os.path.join(str(folder), name)
    onnx.save(model, path)
    return path


def _node(report, name):
    return next(layer for layer in report.layers if layer.name == name)


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.name)
def test_probe(probe, tmp_path):
    path = _save(build(probe), tmp_path)
    report = check_onnx(path, probe.march, run_on_bpu=["probe"] if probe.run_on_bpu else [])
    node = _node(report, "probe")
    assert {f.rule for f in node.findings} == probe.expect, [f.message for f in node.findings]
    unsettled = {c.id for c in load_onnx_rules().constraints() if c.kind == "readings"}
    assert {f.rule for f in node.findings if f.rule in unsettled and f.severity == "info"} == probe.some
    if not probe.expect - probe.some:
        assert node.region == "bpu" and node.subgraph == 1
    elif probe.expect & unsettled - probe.some:
        assert node.region == "cpu"


def test_probe_coverage():
    """Every BPU limit of every ONNX row, on every march, has a probe past it (its finding) and a
    probe of the same op on that march with no finding at all (at the limits, or inside them)."""
    rules = load_onnx_rules()
    failing = {rule for p in PROBES for rule in p.expect}
    passing = {(p.march, GENERAL if p.general else p.op) for p in PROBES if not p.expect}
    constraints = rules.constraints()
    missing = [c.id for c in constraints if c.id not in failing or (c.march, c.operator) not in passing]
    # an unsettled cell: also a probe breaking some readings only (the node stays on the BPU) and
    # one breaking every reading (it falls to the CPU)
    some = {rule for p in PROBES for rule in p.some}
    every = {rule for p in PROBES for rule in p.expect - p.some}
    missing += [c.id for c in constraints if c.kind == "readings" and (c.id not in some or c.id not in every)]
    placements = set(rules.placement_ids())
    print(f"ONNX constraints with a probe pair: {len(constraints) - len(missing)} of {len(constraints)}; "
          f"placement ids probed: {len(placements & failing)} of {len(placements)}")
    assert not missing, missing
    assert len(placements & failing) >= 10


def test_model_rules(tmp_path):
    from onnx import TensorProto, helper

    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    report = check_onnx(_save(model, tmp_path), "bayes_e")
    rules = {f.rule for f in report.layers[0].findings}
    assert rules == {"onnx.model.opset", "onnx.model.ir_version", "onnx.model.input"}
    assert report.exit_code == 1
    fixed = check_onnx(_save(model, tmp_path), "bayes_e", inputs=[_spec((1, 3, 8, 8))])
    assert {f.rule for f in fixed.layers[0].findings} == {"onnx.model.opset", "onnx.model.ir_version"}


def _spec(shape):
    from qcheck.capture import InputSpec

    return InputSpec(shape)


def test_nms_and_too_many_outputs(tmp_path):
    from onnx import TensorProto, helper

    outs = [f"y{i}" for i in range(33)]
    nodes = [helper.make_node("Relu", ["x"], [o], name=f"r{i}") for i, o in enumerate(outs)]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                              [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])
    model.ir_version = 7
    report = check_onnx(_save(model, tmp_path), "bayes_e")
    assert {f.rule for f in report.layers[0].findings} == {"onnx.model.outputs"}
    assert report.layers[0].findings[0].observed == {"outputs": 33}


def _run(*args, cwd=ROOT):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "qcheck", *args], capture_output=True, text=True, env=env, cwd=cwd)


def test_bad_onnx_input(tmp_path):
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    good = build(PROBES[0])
    data = good.SerializeToString()
    truncated = tmp_path / "cut.onnx"
    truncated.write_bytes(data[: len(data) // 3])
    garbage = tmp_path / "junk.onnx"
    garbage.write_bytes(b"\x08\x07\x12\x05hello-not-really")
    # external data: missing, and pointing outside the model's folder
    weight = numpy_helper.from_array(np.zeros((8, 8, 3, 3), dtype=np.float32), "w")
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="c")
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [weight])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])
    model.ir_version = 7
    folder = tmp_path / "ext"
    folder.mkdir()
    onnx.save(model, str(folder / "m.onnx"), save_as_external_data=True, all_tensors_to_one_file=True,
              location="m.data", size_threshold=0)
    ok = _run(str(folder / "m.onnx"), "--march", "bayes_e")
    assert ok.returncode == 0, ok.stderr
    os.rename(folder / "m.data", folder / "gone.data")
    missing = _run(str(folder / "m.onnx"), "--march", "bayes_e")
    outside = folder / "out.onnx"
    for tensor in model.graph.initializer:
        tensor.ClearField("raw_data")
        tensor.data_location = onnx.TensorProto.EXTERNAL
        del tensor.external_data[:]
        entry = tensor.external_data.add()
        entry.key, entry.value = "location", "../../etc/passwd"
    outside.write_bytes(model.SerializeToString())
    huge = tmp_path / "huge.onnx"  # sparse: a valid start, then past protobuf's 2 GB
    with open(huge, "wb") as handle:
        handle.write(data)
        handle.truncate(2**31 + 16)
    cases = {"truncated": (truncated, "not a readable ONNX model"), "garbage": (garbage, "ONNX"),
             "missing": (None, "is missing"), "outside": (outside, "outside the model's folder"),
             "above 2 GB": (huge, "with external data")}
    for label, (path, words) in cases.items():
        result = missing if path is None else _run(str(path), "--march", "bayes_e")
        assert result.returncode == 2, (label, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("qcheck: error: ") and words in lines[0], (label, lines)
        assert "Traceback" not in result.stderr


def test_run_on_bpu_names_a_real_node(tmp_path):
    path = _save(build(PROBES[0]), tmp_path)
    result = _run(path, "--march", "bayes_e", "--run-on-bpu", "nope")
    assert result.returncode == 2 and "no node of that name" in result.stderr


def test_explain_onnx_ids():
    result = _run("explain", "bayes_e.onnx.conv.kernel_size")
    assert result.returncode == 0 and "31" in result.stdout and "ONNX Conv" in result.stdout
    result = _run("explain", "bayes_e.onnx.softmax.cpu_default")
    assert result.returncode == 0 and "run_on_bpu" in result.stdout
    for rule_id, words in [("onnx.model.opset", "opset_version=11"), ("onnx.gate.max_subgraphs", "CI gate"),
                           ("bayes_e.onnx.gemm.output_reshape", "1x1 convolution"),
                           ("bernoulli2.onnx.unlisted", "not in the bernoulli2 ONNX list")]:
        result = _run("explain", rule_id)
        assert result.returncode == 0 and words in result.stdout, (rule_id, result.stdout, result.stderr)
    assert _run("explain", "bayes_e.onnx.conv.nope").returncode == 2
    # a limit Ultra inherits cites the X5 row and says the Ultra list states it too, at its own line
    ultra = _run("explain", "bayes.onnx.conv.kernel_size").stdout
    assert "X5 Conv: kernel H, W in [1, 31]; the same in the Ultra list" in ultra
    assert re.search(r"operators\.yaml:[1-9]\d*", ultra), ultra
    x3 = _run("explain", "bernoulli2.onnx.resize.mode").stdout  # its table names X3 already
    assert "X5 and X3 Resize: mode nearest or linear\n" in x3, x3


# ---- real models, exported once per session -------------------------------------------------

@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    pytest.importorskip("ultralytics")
    from tests import onnx_models

    folder = tmp_path_factory.mktemp("onnx_models")
    return {name: onnx_models.export(name, str(folder)) for name in ("yolov8n", "yolo11n", "resnet18")}


def _cpu_ops(report):
    return sorted({layer.op for layer in report.layers if layer.region == "cpu"})


def test_yolov8n_cut_head_is_one_subgraph_on_x5(exported):
    report = check_onnx(exported["yolov8n"], "bayes_e")
    assert report.partition["subgraph_count"] == 1
    assert _cpu_ops(report) == [] and report.exit_code == 0


def test_yolo11n_softmax_splits_in_two_and_run_on_bpu_joins(exported):
    report = check_onnx(exported["yolo11n"], "bayes_e", max_subgraphs=1)
    softmax = [layer for layer in report.layers if layer.op == "Softmax"]
    assert len(softmax) == 1 and softmax[0].region == "cpu"
    assert softmax[0].findings[0].rule == "bayes_e.onnx.softmax.cpu_default"
    assert report.partition["subgraph_count"] == 2 and report.partition["cuts"] == [softmax[0].name]
    assert report.exit_code == 1  # --max-subgraphs 1
    # the rows around it as the vendor's zoo shows them: MatMul id(0), Softmax CPU, MatMul_1 id(1)
    attn = {layer.name.rsplit("/", 1)[-1]: layer for layer in report.layers if "/model.10/m/m.0/attn/" in layer.name}
    assert [(attn[n].region, attn[n].subgraph, attn[n].module_type) for n in ("MatMul", "Softmax", "MatMul_1")] == \
        [("bpu", 1, "HzSQuantizedMatmul"), ("cpu", None, None), ("bpu", 2, "HzSQuantizedMatmul")]
    assert (attn["Softmax"].inputs[0].dtype, attn["MatMul"].outputs[0].dtype) == ("float32", "int8")
    moved = check_onnx(exported["yolo11n"], "bayes_e", run_on_bpu=[softmax[0].name], max_subgraphs=1,
                       fail_on_cpu="any")
    assert moved.partition["subgraph_count"] == 1 and _cpu_ops(moved) == [] and moved.exit_code == 0


def test_resnet18_all_bpu_but_the_final_reshape(exported):
    report = check_onnx(exported["resnet18"], "bayes_e", fail_on_cpu="inside")
    cpu = [layer for layer in report.layers if layer.region == "cpu"]
    assert [(layer.op, layer.after) for layer in cpu] == [("Reshape", ["/fc/Gemm"])]
    assert report.partition["subgraph_count"] == 1 and report.exit_code == 0


def test_bernoulli2_puts_reshape_transpose_softmax_on_the_cpu(exported):
    report = check_onnx(exported["yolo11n"], "bernoulli2")
    assert {"Reshape", "Transpose", "Softmax"} <= set(_cpu_ops(report))
    for layer in report.layers:
        if layer.region == "cpu":
            assert layer.findings and layer.findings[0].advice


def test_every_format_renders_an_onnx_report(exported, tmp_path):
    import jsonschema

    from qcheck.render import FORMATS, render
    from qcheck.report import SCHEMA_FILE

    report = check_onnx(exported["yolo11n"], "bayes_e")
    schema = json.load(open(SCHEMA_FILE))
    jsonschema.validate(json.loads(render([report], "json")), schema)
    for fmt in FORMATS:
        text = render([report], fmt)
        assert "Softmax" in text or fmt in ("junit",), fmt
    assert "MatMul (HzSQuantizedMatmul)" in render([report], "rich")  # the checker's Type column
    quiet = render([report], "rich", problems_only=True, width=400)  # --quiet: the CPU node and why
    assert "attn/Softmax" in quiet and "--run-on-bpu /model.10/m/m.0/attn/Softmax" in quiet and "Conv" not in quiet
    x3 = render([check_onnx(exported["yolo11n"], "bernoulli2")], "rich", width=400)
    assert "findings by source line" not in x3  # ONNX nodes have no source line: the table alone
    from qcheck.render.html import _partition

    outlined = _partition(report)  # what the HTML page outlines, and the CPU node it marks as a cut
    softmax = next(layer.name for layer in report.layers if layer.op == "Softmax")
    assert len(outlined["subgraphs"]) == 2 and outlined["cuts"] == [softmax]
    assert softmax in render([report], "html")


def test_onnx_check_imports_no_torch(exported):
    code = ("import sys\nfrom qcheck.cli import main\n"
            f"try:\n    main([{exported['yolov8n']!r}, '--march', 'bayes_e', '--format', 'json', '-o', "
            f"{os.devnull!r}])\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=ROOT))
    assert result.returncode == 0, result.stderr


def test_supported_onnx_ops_doc_is_generated_from_the_rules():
    from qcheck.onnx.rules import markdown

    expected = markdown()
    path = os.path.join(ROOT, "docs", "SUPPORTED_ONNX_OPS.md")
    if os.environ.get("QCHECK_UPDATE_GOLDEN"):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(expected)
    with open(path, encoding="utf-8") as handle:
        assert handle.read() == expected, "docs/SUPPORTED_ONNX_OPS.md is stale: QCHECK_UPDATE_GOLDEN=1 pytest"


def test_flow_ptq_exports_a_pytorch_model_and_names_its_modules():
    from qcheck.api import check
    from qcheck.capture import InputSpec
    from qcheck.options import Options

    target = os.path.join(ROOT, "examples", "seed_net.py") + ":Net"
    ptq = check(target, Options(march="bernoulli2", inputs=[InputSpec((1, 1, 28, 28))], flow="ptq"))
    assert ptq.capture == "onnx" and ptq.model == target
    pool = next(layer for layer in ptq.layers if layer.op == "AveragePool")
    assert pool.region == "cpu" and pool.module_path == "avg_pool"
    assert [f.rule for f in pool.findings] == ["bernoulli2.onnx.average_pool.kernel_size"]
    assert pool.findings[0].observed == {"kernel_h": 8, "kernel_w": 8}
    assert ptq.partition["subgraph_count"] == 2
    qat = check(target, Options(march="bernoulli2", inputs=[InputSpec((1, 1, 28, 28))]))
    assert qat.capture != "onnx"  # the same model, the QAT answer


def _placement(report) -> list[tuple]:
    return [(layer.op, layer.region, layer.module_path, [f.rule for f in layer.findings]) for layer in report.layers]


def test_flow_ptq_exports_a_pt2_program_as_its_eager_model(tmp_path):
    import torch

    from qcheck.api import check
    from qcheck.capture import InputSpec
    from qcheck.options import Options
    from tests.models import seed_net

    model = seed_net()
    path = str(tmp_path / "seed.pt2")
    torch.export.save(torch.export.export(model, (torch.rand(1, 1, 28, 28),)), path)
    # no --input-shape: the program's own example inputs
    from_pt2 = check(path, Options(march="bernoulli2", flow="ptq"))
    eager = check(model, Options(march="bernoulli2", inputs=[InputSpec((1, 1, 28, 28))], flow="ptq"))
    assert from_pt2.capture == "onnx" and from_pt2.model == path
    assert _placement(from_pt2) == _placement(eager)  # module scopes too (torch.export.unflatten)
    pool = next(layer for layer in from_pt2.layers if layer.op == "AveragePool")
    assert pool.region == "cpu" and pool.module_path == "avg_pool"
    assert [f.rule for f in pool.findings] == ["bernoulli2.onnx.average_pool.kernel_size"]
    assert from_pt2.partition["subgraph_count"] == 2
    result = _run(path, "--march", "bayes_e", "--flow", "ptq", "--format", "json")  # the CLI, same path
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["capture"] == "onnx"


_SPEC = """import sys
import torch
import torch.nn.functional as F


class Attention(torch.nn.Module):  # fused attention: no opset-11 form
    def forward(self, x):
        return F.scaled_dot_product_attention(x, x, x)


class Unflatten(torch.nn.Module):  # torch.unflatten: an opset-13 op
    def forward(self, x):
        return torch.unflatten(x.flatten(1), 1, (4, 8, 8)).relu()


class Chatty(torch.nn.Module):  # prints while it is built and while it runs (ultralytics does)
    def __init__(self):
        super().__init__()
        print("building Chatty")
        self.conv = torch.nn.Conv2d(4, 4, 3)

    def forward(self, x):
        print("running Chatty")
        return self.conv(x)


class Exits(torch.nn.Module):
    def __init__(self):
        super().__init__()
        sys.exit(0)
"""


@pytest.mark.parametrize("name, words", [
    ("Attention", ["cannot export aten::scaled_dot_product_attention at opset 11", "opset 10 or 11 only",
                   "matmul and softmax", "TIMM_FUSED_ATTN=0"]),
    ("Unflatten", ["cannot export aten::unflatten at opset 11", "rewrite aten::unflatten with ops opset 11 has"]),
    ("Exits", ["the model's code called sys.exit(0)"]),
])
def test_flow_ptq_failures_are_one_line_and_stdout_stays_clean(tmp_path, name, words):
    """An export the opset-11 exporter refuses: the exporter dumps its graph on stdout, which must
    not reach the report's stream; the error says what to do instead of suggesting a later opset."""
    (tmp_path / "spec.py").write_text(_SPEC)
    result = _run(f"{tmp_path / 'spec.py'}:{name}", "--march", "bayes_e", "--flow", "ptq",
                  "--input-shape", "1x4x8x8", "--format", "json")
    assert result.returncode == 2 and result.stdout == "", result.stdout[:500]
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert all(word in result.stderr for word in words), result.stderr
    assert "version 13" not in result.stderr and "try exporting" not in result.stderr


def test_flow_ptq_sends_the_models_prints_to_stderr(tmp_path):
    (tmp_path / "spec.py").write_text(_SPEC)
    result = _run(f"{tmp_path / 'spec.py'}:Chatty", "--march", "bayes_e", "--flow", "ptq",
                  "--input-shape", "1x4x8x8", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["capture"] == "onnx"  # the report alone on stdout
    assert "building Chatty" in result.stderr


@pytest.mark.parametrize("to, cast_on_cpu", [("FLOAT", False), ("INT32", True)])
def test_a_cast_to_its_inputs_own_type_is_removed(tmp_path, to, cast_on_cpu):
    """Conv -> Cast -> Relu: a float-to-float Cast is an identity the converter removes (one BPU
    subgraph, no Cast node); a Cast that changes the type runs on the CPU and splits the model."""
    from onnx import TensorProto, helper

    model = conv_then(helper.make_node("Cast", ["c"], ["t"], name="cast", to=getattr(TensorProto, to)),
                      helper.make_node("Cast", ["t"], ["f"], name="back", to=TensorProto.FLOAT),
                      helper.make_node("Relu", ["f"], ["y"], name="relu"))
    report = check_onnx(_save(model, tmp_path), "bayes_e")
    placed = {layer.name: layer.region for layer in report.layers}
    if cast_on_cpu:  # both casts change the type: both on the CPU, between two BPU subgraphs
        assert placed == {"conv": "bpu", "cast": "cpu", "back": "cpu", "relu": "bpu"}
        assert [f.rule for f in _node(report, "cast").findings] == ["bayes_e.onnx.cast.cpu"]
        assert report.partition["subgraph_count"] == 2
    else:
        assert placed == {"conv": "bpu", "relu": "bpu"} and report.partition["subgraph_count"] == 1
        assert _node(report, "relu").after == ["conv"]  # joined through the removed casts


@pytest.mark.parametrize("march", ["bernoulli2", "bayes", "bayes_e"])
def test_upsample_runs_on_the_bpu(tmp_path, march):
    """Upsample (opset 9, deprecated since 10 for Resize): a BPU row on every list, with no limits."""
    import numpy as np
    from onnx import helper, numpy_helper

    model = conv_then(helper.make_node("Upsample", ["c", "scales"], ["u"], name="upsample", mode="nearest"),
                      helper.make_node("Relu", ["u"], ["y"], name="relu"), opset=9, ir_version=4,
                      initializers=[numpy_helper.from_array(np.array([1, 1, 2, 2], dtype=np.float32), "scales")])
    report = check_onnx(_save(model, tmp_path), march)
    upsample = _node(report, "upsample")
    assert (upsample.region, upsample.findings, upsample.outputs[0].shape) == ("bpu", [], [1, 4, 16, 16])
    assert report.partition["subgraph_count"] == 1
    assert [f.rule for f in report.layers[0].findings] == ["onnx.model.opset"]  # opset 9: re-export at 11


def test_missing_onnx_package_is_one_clear_line(tmp_path):
    path = _save(build(PROBES[0]), tmp_path)
    code = ("import sys\nsys.modules['onnx'] = None  # as if not installed\nfrom qcheck.cli import main\n"
            f"main([{path!r}, '--march', 'bayes_e'])\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=ROOT))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "qcheck[onnx]" in result.stderr, result.stderr


@pytest.mark.parametrize("item, message", [
    ("{id: c, says: s, readings: [{name: a, check: 'rank == 4', says: a}, {name: b, check: 'rank == 3', says: b}]}",
     "say which one a document settles on"),
    ("{id: c, says: s, check: 'rank == 4', readings: [{name: a, check: 'rank == 4', says: a}, "
     "{name: b, check: 'rank == 3', says: b}], unsettled: why}", "give no check of its own"),
    ("{id: c, says: s, readings: [{name: a, check: 'rank == 4', says: a}], unsettled: why}", "at least two readings"),
    ("{id: c, says: s, readings: [{name: a, check: 'colour == 4', says: a}, {name: b, check: 'rank == 3', says: b}], "
     "unsettled: why}", "colour"),
    ("{id: c, says: s, readings: [{name: a, check: 'rank == 4', says: a}, {name: b, check: 'rank == 3', says: b}], "
     "settled_by: {reading: z, source: doc}}", "names reading 'z'"),
])
def test_broken_onnx_readings_name_the_file_and_line(tmp_path, item, message):
    """The ONNX lists' readings are validated as the PyTorch table's are: one line naming the file."""
    from qcheck.errors import QcheckError

    path = tmp_path / "extra.yaml"
    path.write_text(f"operators:\n  - op: Relu\n    bayes_e:\n      constraints:\n        - {item}\n")
    with pytest.raises(QcheckError) as raised:
        load_onnx_rules([str(path)])
    assert message in str(raised.value) and "line 5" in str(raised.value)
    assert raised.value.path == str(path)


def _chunk_then_argmax(channels: int):
    """torch's export of YOLOv8's C2f chunk, `x.split((c + 1) // 2, 1)[0]`, then an ArgMax: the
    Slice end is computed at run time, Shape -> Gather -> Add -> Div -> Mul over Constant nodes,
    which ONNX shape inference alone does not follow."""
    from onnx import TensorProto, helper, numpy_helper
    import numpy as np

    def const(name, values):
        return helper.make_node("Constant", [], [name], name=f"{name}_const",
                                value=numpy_helper.from_array(np.array(values, dtype=np.int64), name))

    nodes = [const("one", [1]), const("two", [2]), const("zero", [0]),
             helper.make_node("Shape", ["x"], ["shape"], name="shape"),
             helper.make_node("Gather", ["shape", "one"], ["c"], name="gather", axis=0),
             helper.make_node("Add", ["c", "one"], ["c1"], name="add"),
             helper.make_node("Div", ["c1", "two"], ["half"], name="div"),
             helper.make_node("Mul", ["half", "one"], ["end"], name="mul"),
             helper.make_node("Slice", ["x", "zero", "end", "one"], ["y"], name="slice"),
             helper.make_node("ArgMax", ["y"], ["z"], name="argmax", axis=1)]
    graph = helper.make_graph(nodes, "chunk", [helper.make_tensor_value_info("x", TensorProto.FLOAT, (1, channels, 2, 2))],
                              [helper.make_tensor_value_info("z", TensorProto.UNDEFINED, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])
    model.ir_version = 7
    return model


@pytest.mark.parametrize("channels, expect", [(128, set()), (129, {"bernoulli2.onnx.arg_max.shape"})])
def test_shape_arithmetic_is_folded_before_the_limits(tmp_path, channels, expect):
    """X3 ArgMax takes at most 64 channels: (128 + 1) // 2 passes, (129 + 1) // 2 runs on the CPU."""
    report = check_onnx(_save(_chunk_then_argmax(channels), tmp_path), "bernoulli2")
    argmax = _node(report, "argmax")
    assert argmax.inputs[0].shape == [1, (channels + 1) // 2, 2, 2]
    assert {f.rule for f in argmax.findings} == expect
    assert argmax.region == ("cpu" if expect else "bpu")


def test_every_feature_map_of_a_real_yolo_has_a_shape(exported):
    """YOLOv8's and YOLO11's C2f chunks compute their Slice bounds from Shape nodes: folded, every
    tensor after them has a shape, so the limits are judged through the whole network (on X3 the
    SiLU Sigmoids of every stage are too large for its lookup table)."""
    from qcheck.onnx.model import load

    for name in ("yolov8n", "yolo11n"):
        model = load(exported[name])
        values = [o for n in model.nodes for o in n.outputs if o and o not in model.constant_values]
        assert values and all(model.shapes.get(v) is not None for v in values), name
    report = check_onnx(exported["yolov8n"], "bernoulli2")
    deep = [layer for layer in report.layers if layer.op == "Sigmoid" and layer.name.startswith("/model.8/")]
    assert deep and all("bernoulli2.onnx.sigmoid.size" in {f.rule for f in layer.findings} for layer in deep)
