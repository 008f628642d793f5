"""The one code path behind the CLI and the Python API: capture -> map -> dtypes -> check -> Report."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from qcheck.check import CheckSettings, check_layers, rule_metadata
from qcheck.cost import estimate_us, layer_cost
from qcheck.partition import partition, subgraph_numbers
from qcheck.dtypes import DtypeConfig, assign
from qcheck.errors import QcheckError
from qcheck.graph import Graph
from qcheck.options import Options
from qcheck.options import validate as validate_options
from qcheck.gcpause import gc_paused
from qcheck.mapping import map_graph
from qcheck.report import Report, fallen_back, with_findings
from qcheck.rules import RuleSet, load_rules

def check(target: Any, options: Options, example_inputs: tuple | None = None,
          ruleset: RuleSet | None = None) -> Report:
    """Check a model file, an eager spec or an nn.Module; raises QcheckError on bad input."""
    from qcheck.capture import capture, describe_target

    rules = ruleset or load_rules(options.rules)
    validate(options, rules)
    if example_inputs is None and _is_onnx(target):
        return _check_onnx(target, options, rules)
    if options.flow == "ptq":
        from qcheck.onnx.export import check_exported

        return check_exported(target, options, rules.resolve_march(options.march), example_inputs)
    graph = capture(target, options.inputs, example_inputs)
    return check_graph(graph, describe_target(target), options, rules)


def _is_onnx(target: Any) -> bool:
    from qcheck.onnx import is_onnx_target

    return is_onnx_target(target)


def _check_onnx(target: Any, options: Options, rules: RuleSet) -> Report:
    """The PTQ flow: the vendor's ONNX lists instead of the PyTorch table (qcheck.onnx)."""
    import os

    from qcheck.onnx.check import check_onnx

    return check_onnx(os.fspath(target), rules.resolve_march(options.march), options.inputs,
                      run_on_bpu=list(options.run_on_bpu), max_subgraphs=options.max_subgraphs,
                      fail_on_cpu=options.fail_on_cpu, ignore=list(options.ignore), fail_on=options.fail_on)


def check_all_marches(target: Any, options: Options, example_inputs: tuple | None = None,
                      ruleset: RuleSet | None = None) -> list[Report]:
    """One capture, one report per march (`--march all`)."""
    from qcheck.capture import capture, describe_target

    rules = ruleset or load_rules(options.rules)
    per_march = [replace(options, march=march) for march in rules.marches]
    for each in per_march:
        validate(each, rules)
    if example_inputs is None and _is_onnx(target):
        return [_check_onnx(target, each, rules) for each in per_march]
    if options.flow == "ptq":
        from qcheck.onnx.export import check_exported

        return [check_exported(target, each, each.march, example_inputs) for each in per_march]
    graph = capture(target, options.inputs, example_inputs)
    return [check_graph(graph, describe_target(target), each, rules) for each in per_march]


def validate(options: Options, rules: RuleSet) -> str:
    """Reject bad options before any model is loaded; returns the canonical march name."""
    march = rules.resolve_march(options.march)
    validate_options(options)
    return march


@gc_paused  # the whole engine: its many small objects must not set off full collections
def check_graph(graph: Graph, model: str, options: Options, rules: RuleSet) -> Report:
    """Everything after capture: one graph can be checked for several marches or settings."""
    from qcheck import __version__

    march = validate(options, rules)
    mapping = map_graph(graph, rules)
    graph = mapping.graph
    config = DtypeConfig.for_march(rules, march, options.activation_dtype, tuple(options.dtype_overrides.items()))
    assignment = assign(graph, mapping.layers, rules, march, config)
    settings = CheckSettings(ignore=list(options.ignore), ignore_layers=dict(options.ignore_layers),
                             dtype_config=config, input_source=options.input_source)
    layers, ignored = check_layers(graph, mapping.layers, assignment, rules, march, settings)
    # Each step below makes new results from the ones before it and changes none of them.
    if options.mode == "eager":
        layers, dropped = _with_eager_findings(graph, mapping.layers, layers, settings)
        ignored += dropped
    if options.fallback == "cpu":
        layers = [fallen_back(layer) for layer in layers]
    costs = _estimate_costs(graph, mapping, layers, assignment, rules.marches[march].perf, config)
    found = partition(layers)
    subgraph = subgraph_numbers(found)
    layers = [replace(layer, cost=cost, subgraph=subgraph.get(layer.name))
              for layer, cost in zip(layers, costs, strict=True)]
    advice = None
    if options.advice is not None:
        slow = sorted((layer for layer in layers if (layer.cost.get("estimate_us") or 0) > options.advice),
                      key=lambda layer: -layer.cost["estimate_us"])
        advice = {"threshold_us": options.advice, "assumed": rules.marches[march].perf,
                  "layers": [{"name": layer.name, "op": layer.op, **layer.cost} for layer in slow]}
    return Report(model=model, march=march, layers=layers, nodes=mapping.counts,
                  qcheck_version=__version__, notes=list(graph.notes), ignored=ignored,
                  fail_on=options.fail_on, capture=graph.origin, rules=rule_metadata(rules, layers),
                  partition=found, advice=advice)


def _with_eager_findings(graph, mapping_layers, layers, settings) -> tuple[list, int]:
    """The results with the eager-mode findings added to the layers they concern, and how many
    of those findings the ignore settings dropped."""
    from qcheck import eager
    from qcheck.check import is_ignored

    ignored = 0
    extra = eager.findings(graph, mapping_layers, layers)
    results = []
    for layer in layers:
        found = extra.get(layer.name, [])
        kept = [f for f in found if not is_ignored(f.rule, layer.name, settings)]
        ignored += len(found) - len(kept)
        results.append(with_findings(layer, layer.findings + kept) if kept else layer)
    return results, ignored


def _estimate_costs(graph, mapping, layers, assignment, perf, config: DtypeConfig) -> list[dict]:
    """Each result's cost (macs, bytes, estimate_us), in the order of the results."""
    # check_layers made one result per non-structural layer, in order.
    sources = [layer for layer in mapping.layers if layer.kind != "structural"]
    sizes: dict[str, int] = {}  # value -> element count, shared by the nodes that read it
    costs = []
    for result, source in zip(layers, sources):
        assert result.name == source.name
        cost = layer_cost(source.nodes, graph, assignment.dtypes, sizes, weight_dtype=config.weight,
                          bias_dtype=config.bias)
        estimate = estimate_us(cost, perf)
        if estimate is not None:
            cost["estimate_us"] = round(estimate, 3)
        costs.append(cost)
    return costs


def check_model(model: Any, example_inputs: Any, march: str | None = None, input_source: str = "ddr",
                advice: float | None = None, **options: Any) -> Report:
    """The vendor's `check_model` signature: `report.exit_code` is 0 when the model passes.

    `model` is an nn.Module (or a model file / eager spec); `example_inputs` a tensor or a tuple
    of tensors. `advice=N` lists the layers estimated above N microseconds (report.advice).
    """
    return check(model, Options(march=march, input_source=input_source, advice=advice, **options),
                 example_inputs=example_inputs)
