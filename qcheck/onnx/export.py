"""`--flow ptq` for PyTorch inputs: export to ONNX at opset 11 (torch's TorchScript-based exporter,
the one the vendor's PTQ flow documents) into a temporary folder, then check the ONNX file."""

from __future__ import annotations

import os
import re
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
    from qcheck.capture import describe_target, examples_for, running_model_code
    from qcheck.capture.streams import stdout_to_stderr, torch_stderr_muted
    from qcheck.onnx.check import check_onnx

    import torch

    label = describe_target(target)
    with tempfile.TemporaryDirectory(prefix="qcheck-ptq-") as folder:
        path = os.path.join(folder, "model.onnx")
        with running_model_code(target):
            module, carried = _module(target)
            module.eval()
            if example_inputs is None and not options.inputs and carried is not None:
                example_inputs = carried  # a .pt2 program's own example inputs (saved with it)
            examples = examples_for(label, options.inputs, example_inputs)
            try:
                # stderr muted first, then stdout sent there: when the exporter gives up it
                # dumps its whole graph on stdout, and the failure is one line below
                with torch_stderr_muted(), stdout_to_stderr(), torch.no_grad():
                    torch.onnx.export(module, examples, path, dynamo=False, opset_version=11)
            except Exception as error:
                raise QcheckError(export_failure(first_line(error)), label) from None
        report = check_onnx(path, march, run_on_bpu=list(options.run_on_bpu),
                            max_subgraphs=options.max_subgraphs, fail_on_cpu=options.fail_on_cpu,
                            ignore=list(options.ignore), fail_on=options.fail_on)
    note = ("--flow ptq: exported to ONNX at opset 11 with torch's TorchScript-based exporter; "
            "module paths come from the exporter's node names")
    return replace(report, model=label, notes=[note, *report.notes])


# The exporter's message when an op has no form at the requested opset (it suggests a later
# opset, which the vendor's toolchain does not take).
_NO_OPSET_11 = re.compile(r"Exporting the operator '([\w:.]+)' to ONNX opset version 11 is not supported")
# Fused attention kernels: libraries choose them by default, and each has a switch back to
# attention written out as matmul and softmax, which opset 11 has.
_FUSED_ATTENTION = ("aten::scaled_dot_product_attention", "aten::_native_multi_head_attention")


def export_failure(message: str) -> str:
    """The one-line error for a failed opset-11 export, with what to do about it."""
    found = _NO_OPSET_11.search(message)
    if not found:
        return (f"torch.onnx.export (opset 11) failed: {message}; the PTQ flow needs a model the "
                "TorchScript-based exporter takes")
    op = found.group(1)
    fix = f"rewrite {op} with ops opset 11 has"
    if op in _FUSED_ATTENTION:
        fix = ("write the attention out as matmul and softmax before exporting (transformers: "
               "attn_implementation='eager'; timm: TIMM_FUSED_ATTN=0; nn.MultiheadAttention: "
               "a hand-written attention)")
    return (f"torch.onnx.export cannot export {op} at opset 11, and the vendor's PTQ toolchain takes "
            f"opset 10 or 11 only: {fix}")
