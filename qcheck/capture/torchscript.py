"""Capture a saved TorchScript model (``torch.jit.save`` of a traced or scripted module).

The module is frozen (weights folded into constants, submodule calls inlined, branches on
attributes resolved) and every node of the resulting graph becomes a `Node` with schema-named
arguments. Shapes and dtypes come from one run of a copy of the graph that returns every tensor
value in a tuple, so they are the real ones for the example inputs. Where control flow survives
freezing, the graph is specialized to the example input shapes (a second run); what still
depends on data is kept whole and noted.
"""

from __future__ import annotations

import os
import re
import warnings
import zipfile
from typing import Any, Iterator

import torch

from qcheck.capture.source import display_path
from qcheck.errors import QcheckError
from qcheck.graph import Graph, Node, Ref, Value

_QUANT_PER_TENSOR = (torch.per_tensor_affine, torch.per_tensor_symmetric)
_QUANT_PER_CHANNEL = (
    torch.per_channel_affine,
    torch.per_channel_symmetric,
    torch.per_channel_affine_float_qparams,
)


def capture_torchscript(path: str, example_inputs: list["torch.Tensor"]) -> Graph:
    """Load the TorchScript archive at `path`, run it once on `example_inputs`, return its Graph."""
    module = _load(path)
    notes: list[str] = []

    try:
        # _freeze_module is what torch.jit.freeze does first, without the follow-up "frozen
        # optimizations" (conv-bn folding, concat of linears, dropout removal) that would rewrite
        # the ops the user actually has. It inlines, folds attributes and constant-propagates.
        frozen_c = torch._C._freeze_module(module._c, [])
        graph = frozen_c._get_method("forward").graph
        run_self: Any = frozen_c
    except Exception as exc:  # e.g. modules whose attributes cannot be folded
        notes.append(f"could not freeze the module ({_error_line(exc)}); used the inlined graph")
        graph = module.inlined_graph
        run_self = module._c

    graph_inputs = list(graph.inputs())
    has_self = bool(graph_inputs) and isinstance(graph_inputs[0].type(), torch._C.ClassType)
    schema = module._c._get_method("forward").schema
    data_inputs = graph_inputs[1:] if has_self else graph_inputs
    call_args = _forward_arguments(data_inputs, schema, example_inputs, path)
    if has_self:
        call_args.insert(0, run_self)

    probed, probe_notes = _probe(graph, call_args, example_inputs, path)
    if any(_control_flow(graph)):
        special = _specialize(graph, probed, notes)
        if special is not None:
            graph = special
            probed, probe_notes = _probe(graph, call_args, example_inputs, path)
    notes.extend(probe_notes)
    return _Builder(module, graph, probed).build(notes)


def _control_flow(graph: torch._C.Graph) -> tuple[int, int]:
    """(number of prim::Loop, number of prim::If), nested ones included."""
    return len(graph.findAllNodes("prim::Loop", True)), len(graph.findAllNodes("prim::If", True))


def _specialize(graph: torch._C.Graph, probed: dict[int, Any], notes: list[str]) -> torch._C.Graph | None:
    """Resolve branches and loops that depend only on shapes (F.interpolate's rank dispatch,
    `for i in range(x.size(1))`...) for the example input shapes, which are the shapes the check
    is about. Top-level values run exactly once, so their observed shapes are exact: typing them
    with those shapes lets the peephole pass fold `dim()`/`size()` and constant propagation pick
    the branch. Done on a copy; returns None when nothing was resolved or a pass failed."""
    before = _control_flow(graph)
    try:
        special = graph.copy()
        for (orig, ctx), (dup, _) in zip(_iter_values(graph.block()), _iter_values(special.block())):
            tensor = probed.get(orig.unique())
            if not ctx and isinstance(tensor, torch.Tensor) and not tensor.is_quantized:
                dup.setType(torch._C.TensorType.create_from_tensor(tensor))
        for orig, dup in zip(graph.inputs(), special.inputs()):
            tensor = probed.get(orig.unique())
            if isinstance(tensor, torch.Tensor) and not tensor.is_quantized:
                dup.setType(torch._C.TensorType.create_from_tensor(tensor))
        torch._C._jit_pass_peephole(special, False)  # False: do use the shapes
        torch._C._jit_pass_constant_propagation(special)
        torch._C._jit_pass_constant_loop_unrolling(special)
        torch._C._jit_pass_constant_propagation(special)
        torch._C._jit_pass_dce(special)
        special.lint()
    except Exception as exc:
        notes.append(f"could not specialize the graph to the example input shapes ({_error_line(exc)})")
        return None
    after = _control_flow(special)
    # unrolling a loop copies the branches in its body, so fewer loops is progress on its own
    if not (after[0] < before[0] or (after[0] == before[0] and after[1] < before[1])):
        return None
    notes.append(
        "specialized the graph to the example input shapes: prim::Loop/prim::If "
        f"{before[0]}/{before[1]} -> {after[0]}/{after[1]} (shape-dependent branches resolved, "
        "constant-count loops unrolled)"
    )
    return special


