"""Run one probe through the real pipeline; shared by the probe tests."""

from __future__ import annotations

import os
import tempfile

from qcheck.api import Options, check_graph
from qcheck.capture import InputSpec, capture, capture_file, example_tensors, parse_shape


def capture_probe(probe):
    import torch

    inputs = [InputSpec(parse_shape(s), probe.input_dtypes[i] if probe.input_dtypes else "float32")
              for i, s in enumerate(probe.input_shapes)]
    module = probe.build()
    if probe.via == "torchscript":
        module.eval()
        traced = torch.jit.trace(module, example_tensors(inputs), check_trace=False)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "probe.pt")
            torch.jit.save(traced, path)
            return capture_file(path, inputs, None)
    return capture(module, inputs)


def check_probe(graph, probe, march: str, rules):
    options = Options(march=march, activation_dtype=probe.activation_dtype, input_source=probe.input_source)
    return check_graph(graph, probe.name, options, rules)


def reading_outcomes(graph, probe, march: str, rules, constraint) -> list[bool | None]:
    """Each reading's check, evaluated on every layer of the constraint's row: for each layer a
    dict reading -> True (holds) / False (broken) / None (a fact is unknown)."""
    from qcheck import facts
    from qcheck.check import fact_context
    from qcheck.readings import outcomes as outcomes_of
    from qcheck.dtypes import DtypeConfig, assign
    from qcheck.mapping import map_graph

    mapping = map_graph(graph, rules)
    graph = mapping.graph
    assignment = assign(graph, mapping.layers, rules, march, DtypeConfig.for_march(rules, march, probe.activation_dtype))
    context = fact_context(assignment, probe.input_source)
    found = []
    for layer in mapping.layers:
        if layer.operator is None or layer.operator.name != constraint.operator:
            continue
        view = facts.LayerView(layer, graph, assignment.dtypes, set(graph.outputs), context)
        found.append(outcomes_of(constraint, facts.collect(view)))
    return found
