"""Capture an eager nn.Module with torch.export (non-strict) into a qcheck Graph."""

from __future__ import annotations


import contextlib
import os
import re
import traceback
from typing import Any, Iterator

import torch

from qcheck.capture import markers, streams
from qcheck.capture.source import display_path, innermost_outside
from qcheck.graph import Graph, Node, Ref, Value

_TORCH_DIR = os.path.dirname(torch.__file__)
# Frames in torch or in qcheck itself (the stub markers) are never the user's line.
_SKIP_DIRS = (_TORCH_DIR + os.sep, os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep)

# Value kinds by torch.export's input-spec kind.
_INPUT_KINDS = {
    "USER_INPUT": "input",
    "PARAMETER": "parameter",
    "BUFFER": "buffer",
    "CONSTANT_TENSOR": "constant",
}


def export_module(module: torch.nn.Module, example_inputs: tuple) -> Graph:
    """Export `module` and convert the program; raises what torch.export raises."""
    calls: dict[str, int] = {}
    with _capturing(module, calls), _value_dependent_shapes_refused():
        program = torch.export.export(module, example_inputs, strict=False)
    return program_to_graph(program, module_attrs=module_attributes(module, calls))


class ValueDependentShape(Exception):
    """torch.export met a shape computed from tensor values, for which a trace is the capture."""


@contextlib.contextmanager
def _value_dependent_shapes_refused() -> Iterator[None]:
    """Within the block, torch.export stops at the first size that depends on tensor values
    (nonzero, boolean masks, NMS, an int `.item()`), raising ValueDependentShape where it is made.

    Export gives such a size an "unbacked" symbol and fails later, at the first branch on it,
    after tracing everything in between symbolically: SSDlite's per-class post-processing took
    35 s to fail that way. qcheck checks the graph for the example input, which the trace fallback
    records exactly, so there is nothing to gain by going on. Unbacked sizes are all made by
    ShapeEnv.create_unbacked_symint, patched only for this block. Unbacked floats are left alone:
    a fill value read from a tensor (YOLO's `new_full(..., stride)`) exports fine."""
    try:
        from torch.fx.experimental.symbolic_shapes import ShapeEnv
    except ImportError:  # another torch layout: export just takes longer to fail
        yield
        return
    original = vars(ShapeEnv).get("create_unbacked_symint")
    if original is None:
        yield
        return

    def refuse(*_args, **_kwargs):
        where = innermost_outside(traceback.extract_stack(), _SKIP_DIRS)
        raise ValueDependentShape("a shape depends on tensor values" + (f" at {where}" if where else ""))

    ShapeEnv.create_unbacked_symint = refuse
    try:
        yield
    finally:
        ShapeEnv.create_unbacked_symint = original


def _capturing(module: torch.nn.Module, calls: dict[str, int] | None):
    """Everything a capture of an eager module needs switched on, and undone afterwards."""
    stack = contextlib.ExitStack()
    contexts = [markers.stubs_marked(module), markers.functionals_as_calls(module),
                markers.observers_frozen(module), streams.torch_stderr_muted()]
    if calls is not None:
        contexts.append(markers.calls_counted(module, calls))
    for context in contexts:
        stack.enter_context(context)
    return stack


def program_to_graph(program: Any, module_attrs: dict | None = None, origin: str = "export") -> Graph:
    signature = program.graph_signature
    kinds = {spec.arg.name: _INPUT_KINDS.get(spec.kind.name, "activation")
             for spec in signature.input_specs if hasattr(spec.arg, "name")}
    values: dict[str, Value] = {}
    nodes: list[Node] = []
    inputs: list[str] = []
    outputs: list[str] = []
    for fx_node in program.graph.nodes:
        if fx_node.op == "placeholder":
            kind = kinds.get(fx_node.name, "input")
            _add_values(values, fx_node.name, fx_node.meta.get("val"), kind)
            if kind == "input" and fx_node.name in values:
                inputs.append(fx_node.name)
        elif fx_node.op == "call_function":
            out_names = _add_values(values, fx_node.name, fx_node.meta.get("val"), "activation")
            nodes.append(Node(
                name=fx_node.name,
                target=_target_name(fx_node.target),
                args=_named_args(fx_node),
                outputs=out_names,
                module_stack=_module_stack(fx_node.meta.get("nn_module_stack")),
                source=user_frame(fx_node.meta.get("stack_trace")),
            ))
        elif fx_node.op == "output":
            for item in _flatten(fx_node.args[0]):
                if hasattr(item, "name") and item.name in values:
                    outputs.append(item.name)
    return Graph(nodes=nodes, values=values, inputs=inputs, outputs=outputs, origin=origin,
                 module_attrs=module_attrs or {})


