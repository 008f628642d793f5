"""Every probe through the real capture path: ok ids stay silent, fail ids fire and nothing else
does (beyond the probe's declared `also` ids), a probe's stated findings are exactly the ones its
model gets, and its `at` / `past` readings hold / are broken."""

from __future__ import annotations

import pytest

from qcheck import registry
from tests.probes import all_probes
from tests.probes.run import capture_probe, check_probe, reading_outcomes

PROBES = all_probes()


def march_of(rule_id: str) -> str:
    return rule_id.split(".", 1)[0]


@pytest.mark.parametrize("probe", PROBES, ids=[p.name for p in PROBES])
def test_probe(probe, rules):
    graph = capture_probe(probe)
    stated = dict(probe.findings)
    exact = dict(probe.part_findings)
    marches = dict.fromkeys(march_of(i) for i in probe.ok + probe.fail + probe.also) | dict.fromkeys(stated) \
        | dict.fromkeys(exact)
    for rule_id in probe.ok + probe.fail:
        assert rules.find_constraint(rule_id) is not None, f"{rule_id} is not a constraint of the rule files"
    for rule_id in probe.also:
        assert registry.find(rules, rule_id) is not None, f"{rule_id} is no rule id qcheck issues"
        assert rule_id not in probe.fail + probe.ok, f"{probe.name}: {rule_id} is an `also` id and a probed one"
    for march in marches:
        report = check_probe(graph, probe, march, rules)
        fired = {finding.rule for _, finding in report.findings()}
        # A composite layer exercises the rows it is judged as.
        ops = {layer.op for layer in report.layers} | {row for layer in report.layers for row in layer.judged_as}
        if march in exact:
            composites = [layer for layer in report.layers if layer.judged_as]
            assert composites, f"{probe.name}: no layer was judged as a composite; layers: {sorted(ops)}"
            got = sorted(f"{f.rule}@{f.part}" for layer in composites for f in layer.findings)
            assert got == sorted(exact[march]), f"{probe.name} on {march}: findings {got}, expected {exact[march]}"
        for rule_id in (i for i in probe.ok if march_of(i) == march):
            assert rule_id not in fired, f"{probe.name}: {rule_id} fired: {_messages(report, rule_id)}"
            operator = rules.find_constraint(rule_id).operator
            assert operator in ops, f"{probe.name}: the probe never exercises {operator}; layers: {sorted(ops)}"
        if march in stated:
            got = sorted({(finding.rule, finding.severity) for _, finding in report.findings()})
            assert got == sorted(stated[march]), (
                f"{probe.name} on {march}: findings {got}, expected exactly {sorted(stated[march])}")
        # Where `findings` are stated they are the complete set already (with severities).
        expected = {i for i in probe.fail + probe.also if march_of(i) == march} | {i for i, _ in stated.get(march, ())}
        missing, extra = sorted(expected - fired), sorted(fired - expected)
        assert not missing and not extra, (
            f"{probe.name} on {march}: missing {missing}, unexpected {extra} "
            f"({[m for rule_id in extra for m in _messages(report, rule_id)]}); layers: {sorted(ops)}")
    for label, holds in [(r, True) for r in probe.at] + [(r, False) for r in probe.past]:
        rule_id, _, reading = label.partition(":")
        constraint = rules.find_constraint(rule_id)
        assert constraint is not None and reading in {r.name for r in constraint.readings}, (
            f"{probe.name}: {label} names no reading of the rule files")
        outcomes = reading_outcomes(graph, probe, march_of(rule_id), rules, constraint)
        assert any(layer.get(reading) is holds for layer in outcomes), (
            f"{probe.name}: reading {label} should {'hold' if holds else 'be broken'}; per layer: {outcomes}")


def _messages(report, rule_id):
    return [f"{layer.name}: {f.message}" for layer, f in report.findings() if f.rule == rule_id]