# --------------------------------------------------------------------------------------- loading


def _load(path: str) -> torch.jit.ScriptModule:
    if not os.path.exists(path):
        raise QcheckError("file not found", path)
    if os.path.isdir(path):
        raise QcheckError("is a directory; pass a TorchScript file saved with torch.jit.save", path)
    try:
        with warnings.catch_warnings():
            # torch marks TorchScript deprecated; reading it is this capture's whole job
            warnings.simplefilter("ignore", DeprecationWarning)
            module = torch.jit.load(path, map_location="cpu")
    except Exception as exc:
        raise QcheckError(_load_failure_message(path, exc), path) from None
    module.eval()
    if not module._c._has_method("forward"):
        raise QcheckError("TorchScript module has no forward method", path)
    return module


def _load_failure_message(path: str, exc: Exception) -> str:
    advice = "pass a model saved with torch.jit.save(torch.jit.trace(model, inputs)) or torch.jit.script"
    if not zipfile.is_zipfile(path):
        return f"not a TorchScript archive (not a zip file); {advice}"
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except Exception:
        names = []
    if any("serialized_exported_program" in n or n.endswith("archive_format") for n in names):
        return "this is a torch.export archive (.pt2), not TorchScript; pass it as an exported program"
    if any(n.endswith("data.pkl") for n in names) and not any(n.endswith("constants.pkl") for n in names):
        return (
            "this is a torch.save() checkpoint (a state_dict or pickled model), not TorchScript; "
            f"build the model in Python and {advice}"
        )
    if any(n.endswith("constants.pkl") for n in names):  # TorchScript, but it does not load here
        return f"could not load this TorchScript archive: {_error_line(exc)}"
    return f"torch.jit.load failed: {_error_line(exc)}; {advice}"


