"""The two parts of the onnx package an ONNX check needs, without `import onnx`.

`import onnx` pulls numpy and ml_dtypes, whose import alone costs seconds here (8 s measured on
this shared machine under load). The check needs only the protobuf classes (onnx_ml_pb2, plain
generated code) and the C++ shape inference: both are loaded from the installed onnx package by
path, under their own module names, so a later `import onnx` finds and reuses them.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import struct
import sys
from typing import Any

from qcheck.errors import QcheckError

# TensorProto.DataType -> numpy-style name
DTYPE_NAMES = {1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64",
               8: "string", 9: "bool", 10: "float16", 11: "float64", 12: "uint32", 13: "uint64",
               16: "bfloat16"}
STRUCT_CODES = {1: "f", 2: "B", 3: "b", 5: "h", 6: "i", 7: "q", 9: "?", 11: "d", 12: "I", 13: "Q"}
_loaded: dict[str, Any] = {}


def modules() -> tuple[Any, Any]:
    """(onnx_ml_pb2, shape_inference) from the installed onnx package."""
    if not _loaded:
        try:
            spec = None if sys.modules.get("onnx", False) is None else importlib.util.find_spec("onnx")
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.origin:
            from qcheck.onnx import ONNX_MISSING

            raise QcheckError(ONNX_MISSING)
        if "onnx.onnx_ml_pb2" in sys.modules and "onnx.onnx_cpp2py_export" in sys.modules:
            _loaded["pb"] = sys.modules["onnx.onnx_ml_pb2"]
            _loaded["infer"] = sys.modules["onnx.onnx_cpp2py_export"].shape_inference
            return _loaded["pb"], _loaded["infer"]
        folder = os.path.dirname(spec.origin)
        try:
            pb = _load("onnx.onnx_ml_pb2", os.path.join(folder, "onnx_ml_pb2.py"))
            name = next(f for f in os.listdir(folder) if f.startswith("onnx_cpp2py_export") and
                        f.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)))
            path = os.path.join(folder, name)
            ext = _load("onnx.onnx_cpp2py_export", path,
                        importlib.machinery.ExtensionFileLoader("onnx.onnx_cpp2py_export", path))
        except Exception as error:
            raise QcheckError(f"the installed onnx package is incomplete or broken ({error}); reinstall it "
                              "with `pip install 'qcheck[onnx]'`") from None
        _loaded["pb"], _loaded["infer"] = pb, ext.shape_inference
    return _loaded["pb"], _loaded["infer"]


def _load(name: str, path: str, loader=None):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def attribute_value(attr) -> Any:
    """An AttributeProto's value (as onnx.helper.get_attribute_value reads it)."""
    kind = attr.type
    if kind == 1:
        return attr.f
    if kind == 2:
        return attr.i
    if kind == 3:
        return attr.s
    if kind == 4:
        return attr.t
    if kind == 6:
        return list(attr.floats)
    if kind == 7:
        return list(attr.ints)
    if kind == 8:
        return list(attr.strings)
    return None  # graphs, sparse tensors, type protos: no constraint reads them


def small_values(tensor) -> list | None:
    """The values of a small inline tensor as a flat list; None when they are not at hand."""
    code = STRUCT_CODES.get(tensor.data_type)
    count = 1
    for d in tensor.dims:
        count *= d
    if code is None or tensor.data_location == 1:
        return None
    if tensor.raw_data:
        size = struct.calcsize(code)
        if len(tensor.raw_data) != size * count:
            return None
        return list(struct.unpack(f"<{count}{code}", tensor.raw_data))
    for field in ("float_data", "int32_data", "int64_data", "double_data", "uint64_data"):
        values = list(getattr(tensor, field))
        if values:
            return values
    return [] if count == 0 else None


def external_info(tensor) -> dict[str, str]:
    return {entry.key: entry.value for entry in tensor.external_data}
