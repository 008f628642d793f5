"""`--flow ptq` for PyTorch inputs: export to ONNX at opset 11 (torch's TorchScript-based exporter,
the one the vendor's PTQ flow documents) into a temporary folder, then check the ONNX file."""

from __future__ import annotations

import os
import tempfile
import warnings
from typing import Any

from qcheck.errors import QcheckError, first_line


def _module(target: Any):
    import torch

    from qcheck.capture import describe_target, sniff, spec

    if isinstance(target, torch.nn.Module):
        return target
    if isinstance(target, str) and spec.looks_like_spec(target):
        return spec.load_eager(target)
    if isinstance(target, (str, os.PathLike)) and os.path.isfile(target) and sniff(os.fspath(target)) == "torchscript":
        return torch.jit.load(os.fspath(target), map_location="cpu")
    raise QcheckError("--flow ptq takes an nn.Module, an eager spec file.py:NAME or a TorchScript file "
                      "(an ONNX file is already in the PTQ flow; a .pt2 archive cannot be exported to ONNX "
                      "by the TorchScript-based exporter)", describe_target(target))


def check_exported(target: Any, options, march: str, example_inputs: tuple | None = None):
    from qcheck.capture import describe_target, examples_for
    from qcheck.onnx.check import check_onnx

    import torch

    label = describe_target(target)
    module = _module(target)
    module.eval()
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
    report.model = label
    report.notes.insert(0, "--flow ptq: exported to ONNX at opset 11 with torch's TorchScript-based exporter; "
                           "module paths come from the exporter's node names")
    return report
