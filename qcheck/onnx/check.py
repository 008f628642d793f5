"""Judge an ONNX model as the vendor's PTQ converter places it: model rules, then every node on
the BPU within its row's limits or on the CPU with the reason, then BPU subgraphs."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import replace
from typing import Any

from qcheck import expr, readings
from qcheck.errors import QcheckError
from qcheck.onnx.facts import node_facts
from qcheck.partition import bpu_roots, subgraph_numbers
from qcheck.onnx.model import FOLDED, OnnxModel, load
from qcheck.onnx.proto import DTYPE_NAMES
from qcheck.onnx.rules import GENERAL, MARCHES, OnnxRuleSet, load_onnx_rules, placement_id, placement_sentence
from qcheck.report import Finding, LayerResult, Report, TensorInfo, status_of, with_findings

MODEL_LAYER = "(model)"
# The PTQ flow's model-level rules (D-Robotics/rdk_doc docs/07_Advanced_development/
# 04_toolchain_development/intermediate/ptq_process.md and supported_op_list.md).
MODEL_RULES = {
    "onnx.model.opset": ("the model must use ONNX opset 10 or 11",
                         "export again with torch.onnx.export(..., opset_version=11)"),
    "onnx.model.ir_version": ("the model's ir_version must be at most 7",
                              "export with opset_version=11 from a torch whose exporter writes ir_version 7, "
                              "or set model.ir_version = 7 with onnx and save it again"),
    "onnx.model.outputs": ("the model may have at most 32 outputs",
                           "concatenate outputs, or cut the graph before the extra outputs"),
    "onnx.model.input": ("the model must have one input, 4-D, of fixed shape with N = 1",
                         "export with one fixed input of shape 1xCxHxW (no dynamic_axes), or give "
                         "--input-shape 1xCxHxW for a dynamic one"),
    "onnx.model.postprocess": ("post-processing ops (NonMaxSuppression, TopK-based decoding) do not "
                               "belong in the model",
                               "cut the graph before the NMS (export the raw head outputs) and run NMS "
                               "on the CPU after the model"),
    "onnx.gate.max_subgraphs": ("the model must compile to at most --max-subgraphs BPU subgraphs",
                                "keep the CPU nodes between subgraphs on the BPU (see their findings)"),
    "onnx.gate.cpu": ("no CPU node may sit where --fail-on-cpu forbids it",
                      "keep those nodes on the BPU (see their findings), or remove them from the model"),
}
POSTPROCESS_OPS = {"NonMaxSuppression"}


def check_onnx(path: str, march: str, inputs: list | None = None, run_on_bpu: list[str] | None = None,
               max_subgraphs: int | None = None, fail_on_cpu: str | None = None,
               ignore: list[str] | None = None, fail_on: str = "error",
               rule_files: list[str] | None = None) -> Report:
    from qcheck import __version__

    if march not in MARCHES:
        raise QcheckError(f"the ONNX lists cover {', '.join(MARCHES)}; {march!r} has no ONNX rules")
    model = load(path, [spec.shape for spec in inputs or []])
    rules = load_onnx_rules(rule_files)
    names = {node.name for node in model.nodes}
    for name in run_on_bpu or []:
        if name not in names:
            sample = ", ".join(n.name for n in model.nodes if n.op_type == "Softmax")[:200] or "none"
            raise QcheckError(f"run_on_bpu {name!r} (--run-on-bpu, or run-on-bpu in [tool.qcheck]): no node "
                              f"of that name in the model (its Softmax nodes: {sample})", path)
    layers, counts = place_nodes(model, rules, march, set(run_on_bpu or []))
    placement = partition(layers)  # before ignoring: an ignored finding still moves its node
    subgraph = subgraph_numbers(placement)
    skip = ignore or []
    results = []
    ignored = 0
    for layer in layers:
        kept = [f for f in layer.findings if not any(fnmatch.fnmatchcase(f.rule, g) for g in skip)]
        ignored += len(layer.findings) - len(kept)
        result = with_findings(layer, kept) if len(kept) != len(layer.findings) else layer
        results.append(replace(result, subgraph=subgraph[layer.name]) if layer.name in subgraph else result)
    model_findings = [f for f in model_rules(model) + _gates(placement, max_subgraphs, fail_on_cpu)
                      if not any(fnmatch.fnmatchcase(f.rule, g) for g in skip)]
    if model_findings:
        results.insert(0, LayerResult(name=MODEL_LAYER, op="ModelProto", status=status_of("bpu", model_findings),
                                      module_type=None, module_path=None, source=None, inputs=[], outputs=[],
                                      findings=model_findings, targets=[], region="model"))
    note = (f"PTQ flow (ONNX opset {model.opsets.get('', '?')}, ir_version {model.ir_version}): "
            f"{placement['subgraph_count']} BPU subgraph(s), {len(placement['cpu_layers'])} CPU node(s)")
    return Report(model=path, march=march, layers=results, nodes=counts, qcheck_version=__version__,
                  capture="onnx", fail_on=fail_on, ignored=ignored, notes=[note], partition=placement,
                  rules=_metadata(rules, results, march))


_PASS_THROUGH = ("Identity", "Dropout", "Cast")  # Cast: the no-op ones only (_no_op_cast)


def _folded(node, row, model: OnnxModel) -> bool:
    """Folded away or removed by the converter: never a BPU or CPU node."""
    return node.op_type in FOLDED or (row is not None and row.placement == "folded") or \
        all(i in model.constant_values for i in node.inputs) or _no_op_cast(node, model)


def _no_op_cast(node, model: OnnxModel) -> bool:
    """A Cast to the type its input already has: an identity, removed as the lists say Cast
    often is (transformers' attention exports softmax(dtype=float32).to(float32) as two of them)."""
    return node.op_type == "Cast" and bool(node.inputs) and \
        DTYPE_NAMES.get(node.attrs.get("to"), "?") == model.dtypes.get(node.inputs[0])


def _judge_all(model: OnnxModel, rules: OnnxRuleSet, march: str, run_on_bpu: set[str]) -> dict[int, tuple]:
    """Every placed node's (region, findings), judged from the outputs back: a node's
    `last_in_subgraph` fact needs to know whether a BPU node reads any of its outputs."""
    general = rules.row(GENERAL, march)
    read_on_bpu: set[str] = set()  # values a BPU node reads (directly or through a pass-through)
    judged = {}
    for index in range(len(model.nodes) - 1, -1, -1):
        node = model.nodes[index]
        row = rules.row(node.op_type, march)
        if _folded(node, row, model):
            if node.op_type in _PASS_THROUGH and node.inputs and read_on_bpu.intersection(node.outputs):
                read_on_bpu.add(node.inputs[0])
            continue
        last = not read_on_bpu.intersection(node.outputs)
        judged[index] = judge(node, model, row, march, node.name in run_on_bpu, general, {"last_in_subgraph": last})
        if judged[index][0] == "bpu":
            read_on_bpu.update(i for i in node.inputs if i)
    return judged


def place_nodes(model: OnnxModel, rules: OnnxRuleSet, march: str, run_on_bpu: set[str]):
    producer: dict[str, str] = {}  # value -> the placed node that computes it
    layers: list[LayerResult] = []
    folded = 0
    outputs = set(model.outputs)
    judged = _judge_all(model, rules, march, run_on_bpu)
    for index, node in enumerate(model.nodes):
        row = rules.row(node.op_type, march)
        if index not in judged:
            folded += 1
            if node.op_type in _PASS_THROUGH and node.inputs and node.inputs[0] in producer:
                for out in node.outputs:
                    producer[out] = producer[node.inputs[0]]
            continue
        after = []
        for value in node.inputs:
            source = producer.get(value)
            if source is not None and source not in after:
                after.append(source)
        region, findings = judged[index]
        on_bpu = region == "bpu"
        dtype = "int8" if on_bpu else "float32"
        layer = LayerResult(
            name=node.name, op=node.op_type, status=status_of(region, findings),
            module_type=(row.vendor_type if row and on_bpu else None), module_path=_module_path(node.name),
            source=None,
            inputs=[TensorInfo(_shape(model, i), dtype) for i in node.inputs if i and i not in model.constant_values],
            outputs=[TensorInfo(_shape(model, o), dtype) for o in node.outputs if o],
            findings=findings, targets=[node.op_type], region=region, after=after)
        layers.append(layer)
        for out in node.outputs:
            producer[out] = node.name
        if row is not None and row.output_reshape and on_bpu and any(o in outputs and len(model.shapes.get(o) or ()) != 4 for o in node.outputs):
            layers.append(_output_reshape(node, model, march, row))
    counts = {"total": len(model.nodes), "operator": len(layers), "structural": folded,
              "unknown": sum(1 for layer in layers if layer.findings and
                             layer.findings[0].rule.endswith(".onnx.unlisted"))}
    return layers, counts


def _output_reshape(node, model, march, row) -> LayerResult:
    """The converter runs the row's op (Gemm) as a 1x1 convolution on 4-D tensors; the reshape
    back to the model's 2-D output runs on the CPU (the vendor's zoo shows it after classifiers)."""
    out = node.outputs[0]
    return LayerResult(
        name=f"{node.name}_reshape", op="Reshape", status="cpu", module_type=None, module_path=None,
        source=None, inputs=[TensorInfo(_shape(model, out), "float32")], outputs=[TensorInfo(_shape(model, out), "float32")],
        findings=[Finding(rule=f"{march}.onnx.{row.id}.output_reshape", severity="info",
                          message=f"the converter computes {node.name} as a 1x1 convolution and reshapes its "
                                  f"{len(model.shapes.get(out) or ())}-D model output on the CPU",
                          advice=row.output_reshape, observed={"output_rank": len(model.shapes.get(out) or ())},
                          allowed="a 4-D model output (N, C, 1, 1)")],
        targets=["Reshape"], region="cpu", after=[node.name])


def _module_path(name: str) -> str | None:
    """torch's exporter names a node after its module scope: "/model.10/m/m.0/attn/Softmax" is
    module model.10.m.m.0.attn."""
    if not name.startswith("/") or name.count("/") < 2:
        return None
    return ".".join(part for part in name.split("/")[1:-1] if part) or None


def _shape(model: OnnxModel, value: str) -> list[int] | None:
    shape = model.shapes.get(value)
    return list(shape) if shape is not None else None


def judge(node, model: OnnxModel, row, march: str, moved_to_bpu: bool, general=None,
          placement_facts: dict | None = None) -> tuple[str, list[Finding]]:
    """Where the node runs ("bpu" or "cpu") and the findings that say why. `general`: the row of
    the limits every BPU node must meet as well; `placement_facts`: facts that depend on where
    other nodes run (last_in_subgraph)."""
    if row is None:
        return "bpu", [Finding(rule=f"{march}.onnx.unlisted", severity="error",
                               message=f"{node.op_type} is not in the {march} ONNX operator list: neither "
                                       "the BPU nor the CPU runs it",
                               advice="replace it with listed ops before export (`qcheck rules` lists them)",
                               observed={"op_type": node.op_type})]
    if row.placement == "unsupported":
        return "bpu", [Finding(rule=placement_id(row), severity="error", message=placement_sentence(row),
                               advice=row.advice, observed={"op_type": node.op_type})]
    if row.placement == "cpu":
        return "cpu", [Finding(rule=placement_id(row), severity="info", message=placement_sentence(row),
                               advice=row.advice, observed={"op_type": node.op_type})]
    facts = {**node_facts(node, model), **(placement_facts or {})}
    findings = []
    for c in row.constraints + (general.constraints if general else []):
        try:
            if c.when is not None and not c.when.evaluate(facts):
                continue
            finding = _judge_readings(c, facts) if c.kind == "readings" else _judge_check(c, facts)
        except expr.Unknown:
            continue  # a fact this node does not have (no shape inferred): not judged
        if finding is not None:
            findings.append(finding)
    broken = [f for f in findings if f.severity == "warning"]  # each moves the node to the CPU
    if row.placement == "cpu_default" and not moved_to_bpu:
        advice = (f"run_on_bpu: add `--run-on-bpu {node.name}` (the toolchain's node_info / run_on_bpu) to "
                  "move it to the BPU" + ("; it then breaks: " + "; ".join(f.message for f in broken)
                                          if broken else "; it meets the BPU limits"))
        return "cpu", [Finding(rule=placement_id(row), severity="info", message=placement_sentence(row),
                               advice=advice, observed={"op_type": node.op_type})]
    return ("cpu" if broken else "bpu"), findings


def _observed(names, facts: dict) -> tuple[dict, str]:
    observed = {name: facts[name] for name in dict.fromkeys(names) if name in facts}
    return observed, ", ".join(f"{k}={v}" for k, v in observed.items())


def _judge_check(c, facts: dict) -> Finding | None:
    if c.check.evaluate(facts):
        return None
    observed, shown = _observed(c.check.names, facts)
    return Finding(rule=c.id, severity="warning", message=f"{c.says} (observed {shown}): runs on the CPU",
                   advice=c.advice, observed=observed, allowed=c.check.text)


def _judge_readings(c, facts: dict) -> Finding | None:
    """An unsettled cell (qcheck.readings): the node falls to the CPU only when it breaks every
    reading; breaking some keeps it on the BPU with an info finding naming the reading under
    which the converter would move it."""
    outcomes = readings.outcomes(c, facts)
    broken = [r for r in c.readings if outcomes[r.name] is False]
    if not broken:
        return None
    holding = [r for r in c.readings if outcomes[r.name] is not False]
    observed, shown = _observed([n for r in c.readings for n in r.check.names], facts)
    if not holding:
        return Finding(rule=c.id, severity="warning",
                       message=f"{c.says}: broken under every reading of the list's cell "
                               f"({', '.join(r.name for r in broken)}) (observed {shown}): runs on the CPU",
                       advice=c.advice, observed=observed,
                       allowed=" or ".join(f"({r.check.text})" for r in c.readings))
    names = " and ".join(repr(r.name) for r in broken)
    return Finding(rule=c.id, severity="info",
                   message=f"{c.says}: broken under the reading {names} ({'; '.join(r.says for r in broken)}), "
                           f"under which it would run on the CPU, but not under "
                           f"{'; '.join(f'{r.name!r}: {r.says}' for r in holding)}; placed on the BPU since no "
                           f"document settles the reading: {c.unsettled} (observed {shown})",
                   advice=c.advice, observed=observed,
                   allowed=" and ".join(f"({r.check.text})" for r in broken))


def model_rules(model: OnnxModel) -> list[Finding]:
    found = []

    def add(rule: str, observed: dict, detail: str, allowed: str) -> None:
        says, advice = MODEL_RULES[rule]
        found.append(Finding(rule=rule, severity="error", message=f"{says} ({detail})", advice=advice,
                             observed=observed, allowed=allowed))

    opset = model.opsets.get("", model.opsets.get("ai.onnx"))
    if opset not in (10, 11):
        add("onnx.model.opset", {"opset": opset}, f"it uses opset {opset}", "10 or 11")
    if model.ir_version > 7:
        add("onnx.model.ir_version", {"ir_version": model.ir_version}, f"it has ir_version {model.ir_version}", "<= 7")
    if len(model.outputs) > 32:
        add("onnx.model.outputs", {"outputs": len(model.outputs)}, f"it has {len(model.outputs)}", "<= 32")
    dims = [model.input_dims[name] for name in model.inputs]
    fixed = [model.shapes.get(name) for name in model.inputs]
    # A dynamic dim fixed by --input-shape counts as fixed: shape inference then knows it.
    if len(dims) != 1 or len(dims[0]) != 4 or fixed[0] is None or fixed[0][0] != 1:
        shown = "; ".join(f"{n}: {'x'.join(str(d) for d in (model.shapes.get(n) or dims[i]))}"
                          for i, n in enumerate(model.inputs))
        add("onnx.model.input", {"inputs": len(dims), "shapes": shown}, f"it has {shown or 'no input'}",
            "one 1xCxHxW input")
    post = sorted({node.op_type for node in model.nodes if node.op_type in POSTPROCESS_OPS})
    if post:
        add("onnx.model.postprocess", {"ops": post}, f"it has {', '.join(post)}", "none")
    return found


def partition(layers: list[LayerResult]) -> dict[str, Any]:
    """BPU subgraphs as the converter cuts them (qcheck.partition.bpu_roots): why YOLO11's
    attention Softmax gives two subgraphs although its V branch joins the BPU nodes before and
    after it."""
    index = {layer.name: i for i, layer in enumerate(layers)}
    on_bpu = [layer.region == "bpu" and layer.status != "fail" for layer in layers]
    roots, transfers = bpu_roots(layers, on_bpu, index)
    groups: dict[int, list[int]] = {}
    for i in range(len(layers)):
        if on_bpu[i]:
            groups.setdefault(roots[i], []).append(i)
    subgraphs = []
    for number, (_, members) in enumerate(sorted(groups.items()), start=1):
        subgraphs.append({"id": number, "size": len(members), "layers": [layers[i].name for i in members]})
    cpu_indices = [i for i in range(len(layers)) if not on_bpu[i]]
    downstream_bpu = [False] * len(layers)
    for i in reversed(range(len(layers))):
        for p in layers[i].after:
            j = index.get(p)
            if j is not None and (on_bpu[i] or downstream_bpu[i]):
                downstream_bpu[j] = True
    upstream_bpu = [False] * len(layers)
    for i, layer in enumerate(layers):
        upstream_bpu[i] = any(on_bpu[index[p]] or upstream_bpu[index[p]] for p in layer.after if p in index)
    cuts = [layers[i].name for i in cpu_indices if upstream_bpu[i] and downstream_bpu[i]]
    count = len(subgraphs)
    verdict = ("no node runs on the BPU" if not count else
               f"one BPU subgraph, {len(cpu_indices)} CPU node(s) outside it" if count == 1 and not cuts else
               f"{count} BPU subgraphs, split by {len(cuts)} CPU node(s) between them; {transfers} BPU<->CPU "
               "transfers")
    return {"subgraph_count": count, "subgraphs": subgraphs, "cpu_layers": [layers[i].name for i in cpu_indices],
            "cuts": cuts, "transfers": transfers, "verdict": verdict}


def _gates(placement: dict[str, Any], max_subgraphs: int | None, fail_on_cpu: str | None) -> list[Finding]:
    found = []
    count = placement["subgraph_count"]
    if max_subgraphs is not None and count > max_subgraphs:
        says, advice = MODEL_RULES["onnx.gate.max_subgraphs"]
        found.append(Finding(rule="onnx.gate.max_subgraphs", severity="error",
                             message=f"{count} BPU subgraphs, more than --max-subgraphs {max_subgraphs}",
                             advice=advice, observed={"subgraphs": count}, allowed=f"<= {max_subgraphs}"))
    if fail_on_cpu:
        offending = placement["cuts"] if fail_on_cpu == "inside" else placement["cpu_layers"]
        if offending:
            says, advice = MODEL_RULES["onnx.gate.cpu"]
            where = "between BPU subgraphs" if fail_on_cpu == "inside" else "in the model"
            found.append(Finding(rule="onnx.gate.cpu", severity="error",
                                 message=f"{len(offending)} CPU node(s) {where} (--fail-on-cpu {fail_on_cpu}): "
                                         f"{', '.join(offending[:5])}{', ...' if len(offending) > 5 else ''}",
                                 advice=advice, observed={"cpu_nodes": offending}, allowed="none"))
    return found


def _metadata(rules: OnnxRuleSet, layers: list[LayerResult], march: str) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for layer in layers:
        for f in layer.findings:
            if f.rule in found:
                continue
            c = rules.find_constraint(f.rule)
            if c is not None:
                found[f.rule] = {"says": c.says, "operator": c.operator, "march": c.march, "table": c.table,
                                 "note": c.note, "advice": c.advice}
            elif f.rule in MODEL_RULES:
                found[f.rule] = {"says": MODEL_RULES[f.rule][0], "operator": None, "march": None,
                                 "table": None, "note": None, "advice": MODEL_RULES[f.rule][1]}
            else:
                row = rules.find_row(f.rule)
                found[f.rule] = {"says": placement_sentence(row) if row else f.message,
                                 "operator": row.op if row else None, "march": march,
                                 "table": row.table if row else None, "note": row.note if row else None,
                                 "advice": row.advice if row else f.advice}
    return found


def resolve_march(text: str | None) -> str:
    """A march name or alias (rules/marches.yaml), read without loading the PyTorch tables: the
    PTQ flow needs only the ONNX rows."""
    from qcheck.paths import shipped_rules_dir
    from qcheck.yamlfile import load

    choices = ", ".join(MARCHES)
    if not text:
        raise QcheckError(f"no march given; pass --march with one of: {choices}")
    wanted = text.strip().lower()
    data = load(os.path.join(shipped_rules_dir(), "marches.yaml")) or {}
    for name, spec in (data.get("marches") or {}).items():
        aliases = spec.get("aliases") or [] if isinstance(spec, dict) else []
        if name in MARCHES and (wanted == name or wanted in (str(a).lower() for a in aliases)):
            return name
    raise QcheckError(f"unknown march {text!r}; choose one of: {choices}")


def check_with_options(path: str, options) -> list[Report]:
    """The CLI's ONNX path (one report, or one per march with --march all)."""
    wanted = (options.march or "").strip().lower()
    marches = list(MARCHES) if wanted == "all" else [resolve_march(options.march)]
    return [check_onnx(path, march, options.inputs, run_on_bpu=list(options.run_on_bpu),
                       max_subgraphs=options.max_subgraphs, fail_on_cpu=options.fail_on_cpu,
                       ignore=list(options.ignore), fail_on=options.fail_on) for march in marches]
