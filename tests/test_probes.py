"""Every probe through the real capture path: ok ids stay silent, fail ids fire, a probe's stated
findings are exactly the ones its model gets, and its `at` / `past` readings hold / are broken."""

from __future__ import annotations

import pytest

from tests.probes import all_probes
from tests.probes.run import capture_probe, check_probe, reading_outcomes

PROBES = all_probes()


@pytest.mark.parametrize("probe", PROBES, ids=[p.name for p in PROBES])
def test_probe(probe, rules):
    graph = capture_probe(probe)
    by_march: dict[str, list[tuple[str, bool]]] = {}
    for rule_id in probe.ok:
        by_march.setdefault(rule_id.split(".", 1)[0], []).append((rule_id, True))
    for rule_id in probe.fail:
        by_march.setdefault(rule_id.split(".", 1)[0], []).append((rule_id, False))
    for march, expected in probe.findings:
        by_march.setdefault(march, [])
    reports = {}
    exact = dict(probe.part_findings)
    for march in exact:
        by_march.setdefault(march, [])
    for march, expectations in by_march.items():
        report = reports[march] = check_probe(graph, probe, march, rules)
        fired = {finding.rule for _, finding in report.findings()}
        # A composite layer exercises the rows it is judged as.
        ops = {layer.op for layer in report.layers} | {row for layer in report.layers for row in layer.judged_as}
        if march in exact:
            composites = [layer for layer in report.layers if layer.judged_as]
            assert composites, f"{probe.name}: no layer was judged as a composite; layers: {sorted(ops)}"
            got = sorted(f"{f.rule}@{f.part}" for layer in composites for f in layer.findings)
            assert got == sorted(exact[march]), f"{probe.name} on {march}: findings {got}, expected {exact[march]}"
        for rule_id, should_pass in expectations:
            constraint = rules.find_constraint(rule_id)
            assert constraint is not None, f"{rule_id} is not a constraint of the rule files"
            if should_pass:
                assert rule_id not in fired, f"{probe.name}: {rule_id} fired: {_messages(report, rule_id)}"
                assert constraint.operator in ops, (
                    f"{probe.name}: the probe never exercises {constraint.operator}; layers: {sorted(ops)}")
            else:
                assert rule_id in fired, (
                    f"{probe.name}: {rule_id} did not fire; findings: {sorted(fired)}; layers: {sorted(ops)}")
    for march, expected in probe.findings:
        got = sorted({(finding.rule, finding.severity) for _, finding in reports[march].findings()})
        assert got == sorted(expected), (
            f"{probe.name} on {march}: findings {got}, expected exactly {sorted(expected)}")
    for label, holds in [(r, True) for r in probe.at] + [(r, False) for r in probe.past]:
        rule_id, _, reading = label.partition(":")
        constraint = rules.find_constraint(rule_id)
        assert constraint is not None and reading in {r.name for r in constraint.readings}, (
            f"{probe.name}: {label} names no reading of the rule files")
        outcomes = reading_outcomes(graph, probe, rule_id.split(".", 1)[0], rules, constraint)
        assert any(layer.get(reading) is holds for layer in outcomes), (
            f"{probe.name}: reading {label} should {'hold' if holds else 'be broken'}; per layer: {outcomes}")


def _messages(report, rule_id):
    return [f.message for _, f in report.findings() if f.rule == rule_id]
