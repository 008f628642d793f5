"""Model input specs (--input-shape, --input-dtype): plain data, read without importing torch."""

from __future__ import annotations

from dataclasses import dataclass

from qcheck.errors import QcheckError

INPUT_DTYPES = ("float32", "float16", "bfloat16", "float64", "int64", "int32", "int8", "uint8", "bool")
_MAX_ELEMENTS = 2**31  # one input above this is a typo, not a model (8 GB of float32)


@dataclass(frozen=True)
class InputSpec:
    shape: tuple[int, ...]
    dtype: str = "float32"


def parse_shape(text: str) -> tuple[int, ...]:
    """"1x3x224x224" (also "1,3,224,224") -> (1, 3, 224, 224); clear errors for anything else."""
    parts = [p.strip() for p in text.lower().replace(",", "x").split("x")]
    if not text.strip() or any(not p for p in parts):
        raise QcheckError(f"input shape {text!r} is not of the form 1x3x224x224; check --input-shape")
    dims = []
    for part in parts:
        # ASCII digits only: int() would also take "1_000", "+3" and full-width "３"
        if part.startswith("-") and part[1:].isascii() and part[1:].isdigit():
            raise QcheckError(f"input shape {text!r}: every dimension must be at least 1; "
                              "check --input-shape")
        if not (part.isascii() and part.isdigit()):
            raise QcheckError(f"input shape {text!r}: {part!r} is not a whole number; "
                              "write --input-shape like 1x3x224x224")
        dims.append(int(part))
    if any(d <= 0 for d in dims):
        raise QcheckError(f"input shape {text!r}: every dimension must be at least 1; check --input-shape")
    elements = 1
    for d in dims:
        elements *= d
    if elements > _MAX_ELEMENTS:
        raise QcheckError(f"input shape {text!r} has {elements:,} elements, more than qcheck "
                          f"accepts ({_MAX_ELEMENTS:,}); check --input-shape")
    return tuple(dims)
