"""Judge every layer against every constraint of its table row: all findings, never the first."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field, replace
from typing import Any

from qcheck import decompose, expr, facts, readings, registry
from qcheck.dtypes import Assignment, DtypeConfig
from qcheck.graph import Graph, Ref
from qcheck.gcpause import gc_paused
from qcheck.mapping import Layer
from qcheck.opfamilies import LIST_UNPACK
from qcheck.report import Finding, LayerResult, TensorInfo, status_of
from qcheck.rules import Constraint, RuleSet

SEVERITY_STATUS = {"error": "fail", "warning": "warn"}


@dataclass
class CheckSettings:
    ignore: list[str] = field(default_factory=list)  # constraint ids or globs ("bayes.*.precision")
    ignore_layers: dict[str, list[str]] = field(default_factory=dict)  # layer glob -> rule globs
    dtype_config: DtypeConfig | None = None  # None: the march's default dtypes
    input_source: str = "ddr"


def fact_context(assignment: Assignment, input_source: str) -> dict[str, Any]:
    """What facts read beyond the layer: the run's input source and the dtypes stage's fake-quants."""
    return {"input_source": input_source, "fake_quantized": assignment.fake_quantized,
            "fake_quant_nodes": assignment.fake_quant_nodes}


@gc_paused
def check_layers(graph: Graph, layers: list[Layer], assignment: Assignment, rules: RuleSet, march: str,
                 settings: CheckSettings) -> tuple[list[LayerResult], int]:
    if settings.dtype_config is None:
        settings = replace(settings, dtype_config=DtypeConfig.for_march(rules, march))
    results = []
    ignored = 0
    model_outputs = set(graph.outputs)
    context = fact_context(assignment, settings.input_source)
    producer = {out: layer for layer in layers for node in layer.nodes for out in node.outputs}
    reads: dict[int, list[str]] = {}  # id(layer) -> non-structural layers it reads from

    def sources(layer: Layer) -> list[Layer]:
        found = (producer.get(value.name) for value in layer.inputs)
        return [source for source in found if source is not None and source is not layer]

    def after(layer: Layer) -> list[str]:
        found = reads.get(id(layer))
        if found is not None:
            return found
        direct = sources(layer)
        if not any(source.kind == "structural" for source in direct):  # the common case
            reads[id(layer)] = found = []
            for source in direct:
                if source.name != layer.name and source.name not in found:
                    found.append(source.name)
            return found
        # Looks through chains of structural layers, deepest first, with a stack rather than
        # recursion: a chain of thousands of reshapes must not hit the recursion limit.
        stack, started = [layer], set()
        while stack:
            current = stack[-1]
            if id(current) in reads:
                stack.pop()
                continue
            if id(current) not in started:
                started.add(id(current))
                pending = [s for s in sources(current) if s.kind == "structural" and id(s) not in reads
                           and id(s) not in started]
                if pending:
                    stack.extend(reversed(pending))
                    continue
            reads[id(current)] = found = []
            for source in sources(current):
                for name in reads.get(id(source), []) if source.kind == "structural" else [source.name]:
                    if name != current.name and name not in found:
                        found.append(name)
            stack.pop()
        return reads[id(layer)]

    for layer in layers:
        if layer.kind == "structural":
            continue
        region = assignment.regions.get(layer.name, "bpu")
        findings: list[Finding] = []
        if region == "bpu":
            findings = judge(layer, graph, assignment, rules, march, settings, model_outputs, context)
        kept = [f for f in findings if not is_ignored(f.rule, layer.name, settings)]
        ignored += len(findings) - len(kept)
        results.append(_result(layer, kept, region, assignment, after(layer)))
    return results, ignored


def judge(layer: Layer, graph: Graph, assignment: Assignment, rules: RuleSet, march: str,
          settings: CheckSettings, model_outputs: set[str], context: dict[str, Any]) -> list[Finding]:
    if layer.kind == "unknown":
        return [Finding(rule=f"{march}.unknown_op", severity="error",
                        message=f"{layer.target} is not in the {march} support table",
                        advice=BUILTIN_RULES["unknown_op"][1])]
    if layer.kind == "composite":
        return _judge_composite(layer, graph, assignment, rules, march, settings, model_outputs, context)
    rule = rules.rule(layer.operator.name, march)
    view = facts.LayerView(layer, graph, assignment.dtypes, model_outputs, context)
    # Only the facts the row reads are collected: none for a row of dtype, static and
    # unsupported constraints (ReLU), a few for most.
    known = facts.collect(view, rule.reads) if rule.reads else {}
    found = []
    for constraint in rule.constraints:
        finding = _evaluate(constraint, layer, view, known, settings.dtype_config)
        if finding is not None:
            found.append(finding)
    found.extend(_quant_params(layer, graph, assignment, march))
    return found


def _judge_composite(layer: Layer, graph: Graph, assignment: Assignment, rules: RuleSet, march: str,
                     settings: CheckSettings, model_outputs: set[str], context: dict[str, Any]) -> list[Finding]:
    """A composite is judged as each of its parts' rows, on the tensors that part sees; a
    finding names the part it is about."""
    found = []
    for part in layer.parts:
        rule = rules.rule(part.operator.name, march)
        view = decompose.PartView(part, graph, assignment.dtypes, model_outputs, context)
        known = facts.collect(view, rule.reads) if rule.reads else {}
        for constraint in rule.constraints:
            finding = _evaluate(constraint, part.layer, view, known, settings.dtype_config)
            if finding is not None:
                finding.part = part.id
                finding.message = f"part {part.id} ({part.operator.name}): {finding.message}"
                found.append(finding)
    found.extend(_quant_params(layer, graph, assignment, march))
    return found


# qcheck's own march rules (short id -> (says, advice)), from the one registry of rule ids
BUILTIN_RULES = {short: (rule.says, rule.advice) for short, rule in registry.MARCH_RULES.items()}


def _nodes_by_name(graph: Graph) -> dict:
    """Node by name (the first of a name), built once per graph."""
    cached = graph.__dict__.get("_qcheck_nodes_by_name")
    if cached is None:
        cached = graph.__dict__["_qcheck_nodes_by_name"] = {}
        for node in graph.nodes:
            cached.setdefault(node.name, node)
    return cached


def _quant_params(layer: Layer, graph: Graph, assignment: Assignment, march: str) -> list[Finding]:
    """The vendor's check_quanti_param: scales and zero points that cannot be deployed."""
    if not assignment.fake_quant and not any(value.qscheme for value in layer.outputs):
        return []  # the common case: nothing quantized this layer's outputs
    problems: dict[str, Any] = {}
    for value in layer.outputs:
        params = dict(graph.values[value.name].qscheme or {}) if value.name in graph.values else {}
        fake_quant = assignment.fake_quant.get(value.name)
        if fake_quant is not None:
            node = _nodes_by_name(graph).get(fake_quant)
            path = node.module_stack[-1][0] if node is not None and node.module_stack else None
            params.update({k: v for k, v in graph.module_attrs.get(path or "", {}).items()
                           if k in ("scale", "zero_point")})
        zero_point, scale = params.get("zero_point"), params.get("scale")
        if isinstance(zero_point, (int, float)) and zero_point != 0:
            problems["zero_point"] = zero_point
        if isinstance(scale, (int, float)) and scale <= 0:
            problems["scale"] = scale
    if not problems:
        return []
    says, advice = BUILTIN_RULES["quant_params"]
    shown = ", ".join(f"{k}={v:g}" for k, v in problems.items())
    return [Finding(f"{march}.quant_params", "error", f"{says} (observed: {shown})", advice,
                    observed=problems, allowed="zero_point == 0 and scale > 0")]


