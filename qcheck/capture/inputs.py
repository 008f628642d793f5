"""Model inputs: the shapes and dtypes `--input-shape` / `--input-dtype` give, checked, and the
example tensors made from them."""

from __future__ import annotations

from dataclasses import dataclass

from qcheck.errors import QcheckError, first_line

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


def examples_for(label: str, inputs: list[InputSpec] | None, example_inputs: tuple | None) -> tuple:
    """The example inputs to run the model on: the tensors given, else made from `inputs`."""
    if example_inputs is not None:
        import torch

        return (example_inputs,) if isinstance(example_inputs, torch.Tensor) else tuple(example_inputs)
    if not inputs:
        raise QcheckError("no input shape given; pass --input-shape, e.g. --input-shape 1x3x224x224 "
                          "(once per model input)", label)
    return example_tensors(inputs)