def _error_line(exc: BaseException) -> str:
    """The line of a torch error that says what went wrong (TorchScript errors bury it last)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    if "TorchScript interpreter" in lines[0]:
        for line in reversed(lines):
            if re.match(r"^[\w.]*(Error|Exception): ", line):
                return line
    return lines[0]


# --------------------------------------------------------------------------------------- probing


def _iter_values(block: torch._C.Block, ctx: tuple = ()) -> Iterator[tuple[torch._C.Value, tuple]]:
    """Every value defined in `block` and its sub-blocks, in definition order, with its block path.

    The path is a tuple of (owner node, block index) from the top level down; it is empty for
    values of the graph's top block.
    """
    if ctx:
        for param in block.inputs():
            yield param, ctx
    for node in block.nodes():
        for index, sub in enumerate(node.blocks()):
            yield from _iter_values(sub, ctx + ((node, index),))
        for out in node.outputs():
            yield out, ctx


def _is_tensor_type(typ: Any) -> bool:
    if isinstance(typ, torch._C.TensorType):
        return True
    if isinstance(typ, torch._C.OptionalType):
        return isinstance(typ.getElementType(), torch._C.TensorType)
    return False


def _forward_arguments(
    data_inputs: list[torch._C.Value], schema: Any, example_inputs: list[torch.Tensor], path: str
) -> list[Any]:
    """Example tensors for the tensor inputs, in order; schema defaults for the rest."""
    arguments = list(schema.arguments)[-len(data_inputs):] if data_inputs else []
    remaining = list(example_inputs)
    call_args: list[Any] = []
    for value, argument in zip(data_inputs, arguments):
        if _is_tensor_type(value.type()) and remaining:
            call_args.append(remaining.pop(0))
        elif argument.has_default_value():
            call_args.append(argument.default_value)
        else:
            call_args = []
            break
    if remaining or len(call_args) != len(data_inputs):
        names = ", ".join(f"{a.name}: {a.type}" for a in arguments)
        raise QcheckError(
            f"the model's forward takes ({names}) but {len(example_inputs)} example input(s) "
            "were given; check --input-shape",
            path,
        )
    return call_args


def _observed(value: torch._C.Value) -> bool:
    """Values the probe reads: tensors, and lists built up by mutation (F.interpolate's
    `scale_factors.append(...)`), whose content the graph alone does not show."""
    if value.node().kind() == "prim::Uninitialized":
        return False
    return _is_tensor_type(value.type()) or (
        isinstance(value.type(), torch._C.ListType) and _is_mutated(value)
    )


def _is_mutated(value: torch._C.Value) -> bool:
    for use in value.uses():
        schema = _schema(use.user)
        if schema is not None and use.offset < len(schema.arguments):
            alias = schema.arguments[use.offset].alias_info
            if alias is not None and alias.is_write:
                return True
    return False


def _probe(
    graph: torch._C.Graph, call_args: list[Any], example_inputs: list[torch.Tensor], path: str
) -> tuple[dict[int, Any], list[str]]:
    """Run a copy of `graph` once on `call_args` and return what each observed value held, keyed
    by `Value.unique()` of the ORIGINAL graph's values (values that held nothing are absent)."""
    notes: list[str] = []
    try:
        function, wanted, nested, lost = _probe_function(graph, with_nested=True)
        results = _run(function, call_args)
    except Exception:
        # Threading values out of control-flow blocks is an edit of the IR; if torch rejects
        # it, read the top level only (and let a genuine model error surface from that run).
        function, wanted, nested, lost = _probe_function(graph, with_nested=False)
        try:
            results = _run(function, call_args)
        except Exception as exc:
            shapes = ", ".join(
                str(list(t.shape)) if isinstance(t, torch.Tensor) else repr(t) for t in example_inputs
            )
            raise QcheckError(
                f"running the model on example input shape(s) {shapes} failed: {_error_line(exc)}; "
                "check --input-shape",
                path,
            ) from None

    probed = {orig.unique(): result for orig, result in zip(wanted, results) if result is not None}
    if nested:
        notes.append(
            f"data-dependent control flow kept: {nested} value(s) live inside prim::If/prim::Loop "
            "blocks (all branches are listed); their shapes are from the branch/iteration the "
            "example inputs took, values of branches not taken have none"
        )
    if lost:
        notes.append(f"{lost} value(s) inside control-flow blocks could not be probed; no shape")
    return probed, notes


def _run(function: Any, call_args: list[Any]) -> Any:
    # one plain interpreter run: no profiling or fusion passes for a single call
    with torch.no_grad(), torch.jit.optimized_execution(False):
        return function(*call_args)


def _probe_function(graph: torch._C.Graph, with_nested: bool) -> tuple[Any, list[torch._C.Value], int, int]:
    """A function running a copy of `graph` that returns one tuple of every observed value.

    Returns (function taking the graph's inputs, the original values in tuple order, how many
    observed values sit inside blocks, how many of those could not be threaded out)."""
    graph_inputs = list(graph.inputs())
    # The copy has the same structure, so walking both in step pairs each value with its twin;
    # the block paths kept are the copy's, since hoisting edits the copy's nodes.
    copy = graph.copy()
    wanted = [(orig, dup) for orig, dup in zip(graph_inputs, copy.inputs()) if _is_tensor_type(orig.type())]
    none_value = None
    nested = lost = 0
    for (orig, _), (dup, ctx) in zip(_iter_values(graph.block()), _iter_values(copy.block())):
        if not _observed(orig):
            continue
        if ctx:
            nested += 1
            if not with_nested:
                lost += 1
                continue
            if none_value is None:
                none_node = copy.create("prim::Constant", 1)
                none_node.output().setType(torch._C.NoneType.get())
                copy.prependNode(none_node)
                none_value = none_node.output()
            try:
                dup = _hoist(dup, ctx, none_value)
            except Exception:
                lost += 1
                continue
        wanted.append((orig, dup))

    probe = copy.create("prim::TupleConstruct", [dup for _, dup in wanted], 1)
    probe.output().setType(torch._C.TupleType([dup.type() for _, dup in wanted]))
    probe.insertBefore(copy.return_node())
    while list(copy.outputs()):
        copy.eraseOutput(0)
    copy.registerOutput(probe.output())
    function = torch._C._create_function_from_graph("qcheck_probe", copy)
    return function, [orig for orig, _ in wanted], nested, lost