def _evaluate(constraint: Constraint, layer: Layer, view: facts.LayerView, known: dict[str, Any],
              config: DtypeConfig) -> Finding | None:
    if constraint.when is not None:
        try:
            if not constraint.when.evaluate(known):
                return None
        except expr.Unknown:
            return None
    if constraint.kind == "unsupported":
        return Finding(constraint.id, "error", constraint.says, constraint.advice)
    if constraint.kind == "static":
        return Finding(constraint.id, constraint.severity, constraint.says, constraint.advice)
    if constraint.kind == "dtype":
        return _check_dtype(constraint, layer, view, config)
    if constraint.kind == "readings":
        return _judge_readings(constraint, known)
    try:
        if constraint.check.evaluate(known):
            return None
    except expr.Unknown:
        return None  # a fact this capture cannot know: skipped, never guessed
    observed = {name: _plain(known.get(name)) for name in constraint.check.names}
    shown = ", ".join(f"{name}={_show(value)}" for name, value in observed.items())
    return Finding(constraint.id, constraint.severity, f"{constraint.says} (observed: {shown})",
                   constraint.advice, observed=observed, allowed=constraint.check.text)


# A layer that breaks only some readings of an unsettled cell gets a finding one step milder.
_MILDER = {"error": "warning", "warning": "info", "info": "info"}