def _add_values(values: dict[str, Value], name: str, val: Any, kind: str) -> list[str]:
    """Register the tensor(s) an fx node produces; tuple outputs are named `name.0`, `name.1`."""
    if isinstance(val, torch.Tensor):
        values[name] = Value(name, tuple(int(d) for d in val.shape), _dtype_name(val.dtype), kind)
        return [name]
    if isinstance(val, (tuple, list)):
        names = []
        for index, item in enumerate(val):
            if isinstance(item, torch.Tensor):
                item_name = f"{name}.{index}"
                values[item_name] = Value(item_name, tuple(int(d) for d in item.shape),
                                          _dtype_name(item.dtype), kind)
                names.append(item_name)
        return names
    return []


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def _target_name(target: Any) -> str:
    schema = getattr(target, "_schema", None)
    if schema is not None:
        return schema.name  # "aten::conv2d", overload dropped
    name = getattr(target, "__name__", str(target))
    module = getattr(target, "__module__", "") or ""
    return f"python::{name}" if module in ("_operator", "operator", "builtins") else f"{module}::{name}"


def _named_args(fx_node: Any) -> dict[str, Any]:
    """Positional and keyword args by schema name; trailing defaults that export drops are filled."""
    schema = getattr(fx_node.target, "_schema", None)
    if schema is None:
        named = {f"input{i}": _convert(a) for i, a in enumerate(fx_node.args)}
        named.update({k: _convert(v) for k, v in fx_node.kwargs.items()})
        if fx_node.target.__name__ == "getitem" and len(fx_node.args) == 2:
            # A getitem of a multi-output op reads that op's `name.index` value.
            source, index = fx_node.args
            named["input0"] = Ref(f"{source.name}.{index}")
        return named
    named: dict[str, Any] = {}
    for index, argument in enumerate(schema.arguments):
        if index < len(fx_node.args):
            named[argument.name] = _convert(fx_node.args[index])
        elif argument.name in fx_node.kwargs:
            named[argument.name] = _convert(fx_node.kwargs[argument.name])
        elif argument.has_default_value():
            named[argument.name] = _convert(argument.default_value)
    return named


def _convert(arg: Any) -> Any:
    if hasattr(arg, "op") and hasattr(arg, "name") and hasattr(arg, "meta"):  # an fx Node
        return Ref(arg.name)
    if isinstance(arg, (list, tuple)):
        return [_convert(item) for item in arg]
    if isinstance(arg, (torch.dtype, torch.device, torch.layout, torch.memory_format)):
        return str(arg).removeprefix("torch.")
    if isinstance(arg, (int, float, bool, str)) or arg is None:
        return arg
    return repr(arg)


def _module_stack(stack: dict | None) -> list[tuple[str, str]]:
    if not stack:
        return []
    entries = []
    for path, type_name in stack.values():
        short = type_name.rsplit(".", 1)[-1] if isinstance(type_name, str) else type_name.__name__
        # The root module keeps path "": a model that is just nn.ReLU6() is still a ReLU6.
        entries.append((_clean_path(path), short))
    return entries


def _clean_path(path: str) -> str:
    # Non-strict export writes paths such as "L__self__.conv0" or "conv0"; keep only the user's part.
    return _SLICED_CHILD.sub(_unslice, path.removeprefix("L__self__").lstrip("."))


# A forward that runs `self.model[:-1]` (RT-DETR) records "model.slice(None, -1, None).0": the
# child of a sliced Sequential, which is the parent's child at start + index * step.
_SLICED_CHILD = re.compile(r"slice\((None|\d+), (?:None|-?\d+), (None|\d+)\)\.(\d+)")


def _unslice(match: re.Match) -> str:
    start, step, index = match.group(1), match.group(2), int(match.group(3))
    return str((0 if start == "None" else int(start)) + index * (1 if step == "None" else int(step)))