def _hoist(value: torch._C.Value, ctx: tuple, none_value: torch._C.Value) -> torch._C.Value:
    """Thread `value` out of its nested blocks to the top level as an Optional output.

    prim::If: the chosen block yields the value, the others yield None. prim::Loop: a new
    loop-carried value, None before the first iteration, the last iteration's value after.
    """
    element = value.type()
    if isinstance(element, torch._C.OptionalType):
        element = element.getElementType()
    optional = torch._C.OptionalType(element)
    current = value
    for owner, index in reversed(ctx):
        blocks = list(owner.blocks())
        if owner.kind() == "prim::If":
            for i, block in enumerate(blocks):
                block.registerOutput(current if i == index else none_value)
        elif owner.kind() == "prim::Loop":
            owner.addInput(none_value)
            carried = blocks[0].addInputToBlock()
            carried.setType(optional)
            blocks[0].registerOutput(current)
        else:
            raise ValueError(f"cannot lift a value out of {owner.kind()}")
        current = owner.addOutput()
        current.setType(optional)
    return current


# --------------------------------------------------------------------------------------- building


class _Builder:
    """Turns a (frozen) TorchScript graph plus the probed tensors into a qcheck Graph."""

    def __init__(self, module: torch.jit.ScriptModule, graph: torch._C.Graph, probed: dict[int, Any]):
        self.module = module
        self.graph = graph
        self.probed = probed
        self.params = {name for name, _ in module.named_parameters()}
        self.buffers = {name for name, _ in module.named_buffers()}
        self.calls = _ModuleCalls(module)
        self.values: dict[str, Value] = {}
        self.nodes: list[Node] = []
        self._stack_cache: dict[str, list[tuple[str, str]]] = {}

    def build(self, notes: list[str]) -> Graph:
        graph_inputs = list(self.graph.inputs())
        inputs = []
        for value in graph_inputs:
            if _is_tensor_type(value.type()):
                self._add_value(value, kind="input")
                if isinstance(self.probed.get(value.unique()), torch.Tensor):  # not a defaulted None
                    inputs.append(value.debugName())

        self._emit_block(self.graph.block())

        outputs: list[str] = []
        for value in self.graph.outputs():
            self._flatten_output(value, outputs)

        missing = [v.name for v in self.values.values() if v.shape is None]
        if missing:
            shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
            notes.append(f"{len(missing)} tensor value(s) got no shape from the example run: {shown}")
        return Graph(
            nodes=self.nodes,
            values=self.values,
            inputs=inputs,
            outputs=outputs,
            origin="torchscript",
            notes=notes,
        )

    # nodes ------------------------------------------------------------------------------------

    def _emit_block(self, block: torch._C.Block) -> None:
        for node in block.nodes():
            # a sub-block's nodes run before its owner's outputs exist: emit them first
            for sub in node.blocks():
                for param in sub.inputs():  # loop counters and loop-carried values
                    if _is_tensor_type(param.type()):
                        self._add_value(param, kind="activation")
                self._emit_block(sub)
            self._emit_node(node)

    def _emit_node(self, node: torch._C.Node) -> None:
        kind = node.kind()
        for out in node.outputs():
            if _is_tensor_type(out.type()):  # prim::Uninitialized too: typed Tensor, never run
                self._add_value(out, kind=self._output_kind(node, out))
            elif kind == "prim::Constant" and isinstance(_constant(out), torch.ScriptObject):
                self._add_packed_params(out, _constant(out))
            elif kind == "prim::GetAttr" and _is_custom_class(out.type()):  # unfrozen fallback
                self._add_packed_params(out, self._attribute(_getattr_path(out)))
        index = len(self.nodes)
        self.nodes.append(
            Node(
                name=f"{kind.split('::', 1)[-1]}_{index}",
                target=kind,
                args=self._args(node),
                outputs=[out.debugName() for out in node.outputs()],
                module_stack=self._module_stack(node),
                source=self._source(node),
            )
        )

    def _args(self, node: torch._C.Node) -> dict[str, Any]:
        inputs = list(node.inputs())
        schema = _schema(node)
        args: dict[str, Any] = {}
        if schema is None:  # prim:: nodes
            for i, value in enumerate(inputs):
                args[f"input{i}"] = self._arg(value)
        else:
            arguments = list(schema.arguments)
            for i, argument in enumerate(arguments):
                if i < len(inputs):
                    args[argument.name] = self._arg(inputs[i], argument)
                elif argument.has_default_value():
                    args[argument.name] = _plain(argument.default_value)
            for i in range(len(arguments), len(inputs)):  # varargs beyond the schema
                args[f"input{i}"] = self._arg(inputs[i])
        # control flow: what each block hands back, so data flow through an If/Loop is visible
        for b, block in enumerate(node.blocks()):
            for o, value in enumerate(block.outputs()):
                args[f"block{b}.output{o}"] = self._arg(value)
        return args

    def _arg(self, value: torch._C.Value, argument: Any = None) -> Any:
        producer = value.node()
        if producer.kind() == "prim::Constant":
            constant = _constant(value)
            if isinstance(constant, (torch.Tensor, torch.ScriptObject)):
                return Ref(value.debugName())
            if argument is not None and isinstance(constant, int) and _is_scalar_type_arg(argument):
                return _dtype_name_of(constant)
            return _plain(constant)
        if isinstance(value.type(), torch._C.ListType) and _is_mutated(value):
            # built up by append & co.: the ListConstruct alone is wrong, use what the run saw
            observed = self.probed.get(value.unique())
            return _plain(observed) if isinstance(observed, list) else Ref(value.debugName())
        if producer.kind() == "prim::ListConstruct":
            return [self._arg(item) for item in producer.inputs()]
        return Ref(value.debugName())

    # values -----------------------------------------------------------------------------------

    def _output_kind(self, node: torch._C.Node, value: torch._C.Value) -> str:
        if node.kind() == "prim::Constant":
            return self._weight_kind(_qualified_constant_name(value.debugName()))
        if node.kind() == "prim::GetAttr":  # only when freezing failed
            return self._weight_kind(_getattr_path(value))
        return "activation"

    def _weight_kind(self, qualified: str | None) -> str:
        if qualified is None:
            return "constant"
        # the graph makes clashing names unique with a ".N" suffix: "self.conv.weight.1"
        for name in (qualified, re.sub(r"\.\d+$", "", qualified)):
            if name in self.params:
                return "parameter"
            if name in self.buffers:
                return "buffer"
        return "constant"

    def _add_value(self, value: torch._C.Value, kind: str) -> None:
        name = value.debugName()
        tensor = self.probed.get(value.unique())
        if not isinstance(tensor, torch.Tensor):
            tensor = None
        if tensor is None and value.node().kind() == "prim::Constant":
            constant = _constant(value)
            tensor = constant if isinstance(constant, torch.Tensor) else None
        if tensor is not None:
            shape, dtype, qscheme = _tensor_facts(tensor)
        else:
            shape, qscheme = None, None
            dtype = _type_dtype(value.type())
        self.values[name] = Value(name=name, shape=shape, dtype=dtype, kind=kind, qscheme=qscheme)

    def _attribute(self, path: str | None) -> Any:
        obj: Any = self.module._c
        try:
            for name in (path or "").split("."):
                obj = obj.getattr(name)
        except Exception:
            return None
        return obj

    def _add_packed_params(self, value: torch._C.Value, packed: Any) -> None:
        """Quantized conv/linear weights are packed objects; describe them by their weight tensor so
        rules can read kernel sizes the same way as for float weights."""
        try:
            weight = packed.unpack()[0]
        except Exception:
            return
        if not isinstance(weight, torch.Tensor):
            return
        shape, dtype, qscheme = _tensor_facts(weight)
        name = value.debugName()
        self.values[name] = Value(name=name, shape=shape, dtype=dtype, kind="parameter", qscheme=qscheme)

    def _flatten_output(self, value: torch._C.Value, found: list[str]) -> None:
        producer = value.node()
        if producer.kind() in ("prim::TupleConstruct", "prim::ListConstruct"):
            for item in producer.inputs():
                self._flatten_output(item, found)
        elif producer.kind() == "prim::DictConstruct":
            for item in list(producer.inputs())[1::2]:
                self._flatten_output(item, found)
        elif value.debugName() in self.values:
            found.append(value.debugName())

    # locations --------------------------------------------------------------------------------

    def _module_stack(self, node: torch._C.Node) -> list[tuple[str, str]]:
        try:
            hierarchy = node.getModuleHierarchy()
        except Exception:
            return []
        if hierarchy not in self._stack_cache:
            self._stack_cache[hierarchy] = self.calls.resolve(_parse_hierarchy(hierarchy))
        return list(self._stack_cache[hierarchy])

    def _source(self, node: torch._C.Node) -> str | None:
        try:
            text = node.sourceRange()
        except Exception:
            return None
        found = _user_frame(text)
        if found is not None:
            return found
        # Scripted code keeps only the innermost frame (e.g. inside torch/nn/modules/conv.py);
        # the user's line is where the enclosing module was called.
        for path, _ in reversed(self._module_stack(node)):
            if path in self.calls.sites:
                return self.calls.sites[path]
        return None