def _judge_readings(constraint: Constraint, known: dict[str, Any]) -> Finding | None:
    """An unsettled cell: fail only when every reading is broken; warn, naming the broken
    readings and the ones that hold, when some are."""
    outcomes = readings.outcomes(constraint, known)
    broken = [r for r in constraint.readings if outcomes[r.name] is False]
    if not broken:
        return None
    names = list(dict.fromkeys(n for r in constraint.readings for n in r.check.names))
    observed = {name: _plain(known.get(name)) for name in names if known.get(name) is not None}
    shown = ", ".join(f"{name}={_show(value)}" for name, value in observed.items())
    holding = [r for r in constraint.readings if outcomes[r.name] is not False]
    if not holding:
        message = (f"{constraint.says}: broken under every reading of the table cell "
                   f"({', '.join(r.name for r in broken)}) (observed: {shown})")
        return Finding(constraint.id, constraint.severity, message, constraint.advice, observed=observed,
                       allowed=" or ".join(f"({r.check.text})" for r in constraint.readings))
    also = "; ".join(f"'{r.name}': {r.says}" for r in holding)
    message = (f"{constraint.says}: broken under the reading "
               f"{' and '.join(repr(r.name) for r in broken)} ({'; '.join(r.says for r in broken)}) but "
               f"not under {also}; reported as {_MILDER[constraint.severity]} rather than {constraint.severity} "
               f"since no document settles the reading: {constraint.unsettled} (observed: {shown})")
    return Finding(constraint.id, _MILDER[constraint.severity], message, constraint.advice, observed=observed,
                   allowed=" and ".join(f"({r.check.text})" for r in broken))


def _check_dtype(constraint: Constraint, layer: Layer, view: facts.LayerView,
                 config: DtypeConfig) -> Finding | None:
    role, _, arg = constraint.role.partition(":")
    observed: list[str] = []
    if role == "input":
        values = [view.value(view.arg(arg))] if arg else layer.inputs
        observed = [view.dtypes.get(v.name) for v in values if v is not None]
    elif role == "output":
        index = int(arg) if arg.isdigit() else 0
        observed = [view.dtypes.get(v.name) for v in layer.outputs[index:index + 1]]
    elif role in ("weight", "bias"):
        ref = layer.primary.args.get(role)
        if isinstance(ref, Ref):
            # A converted model's tensor or a QAT weight fake-quant says the dtype; else the qconfig's.
            value = view.graph.values.get(ref.value)
            if value is not None and value.dtype and value.dtype.startswith("q"):
                observed = [value.dtype]
            elif ref.value in view.context.get("fake_quantized", ()):
                observed = [view.dtypes[ref.value]]
            else:
                observed = [config.weight if role == "weight" else config.bias]
    for dtype in observed:
        if dtype is not None and dtype not in constraint.allowed:
            break
    else:
        return None  # every observed dtype allowed: the common case, without the set below
    bad = sorted({d for d in observed if d is not None and d not in constraint.allowed})
    if not bad:
        return None
    advice = constraint.advice or _dtype_advice(role, constraint.allowed, bad, _producer_names(layer, view))
    return Finding(constraint.id, "error", f"{constraint.says} (observed: {', '.join(bad)})", advice,
                   observed={"dtype": bad[0]}, allowed=", ".join(constraint.allowed))


