"""Real third-party architectures (transformers, built from configs: no weights, no hub), captured
end to end on every march, with every graph node accounted for."""

from __future__ import annotations

import json
import os

import pytest
import torch

from qcheck.api import Options, check_graph
from qcheck.capture import InputSpec, capture, capture_file
from qcheck.mapping import map_graph
from tests.helpers import validate_report

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _resnet():
    from transformers import ResNetConfig, ResNetForImageClassification

    torch.manual_seed(0)
    config = ResNetConfig(embedding_size=16, hidden_sizes=[16, 32, 64, 128], depths=[1, 1, 1, 1], num_labels=10)
    return ResNetForImageClassification(config).eval()


def _bert():
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    return BertModel(BertConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                                intermediate_size=128, vocab_size=1000)).eval()


def _accounted(graph, rules):
    mapping = map_graph(graph, rules)
    counts = mapping.counts
    assert counts["operator"] + counts["structural"] + counts["unknown"] == counts["total"] == len(graph.nodes)
    in_layers = [node.name for layer in mapping.layers for node in layer.nodes]
    assert sorted(in_layers) == sorted(node.name for node in graph.nodes)  # each node in exactly one layer
    return mapping


@pytest.mark.parametrize("march", ["bernoulli2", "bayes"])
def test_transformers_resnet_on_both_marches(rules, march):
    graph = capture(_resnet(), [InputSpec((1, 3, 64, 64))])
    mapping = _accounted(graph, rules)
    report = check_graph(graph, "transformers ResNet", Options(march=march), rules)
    data = json.loads(json.dumps(report.to_dict()))
    validate_report(data)
    convs = [layer for layer in report.layers if layer.op == "torch.nn.Conv2d"]
    assert len(convs) >= 10 and all(layer.source for layer in convs)
    assert sum(1 for layer in mapping.layers if layer.kind != "structural") == len(report.layers)
    linear = next(layer for layer in report.layers if layer.op == "torch.nn.Linear")
    if march == "bernoulli2":
        assert linear.status == "fail"  # Linear is not supported on bernoulli2
        assert any(f.rule == "bernoulli2.linear.supported" for f in linear.findings)
    else:
        assert linear.status == "pass"


def test_transformers_resnet_as_torchscript_file(tmp_path, rules):
    model = _resnet()
    model.config.torchscript = True
    path = tmp_path / "resnet.pt"
    torch.jit.save(torch.jit.trace(model, torch.rand(1, 3, 64, 64), strict=False), str(path))
    graph = capture_file(str(path), [InputSpec((1, 3, 64, 64))], None)
    _accounted(graph, rules)
    assert all(v.shape is not None for v in graph.values.values() if v.kind in ("activation", "input"))
    report = check_graph(graph, str(path), Options(march="bayes"), rules)
    assert [layer.op for layer in report.layers].count("torch.nn.Conv2d") >= 10


@pytest.mark.parametrize("march", ["bernoulli2", "bayes"])
def test_transformers_bert_on_both_marches(rules, march):
    graph = capture(_bert(), [InputSpec((1, 16), "int64")])
    _accounted(graph, rules)
    report = check_graph(graph, "transformers BERT", Options(march=march), rules)
    validate_report(json.loads(json.dumps(report.to_dict())))
    ops = {layer.op for layer in report.layers}
    assert "torch.nn.Linear" in ops
    assert report.verdict == "fail"  # embeddings have no row in the table
    unknown = {layer.op for layer in report.layers if any(f.rule.endswith("unknown_op") for f in layer.findings)}
    assert "aten::embedding" in unknown
