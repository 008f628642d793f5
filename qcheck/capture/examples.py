"""Example inputs: the tensors a model runs on, made from its InputSpecs (qcheck.inputs)."""

from __future__ import annotations

from qcheck.errors import QcheckError, first_line
from qcheck.inputs import InputSpec


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
