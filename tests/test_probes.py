"""Every probe through the real capture path: ok ids stay silent, fail ids fire and nothing else
does (beyond the probe's declared `also` ids), a probe's stated findings are exactly the ones its
model gets, and its `at` / `past` readings hold / are broken.

A march that only extends another (nash_e, a YAML fixture here) is checked by its parent's probes,
derived: every bayes_e id renamed, except the constraints nash_e changes, which get probes of their own."""

from __future__ import annotations

import dataclasses

import pytest
from torch import nn

from qcheck import registry
from qcheck.rules import load_rules
from tests.helpers import NASH_E_RULES
from tests.probes import Probe, all_probes, probe
from tests.probes.modules import seq
from tests.probes.run import capture_probe, check_probe, reading_outcomes

PROBES = all_probes()


def march_of(rule_id: str) -> str:
    return rule_id.split(".", 1)[0]


@pytest.mark.parametrize("probe", PROBES, ids=[p.name for p in PROBES])
def test_probe(probe, rules):
    check(probe, rules)


def check(probe: Probe, rules, marches=(), ignored=frozenset()):
    """Run `probe` on every march it names (and `marches`); findings of `ignored` ids are left out
    of what the model gets."""
    graph = capture_probe(probe)
    stated = dict(probe.findings)
    exact = dict(probe.part_findings)
    marches = dict.fromkeys(march_of(i) for i in probe.ok + probe.fail + probe.also) | dict.fromkeys(stated) \
        | dict.fromkeys(exact) | dict.fromkeys(marches)
    for rule_id in probe.ok + probe.fail:
        assert rules.find_constraint(rule_id) is not None, f"{rule_id} is not a constraint of the rule files"
    for rule_id in probe.also:
        assert registry.find(rules, rule_id) is not None, f"{rule_id} is no rule id qcheck issues"
        assert rule_id not in probe.fail + probe.ok, f"{probe.name}: {rule_id} is an `also` id and a probed one"
    for march in marches:
        report = check_probe(graph, probe, march, rules)
        findings = [(layer, f) for layer, f in report.findings() if f.rule not in ignored]
        fired = {finding.rule for _, finding in findings}
        # A composite layer exercises the rows it is judged as.
        ops = {layer.op for layer in report.layers} | {row for layer in report.layers for row in layer.judged_as}
        if march in exact:
            composites = [layer for layer in report.layers if layer.judged_as]
            assert composites, f"{probe.name}: no layer was judged as a composite; layers: {sorted(ops)}"
            got = sorted(f"{f.rule}@{f.part}" for layer in composites for f in layer.findings if f.rule not in ignored)
            assert got == sorted(exact[march]), f"{probe.name} on {march}: findings {got}, expected {exact[march]}"
        for rule_id in (i for i in probe.ok if march_of(i) == march):
            assert rule_id not in fired, f"{probe.name}: {rule_id} fired: {_messages(findings, rule_id)}"
            operator = rules.find_constraint(rule_id).operator
            assert operator in ops, f"{probe.name}: the probe never exercises {operator}; layers: {sorted(ops)}"
        if march in stated:
            got = sorted({(finding.rule, finding.severity) for _, finding in findings})
            assert got == sorted(stated[march]), (
                f"{probe.name} on {march}: findings {got}, expected exactly {sorted(stated[march])}")
        # Where `findings` are stated they are the complete set already (with severities).
        expected = {i for i in probe.fail + probe.also if march_of(i) == march} | {i for i, _ in stated.get(march, ())}
        missing, extra = sorted(expected - fired), sorted(fired - expected)
        assert not missing and not extra, (
            f"{probe.name} on {march}: missing {missing}, unexpected {extra} "
            f"({[m for rule_id in extra for m in _messages(findings, rule_id)]}); layers: {sorted(ops)}")
    for label, holds in [(r, True) for r in probe.at] + [(r, False) for r in probe.past]:
        rule_id, _, reading = label.partition(":")
        constraint = rules.find_constraint(rule_id)
        assert constraint is not None and reading in {r.name for r in constraint.readings}, (
            f"{probe.name}: {label} names no reading of the rule files")
        outcomes = reading_outcomes(graph, probe, march_of(rule_id), rules, constraint)
        assert any(layer.get(reading) is holds for layer in outcomes), (
            f"{probe.name}: reading {label} should {'hold' if holds else 'be broken'}; per layer: {outcomes}")


