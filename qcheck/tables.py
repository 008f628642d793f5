"""The rule set as a table for people: `qcheck rules`, `qcheck explain`, docs/SUPPORTED_OPS.md."""

from __future__ import annotations

import json

from qcheck.rules import Constraint, RuleSet


def _dtypes(rule) -> dict[str, str]:
    found = {}
    for c in rule.constraints:
        if c.kind == "dtype":
            found[c.role] = ", ".join(c.allowed)
    if rule.output == "same":
        found.setdefault("output", "same as input")
    return found


def rows(rules: RuleSet, marches: list[str], operators: list[str] | None = None) -> list[dict]:
    found = []
    for name in operators or list(rules.operators):
        op = rules.operators[name]
        for march in marches:
            rule = rules.rule(name, march)
            found.append({
                "operator": name, "id": op.id, "category": op.category, "march": march,
                "supported": rule.supported, "via": rule.via, "eager": op.eager, "note": rule.note,
                "dtypes": _dtypes(rule),
                "constraints": [{"id": c.id, "kind": c.kind, "severity": c.severity, "says": c.says,
                                 "check": c.check.text if c.check else None,
                                 "when": c.when.text if c.when else None}
                                for c in rule.constraints if c.kind not in ("dtype",)],
            })
    return found


def render_rules(rules: RuleSet, marches: list[str], operators: list[str] | None, fmt: str) -> str:
    table = rows(rules, marches, operators)
    if fmt == "json":
        return json.dumps(table, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if fmt == "markdown":
        return markdown(rules, marches, operators)
    lines = []
    for row in table:
        state = "supported" if row["supported"] else "NOT SUPPORTED"
        via = f" (same as {row['via']})" if row["via"] else ""
        lines.append(f"{row['operator']}  [{row['march']}]  {state}{via}")
        for role, allowed in row["dtypes"].items():
            lines.append(f"    {role}: {allowed}")
        for c in row["constraints"]:
            lines.append(f"    {c['id']} ({c['severity']}): {c['says']}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(rules: RuleSet, marches: list[str], operators: list[str] | None = None) -> str:
    """The published support table, generated from the rule files (do not edit by hand)."""
    out = ["# Supported operators", "",
           "Generated from `rules/*.yaml` by `qcheck rules --format markdown`; do not edit by hand.",
           "Every constraint id below can be passed to `qcheck explain` or `--ignore`.", ""]
    for march in marches:
        m = rules.marches[march]
        out += [f"## {march} ({m.board})", ""]
        if m.note:
            out += [m.note, ""]
        out += ["| operator | supported | dtypes | constraints |", "|---|---|---|---|"]
        for row in rows(rules, [march], operators):
            state = "yes" if row["supported"] else "**no**"
            if row["via"]:
                state += f" (as {row['via']})"
            dtypes = "<br>".join(f"{k}: {v}" for k, v in row["dtypes"].items())
            constraints = "<br>".join(f"`{c['id']}` {c['says']}" for c in row["constraints"])
            out.append(f"| `{row['operator']}` | {state} | {_cell(dtypes)} | {_cell(constraints)} |")
        out.append("")
    return "\n".join(out)


def explain(rules: RuleSet, c: Constraint) -> str:
    op = rules.operators[c.operator]
    lines = [f"{c.id}", "", f"  {c.says}", "",
             f"  operator:  {c.operator} ({op.category})",
             f"  march:     {c.march} ({rules.marches[c.march].board})",
             f"  severity:  {'error' if c.kind in ('dtype', 'unsupported') else c.severity}"]
    if c.check is not None:
        lines.append(f"  check:     {c.check.text}")
    if c.when is not None:
        lines.append(f"  when:      {c.when.text}")
    if c.kind == "dtype":
        lines.append(f"  allowed:   {', '.join(c.allowed)} ({c.role})")
    if c.via:
        lines.append(f"  same as:   {c.via} (the table's 参考 {c.via})")
    if c.table:
        lines.append(f"  table:     {c.table}")
    if c.advice:
        lines.append(f"  advice:    {c.advice}")
    if c.note:
        lines.append(f"  note:      {' '.join(c.note.split())}")
    lines.append(f"  defined:   {c.file}:{c.line}")
    return "\n".join(lines) + "\n"


def explain_builtin(rules: RuleSet, rule_id: str) -> str | None:
    """qcheck's own rules: MARCH.unknown_op, MARCH.quant_params and the eager.* advice."""
    from qcheck import eager
    from qcheck.check import BUILTIN_RULES

    scope, _, own = rule_id.partition(".")
    if scope == "eager" and rule_id in eager.RULES:
        says, advice = eager.RULES[rule_id]
        where = "--mode eager, every march"
    elif scope in rules.marches and own in BUILTIN_RULES:
        says, advice = BUILTIN_RULES[own]
        where = f"march {scope}"
    else:
        return None
    return (f"{rule_id}\n\n  {says}\n\n  applies:   {where} (a qcheck rule, not a table row)\n"
            f"  advice:    {advice}\n")
