"""Every rule id a finding can carry, in one registry: the rule files' constraints (YAML), qcheck's
own march rules (MARCH.unknown_op, MARCH.quant_params) and the eager-mode advice (eager.*).

The check, `qcheck explain`, the report's rule metadata and the generated support table all read
qcheck's own rules from here; the constraints come from the RuleSet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qcheck.rules import Constraint, RuleSet


@dataclass(frozen=True)
class OwnRule:
    """A rule of qcheck itself, not a table row: one sentence and its advice."""

    says: str
    advice: str
    applies: str  # when it is checked, as `qcheck explain` says it


# short id -> the rule, issued as MARCH.ID on every march
MARCH_RULES = {
    "unknown_op": OwnRule("every compute op must be a row of the march's support table",
                          "replace it with an operator of the table, or move it after a DeQuantStub so it "
                          "runs on the CPU", "every march"),
    "quant_params": OwnRule("quantization parameters must be deployable: the BPU quantizes symmetrically "
                            "(zero_point 0) with a positive scale",
                            "use a symmetric qconfig (qscheme=torch.per_tensor_symmetric, signed dtype), as "
                            "the vendor's get_default_qat_qconfig does", "every march"),
}
# full id -> the rule, the same on every march (--mode eager)
EAGER_RULES = {
    "eager.replace_functional": OwnRule("eager mode quantizes modules only: a functional op or operator "
                                        "must be written as a module",
                                        "replace it with the module from the table's eager column",
                                        "--mode eager, every march"),
    "eager.reused_module": OwnRule("eager mode gives each module one set of quantization parameters: a "
                                   "module called more than once in forward needs one instance per call",
                                   "create one instance per call site", "--mode eager, every march"),
    "eager.missing_quant_stub": OwnRule("eager mode needs a QuantStub before the first BPU op",
                                        "add self.quant = QuantStub() in __init__ and x = self.quant(x) first in "
                                        "forward", "--mode eager, every march"),
    "eager.missing_dequant_stub": OwnRule("eager mode needs a DeQuantStub after the last BPU op",
                                          "add self.dequant = DeQuantStub() and return self.dequant(x)",
                                          "--mode eager, every march"),
    "eager.unfused": OwnRule("a fusable sequence is left unfused: eager mode fuses only what is declared",
                             "declare the fusion with fuse_modules", "--mode eager, every march"),
}


def own_rule(rules: RuleSet, rule_id: str) -> OwnRule | None:
    """qcheck's own rule of this id (MARCH.unknown_op on a known march, eager.*), or None."""
    if rule_id in EAGER_RULES:
        return EAGER_RULES[rule_id]
    march, _, short = rule_id.partition(".")
    return MARCH_RULES.get(short) if march in rules.marches else None


def every_id(rules: RuleSet) -> list[str]:
    """Every rule id a finding can carry with these rule files, table constraints first."""
    ids = [c.id for c in rules.constraints()]
    ids += [f"{march}.{short}" for march in rules.marches for short in MARCH_RULES]
    return list(dict.fromkeys(ids + list(EAGER_RULES)))


def find(rules: RuleSet, rule_id: str) -> Constraint | OwnRule | None:
    """The constraint or own rule an id names."""
    return rules.find_constraint(rule_id) or own_rule(rules, rule_id)


def metadata(rules: RuleSet, rule_id: str) -> dict[str, Any] | None:
    """What the report says about a rule (SARIF rule entries, help text)."""
    found = find(rules, rule_id)
    if found is None:
        return None
    if isinstance(found, OwnRule):
        march = None if rule_id in EAGER_RULES else rule_id.split(".", 1)[0]
        return {"says": found.says, "operator": None, "march": march, "table": None, "note": None,
                "advice": found.advice}
    return {"says": found.says, "operator": found.operator, "march": found.march, "table": found.table,
            "note": found.note, "advice": found.advice}


def explain(rules: RuleSet, rule_id: str) -> str | None:
    """`qcheck explain ID` for a rule id: the constraint's sentence, limits, row and note, or the
    own rule's sentence and advice; None for an id no finding can carry."""
    from qcheck import tables

    constraint = rules.find_constraint(rule_id)
    if constraint is not None:
        return tables.explain(rules, constraint)
    return tables.explain_builtin(rules, rule_id)