# --------------------------------------------------------------------------------------- helpers


def _constant(value: torch._C.Value) -> Any:
    try:
        return value.toIValue()
    except Exception:
        return None


def _plain(obj: Any) -> Any:
    """A TorchScript constant as plain Python: tuples become lists, devices and dtypes strings."""
    if isinstance(obj, (list, tuple)):
        return [_plain(item) for item in obj]
    if isinstance(obj, torch.dtype):
        return str(obj).removeprefix("torch.")
    if isinstance(obj, (torch.device, torch.layout, torch.memory_format)):
        return str(obj)
    return obj


def _schema(node: torch._C.Node) -> Any:
    if node.kind().startswith("prim::"):
        return None
    try:
        text = node.schema()
    except Exception:
        return None
    if not text or text == "(no schema)":
        return None
    try:
        return torch._C.parse_schema(text)
    except Exception:
        return None


def _is_custom_class(typ: Any) -> bool:
    return isinstance(typ, torch._C.ClassType) and typ.qualified_name().startswith("__torch__.torch.classes.")


def _is_scalar_type_arg(argument: Any) -> bool:
    # `type` says "int" for dtypes; `real_type` keeps "ScalarType" / "Optional[ScalarType]"
    return "ScalarType" in str(getattr(argument, "real_type", argument.type))


