"""Capture: turn a model file, an eager spec or an nn.Module into a qcheck Graph with real shapes.

This package is the only place that imports torch's tracing machinery. It never unpickles
arbitrary objects: TorchScript archives, .pt2 archives and weights-only loads only.
"""

from __future__ import annotations

import contextlib
import os
import re
import types
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any

from qcheck.errors import QcheckError, first_line
from qcheck.filekind import sniff  # noqa: F401 (re-exported)
from qcheck.graph import Graph
from qcheck.inputs import INPUT_DTYPES, InputSpec, parse_shape  # noqa: F401 (re-exported)


def example_tensors(inputs: list[InputSpec], device: str = "cpu") -> tuple:
    import torch

    tensors = []
    for spec in inputs:
        dtype = getattr(torch, spec.dtype)
        try:
            if dtype.is_floating_point:
                tensors.append(torch.rand(spec.shape, dtype=dtype, device=device))
            elif dtype == torch.bool:
                tensors.append(torch.zeros(spec.shape, dtype=dtype, device=device))
            else:
                tensors.append(torch.ones(spec.shape, dtype=dtype, device=device))
        except (RuntimeError, MemoryError) as error:  # "DefaultCPUAllocator: can't allocate memory"
            shape = "x".join(str(d) for d in spec.shape)
            raise QcheckError(f"cannot make an example input of shape {shape} ({first_line(error)}); "
                              "check --input-shape") from None
    return tuple(tensors)


def describe_target(target: Any) -> str:
    if isinstance(target, str):
        return target
    return type(target).__name__


def capture(target: Any, inputs: list[InputSpec] | None = None, example_inputs: tuple | None = None) -> Graph:
    """Capture `target`: a path to a TorchScript/.pt2 file, an eager spec, or an nn.Module.

    Whatever the model's code prints meanwhile goes to stderr: stdout is the report's."""
    from qcheck.capture.streams import stdout_to_stderr

    try:
        with stdout_to_stderr(), warnings.catch_warnings():
            # torch 2.14 marks TorchScript deprecated on every jit.load/save/trace: reading and
            # writing it is what this capture does, and the warning would break the one-line errors.
            warnings.filterwarnings("ignore", r"`torch\.jit\.\w+` is deprecated", FutureWarning)
            return _capture(target, inputs, example_inputs)
    except SystemExit as error:
        # The model's own code (its factory, __init__ or forward) called sys.exit: leaving with its
        # code, often 0, would pass a CI job that checked nothing.
        raise QcheckError(f"the model's code called sys.exit({error.code!r}) while qcheck built or ran "
                          "it; a model must build and run without exiting", describe_target(target)) from None


def _capture(target: Any, inputs: list[InputSpec] | None, example_inputs: tuple | None) -> Graph:
    from qcheck.capture import spec

    if isinstance(target, str) and spec.looks_like_spec(target):
        reason, export_failure = "example inputs were given as tensors", None
        if example_inputs is None:
            graph, reason, export_failure = _capture_on_meta(target, inputs)
            if graph is not None:
                return graph
        module = spec.load_eager(target)
        graph = capture_module(module, _examples(target, inputs, example_inputs), target, export_failure)
        graph.notes.append(f"built with real tensors, not on the meta device: {reason}")
        return graph
    if isinstance(target, (str, os.PathLike)):
        return capture_file(os.fspath(target), inputs, example_inputs)
    import torch

    if isinstance(target, torch.nn.Module):
        return capture_module(target, _examples(describe_target(target), inputs, example_inputs),
                              describe_target(target))
    raise QcheckError(f"cannot check a {type(target).__name__}: pass an nn.Module, a model file or "
                      "an eager spec file.py:NAME")


def _examples(label: str, inputs: list[InputSpec] | None, example_inputs: tuple | None) -> tuple:
    if example_inputs is not None:
        import torch

        return (example_inputs,) if isinstance(example_inputs, torch.Tensor) else tuple(example_inputs)
    if not inputs:
        raise QcheckError("no input shape given; pass --input-shape, e.g. --input-shape 1x3x224x224 "
                          "(once per model input)", label)
    return example_tensors(inputs)