def _producer_names(layer: Layer, view: facts.LayerView) -> list[str]:
    """Module paths (or node names) of the layers whose outputs this layer reads."""
    producers = facts.producers_of(view.graph)
    names = []
    for value in layer.inputs:
        node = producers.get(value.name)
        if node is not None:
            name = (node.module_stack[-1][0] if node.module_stack else "") or node.name
            if name not in names:
                names.append(name)
    return names


def _dtype_advice(role: str, allowed: tuple[str, ...], observed: list[str], producers: list[str]) -> str:
    wanted = allowed[0]
    if any(d.startswith("quint") for d in observed) and any(a.startswith("qint") for a in allowed):
        return ("torch's default qconfig quantizes activations as unsigned quint8, but the BPU takes "
                "signed symmetric qint8/qint16: use the vendor's qconfig (horizon.quantization."
                "get_default_qat_qconfig) or a torch QConfig with dtype=torch.qint8 and "
                "qscheme=torch.per_tensor_symmetric")
    if role == "input" and wanted in ("qint16", "qint8"):
        target = producers[0] if producers else "*"
        return (f"quantize this layer's input as {wanted}: give the layer that produces it a {wanted} "
                f"qconfig; in [tool.qcheck]: dtype-overrides = {{ \"{target}\" = \"{wanted}\" }} "
                f"(or --activation-dtype {wanted} for the whole model)")
    return f"use {' or '.join(allowed)} for the {role}"


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def is_ignored(rule_id: str, layer_name: str, settings: CheckSettings) -> bool:
    if any(fnmatch.fnmatchcase(rule_id, pattern) for pattern in settings.ignore):
        return True
    return any(fnmatch.fnmatchcase(layer_name, layer_glob) and
               any(fnmatch.fnmatchcase(rule_id, p) for p in patterns)
               for layer_glob, patterns in settings.ignore_layers.items())


def _result(layer: Layer, findings: list[Finding], region: str, assignment: Assignment,
            after: list[str] | None = None) -> LayerResult:
    status = status_of(region, findings)
    return LayerResult(
        name=layer.name,
        op=layer.operator.name if layer.operator else layer.composite.name if layer.composite else layer.target,
        status=status, module_type=layer.module_type, module_path=layer.module_path,
        source=layer.source,
        inputs=[TensorInfo(list(v.shape) if v.shape is not None else None, assignment.dtypes.get(v.name))
                for v in layer.inputs],
        outputs=[TensorInfo(list(v.shape) if v.shape is not None else None, assignment.dtypes.get(v.name))
                 for v in layer.outputs],
        findings=findings, region=region,
        targets=[layer.primary.target] if len(layer.nodes) == 1 else sorted(
            {n.target for n in layer.nodes if n.target != LIST_UNPACK}),
        after=list(after or []),
        judged_as=[part.operator.name for part in layer.parts],
        parts=[{"part": part.id, "row": part.operator.name} for part in layer.parts])


def rule_metadata(rules: RuleSet, layers: list[LayerResult]) -> dict[str, dict[str, Any]]:
    """What renderers say about each rule that fired (SARIF rule entries, help text)."""
    found: dict[str, dict[str, Any]] = {}
    for layer in layers:
        for finding in layer.findings:
            if finding.rule in found:
                continue
            known = registry.metadata(rules, finding.rule)
            if known is None:  # not a rule of these rule files: what the finding says
                known = {"says": finding.message, "operator": None, "march": finding.rule.partition(".")[0],
                         "table": None, "note": None, "advice": finding.advice}
            found[finding.rule] = known
    return found
