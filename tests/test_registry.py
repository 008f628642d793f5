"""One registry of every rule id (issue 17): every id a finding can carry is explainable, and the
code issues no id the registry does not know."""

from __future__ import annotations

import ast
import glob
import json
import os
import re

from qcheck import registry
from tests.helpers import ROOT, run_cli
from tests.probes import all_probes


def test_every_registered_id_is_explainable(rules):
    ids = registry.every_id(rules)
    constraints = {c.id for c in rules.constraints()}
    assert constraints <= set(ids) and len(constraints) > 900
    assert {"bayes_e.unknown_op", "bernoulli2.quant_params", "eager.unfused"} <= set(ids)
    for rule_id in ids:
        text = registry.explain(rules, rule_id)
        assert text is not None and text.startswith(rule_id + "\n"), rule_id
        assert registry.metadata(rules, rule_id)["says"] in text, rule_id
    assert registry.explain(rules, "bayes.no_such_rule") is None
    assert registry.explain(rules, "nash_e.unknown_op") is None  # not a march of these rule files


def test_the_cli_explains_qcheck_own_rules_and_a_march_from_a_rules_file(tmp_path):
    nash = tmp_path / "nash.yaml"
    nash.write_text("marches:\n  nash_e:\n    board: B\n    extends: bayes_e\n")
    for rule_id, words in [("bayes.unknown_op", "support table"), ("eager.reused_module", "one instance"),
                           ("nash_e.quant_params", "zero_point"), ("nash_e.conv2d.weight_size", "32767")]:
        result = run_cli("explain", rule_id, "--rules", str(nash))
        assert result.returncode == 0 and words in result.stdout, (rule_id, result.stderr)


def _literal_ids(path: str) -> set[str]:
    """Rule ids the code writes as literals: "eager.x", and f"{march}.x"."""
    found = set()
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"eager\.\w+", node.value):
            found.add(node.value)
        if isinstance(node, ast.JoinedStr) and len(node.values) == 2:
            head, tail = node.values
            if (isinstance(head, ast.FormattedValue) and isinstance(head.value, ast.Name)
                    and head.value.id == "march" and isinstance(tail, ast.Constant)
                    and re.fullmatch(r"\.\w+", tail.value)):
                found.add("MARCH" + tail.value)
    return found


def test_the_code_issues_only_registered_ids(rules):
    issued = set()
    for path in glob.glob(os.path.join(ROOT, "qcheck", "**", "*.py"), recursive=True):
        issued |= _literal_ids(path)
    march_ids = {i for i in issued if i.startswith("MARCH.")}
    assert {"MARCH.unknown_op", "MARCH.quant_params"} <= march_ids
    assert {i.split(".", 1)[1] for i in march_ids} - {"supported"} <= set(registry.MARCH_RULES)
    eager_ids = {i for i in issued if i.startswith("eager.")}
    assert len(eager_ids) >= 5 and eager_ids <= set(registry.EAGER_RULES)


def test_every_id_the_probes_and_golden_reports_name_is_registered(rules):
    known = set(registry.every_id(rules))
    named = set()
    for probe in all_probes():
        named |= {label.split(":", 1)[0] for label in (*probe.ok, *probe.fail, *probe.at, *probe.past)}
        named |= {rule for _, found in probe.findings for rule, _ in found}
    for path in glob.glob(os.path.join(ROOT, "tests", "golden", "*.json")):
        data = json.load(open(path, encoding="utf-8"))
        for report in data if isinstance(data, list) else [data]:
            named |= {f["rule"] for layer in report["layers"] for f in layer["findings"]}
    assert len(named) > 300
    assert named - known == set()