def _messages(findings, rule_id):
    return [f"{layer.name}: {f.message}" for layer, f in findings if f.rule == rule_id]


# ------------------------------------------------------------------ a march that extends bayes_e
PARENT, CHILD = "bayes_e", "nash_e"


@pytest.fixture(scope="module")
def nash_rules():
    return load_rules([NASH_E_RULES])


def judgement(constraint):
    """What decides a constraint's findings (not its wording or source)."""
    text = lambda e: e.text if e is not None else None  # noqa: E731
    return (constraint.operator, constraint.kind, constraint.severity, text(constraint.check), text(constraint.when),
            constraint.role, constraint.allowed, constraint.settled_by,
            tuple((r.name, r.check.text) for r in constraint.readings))


def changed_ids(rules) -> set[str]:
    """The child's ids whose constraint is not the parent's, or that the parent lacks."""
    parent = {c.id.split(".", 1)[1]: judgement(c) for c in rules.constraints(PARENT)}
    return {c.id for c in rules.constraints(CHILD) if parent.get(c.id.split(".", 1)[1]) != judgement(c)}


def derive(probe: Probe, changed: set[str]) -> Probe:
    """The probe's statements about the parent, said of the child; the child's changed
    constraints are left out (a label is "ID", "ID:READING" or "ID@PART")."""
    def child(label):
        return CHILD + label[len(PARENT):]

    def renamed(labels):
        moved = (child(label) for label in labels if march_of(label) == PARENT)
        return tuple(label for label in moved if label.split(":")[0].split("@")[0] not in changed)

    findings = tuple((CHILD, tuple((child(i), s) for i, s in found if child(i) not in changed))
                     for march, found in probe.findings if march == PARENT)
    parts = tuple((CHILD, renamed(labels)) for march, labels in probe.part_findings if march == PARENT)
    return dataclasses.replace(probe, name=f"{probe.name} (derived for {CHILD})", ok=renamed(probe.ok),
                               fail=renamed(probe.fail), also=renamed(probe.also), at=renamed(probe.at),
                               past=renamed(probe.past), findings=findings, part_findings=parts)


def _checks_parent(probe: Probe) -> bool:
    labels = probe.ok + probe.fail + probe.also + tuple(m for m, _ in probe.findings + probe.part_findings)
    return any(march_of(label) == PARENT for label in labels)


PARENT_PROBES = [p for p in PROBES if _checks_parent(p)]


@pytest.mark.parametrize("probe", PARENT_PROBES, ids=[p.name for p in PARENT_PROBES])
def test_parent_probe_derived_for_the_child(probe, nash_rules):
    changed = changed_ids(nash_rules)
    check(derive(probe, changed), nash_rules, marches=[CHILD], ignored=changed)


# The constraint nash_e changes, at its limit and just past it.
CHILD_PROBES = [
    probe("nash_e conv2d kernel 3", seq(nn.Conv2d(1, 1, 3)), "1x1x3x3", ok=f"{CHILD}.conv2d.kernel"),
    probe("nash_e conv2d kernel 4", seq(nn.Conv2d(1, 1, (1, 4))), "1x1x1x4",
          fail=f"{CHILD}.conv2d.kernel"),
]


@pytest.mark.parametrize("probe", CHILD_PROBES, ids=[p.name for p in CHILD_PROBES])
def test_child_probe(probe, nash_rules):
    assert changed_ids(nash_rules) == {f"{CHILD}.conv2d.kernel"}
    check(probe, nash_rules)
