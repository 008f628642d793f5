"""Eager models: build the module an eager spec names (on the meta device where it can be), then
capture it with torch.export, or with a TorchScript trace where export cannot."""

from __future__ import annotations

import os
from typing import Any

from qcheck.capture.examples import example_tensors, examples_for
from qcheck.errors import QcheckError, first_line
from qcheck.graph import Graph
from qcheck.inputs import InputSpec


def capture_spec(target: str, inputs: list[InputSpec] | None, example_inputs: tuple | None) -> Graph:
    """Build the module an eager spec names and capture it: on the meta device first (shapes
    without weight memory), with real tensors where the model needs them."""
    from qcheck.capture import spec

    reason, export_failure = "example inputs were given as tensors", None
    if example_inputs is None:
        graph, reason, export_failure = _capture_on_meta(target, inputs)
        if graph is not None:
            return graph
    module = spec.load_eager(target)
    graph = capture_module(module, examples_for(target, inputs, example_inputs), target, export_failure)
    graph.notes.append(f"built with real tensors, not on the meta device: {reason}")
    return graph


def _capture_on_meta(target: str, inputs: list[InputSpec] | None) -> tuple[Graph | None, str, str | None]:
    """Build and export the model on the meta device: shapes without weight memory, so very large
    models check in seconds. Returns (None, why, export_failure) when the model needs real
    tensors; export_failure is set when export itself cannot take the model, on any device."""
    from qcheck.capture import export, spec

    if not inputs:
        examples_for(target, inputs, None)  # raises the "pass --input-shape" error
    try:
        module = spec.load_eager(target, device="meta")
    except QcheckError as error:
        return None, f"building it on the meta device failed ({error.message})", None
    tensors = list(module.parameters()) + list(module.buffers())
    if not all(t.is_meta for t in tensors):
        return None, "the factory returns a module with real tensors", None
    if any(hasattr(m, "activation_post_process") or hasattr(m, "weight_fake_quant")
           or "FakeQuant" in type(m).__name__ for m in module.modules()):
        return None, "its quantization parameters (scales, zero points) need real values", None
    module.eval()
    try:
        return export.export_module(module, example_tensors(inputs, device="meta")), "", None
    except export.ValueDependentShape as error:
        # Export traces with fake tensors on either device: with real ones it stops at the same
        # shape, so the real-tensor capture goes straight to the trace.
        return None, f"torch.export on the meta device failed ({first_line(error)})", first_line(error)
    except Exception as error:
        return None, f"torch.export on the meta device failed ({first_line(error)})", None


def capture_module(module: Any, example_inputs: tuple, label: str, export_failure: str | None = None) -> Graph:
    """Eager capture: torch.export (non-strict) first, a TorchScript trace where export cannot
    (or, given `export_failure`, where it is already known not to)."""
    from qcheck.capture import export

    module.eval()
    if export_failure is None:
        try:
            return export.export_module(module, example_inputs)
        except Exception as export_error:
            export_failure = first_line(export_error)
    # One plain forward counts the submodule calls, and tells a model that cannot run on these
    # inputs from one that export cannot take.
    calls: dict[str, int] = {}
    try:
        export.count_calls(module, example_inputs, calls)
    except Exception as error:
        raise QcheckError(_forward_failed(error, example_inputs), label) from None
    try:
        traced = export.trace_module(module, example_inputs)
    except Exception as error:
        raise QcheckError(f"torch.export failed ({export_failure}) and so did torch.jit.trace "
                          f"({first_line(error)}); qcheck cannot capture this model", label) from None
    try:
        graph = _from_script_module(traced, example_inputs, label)
    except QcheckError as error:  # it names the temporary file the trace was saved to
        raise QcheckError(f"torch.export failed ({export_failure}); the torch.jit.trace fallback "
                          f"traced the model but its graph could not be read: {error.message}",
                          label) from None
    except Exception as error:
        raise QcheckError(f"torch.export failed ({export_failure}); the torch.jit.trace fallback "
                          f"traced the model but its graph could not be read ({first_line(error)})",
                          label) from None
    graph.module_attrs = export.module_attributes(module, calls)
    graph.notes.append(f"torch.export failed ({export_failure}); captured with torch.jit.trace")
    graph.origin = "trace"
    return graph


def _from_script_module(script_module: Any, example_inputs: tuple, label: str) -> Graph:
    import tempfile

    import torch

    from qcheck.capture.torchscript import capture_torchscript

    with tempfile.TemporaryDirectory(prefix="qcheck-") as folder:
        path = os.path.join(folder, "traced.pt")
        torch.jit.save(script_module, path)
        return capture_torchscript(path, list(example_inputs))


def _forward_failed(error: Exception, example_inputs: tuple) -> str:
    shapes = ", ".join("x".join(str(d) for d in t.shape) for t in example_inputs if hasattr(t, "shape"))
    return (f"the model's forward raised {type(error).__name__} on inputs of shape {shapes}: "
            f"{first_line(error)}; check --input-shape")
