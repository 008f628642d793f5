"""Capture: turn a model file, an eager spec or an nn.Module into a qcheck Graph with real shapes.

One job per module; `capture` below is the one entry, and dispatches:
- examples.py: the example tensors made from the InputSpecs (qcheck.inputs parses --input-shape);
- files.py: a model file by its kind (qcheck.filekind sniffs it), pickles refused, TorchScript / .pt2 loaded;
- spec.py: the nn.Module an eager spec `file.py:NAME` names, built;
- module.py: an nn.Module captured (torch.export, the trace fallback), on the meta device where it can;
- export.py: a torch.export program to a Graph;  torchscript.py: a TorchScript module to a Graph;
- markers.py, streams.py, source.py: stub markers, stdout redirection, user source locations.

This package is the only place that imports torch's tracing machinery. It never unpickles
arbitrary objects: TorchScript archives, .pt2 archives and weights-only loads only. Importing it
imports no torch (the CLI parses shapes and the ONNX flow runs without it).
"""

from __future__ import annotations

import contextlib
import os
import warnings
from typing import Any, Iterator

from qcheck.capture.files import capture_file, load_pt2
from qcheck.capture.examples import example_tensors, examples_for
from qcheck.filekind import sniff
from qcheck.inputs import INPUT_DTYPES, InputSpec, parse_shape
from qcheck.errors import QcheckError
from qcheck.graph import Graph

__all__ = ["INPUT_DTYPES", "InputSpec", "capture", "capture_file", "describe_target", "example_tensors",
           "examples_for", "load_pt2", "parse_shape", "running_model_code", "sniff"]


def describe_target(target: Any) -> str:
    if isinstance(target, str):
        return target
    return type(target).__name__


def capture(target: Any, inputs: list[InputSpec] | None = None, example_inputs: tuple | None = None) -> Graph:
    """Capture `target`: a path to a TorchScript/.pt2 file, an eager spec, or an nn.Module.

    Whatever the model's code prints meanwhile goes to stderr: stdout is the report's."""
    with running_model_code(target):
        return _capture(target, inputs, example_inputs)


@contextlib.contextmanager
def running_model_code(target: Any) -> Iterator[None]:
    """The block loads, builds or runs the user's model (the QAT capture, the PTQ flow's export):
    its prints go to stderr (stdout is the report's), and a sys.exit in it is a one-line error."""
    from qcheck.capture.streams import stdout_to_stderr

    try:
        with stdout_to_stderr(), warnings.catch_warnings():
            # torch 2.14 marks TorchScript deprecated on every jit.load/save/trace: reading and
            # writing it is what a capture does, and the warning would break the one-line errors.
            warnings.filterwarnings("ignore", r"`torch\.jit\.\w+` is deprecated", FutureWarning)
            yield
    except SystemExit as error:
        # The model's own code (its factory, __init__ or forward) called sys.exit: leaving with its
        # code, often 0, would pass a CI job that checked nothing.
        raise QcheckError(f"the model's code called sys.exit({error.code!r}) while qcheck built or ran "
                          "it; a model must build and run without exiting", describe_target(target)) from None


def _capture(target: Any, inputs: list[InputSpec] | None, example_inputs: tuple | None) -> Graph:
    from qcheck.capture import module, spec

    if isinstance(target, str) and spec.looks_like_spec(target):
        return module.capture_spec(target, inputs, example_inputs)
    if isinstance(target, (str, os.PathLike)):
        return capture_file(os.fspath(target), inputs, example_inputs)
    import torch

    if isinstance(target, torch.nn.Module):
        return module.capture_module(target, examples_for(describe_target(target), inputs, example_inputs),
                                     describe_target(target))
    raise QcheckError(f"cannot check a {type(target).__name__}: pass an nn.Module, a model file or "
                      "an eager spec file.py:NAME")
