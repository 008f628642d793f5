"""The rule set as a table for people: `qcheck rules`, `qcheck explain`, docs/SUPPORTED_OPS.md."""

from __future__ import annotations

import json

from qcheck import readings
from qcheck.patterns import PATTERNS
from qcheck.rules import Composite, Constraint, RuleSet, TensorRef


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
                "dtypes": _dtypes(rule), "patterns": list(op.patterns),
                "constraints": [{"id": c.id, "kind": c.kind, "severity": c.severity, "says": c.says,
                                 "check": c.check.text if c.check else None,
                                 "when": c.when.text if c.when else None,
                                 **({"readings": readings.describe(c)} if c.readings else {})}
                                for c in rule.constraints if c.kind not in ("dtype",)],
            })
    return found


# What an unsettled cell does to a layer of the PyTorch flow (qcheck.readings wording).
TORCH_EFFECT = ("the layer fails only when it breaks every reading, and gets a warning naming the broken "
                "ones when it breaks some")
TORCH_CELL = "fails only when all are broken, warns when some are"


def render_rules(rules: RuleSet, marches: list[str], operators: list[str] | None, fmt: str) -> str:
    composite = rules.composites.get(operators[0]) if operators and len(operators) == 1 else None
    if composite is not None:  # `qcheck rules --op torch.nn.Hardswish`: the decomposition and its rows
        part_rows = list(dict.fromkeys(composite.judged_as))
        if fmt == "json":
            found = {**composite_dict(composite), "rows": rows(rules, marches, part_rows)}
            return json.dumps([found], indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        return explain_composite(rules, composite) + "\n" + render_rules(rules, marches, part_rows, fmt)
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
        for name in row["patterns"]:
            lines.append(f"    pattern {name}: {PATTERNS[name].says}")
        for c in row["constraints"]:
            lines.append(f"    {c['id']} ({c['severity']}): {c['says']}")
    if operators is None:
        for composite in rules.composites.values():
            lines.append(f"{composite.name}  [composite]  judged as {' + '.join(composite.judged_as)}")
            lines.append(f"    {composite.formula}")
    return "\n".join(lines) + "\n"


def _own_rules(rules: RuleSet) -> list[str]:
    """qcheck's own rules (qcheck.registry): not table rows, but ids findings carry all the same."""
    from qcheck import registry

    out = ["## qcheck's own rules", "",
           "Rules of qcheck itself rather than rows of the table; `qcheck explain ID` and `--ignore` take",
           "them like any constraint id.", "", "| id | applies | rule |", "|---|---|---|"]
    for short, own in registry.MARCH_RULES.items():
        out.append(f"| `MARCH.{short}` ({', '.join(f'`{m}.{short}`' for m in rules.marches)}) | "
                   f"{own.applies} | {_cell(own.says)} |")
    for rule_id, own in registry.EAGER_RULES.items():
        out.append(f"| `{rule_id}` | {own.applies} | {_cell(own.says)} |")
    return out + [""]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(rules: RuleSet, marches: list[str], operators: list[str] | None = None) -> str:
    """The published support table, generated from the rule files (do not edit by hand)."""
    out = ["# Supported operators", "",
           "Generated from `rules/*.yaml` by `qcheck rules --format markdown`; do not edit by hand.",
           "Every constraint id below can be passed to `qcheck explain` or `--ignore`.", ""]
    out += _overview(rules, marches, operators)
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
            constraints = "<br>".join(
                f"`{c['id']}` {c['says']}" + (readings.markdown_cell(c["readings"], TORCH_CELL) if c.get("readings") else "")
                for c in row["constraints"])
            out.append(f"| `{row['operator']}` | {state} | {_cell(dtypes)} | {_cell(constraints)} |")
        out.append("")
    if operators is None:
        out += _own_rules(rules)
    if operators is None and rules.composites:
        out += ["## Composites", "",
                "Ops the table does not list but that are compositions of rows it does list: each is judged",
                "through its decomposition, part by part, with the constraints of the row each part is judged",
                "as (on every march). `qcheck explain NAME` shows a decomposition in full.", "",
                "| op | decomposition | judged as | captured ops |", "|---|---|---|---|"]
        for composite in rules.composites.values():
            parts = " + ".join(f"`{p.row}` ({p.id})" for p in composite.parts)
            out.append(f"| `{composite.name}` | {_cell(composite.formula)} | {parts} | "
                       f"{', '.join(f'`{op}`' for op in composite.ops)} |")
        out.append("")
    return "\n".join(out)


def _signature(rule) -> list[tuple]:
    """What a march's rule for a row judges, without the march: to see where two marches differ."""
    return sorted((c.id.rsplit(".", 1)[-1], c.kind, c.severity, c.check.text if c.check else None,
                   c.when.text if c.when else None, c.allowed, tuple(r.check.text for r in c.readings))
                  for c in rule.constraints)


def _overview(rules: RuleSet, marches: list[str], operators: list[str] | None) -> list[str]:
    """One line per operator, one column per march; a march that extends another is marked where
    its rule differs from its parent's (bayes_e: the X5 differences)."""
    heads = " | ".join(marches)
    out = ["## Overview", "",
           "Supported (yes) or not (**no**) per march; \"differs\" marks a row whose rule differs from the "
           "march it extends (for bayes_e: an X5 difference from bayes).", "",
           f"| operator | {heads} |", "|---|" + "---|" * len(marches)]
    for name in operators or list(rules.operators):
        cells = []
        for march in marches:
            rule = rules.rule(name, march)
            cell = "yes" if rule.supported else "**no**"
            parent = rules.marches[march].extends
            if parent and _signature(rule) != _signature(rules.rule(name, parent)):
                cell += ", differs"
            cells.append(cell)
        out.append(f"| `{name}` | " + " | ".join(cells) + " |")
    out.append("")
    return out


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
    if c.readings:
        lines.extend(readings.explain_lines(c, TORCH_EFFECT))
    if c.via:
        lines.append(f"  same as:   {c.via} (the table's 参考 {c.via})")
    for name in op.patterns:
        lines.append(f"  pattern:   {name}: {PATTERNS[name].says}")
    if c.table:
        lines.append(f"  table:     {c.table}")
    if c.advice:
        lines.append(f"  advice:    {c.advice}")
    if c.note:
        lines.append(f"  note:      {' '.join(c.note.split())}")
    lines.append(f"  defined:   {c.file}:{c.line}")
    return "\n".join(lines) + "\n"


def _argument_text(value) -> str:
    if isinstance(value, TensorRef):
        return value.text
    if hasattr(value, "text"):  # an expression
        return value.text
    return json.dumps(value)


def composite_dict(composite: Composite) -> dict:
    """A composite as data (`qcheck rules --op NAME --format json`)."""
    return {
        "composite": composite.name, "id": composite.id, "formula": composite.formula, "ops": composite.ops,
        "when": composite.when.text if composite.when else None, "arguments": composite.arguments,
        "judged_as": composite.judged_as, "note": composite.note,
        "tensors": {t.name: {"shape": t.shape.text, "count": t.count.text if t.count else None,
                             "constant": t.constant, "view_of": t.view_of} for t in composite.tensors.values()},
        "parts": [{"id": p.id, "as": p.row, "op": p.op, "out": p.out.text if p.out else None,
                   "args": {k: _argument_text(v) for k, v in p.args.items()},
                   "views": {k: v.text for k, v in p.views.items()}, "when": p.when.text if p.when else None}
                  for p in composite.parts],
        "defined": f"{composite.file}:{composite.line}",
    }


def explain_composite(rules: RuleSet, composite: Composite) -> str:
    """`qcheck explain torch.nn.Hardswish`: what the op is read as, part by part."""
    lines = [f"{composite.name}", "", f"  {composite.formula}", "",
             "  a composite: not a row of the table, judged through its decomposition, each part as a",
             "  table row on the tensors that part sees (findings name the part)", "",
             f"  matches:   {', '.join(composite.ops)}" + (f" when {composite.when.text}" if composite.when else ""),
             f"  judged as: {' + '.join(composite.judged_as)}", "  parts:"]
    width = max(len(p.id) for p in composite.parts)
    for part in composite.parts:
        if part.op is None:
            seen = ", ".join(f"{name} as {view.text}" for name, view in part.views.items())
            reads = f"its own node, seeing {seen}" if seen else "its own node"
        else:
            args = ", ".join(f"{k}={_argument_text(v)}" for k, v in part.args.items())
            reads = f"{part.op}({args}) -> {part.out.text}"
        condition = f"  (only when {part.when.text})" if part.when else ""
        lines.append(f"    {part.id:<{width}}  as {part.row}: {reads}{condition}")
    if composite.tensors:
        lines.append("  tensors:")
        for tensor in composite.tensors.values():
            extra = (f", {tensor.count.text} of them" if tensor.count else "") + \
                (", a constant" if tensor.constant else "") + (f", {tensor.view_of} seen so" if tensor.view_of else "")
            lines.append(f"    {tensor.name}: shape {tensor.shape.text}{extra}")
    if composite.note:
        lines.append(f"  note:      {' '.join(composite.note.split())}")
    lines.append(f"  defined:   {composite.file}:{composite.line}")
    rows_text = ", ".join(f"qcheck rules --op {row}" for row in dict.fromkeys(composite.judged_as))
    lines.append(f"  limits:    the parts' rows: {rows_text}")
    return "\n".join(lines) + "\n"


def explain_builtin(rules: RuleSet, rule_id: str) -> str | None:
    """qcheck's own rules (qcheck.registry): MARCH.unknown_op, MARCH.quant_params and eager.*."""
    from qcheck import registry

    own = registry.own_rule(rules, rule_id)
    if own is None:
        return None
    where = f"march {rule_id.split('.', 1)[0]}" if own.applies == "every march" else own.applies
    return (f"{rule_id}\n\n  {own.says}\n\n  applies:   {where} (a qcheck rule, not a table row)\n"
            f"  advice:    {own.advice}\n")
