"""`--flow ptq` for PyTorch inputs: export to ONNX at opset 11 (torch's TorchScript-based exporter,
the one the vendor's PTQ flow documents) into a temporary folder, then check the ONNX file."""

from __future__ import annotations

import os
import tempfile
import warnings
from dataclasses import replace
from typing import Any

from qcheck.errors import QcheckError, first_line


def _module(target: Any) -> tuple[Any, tuple | None]:
    """The module to export, and the example inputs it carries (a .pt2 program's), if any."""
    import torch

    from qcheck.capture import describe_target, load_pt2, sniff, spec

    if isinstance(target, torch.nn.Module):
        return target, None
    if isinstance(target, str) and spec.looks_like_spec(target):
        return spec.load_eager(target), None
    kind = sniff(os.fspath(target)) if isinstance(target, (str, os.PathLike)) and os.path.isfile(target) else None
    if kind == "torchscript":
        return torch.jit.load(os.fspath(target), map_location="cpu"), None
    if kind == "pt2":
        return _unflattened(load_pt2(os.fspath(target)), os.fspath(target))
    raise QcheckError("--flow ptq takes an nn.Module, an eager spec file.py:NAME, a TorchScript file or a .pt2 "
                      "archive (an ONNX file is already in the PTQ flow)", describe_target(target))


def _unflattened(program, path: str) -> tuple[Any, tuple | None]:
    """An ExportedProgram as a module the TorchScript-based exporter takes. torch.export.unflatten
    rebuilds the original module hierarchy, so the ONNX node names carry module scopes as with
    the eager model (program.module() is one flat graph, and refuses the exporter's eval())."""
    import torch

    try:
        module = torch.export.unflatten(program)
    except Exception as error:
        raise QcheckError(f"cannot rebuild the modules of this .pt2 program for the ONNX exporter "
                          f"(torch.export.unflatten: {first_line(error)}); pass the eager model as "
                          "file.py:NAME, or a TorchScript file, with --flow ptq", path) from None
    args, kwargs = program.example_inputs or ((), {})
    return module, (tuple(args) if args and not kwargs else None)


def check_exported(target: Any, options, march: str, example_inputs: tuple | None = None):
    from qcheck.capture import describe_target, examples_for
    from qcheck.onnx.check import check_onnx

    import torch

    label = describe_target(target)
    module, carried = _module(target)
    module.eval()
    if example_inputs is None and not options.inputs and carried is not None:
        example_inputs = carried  # a .pt2 program's own example inputs (saved with it)
    examples = examples_for(label, options.inputs, example_inputs)
    with tempfile.TemporaryDirectory(prefix="qcheck-ptq-") as folder:
        path = os.path.join(folder, "model.onnx")
        try:
            with warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")
                torch.onnx.export(module, examples, path, dynamo=False, opset_version=11)
        except Exception as error:
            raise QcheckError(f"torch.onnx.export (opset 11) failed: {first_line(error)}; the PTQ flow "
                              "needs a model the TorchScript-based exporter takes", label) from None
        report = check_onnx(path, march, run_on_bpu=list(options.run_on_bpu),
                            max_subgraphs=options.max_subgraphs, fail_on_cpu=options.fail_on_cpu,
                            ignore=list(options.ignore), fail_on=options.fail_on)
    note = ("--flow ptq: exported to ONNX at opset 11 with torch's TorchScript-based exporter; "
            "module paths come from the exporter's node names")
    return replace(report, model=label, notes=[note, *report.notes])
