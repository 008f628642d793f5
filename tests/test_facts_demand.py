"""Facts are collected on demand: `facts.collect(view, wanted)` runs only the extractors that
provide the wanted facts (and those they read). That is only right if every extractor declares
what it provides and needs; these tests hold the declarations to what the extractors do, on real
captured graphs covering every operator row the probes reach."""

from __future__ import annotations

import pytest

from qcheck import facts
from qcheck.check import fact_context
from qcheck.dtypes import assign
from qcheck.mapping import map_graph
from tests.probes import all_probes
from tests.probes.run import capture_probe


def _one_probe_per_operator(rules):
    """The first probe naming each table row (about 120 small graphs instead of 539)."""
    chosen, seen = [], set()
    for probe in all_probes():
        operators = set()
        for rule_id in probe.ok + probe.fail:
            constraint = rules.find_constraint(rule_id)
            if constraint is not None:
                operators.add(constraint.operator)
        if operators - seen:
            chosen.append(probe)
            seen |= operators
    return chosen


@pytest.fixture(scope="module")
def views(rules):
    """(layer, LayerView) for every operator layer of the chosen probes, dtypes from bayes."""
    found = []
    for probe in _one_probe_per_operator(rules):
        graph = capture_probe(probe)
        mapping = map_graph(graph, rules)
        graph, layers = mapping.graph, mapping.layers
        assignment = assign(graph, layers, rules, "bayes")
        outputs = set(graph.outputs)
        for layer in layers:
            if layer.kind == "operator":
                found.append((layer, facts.LayerView(layer, graph, assignment.dtypes, outputs,
                                                     fact_context(assignment, "ddr"))))
    return found


def test_every_fact_alone_equals_the_full_collection(views):
    # The strictest demand: one fact at a time, so a missing `needs` or `provides` shows.
    assert len({layer.operator.name for layer, _ in views}) > 90
    compared = 0
    for layer, view in views:
        full = facts.collect(view)
        for name in facts.FACTS:
            alone = facts.collect(view, frozenset([name]))
            assert alone.get(name) == full.get(name), (layer.name, layer.operator.name, name)
            compared += name in full
    assert compared > 1000  # the graphs do have facts to compare


def test_each_rows_reads_equal_the_full_collection(views, rules):
    for layer, view in views:
        full = facts.collect(view)
        for march in rules.marches:
            reads = rules.rule(layer.operator.name, march).reads
            demanded = facts.collect(view, reads)
            assert {k: demanded.get(k) for k in reads} == {k: full.get(k) for k in reads}, (layer.name, march)


def test_an_extractor_adding_an_undeclared_fact_is_caught(views, monkeypatch):
    def sloppy(view, found):
        found["rank"] = 1  # declared as a fact, but not in this extractor's provides
        found["kernel_h"] = 3

    monkeypatch.setattr(facts, "_EXTRACTORS", facts._EXTRACTORS[:1] + [
        facts.Extractor(sloppy, None, frozenset(["kernel_h"]), frozenset())])
    monkeypatch.setattr(facts, "_PLANS", {})
    with pytest.raises(AssertionError, match="rank"):
        facts.collect(views[0][1], frozenset(["kernel_h"]))


def test_extractors_declare_only_declared_facts():
    with pytest.raises(ValueError, match="not_a_fact"):
        facts.extractor(provides=("not_a_fact",))