_DTYPE_BY_CODE: dict[int, str] = {}


def _dtype_name_of(code: int) -> Any:
    """TorchScript passes dtypes as their ScalarType number; name it like Value.dtype does."""
    if not _DTYPE_BY_CODE:
        scratch = torch._C.Graph()
        for obj in vars(torch).values():
            if isinstance(obj, torch.dtype):
                try:
                    _DTYPE_BY_CODE[scratch.insertConstant(obj).toIValue()] = str(obj).removeprefix("torch.")
                except Exception:
                    pass
    return _DTYPE_BY_CODE.get(code, code)


def _tensor_facts(tensor: torch.Tensor) -> tuple[tuple[int, ...], str, dict[str, Any] | None]:
    dtype = str(tensor.dtype).removeprefix("torch.")
    qscheme = None
    if tensor.is_quantized:
        scheme = tensor.qscheme()
        if scheme in _QUANT_PER_TENSOR:
            qscheme = {"scale": float(tensor.q_scale()), "zero_point": int(tensor.q_zero_point())}
        elif scheme in _QUANT_PER_CHANNEL:
            qscheme = {
                "axis": int(tensor.q_per_channel_axis()),
                "scales": [float(s) for s in tensor.q_per_channel_scales().tolist()],
                "zero_points": [int(z) for z in tensor.q_per_channel_zero_points().tolist()],
            }
    return tuple(int(d) for d in tensor.shape), dtype, qscheme


def _type_dtype(typ: Any) -> str | None:
    if isinstance(typ, torch._C.OptionalType):
        typ = typ.getElementType()
    try:
        dtype = typ.dtype()
    except Exception:
        return None
    return str(dtype).removeprefix("torch.") if dtype is not None else None


def _qualified_constant_name(debug_name: str) -> str | None:
    """Frozen weights are named after the attribute they came from: "self.b.conv.weight"."""
    return debug_name[len("self."):] if debug_name.startswith("self.") else None


def _getattr_path(value: torch._C.Value) -> str | None:
    names: list[str] = []
    while value.node().kind() == "prim::GetAttr":
        names.insert(0, value.node().s("name"))
        value = value.node().input()
    if not isinstance(value.type(), torch._C.ClassType) or value.node().kind() != "prim::Param":
        return None
    return ".".join(names)


_HIERARCHY_ENTRY = re.compile(r"([^.()]+)\(([^()]*)\)")


