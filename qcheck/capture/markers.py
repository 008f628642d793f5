"""Marker ops that keep QuantStub / DeQuantStub visible in a captured graph.

torch's float QuantStub and DeQuantStub are identities, so tracing erases them, and with them the
boundary between the BPU region and the CPU. While capturing, each stub's forward is swapped for an
identity custom op (`qcheck::quant_stub`, `qcheck::dequant_stub`) that every capture path records.
"""

from __future__ import annotations

import contextlib
import types
from typing import Iterator

import torch

# Any module playing the stub role counts: torch.ao's, the vendor's, or a user's own look-alike.
QUANT_STUB_TYPES = {"QuantStub"}
DEQUANT_STUB_TYPES = {"DeQuantStub"}


@torch.library.custom_op("qcheck::quant_stub", mutates_args=())
def quant_stub(x: torch.Tensor) -> torch.Tensor:
    return x.clone()


@quant_stub.register_fake
def _quant_stub_fake(x: torch.Tensor) -> torch.Tensor:
    return torch.empty_like(x)


@torch.library.custom_op("qcheck::dequant_stub", mutates_args=())
def dequant_stub(x: torch.Tensor) -> torch.Tensor:
    return x.clone()


@dequant_stub.register_fake
def _dequant_stub_fake(x: torch.Tensor) -> torch.Tensor:
    return torch.empty_like(x)


def _marked_forward(marker):
    def forward(self, x):
        # A QAT-prepared stub quantizes in a forward hook after this; the hook still runs.
        return marker(x) if isinstance(x, torch.Tensor) and not x.is_quantized else x
    return forward


@contextlib.contextmanager
def stubs_marked(module: torch.nn.Module) -> Iterator[None]:
    """Within the block, every stub of `module` records its marker op; restored afterwards."""
    patched = []
    for sub in module.modules():
        kind = type(sub).__name__
        marker = quant_stub if kind in QUANT_STUB_TYPES else dequant_stub if kind in DEQUANT_STUB_TYPES else None
        if marker is None:
            continue
        had_own = "forward" in vars(sub)
        patched.append((sub, had_own, vars(sub).get("forward")))
        sub.forward = types.MethodType(_marked_forward(marker), sub)
    try:
        yield
    finally:
        for sub, had_own, original in patched:
            if had_own:
                sub.forward = original
            else:
                del sub.forward


@contextlib.contextmanager
def observers_frozen(module: torch.nn.Module) -> Iterator[None]:
    """Within the block, QAT observers do not observe: capture must not trace (or change) the
    statistics updates, only the fake quantization. Restored afterwards."""
    saved = []
    for sub in module.modules():
        flag = getattr(sub, "observer_enabled", None)
        if isinstance(flag, torch.Tensor) and flag.numel() == 1 and flag.device.type != "meta":
            saved.append((flag, flag.clone()))
            flag.fill_(0)
    try:
        yield
    finally:
        for flag, value in saved:
            flag.copy_(value)


# Modules whose methods (add, cat, mul...) are the eager-mode replacement for functional ops.
FUNCTIONAL_MODULE_TYPES = {"FloatFunctional", "QFunctional", "FXFloatFunctional"}
FUNCTIONAL_METHODS = ("add", "add_scalar", "mul", "mul_scalar", "cat", "add_relu", "matmul", "sub",
                      "div", "mean", "sum", "maximum", "minimum", "exp")


def _call_as_module(sub: torch.nn.Module, method, *args, **kwargs):
    # Routing the method through __call__ puts the module on torch.export's module stack.
    sub.forward = method
    try:
        return sub(*args, **kwargs)
    finally:
        del sub.forward


@contextlib.contextmanager
def functionals_as_calls(module: torch.nn.Module) -> Iterator[None]:
    """FloatFunctional.add(x, y) is a method call, invisible to the module stack; within the block
    it is a module call, so the captured add sits inside its FloatFunctional."""
    import functools

    patched = []
    for sub in module.modules():
        if type(sub).__name__ not in FUNCTIONAL_MODULE_TYPES:
            continue
        for name in FUNCTIONAL_METHODS:
            method = getattr(sub, name, None)
            if callable(method) and name not in vars(sub):
                setattr(sub, name, functools.partial(_call_as_module, sub, method))
                patched.append((sub, name))
    try:
        yield
    finally:
        for sub, name in patched:
            delattr(sub, name)


@contextlib.contextmanager
def calls_counted(module: torch.nn.Module, counts: dict[str, int]) -> Iterator[None]:
    """Count how often each submodule is called during one forward (eager mode needs one module
    instance per call: each call needs its own quantization parameters).

    A call is attributed by the module's attribute dict, not by the object: non-strict export may
    call torch's stand-ins for the modules (fx's AttrProxy shares the module's `__dict__`, hooks
    included). A module the forward creates or copies on the fly has a dict of its own and is
    not one of the model's submodules: its calls are not counted."""
    names = {id(vars(sub)): name for name, sub in module.named_modules()}

    def count(sub, _args):
        name = names.get(id(vars(sub)))
        if name is not None:
            counts[name] = counts.get(name, 0) + 1

    handles = [sub.register_forward_pre_hook(count) for _, sub in module.named_modules()]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()