def _capture_on_meta(target: str, inputs: list[InputSpec] | None) -> tuple[Graph | None, str, str | None]:
    """Build and export the model on the meta device: shapes without weight memory, so very large
    models check in seconds. Returns (None, why, export_failure) when the model needs real
    tensors; export_failure is set when export itself cannot take the model, on any device."""
    from qcheck.capture import export, spec

    if not inputs:
        _examples(target, inputs, None)  # raises the "pass --input-shape" error
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


def capture_file(path: str, inputs: list[InputSpec] | None, example_inputs: tuple | None) -> Graph:
    if not os.path.exists(path):
        raise QcheckError("no such file; pass a TorchScript file (torch.jit.save), a .pt2 archive "
                          "(torch.export.save), an ONNX model (.onnx) or an eager spec path/to/file.py:NAME",
                          path)
    if os.path.isdir(path):
        raise QcheckError("is a directory; pass a model file or an eager spec file.py:NAME", path)
    if not os.path.isfile(path):  # a pipe would block the read below, a device never ends
        raise QcheckError("not a regular file (a pipe or a device?); pass a model file", path)
    if path.endswith(".py"):
        raise QcheckError("a Python file needs the model's name: pass path/to/file.py:NAME, where "
                          "NAME is an nn.Module class, instance or factory function", path)
    kind = sniff(path)
    if kind == "torchscript":
        _load_operator_packages(path)
        from qcheck.capture.torchscript import capture_torchscript

        return capture_torchscript(path, list(_examples(path, inputs, example_inputs)))
    if kind == "pt2":
        return _capture_pt2(path)
    if kind in ("torch-save-zip", "pickle"):
        raise QcheckError(_describe_torch_save(path), path)
    if kind == "damaged-zip":
        raise QcheckError("a damaged zip archive (truncated or corrupt download?); save the model "
                          "again with torch.jit.save or torch.export.save", path)
    if kind == "onnx":
        raise QcheckError("an ONNX model: it is checked in the PTQ flow (qcheck.onnx), not captured "
                          "with torch", path)
    if kind == "empty":
        raise QcheckError("the file is empty; pass a TorchScript (.pt), torch.export (.pt2) or ONNX (.onnx) "
                          "file", path)
    raise QcheckError("not a TorchScript, .pt2, ONNX or torch.save file (unrecognised contents); save the "
                      "model with torch.jit.save, torch.export.save or torch.onnx.export, or pass an eager "
                      "spec file.py:NAME", path)


# Operator namespaces a TorchScript archive may call (`ops.torchvision.nms(...)` in its code) and
# the package whose import registers them: torch.jit.load cannot resolve them otherwise.
_OPERATOR_PACKAGES = {"torchvision": "torchvision"}
_OPERATOR_CALL = re.compile(rb"\bops\.(\w+)\.(\w+)\(")


