"""Model files: tell a file's kind from its bytes, refuse what would unpickle code, and load a
TorchScript or .pt2 archive (ONNX files go to qcheck.onnx)."""

from __future__ import annotations

import contextlib
import os
import re
import types
import warnings
import zipfile

from qcheck.capture.examples import examples_for
from qcheck.errors import QcheckError, first_line
from qcheck.filekind import sniff
from qcheck.graph import Graph
from qcheck.inputs import InputSpec


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

        return capture_torchscript(path, list(examples_for(path, inputs, example_inputs)))
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