def user_frame(stack_trace: str | None) -> str | None:
    """The innermost frame of the user's own code ("file.py:42"), skipping torch's internals."""
    if not stack_trace:
        return None
    best = None
    for line in stack_trace.splitlines():
        line = line.strip()
        if not line.startswith('File "'):
            continue
        path, _, rest = line[len('File "'):].partition('", line ')
        if path.startswith(_SKIP_DIRS) or path.startswith("<"):
            continue
        best = f"{display_path(path)}:{rest.split(',', 1)[0]}"
    return best


def _flatten(items: Any) -> list:
    if isinstance(items, (list, tuple)):
        return [leaf for item in items for leaf in _flatten(item)]
    if isinstance(items, dict):
        return [leaf for item in items.values() for leaf in _flatten(item)]
    return [items]


_SIMPLE = (int, float, bool, str, type(None))


def module_attributes(module: torch.nn.Module, calls: dict[str, int] | None = None) -> dict[str, dict[str, Any]]:
    """Plain-valued attributes of every submodule (embed_dim, add_zero_attn, mode...), plus
    `calls` (times called in one forward) and `leaf` (has no submodules)."""
    found: dict[str, dict[str, Any]] = {}
    for path, sub in module.named_modules():
        attrs: dict[str, Any] = {"calls": (calls or {}).get(path, 0), "leaf": not any(True for _ in sub.children()),
                                 "has_parameters": any(True for _ in sub.parameters(recurse=False))}
        for key, value in vars(sub).items():
            if key.startswith("_"):
                continue
            if isinstance(value, _SIMPLE) or (isinstance(value, tuple) and all(isinstance(v, _SIMPLE) for v in value)):
                attrs[key] = list(value) if isinstance(value, tuple) else value
            elif isinstance(value, (torch.dtype, torch.qscheme)):
                attrs[key] = str(value).removeprefix("torch.")
        for key in ("bias_k", "bias_v"):
            if hasattr(sub, key):
                attrs[key] = getattr(sub, key) is not None
        # Quantization parameters of stubs and fake-quants (one number each when per-tensor).
        for key in ("scale", "zero_point"):
            value = getattr(sub, key, None)
            if isinstance(value, torch.Tensor) and value.numel() == 1 and value.device.type != "meta":
                attrs[key] = value.item()
        attrs["type"] = type(sub).__name__
        found[path] = attrs
    return found


def count_calls(module: torch.nn.Module, example_inputs: tuple, calls: dict[str, int]) -> None:
    """One plain forward with the capture's switches on, counting each submodule's calls (a
    trace would compile the counting hooks into the script module)."""
    calls.clear()
    with _capturing(module, calls), torch.no_grad():
        module(*example_inputs)


def trace_module(module: torch.nn.Module, example_inputs: tuple) -> Any:
    """Fallback for models torch.export cannot take: a TorchScript trace, stubs marked the same way.

    The trace records the model's own post-processing (a detector's box decoding and NMS run for
    the example input). Its outputs are flattened to a tuple of tensors, because a trace can return
    tensors, tuples, lists and dicts of tensors but nothing nested deeper (a detector returns a list
    of dicts); the check reads the graph, not the output's structure."""
    with _capturing(module, None), _outputs_flattened(module), torch.no_grad():
        # check_trace=False: re-running the model to compare costs two more forwards (3x).
        return torch.jit.trace(module, example_inputs, strict=False, check_trace=False)


def _tensor_leaves(output: Any) -> tuple:
    """The tensors of a nested output; ints, strings and None are nothing a graph produces."""
    return tuple(leaf for leaf in _flatten(output) if isinstance(leaf, torch.Tensor))


class _outputs_flattened:
    """Within the block, `module(...)` returns its output's tensors as one flat tuple (its own
    forward is shadowed by an instance attribute, as the stub markers do; restored afterwards)."""

    def __init__(self, module: torch.nn.Module):
        self.module = module

    def __enter__(self):
        module = self.module
        self.had_own = "forward" in vars(module)
        self.original = vars(module).get("forward")
        forward = module.forward

        def flat_forward(*args, **kwargs):
            return _tensor_leaves(forward(*args, **kwargs))

        module.forward = flat_forward
        return module

    def __exit__(self, *exc):
        if self.had_own:
            self.module.forward = self.original
        else:
            del self.module.forward
        return False