def _load_operator_packages(path: str) -> None:
    """Import the packages that register the operators the archive calls, before it is loaded;
    one clear line when such a package is missing or broken."""
    import importlib

    needed: dict[str, set[str]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if "/code/" in name and name.endswith(".py"):
                    for namespace, op in _OPERATOR_CALL.findall(archive.read(name)):
                        if namespace.decode() in _OPERATOR_PACKAGES:
                            needed.setdefault(namespace.decode(), set()).add(op.decode())
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return  # torch.jit.load reports the damage itself
    for namespace, ops in sorted(needed.items()):
        package = _OPERATOR_PACKAGES[namespace]
        names = ", ".join(f"{namespace}::{op}" for op in sorted(ops)[:3]) + (", ..." if len(ops) > 3 else "")
        try:
            importlib.import_module(package)
        except ImportError:
            raise QcheckError(f"the archive calls {package}'s operators ({names}) and {package} is not "
                              f"installed; install {package} (the release that matches your torch) "
                              "and run again", path) from None
        except Exception as error:
            raise QcheckError(f"the archive calls {package}'s operators ({names}) but importing "
                              f"{package} failed ({first_line(error)}); install the {package} release "
                              "that matches your torch", path) from None


def _describe_torch_save(path: str) -> str:
    """Tell a state_dict from a pickled whole module, loading with weights_only (no code runs)."""
    import torch

    try:
        with warnings.catch_warnings():  # "Detected pickle protocol 5": the error line says enough
            warnings.simplefilter("ignore")
            content = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:
        return ("a pickled Python object (torch.save of a whole module?); qcheck does not unpickle "
                "arbitrary objects: save it with torch.jit.save or torch.export.save, or pass an "
                "eager spec file.py:NAME")
    if isinstance(content, dict) and content and all(isinstance(v, torch.Tensor) for v in content.values()):
        return ("a state_dict (weights only, no graph); pass an eager spec file.py:NAME that builds "
                "the model, or save it with torch.jit.save")
    return (f"a torch.save file holding a {type(content).__name__}, not a model; save the model with "
            "torch.jit.save or torch.export.save, or pass an eager spec file.py:NAME")


def _capture_pt2(path: str) -> Graph:
    from qcheck.capture import export

    return export.program_to_graph(load_pt2(path), origin="pt2")


def load_pt2(path: str):
    """A .pt2 archive's ExportedProgram, refusing any pickled Python object in it."""
    import torch

    from qcheck.capture import markers  # noqa: F401  (registers the stub ops)

    try:
        with _no_unpickling():
            program = torch.export.load(path)
    except _RefusedPickle:
        raise QcheckError("this .pt2 archive holds pickled Python objects, which qcheck does not load "
                          "(they could run code); export the model without custom objects, or pass an "
                          "eager spec file.py:NAME", path) from None
    except Exception as error:
        raise QcheckError(f"could not load this .pt2 archive ({first_line(error)}); re-save it with "
                          "torch.export.save from this torch version", path) from None
    return program


class _RefusedPickle(Exception):
    """torch.export.load reached for a full unpickle of the archive's contents."""


@contextlib.contextmanager
def _no_unpickling():
    """Load a .pt2 with every torch.load forced to weights_only and plain pickle refused.

    torch.export.load unpickles parts of the archive with weights_only=False (weights and
    constants marked use_pickle, opaque objects, sample inputs as a fallback): a crafted archive
    would run code there. Its own log warnings are muted so the error stays one line.
    """
    import importlib
    import logging
    import pickle

    import torch

    real_load = torch.load

    def weights_only_load(*args, **kwargs):
        kwargs["weights_only"] = True
        try:
            return real_load(*args, **kwargs)
        except pickle.UnpicklingError as error:
            raise _RefusedPickle(str(error)) from None

    def refuse(*args, **kwargs):
        raise _RefusedPickle("pickle.loads")

    refusing_pickle = types.SimpleNamespace(**{name: getattr(pickle, name) for name in dir(pickle)
                                               if not name.startswith("__")})
    refusing_pickle.loads = refusing_pickle.load = refuse
    refusing_pickle.Unpickler = refuse
    patched = [(torch, "load", weights_only_load)]
    for name in ("torch.export.pt2_archive._package", "torch._export.serde.serialize"):
        try:  # where this torch version's loader lives; older versions have only the second
            module = importlib.import_module(name)
        except ImportError:
            continue
        if getattr(module, "pickle", None) is pickle:
            patched.append((module, "pickle", refusing_pickle))
    saved = [(owner, attr, getattr(owner, attr)) for owner, attr, _ in patched]
    disabled = logging.root.manager.disable
    try:
        for owner, attr, value in patched:
            setattr(owner, attr, value)
        logging.disable(logging.WARNING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(disabled)
        for owner, attr, value in saved:
            setattr(owner, attr, value)


def _forward_failed(error: Exception, example_inputs: tuple) -> str:
    shapes = ", ".join("x".join(str(d) for d in t.shape) for t in example_inputs if hasattr(t, "shape"))
    return (f"the model's forward raised {type(error).__name__} on inputs of shape {shapes}: "
            f"{first_line(error)}; check --input-shape")