def _parse_hierarchy(text: str) -> list[tuple[str, str]]:
    """"conv0(CBR).0(Conv2d)" -> [("conv0", "CBR"), ("0", "Conv2d")]: instance names, outermost
    first, each relative to the entry before it.

    Scripted code adds "SELF(Type)" entries for method calls on the same module and
    "UNKNOWN_INSTANCE(UNKNOWN_TYPE)" ones for inlined free functions; neither is a submodule.
    """
    return [
        (name, type_name.rsplit(".", 1)[-1])
        for name, type_name in _HIERARCHY_ENTRY.findall(text or "")
        if name not in ("SELF", "UNKNOWN_INSTANCE")
    ]


_TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__)).replace("\\", "/") + "/"
# The recorded frames may come from another machine, so also recognise torch by its layout.
_TORCH_PATH = re.compile(
    r"(^|/)(site|dist)-packages/torch/"
    r"|(^|/)torch/(nn|jit|ao|quantization|fx|autograd|_ops\.py|_jit_internal\.py|functional\.py|_tensor\.py)"
)
_TRACED_FRAME = re.compile(r"^(.*)\((\d+)\): (.*)$")
_SCRIPTED_FRAME = re.compile(r'^\s*File "(.*)", line (\d+)')


def _is_torch_internal(path: str) -> bool:
    path = path.replace("\\", "/")
    return path.startswith(_TORCH_DIR) or bool(_TORCH_PATH.search(path))


def _user_frame(text: str) -> str | None:
    """The innermost frame of a node's source range that is user code, as "path:line".

    Traced nodes record the Python stack at trace time, innermost first ("file(42): forward");
    scripted nodes record one 'File "file", line 42' location. Archive-internal locations
    (after "Serialized") and frames outside the model (at and beyond torch.jit.trace) are ignored.
    """
    lines = (text or "").splitlines()
    # a scripted range quotes source code under its 'File' line; don't read frames out of it
    frame = _SCRIPTED_FRAME if lines and _SCRIPTED_FRAME.match(lines[0]) else _TRACED_FRAME
    for line in lines:
        if line.startswith("Serialized"):
            break
        match = frame.match(line)
        if not match:
            continue
        path, lineno = match.group(1), match.group(2)
        if path.replace("\\", "/").endswith("torch/jit/_trace.py"):
            break  # frames beyond this are the script that called torch.jit.trace
        if path.startswith("<") or _is_torch_internal(path):
            continue
        return f"{display_path(path)}:{lineno}"
    return None


class _ModuleCalls:
    """Which submodule each module calls, and from which user line, read from the un-inlined
    method graphs of the loaded module.

    The inlined hierarchy names a callee only by the last attribute on the way to it
    (`self.convs[0](x)` is recorded as "0(Conv2d)"), so `children` maps (caller path, that name)
    to the callee's full paths. `sites` maps a callee path to the first user line calling it
    (scripted code only: traced call nodes carry no location, their ops carry full stacks).
    """

    def __init__(self, module: torch.jit.ScriptModule):
        self.children: dict[tuple[str, str], set[str]] = {}
        self.sites: dict[str, str] = {}
        try:
            named = list(module.named_modules())
        except Exception:
            return
        for prefix, sub in named:
            try:
                methods = sub._c._method_names()
            except Exception:
                continue
            for method in methods:
                try:
                    graph = sub._c._get_method(method).graph
                except Exception:
                    continue
                for node in graph.findAllNodes("prim::CallMethod", True):
                    relative = _getattr_path(node.inputsAt(0))
                    if not relative:
                        continue
                    path = f"{prefix}.{relative}" if prefix else relative
                    last = relative.rsplit(".", 1)[-1]
                    self.children.setdefault((prefix, last), set()).add(path)
                    source = _user_frame(node.sourceRange())
                    if source is not None:
                        self.sites.setdefault(path, source)

    def resolve(self, entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Instance-name entries -> (qualified path, type) pairs."""
        stack: list[tuple[str, str]] = []
        parent = ""
        for name, type_name in entries:
            candidates = self.children.get((parent, name), set())
            if len(candidates) == 1:
                path = next(iter(candidates))
            else:  # unknown or ambiguous: assume a direct attribute
                path = f"{parent}.{name}" if parent else name
            stack.append((path, type_name))
            parent = path
        return stack
