"""Resolve an eager model spec (`path/to/file.py:NAME` or `package.module:NAME`) to an nn.Module.

Importing the user's module runs its code: that is the explicit contract of an eager spec.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import os
import re
import sys

from qcheck.errors import QcheckError, first_line

_MODULE_NAME = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$")


def looks_like_spec(target: str) -> bool:
    """True for `x.py:NAME` and `pkg.mod:NAME`; TorchScript and .pt2 paths are files instead."""
    left, sep, right = target.rpartition(":")
    if not sep or not right:
        return False
    return left.endswith(".py") or (_MODULE_NAME.match(left) is not None and not os.path.exists(target))


def load_eager(target: str, device: str | None = None):
    """Build the nn.Module the spec names; every failure is one QcheckError line.

    With `device="meta"` the module's class or factory runs under `torch.device("meta")`, so no
    weight memory is allocated (a named instance is returned as it is)."""
    location, _, name = target.rpartition(":")
    module = _import_file(location, target) if location.endswith(".py") else _import_module(location, target)
    import torch  # after the import: a missing file or module is reported without loading torch
    if not hasattr(module, name):
        candidates = sorted(
            key for key, value in vars(module).items()
            if not key.startswith("_") and (
                isinstance(value, torch.nn.Module)
                or (inspect.isclass(value) and issubclass(value, torch.nn.Module)
                    and value.__module__ == module.__name__)
            )
        )
        hint = f"; it defines: {', '.join(candidates)}" if candidates else ""
        raise QcheckError(f"no attribute {name!r} in {location}{hint}", target)
    obj = getattr(module, name)
    if isinstance(obj, torch.nn.Module):
        return obj
    if inspect.isclass(obj) and issubclass(obj, torch.nn.Module):
        return _call(obj, target, f"constructing {name}()", device)
    if callable(obj) and not inspect.isclass(obj):
        built = _call(obj, target, f"calling {name}()", device)
        if not isinstance(built, torch.nn.Module):
            raise QcheckError(
                f"{name}() returned {type(built).__name__}, not an nn.Module; "
                "name a module class, a module instance or a function returning one", target)
        return built
    raise QcheckError(
        f"{name} is a {type(obj).__name__}, not an nn.Module; name a module class, "
        "a module instance or a function of no arguments returning one", target)


def _call(factory, target: str, doing: str, device: str | None = None):
    import contextlib

    import torch

    try:
        with torch.device(device) if device else contextlib.nullcontext():
            return factory()
    except TypeError as error:
        if "required" in str(error) and "argument" in str(error):
            raise QcheckError(
                f"{doing} needs arguments ({error}); point the spec at a function of no "
                "arguments that builds the model", target) from None
        raise QcheckError(f"{doing} raised TypeError: {error}", target) from None
    except Exception as error:  # the user's constructor: anything may go wrong there
        where = ""
        if device:  # why it cannot be built there: the line that needs real values
            import traceback

            from qcheck.capture.source import innermost_outside

            skip = (os.path.dirname(torch.__file__) + os.sep, os.path.dirname(os.path.dirname(__file__)) + os.sep)
            found = innermost_outside(traceback.extract_tb(error.__traceback__), skip)
            where = f" at {found}" if found else ""
        raise QcheckError(f"{doing} raised {type(error).__name__}{where}: {first_line(error)}", target) from None


def _import_file(location: str, target: str):
    if not os.path.isfile(location):
        raise QcheckError(f"no such file {location}; pass path/to/file.py:NAME or package.module:NAME",
                          target)
    path = os.path.abspath(location)
    # A stable, unique module name so two model files called model.py do not collide.
    unique = "qcheck_user_" + hashlib.sha1(path.encode()).hexdigest()[:12]
    if unique in sys.modules:
        return sys.modules[unique]
    spec = importlib.util.spec_from_file_location(unique, path)
    module = importlib.util.module_from_spec(spec)
    # The file's folder goes on sys.path so it can import its neighbours, as `python file.py` would.
    folder = os.path.dirname(path)
    sys.path.insert(0, folder)
    sys.modules[unique] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as error:
        sys.modules.pop(unique, None)
        if isinstance(error, KeyboardInterrupt):
            raise
        raise QcheckError(f"importing {location} raised {type(error).__name__}: {first_line(error)}",
                          target) from None
    finally:
        if sys.path and sys.path[0] == folder:
            sys.path.pop(0)
    return module


def _import_module(location: str, target: str):
    try:
        return importlib.import_module(location)
    except ModuleNotFoundError as error:
        raise QcheckError(f"cannot import {location} ({error}); pass path/to/file.py:NAME or an "
                          "importable package.module:NAME", target) from None
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise
        raise QcheckError(f"importing {location} raised {type(error).__name__}: {first_line(error)}",
                          target) from None
