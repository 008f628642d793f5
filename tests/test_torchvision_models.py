"""torchvision's RoIAlign in whole models: the List[Tensor] boxes the table asks for are converted
to [K, 5] rois by torchvision itself (a slice, a full_like and a cat); those nodes belong to the
RoIAlign layer, not to layers of their own judged by the slice and cat rows.

Runs only where torchvision imports (its wheel does not load beside the CPU torch of the
development venv; see tests/probes/torchvision.py)."""

from __future__ import annotations

import importlib.util

import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("torchvision") is None,
                                reason="torchvision is not installed")


def _report(module, march, rules, rois=(3, 4)):
    """Check `module` fed a [1, 4, 8, 8] feature map and boxes (or rois) of shape `rois`."""
    from qcheck.api import check_graph
    from qcheck.capture import InputSpec, capture
    from qcheck.options import Options

    graph = capture(module, [InputSpec((1, 4, 8, 8)), InputSpec(rois)])
    return check_graph(graph, "roi", Options(march=march), rules)


@pytest.mark.parametrize("form", ["module", "function"])
@pytest.mark.parametrize("march", ["bernoulli2", "bayes", "bayes_e"])
def test_roi_align_on_a_box_list_is_one_passing_layer(form, march, rules):
    from tests.probes.torchvision import RoIAlignFunction, RoIAlignOnList

    report = _report(RoIAlignOnList() if form == "module" else RoIAlignFunction(), march, rules)
    ops = [layer.op for layer in report.layers]
    assert ops == ["torchvision.ops.RoIAlign"], ops
    assert report.verdict == "pass", [f.rule for _, f in report.findings()]


def test_rois_given_as_a_tensor_keep_their_own_layers(rules):
    # A [K, 5] Tensor of rois is the model's own: nothing is folded, and box_format fires on bayes.
    from tests.probes.torchvision import RoIAlignOnTensor

    report = _report(RoIAlignOnTensor(), "bayes", rules, rois=(3, 5))
    assert "bayes.roi_align.box_format" in {f.rule for _, f in report.findings()}


def test_the_conversion_joins_the_layer_because_the_row_declares_the_pattern(tmp_path):
    # The row's `patterns: [box_list_to_rois]` is what folds the function form's conversion into
    # its layer: a rule file clearing the list gives the slice and cat layers of their own back.
    from qcheck.rules import load_rules
    from tests.probes.torchvision import RoIAlignFunction

    cleared = tmp_path / "no_pattern.yaml"
    cleared.write_text("operators:\n  - name: torchvision.ops.RoIAlign\n    patterns: []\n")
    report = _report(RoIAlignFunction(), "bayes", load_rules([str(cleared)]))
    ops = [layer.op for layer in report.layers]
    assert ops[-1] == "torchvision.ops.RoIAlign" and "torch.cat" in ops, ops
