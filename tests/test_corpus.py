"""The real-model corpus (tests/corpus.py): every model captured eagerly and from its TorchScript
file, every node accounted for, no composite of table operators reported unknown, eager and
TorchScript agreeing, the expected verdict per march with exactly the expected failing rules, and
docs/MODELS.md in sync with all of it.

These need the libraries the models come from (ultralytics, torchvision, timm, transformers); a
model whose library does not import is skipped, saying so."""

from __future__ import annotations

import os

import pytest

from bench.corpus_run import check_all, inputs_of, torchscript_file
from bench.models_page import HEADER, PAGE, model_row, page_rows
from tests.agreement import agreement
from tests.corpus import CORPUS, EXPECTED, MARCHES, UNSUPPORTED, RealModel

_PAGE_ROWS = page_rows(open(PAGE, encoding="utf-8").read()) if os.path.exists(PAGE) else {}


def _accounted(graph, rules):
    from qcheck.mapping import map_graph

    mapping = map_graph(graph, rules)
    counts = mapping.counts
    assert counts["operator"] + counts["structural"] + counts["unknown"] == counts["total"] == len(graph.nodes)
    in_layers = sorted(node.name for layer in mapping.layers for node in layer.nodes)
    assert in_layers == sorted(node.name for node in graph.nodes)  # each node in exactly one layer


@pytest.mark.parametrize("model", CORPUS, ids=[m.label for m in CORPUS])
def test_real_model(model: RealModel, rules, tmp_path):
    if not model.available():
        pytest.skip(f"{model.library} is not importable here (see README: the corpus environment)")
    from qcheck.api import Options, check_graph
    from qcheck.capture import capture, capture_file, example_tensors

    inputs = inputs_of(model)
    module = model.build()
    eager = capture(module, inputs)
    _accounted(eager, rules)
    path = torchscript_file(model, model.build(), example_tensors(inputs), str(tmp_path))
    scripted = capture_file(path, inputs, None)
    _accounted(scripted, rules)

    results, eager_reports = check_all(eager, model.label, rules)
    unknown, expected = EXPECTED[model.label]
    assert set(unknown) <= set(UNSUPPORTED), "every op the corpus allows to be unknown says why"
    for march in MARCHES:
        found, expect = results[march], expected[march]
        assert set(found["unknown_ops"]) <= set(unknown), (
            f"{march}: ops reported unknown that the corpus does not list as genuinely unsupported")
        assert found["verdict"] == expect.verdict, (march, expect.why, found["failing_rules"])
        flagged = found["failing_rules"] if expect.verdict == "fail" else found["warning_rules"]
        assert set(flagged) == set(expect.rules), (march, expect.why)
        scripted_report = check_graph(scripted, model.label, Options(march=march), rules)
        same, eager_only, torchscript_only = agreement(eager_reports[march], scripted_report)
        assert same >= 0.99, (march, same)
        failing_only_there = {layer.name: layer.op for layer in torchscript_only if layer.status == "fail"
                              and layer.op not in model.torchscript_only_ops}
        assert not failing_only_there, (march, failing_only_there)

    row = model_row({"label": model.label, "library": model.library, "shapes": list(model.shapes),
                     "eager": {"marches": results}})
    assert _PAGE_ROWS.get(model.label) == row, "docs/MODELS.md is out of date: run python bench/models_page.py"


def test_the_page_rows_are_the_corpus_table_only():
    """docs/MODELS.md has a PTQ table below the QAT one with the same model labels: the sync check
    reads the QAT table, and the PTQ one never stands in for a row."""
    text = open(PAGE, encoding="utf-8").read()
    rows = page_rows(text)
    assert "<!-- onnx-corpus:begin -->" in text and "YOLOv8n" in rows
    qat_table = text.split("<!-- onnx-corpus:begin -->")[0]
    assert all(f"| {label} |" in qat_table for label in rows)
    assert {len(cells) for cells in rows.values()} == {len(HEADER) - 1}  # all but the time column
