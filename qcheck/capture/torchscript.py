"""Capture a saved TorchScript model (``torch.jit.save`` of a traced or scripted module).

The module is frozen (weights folded into constants, submodule calls inlined, branches on
attributes resolved) and every node of the resulting graph becomes a `Node` with schema-named
arguments. Shapes and dtypes come from one run of a copy of the graph that returns every tensor
value in a tuple, so they are the real ones for the example inputs. Where control flow survives
freezing, the graph is specialized to the example input shapes (a second run); what still
depends on data is kept whole and noted.
"""

from __future__ import annotations

import functools
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
    # Before inlining: a float stub is an identity whose call disappears once inlined, and a
    # node's module path is exact only while it is still in its module's own graph.
    notes.extend(_mark_stubs(module))
    _tag_scopes(module)

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

    static = _static_values(graph)
    probed, probe_notes = _probe(graph, call_args, example_inputs, path, static)
    if any(_control_flow(graph)):
        special = _specialize(graph, probed, notes)
        if special is not None:
            graph = special
            static = _static_values(graph)
            probed, probe_notes = _probe(graph, call_args, example_inputs, path, static)
    notes.extend(probe_notes)
    return _Builder(module, graph, probed, static).build(notes)


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


# ---------------------------------------------------------------------------------- stub markers

_STUB_MARKERS = {"quant": "qcheck::quant_stub", "dequant": "qcheck::dequant_stub"}
_STUB_PATH = "qcheck_stub"  # marker attributes: the stub's path relative to its caller, its type
_STUB_TYPE = "qcheck_stub_type"


def _stub_kind(type_name: str) -> str | None:
    from qcheck.capture import markers

    if type_name in markers.QUANT_STUB_TYPES:
        return "quant"
    if type_name in markers.DEQUANT_STUB_TYPES:
        return "dequant"
    return None


def _class_name_of(qualified: str | None) -> str:
    return (qualified or "").rsplit(".", 1)[-1]


def _class_name(typ: Any) -> str:
    # "__torch__.torch.ao.quantization.stubs.___torch_mangle_3.QuantStub" -> "QuantStub"
    try:
        return typ.qualified_name().rsplit(".", 1)[-1]
    except Exception:
        return ""


def _mark_stubs(module: torch.jit.ScriptModule) -> list[str]:
    """Put the marker op of every QuantStub / DeQuantStub call into the method graphs, as export
    records it (qcheck.capture.markers), so the BPU/CPU boundary survives inlining.

    A float stub is an identity: torch.jit.trace keeps its call (`prim::CallMethod` on the stub
    submodule) but drops its argument, so which tensor it applied to is not in the graph. The
    trace records calls in execution order, so the stub applied to a tensor computed before the
    call and still read after it: of those, the one read soonest after the call is taken (a run
    of k stub calls in a row takes k, in the order they were computed), and a note says the
    boundary was inferred. A stub whose call keeps its argument (scripted code, a QAT stub with
    its fake-quant) is marked on that argument.
    """
    import qcheck.capture.markers  # noqa: F401  (registers the marker ops the graph will call)

    inferred = 0
    seen: set[tuple[str, str]] = set()
    try:
        named = list(module.named_modules())
    except Exception:
        return []
    for _, sub in named:
        try:
            type_name = sub._c._type().qualified_name()
            methods = sub._c._method_names()
        except Exception:
            continue
        for method in methods:
            if (type_name, method) in seen:  # instances of one type share their method graphs
                continue
            seen.add((type_name, method))
            try:
                graph = sub._c._get_method(method).graph
                inferred += _mark_stubs_in(graph, sub)
            except Exception:
                continue
    if not inferred:
        return []
    return [f"{inferred} QuantStub/DeQuantStub call(s) of the traced file kept no tensor (a float stub "
            "is an identity); each boundary was placed on the tensor computed before the call and "
            "read soonest after it"]


def _mark_stubs_in(graph: torch._C.Graph, owner: Any) -> int:
    """Mark the stub calls of one method graph (top-level block); returns how many were inferred."""
    inferred = 0
    pending: list[tuple[torch._C.Node, str, str, str]] = []  # an elided run: (call, kind, path, type)
    markers_made: set[int] = set()
    for node in list(graph.nodes()):
        stub = _stub_call(node, owner)
        if stub is not None and not _callee_marked(node, owner):
            kind, relative, type_name = stub
            data = [v for v in list(node.inputs())[1:] if _is_tensor_type(v.type())]
            if data:
                marker = _make_marker(graph, data[0], kind, relative, type_name)
                marker.insertBefore(node)
                node.replaceInputWith(data[0], marker.output())
                markers_made.add(marker.output().unique())
            else:
                pending.append((node, kind, relative, type_name))
            continue
        if pending and node.kind() not in ("prim::GetAttr", "prim::Constant"):
            inferred += _mark_elided(graph, pending, markers_made)
            pending = []
    if pending:
        inferred += _mark_elided(graph, pending, markers_made)
    return inferred


def _stub_call(node: torch._C.Node, owner: Any) -> tuple[str, str, str] | None:
    """(kind, path relative to the caller, type name) when `node` calls a stub's forward."""
    if node.kind() != "prim::CallMethod" or node.s("name") != "forward":
        return None
    type_name = _class_name(node.inputsAt(0).type())
    kind = _stub_kind(type_name)
    if kind is None:
        return None
    return kind, _getattr_path(node.inputsAt(0)) or type_name, type_name


def _callee_marked(node: torch._C.Node, owner: Any) -> bool:
    """The stub's own graph already calls a marker (traced by qcheck's eager fallback)."""
    callee = owner._c if hasattr(owner, "_c") else owner
    try:
        for name in (_getattr_path(node.inputsAt(0)) or "").split("."):
            callee = callee.getattr(name)
        graph = callee._get_method("forward").graph
    except Exception:
        return False
    return any(graph.findAllNodes(op, True) for op in _STUB_MARKERS.values())


def _make_marker(graph: torch._C.Graph, value: torch._C.Value, kind: str, relative: str,
                 type_name: str) -> torch._C.Node:
    marker = graph.create(_STUB_MARKERS[kind], [value], 1)
    marker.output().setType(value.type())
    marker.s_(_STUB_PATH, relative)
    marker.s_(_STUB_TYPE, type_name)
    return marker


def _mark_elided(graph: torch._C.Graph, run: list, markers_made: set[int]) -> int:
    """Mark a run of stub calls that kept no argument, right after the last one (see _mark_stubs)."""

    last = run[-1][0]
    defined = [out for node in graph.nodes() if node.isBefore(last) for out in node.outputs()]
    defined = [v for v in list(graph.inputs()) + defined
               if _is_tensor_type(v.type()) and v.unique() not in markers_made]

    def order(a: torch._C.Node, b: torch._C.Node) -> int:
        return -1 if a.isBefore(b) else 1 if b.isBefore(a) else 0

    live = []  # (first read after the call, definition index, value)
    for index, value in enumerate(defined):
        later = [use.user for use in value.uses() if use.user.isAfter(last)]
        if later:
            live.append((min(later, key=functools.cmp_to_key(order)), index, value))
    # What a stub returns is read soon after it (`self.dequant(x).softmax()`, `return ...`);
    # between tensors first read by the same node, the latest computed.
    live.sort(key=functools.cmp_to_key(lambda a, b: order(a[0], b[0]) or b[1] - a[1]))
    chosen = sorted(live[:len(run)], key=lambda item: item[1])  # in definition order, as called
    anchor = last
    for (_, kind, relative, type_name), (_, _, value) in zip(run, chosen):
        marker = _make_marker(graph, value, kind, relative, type_name)
        marker.insertAfter(anchor)
        value.replaceAllUsesAfterNodeWith(marker, marker.output())
        markers_made.add(marker.output().unique())
        anchor = marker
    return len(run)


# -------------------------------------------------------------------------------- module scopes

_SCOPE = "qcheck_scope"  # a node attribute: the full path of the module whose graph holds it
_OP_NUMBER = "qcheck_op"  # a node attribute: a number of its own (see _tag_scopes)


def _tag_scopes(module: torch.jit.ScriptModule) -> None:
    """Tag every op of every module's graph with that module's full path, before inlining.

    Inlining keeps only the last attribute name of each call (`self.qkvs[0]` and `self.dws[0]`
    both become "0(ConvNorm)"), so two ModuleLists under one module are told apart only here.
    A traced module has one type (one graph) per instance; a graph that several instances
    share (scripted modules of one class) gets no path and is resolved from the hierarchy.

    Every op also gets its own number: freezing merges ops that repeat the same computation
    (Swin's PatchMerging reads `x[..., 0::2, ...]` twice) only when their attributes are
    equal, and export, which does not merge them, is what a capture must agree with."""
    try:
        named = list(module.named_modules())
    except Exception:
        return
    owners: dict[str, list[tuple[str, Any]]] = {}
    for path, sub in named:
        try:
            owners.setdefault(sub._c._type().qualified_name(), []).append((path, sub))
        except Exception:
            continue
    number = 0
    for instances in owners.values():
        path, sub = instances[0]
        try:
            methods = [sub._c._get_method(name).graph for name in sub._c._method_names()]
        except Exception:
            continue
        for graph in methods:
            for node in _all_nodes(graph.block()):
                if node.kind().startswith("prim::"):
                    continue
                number += 1
                node.i_(_OP_NUMBER, number)
                if len(instances) == 1:
                    node.s_(_SCOPE, path)


def _all_nodes(block: torch._C.Block) -> Iterator[torch._C.Node]:
    for node in block.nodes():
        yield node
        for sub in node.blocks():
            yield from _all_nodes(sub)


def _scoped_stack(entries: list[tuple[str, str]], scope: str) -> list[tuple[str, str]] | None:
    """Full paths for the hierarchy's (instance name, type) entries, read off the node's module
    path `scope`: each entry is the next prefix of it ending in that name. None when they do
    not line up (the hierarchy is then resolved without it)."""
    parts = scope.split(".") if scope else []
    stack, start = [], 0
    for name, type_name in entries:
        try:
            end = parts.index(name, start)
        except ValueError:
            return None
        stack.append((".".join(parts[:end + 1]), type_name))
        start = end + 1
    return stack if start == len(parts) else None


# ------------------------------------------------------------------------------ shape arithmetic

# Nodes that read only a tensor's metadata: with the input shapes fixed, their results are
# compile-time constants, and so is everything computed from them alone.
_METADATA_READS = {
    "aten::size", "aten::sym_size", "aten::dim", "aten::numel", "aten::len", "aten::is_floating_point",
    "prim::dtype", "prim::device", "prim::layout", "prim::is_cuda", "prim::shape",
}


def _static_values(graph: torch._C.Graph) -> set[int]:
    """`Value.unique()` of the values computed from sizes and plain constants only: what
    torch.export sees as Python numbers (`C // groups`, `(C // heads) ** -0.5`, `x * 2.0`) and a
    trace records as ops on rank-0 tensors. A weight is not static, nor is anything read from
    the data (`int(x.sum())`), random, or produced by control flow."""
    static: set[int] = set()

    def visit(block: torch._C.Block) -> None:
        for node in block.nodes():
            for sub in node.blocks():
                visit(sub)
            kind = node.kind()
            outputs = list(node.outputs())
            if kind == "prim::Constant":
                for out in outputs:
                    if _is_static_constant(out):
                        static.add(out.unique())
            elif kind in _METADATA_READS:
                static.update(out.unique() for out in outputs)
            elif not list(node.blocks()) and not node.isNondeterministic():
                inputs = list(node.inputs())
                if inputs and all(value.unique() in static for value in inputs):
                    static.update(out.unique() for out in outputs)

    visit(graph.block())
    return static


def _is_static_constant(value: torch._C.Value) -> bool:
    constant = _constant(value)
    if isinstance(constant, torch.ScriptObject):
        return False
    if isinstance(constant, torch.Tensor):
        # A traced Python number is a rank-0 constant without a name; a frozen attribute keeps
        # its "self.path" name and is the model's (a parameter, a buffer), not a number.
        return constant.dim() == 0 and not constant.is_quantized and _qualified_constant_name(value.debugName()) is None
    return True


def _number(observed: Any) -> Any:
    """A probed static value as export would see it (a plain number or list), else None."""
    if isinstance(observed, torch.Tensor):
        if observed.dim() == 0 and not observed.is_quantized:
            return observed.item()
        return None
    if isinstance(observed, (bool, int, float)):
        return observed
    if isinstance(observed, (list, tuple)) and all(isinstance(item, (bool, int, float)) for item in observed):
        return list(observed)
    return None


# --------------------------------------------------------------------------------------- loading


def _load(path: str) -> torch.jit.ScriptModule:
    if not os.path.exists(path):
        raise QcheckError("file not found", path)
    if os.path.isdir(path):
        raise QcheckError("is a directory; pass a TorchScript file saved with torch.jit.save", path)
    try:
        with warnings.catch_warnings():
            # torch marks TorchScript deprecated (a FutureWarning since 2.14); reading it is this
            # capture's whole job, and the warning would be a second line on stderr
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", FutureWarning)
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


def _is_tensor_list_type(typ: Any) -> bool:
    return isinstance(typ, torch._C.ListType) and isinstance(typ.getElementType(), torch._C.TensorType)


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
        elif _is_tensor_list_type(value.type()) and remaining:
            # A forward taking List[Tensor] (torchvision's detectors: one image each) gets the
            # batch given by --input-shape as its images.
            call_args.append(list(remaining.pop(0).unbind(0)))
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


def _observed(value: torch._C.Value, static: set[int]) -> bool:
    """Values the probe reads: tensors; lists built up by mutation (F.interpolate's
    `scale_factors.append(...)`), whose content the graph alone does not show; the tensor lists
    an op returns (chunk, split, unbind); and numbers computed from sizes (`C // groups`), which
    export sees as plain numbers."""
    producer = value.node()
    if producer.kind() in ("prim::Uninitialized", "prim::Constant"):
        return producer.kind() == "prim::Constant" and _is_tensor_type(value.type())
    typ = value.type()
    if _is_tensor_type(typ) or _is_tensor_list(value):
        return True
    if isinstance(typ, torch._C.ListType) and _is_mutated(value):
        return True
    return value.unique() in static and isinstance(
        typ, (torch._C.IntType, torch._C.FloatType, torch._C.BoolType, torch._C.NumberType, torch._C.ListType))


def _is_tensor_list(value: torch._C.Value) -> bool:
    """A list of tensors an op returns (not one the graph builds with prim::ListConstruct)."""
    return _is_tensor_list_type(value.type()) and not value.node().kind().startswith("prim::")


def _is_mutated(value: torch._C.Value) -> bool:
    return any(_is_mutated_by(use) for use in value.uses())


def _is_mutated_by(use: Any) -> bool:
    schema = _schema(use.user)
    if schema is not None and use.offset < len(schema.arguments):
        alias = schema.arguments[use.offset].alias_info
        return alias is not None and alias.is_write
    return False


def _node_key(node: torch._C.Node) -> tuple:
    """A key for a node: pybind hands out a new Python object per access, so identity cannot be."""
    return (node.kind(), tuple(out.unique() for out in node.outputs()), tuple(v.unique() for v in node.inputs()))


def _probe(
    graph: torch._C.Graph, call_args: list[Any], example_inputs: list[torch.Tensor], path: str,
    static: set[int],
) -> tuple[dict[int, Any], list[str]]:
    """Run a copy of `graph` once on `call_args` and return what each observed value held, keyed
    by `Value.unique()` of the ORIGINAL graph's values (values that held nothing are absent)."""
    notes: list[str] = []
    # Threading values out of control-flow blocks is an edit of the IR that torch may reject;
    # and an op may return an undefined tensor (MultiheadAttention's weights when not asked
    # for), which no run can hand back. Each fallback reads less; the last one's error is the
    # model's own.
    attempts = [(True, False), (True, True), (False, True)]
    for number, (with_nested, skip_unused) in enumerate(attempts, 1):
        function, wanted, nested, lost = _probe_function(graph, static, with_nested, skip_unused)
        try:
            results = _run(function, call_args)
            break
        except Exception as exc:
            if number < len(attempts):
                continue
            shapes = ", ".join(
                str(list(t.shape)) if isinstance(t, torch.Tensor) else repr(t) for t in example_inputs
            )
            raise QcheckError(
                f"running the model on example input shape(s) {shapes} failed: {_error_line(exc)}; "
                "check --input-shape",
                path,
            ) from None
    if skip_unused:
        notes.append("tensor values nothing reads (an op's unused outputs) were not probed: one of "
                     "them could not be read back (an undefined tensor); they have no shape")

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


def _probe_function(graph: torch._C.Graph, static: set[int], with_nested: bool,
                    skip_unused: bool = False) -> tuple[Any, list[torch._C.Value], int, int]:
    """A function running a copy of `graph` that returns one tuple of every observed value.

    Returns (function taking the graph's inputs, the original values in tuple order, how many
    observed values sit inside blocks, how many of those could not be threaded out)."""
    graph_inputs = list(graph.inputs())
    # The copy has the same structure, so walking both in step pairs each value with its twin;
    # the block paths kept are the copy's, since hoisting edits the copy's nodes.
    copy = graph.copy()
    wanted = [(orig, dup) for orig, dup in zip(graph_inputs, copy.inputs())
              if _is_tensor_type(orig.type()) or _is_tensor_list_type(orig.type())]
    none_value = None
    nested = lost = 0
    # Both walks are taken whole before the loop: hoisting edits the copy's blocks, and a walk
    # still running over an edited block reads freed nodes (a segfault on scripted detectors).
    for (orig, _), (dup, ctx) in zip(list(_iter_values(graph.block())), list(_iter_values(copy.block()))):
        if not _observed(orig, static) or (skip_unused and not orig.uses()):
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

    def __init__(self, module: torch.jit.ScriptModule, graph: torch._C.Graph, probed: dict[int, Any],
                 static: set[int]):
        self.module = module
        self.graph = graph
        self.probed = probed
        self.static = static
        self.list_items: dict[str, list[str]] = {}  # a tensor list an op returns -> its items' values
        self.appended: dict[str, list[str]] = {}  # an aten::append node's name -> the items it adds
        self.attributes: dict[tuple[str, str], Any] = {}  # (object, attribute) -> what prim::SetAttr set
        self.params = {name for name, _ in module.named_parameters()}
        self.buffers = {name for name, _ in module.named_buffers()}
        self.calls = _ModuleCalls(module)
        self.values: dict[str, Value] = {}
        self.nodes: list[Node] = []
        self._stack_cache: dict[tuple[str, str | None], list[tuple[str, str]]] = {}
        self._entries: dict[str, list[tuple[str, str]]] = {}  # hierarchy text, parsed
        self._latest: dict[tuple, list[tuple[str, str]]] = {}  # see _nearest_stack
        self._first: dict[tuple, list[tuple[str, str]]] | None = None

    def build(self, notes: list[str]) -> Graph:
        graph_inputs = list(self.graph.inputs())
        inputs = []
        for value in graph_inputs:
            if _is_tensor_type(value.type()):
                self._add_value(value, kind="input")
                if isinstance(self.probed.get(value.unique()), torch.Tensor):  # not a defaulted None
                    inputs.append(value.debugName())
            elif _is_tensor_list_type(value.type()):
                # torchvision's detectors take List[Tensor]: each image is an input of its own
                inputs.extend(self._add_list_items(value, kind="input"))

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
        outputs: list[str] = []
        for out in node.outputs():
            outputs.append(out.debugName())
            if _is_tensor_type(out.type()):  # prim::Uninitialized too: typed Tensor, never run
                self._add_value(out, kind=self._output_kind(node, out))
            elif _is_tensor_list(out):
                outputs[-1:] = self._add_list_items(out)
            elif kind == "prim::Constant" and isinstance(_constant(out), torch.ScriptObject):
                self._add_packed_params(out, _constant(out))
            elif kind == "prim::GetAttr" and _is_custom_class(out.type()):  # unfrozen fallback
                self._add_packed_params(out, self._attribute(_getattr_path(out)))
        if kind == "aten::append":
            outputs = self._append_items(node) or outputs
        self.nodes.append(
            Node(
                name=f"{kind.split('::', 1)[-1]}_{len(self.nodes)}",
                target=kind,
                args=self._args(node),
                outputs=outputs,
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
                if i == 0 and node.kind() == "aten::append":
                    # the list it adds to, not the list's items: the append makes those
                    args[argument.name] = Ref(inputs[0].debugName())
                elif i < len(inputs):
                    args[argument.name] = self._arg(inputs[i], argument)
                elif argument.has_default_value():
                    args[argument.name] = _plain(argument.default_value)
            for i in range(len(arguments), len(inputs)):  # varargs beyond the schema
                args[f"input{i}"] = self._arg(inputs[i])
        if node.kind() in ("prim::SetAttr", "prim::GetAttr") and inputs:
            # An object's attribute (torchvision's ImageList.tensors) carries what was set on it.
            key = (inputs[0].debugName(), node.s("name"))
            if node.kind() == "prim::SetAttr" and len(inputs) > 1:
                self.attributes[key] = args["input1"]
            elif key in self.attributes:
                args["value"] = self.attributes[key]
        # control flow: what each block hands back, so data flow through an If/Loop is visible
        for b, block in enumerate(node.blocks()):
            for o, value in enumerate(block.outputs()):
                args[f"block{b}.output{o}"] = self._arg(value)
        return args

    def _arg(self, value: torch._C.Value, argument: Any = None) -> Any:
        producer = value.node()
        if producer.kind() == "prim::Constant":
            constant = _constant(value)
            if isinstance(constant, torch.Tensor) and value.unique() in self.static:
                return constant.item()  # a traced Python number (`x * 2.0`): a scalar, as in export
            if isinstance(constant, (torch.Tensor, torch.ScriptObject)):
                return Ref(value.debugName())
            if argument is not None and isinstance(constant, int) and _is_scalar_type_arg(argument):
                return _dtype_name_of(constant)
            return _plain(constant)
        if isinstance(value.type(), torch._C.ListType) and _is_mutated(value):
            # built up by append & co.: the ListConstruct alone is wrong, use what the run saw
            items = self._built_list_items(value)
            if items is not None:
                return [Ref(item) for item in items]
            observed = self.probed.get(value.unique())
            return _plain(observed) if isinstance(observed, list) else Ref(value.debugName())
        if producer.kind() == "prim::ListConstruct":
            return [self._arg(item) for item in producer.inputs()]
        if value.unique() in self.static:
            # Computed from sizes: export sees the number itself (`channels // groups`, a scale
            # `(C // heads) ** -0.5`), and so do the rules.
            number = _number(self.probed.get(value.unique()))
            if number is not None:
                if argument is not None and isinstance(number, int) and _is_scalar_type_arg(argument):
                    return _dtype_name_of(number)
                return number
        items = self.list_items.get(value.debugName())
        if items is not None:
            return [Ref(item) for item in items]
        return Ref(value.debugName())

    # values -----------------------------------------------------------------------------------

    def _output_kind(self, node: torch._C.Node, value: torch._C.Value) -> str:
        if node.kind() == "prim::Constant":
            return self._weight_kind(_qualified_constant_name(value.debugName()))
        if node.kind() == "prim::GetAttr":
            path = _getattr_path(value)  # a module's attribute: only when freezing failed
            # else an object's (ImageList.tensors): what was set on it, the model's data
            return self._weight_kind(path) if path is not None else "activation"
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

    def _add_list_items(self, value: torch._C.Value, kind: str = "activation") -> list[str]:
        """The tensors of a list an op returns (chunk, split, unbind), one value each, named like
        export's multi-output values: the op makes them, whoever reads the list reads them."""
        observed = self.probed.get(value.unique())
        if not isinstance(observed, (list, tuple)) or not all(isinstance(t, torch.Tensor) for t in observed):
            return [value.debugName()]
        names = []
        for index, tensor in enumerate(observed):
            name = f"{value.debugName()}[{index}]"
            shape, dtype, qscheme = _tensor_facts(tensor)
            self.values[name] = Value(name=name, shape=shape, dtype=dtype, kind=kind, qscheme=qscheme)
            names.append(name)
        self.list_items[value.debugName()] = names
        return names

    def _built_list_items(self, value: torch._C.Value) -> list[str] | None:
        """The items of a tensor list the graph builds with aten::append (a scripted model's
        `results.append(head(x))`, then `torch.cat(results)`), as the run saw them, each made by
        the append that adds it: so a reader depends on what was appended, as in export's graph.
        None for a list of no tensors."""
        name = value.debugName()
        if name in self.list_items:
            return self.list_items[name]
        observed = self.probed.get(value.unique())
        if not isinstance(observed, list) or not observed or not all(isinstance(t, torch.Tensor) for t in observed):
            return None
        items = self._add_list_items(value)
        appends = [use.user for use in value.uses() if use.user.kind() == "aten::append" and use.offset == 0]
        others = [use.user for use in value.uses() if use.user.kind() != "aten::append" and _is_mutated_by(use)]
        appends.sort(key=functools.cmp_to_key(lambda a, b: -1 if a.isBefore(b) else 1))
        if not others and len(appends) == len(items):  # straight-line appends: one item each
            shares = [[item] for item in items]
        elif not others and len(appends) == 1:  # one append in a loop adds them all
            shares = [items]
        else:  # insert, extend, setitem...: which op made which item is not known
            shares = []
        for append, share in zip(appends, shares):
            self.appended[_node_key(append)] = share
        return items

    def _append_items(self, node: torch._C.Node) -> list[str]:
        """The outputs of an aten::append node: the items of its list it adds."""
        built = list(node.inputs())[0]
        if _is_tensor_list_type(built.type()):
            self._built_list_items(built)
        return self.appended.get(_node_key(node), [])

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
        scope = node.s(_SCOPE) if node.hasAttribute(_SCOPE) else None
        key = (hierarchy, scope)
        entries = self._entries.get(hierarchy)
        if entries is None:
            entries = self._entries[hierarchy] = _parse_hierarchy(hierarchy)
        stack = self._stack_cache.get(key)
        if stack is None:
            stack = _scoped_stack(entries, scope) if scope is not None else None
            if stack is None and scope is not None:
                stack = self._passed_module_stack(entries, scope)
            if stack is not None:
                self._stack_cache[key] = stack
            else:
                stack = self._nearest_stack(entries)
        if key in self._stack_cache:  # exact: the latest call under each of its prefixes
            self._remember(entries, stack)
        stack = list(stack)
        if node.kind() in _STUB_MARKERS.values() and node.hasAttribute(_STUB_PATH):
            # A marker qcheck put in the caller's graph: it is the stub's own op, as in export.
            parent = stack[-1][0] if stack else ""
            relative = node.s(_STUB_PATH)
            stack.append((f"{parent}.{relative}" if parent else relative, node.s(_STUB_TYPE)))
        return stack

    def _passed_module_stack(self, entries: list[tuple[str, str]], scope: str) -> list[tuple[str, str]] | None:
        """The stack of an op inside a module its caller got as an argument (RT-DETR's decoder
        receives the head's MLPs): the trace names that module "INSTANCE_NAME_UNKNOWN", but the
        op's scope is its full path. None when the caller has a child of that type it never calls
        itself: one module its callers share, traced as an argument too (ultralytics'
        `Conv.default_act`), which `_ModuleCalls.resolve` names after each caller's child."""
        unnamed = [i for i, (name, _) in enumerate(entries) if name == _UNNAMED_INSTANCE]
        if not unnamed:
            return None
        last = unnamed[-1]
        type_name = entries[last][1]
        head = self._nearest_stack(entries[:last]) if last else []
        caller = head[-1][0] if head else ""
        if self.calls.by_type.get((caller, type_name), set()) - self.calls.called:
            return None  # the caller's own child that it never calls itself: a shared module
        parts = scope.split(".")
        for cut in range(len(parts), 0, -1):
            own = ".".join(parts[:cut])
            below = _scoped_stack(entries[last + 1:], ".".join(parts[cut:]))
            if below is not None and _class_name_of(self.calls.types.get(own)) == type_name:
                return head + [(own, type_name)] + [(f"{own}.{path}", t) for path, t in below]
        return None

    def _remember(self, entries: list[tuple[str, str]], stack: list[tuple[str, str]]) -> None:
        """Record an exact stack under each of its hierarchy prefixes (the latest one wins)."""
        for length in range(1, len(entries) + 1):
            self._latest[tuple(entries[:length])] = stack[:length]

    def _nearest_stack(self, entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The stack of a node that carries no usable tag: constants freezing made, list plumbing,
        the ops of a module several callers share. Its longest hierarchy prefix that an exactly
        tagged op has is taken from the latest such op (nodes come in execution order, so that
        is the call it belongs to), else from the first in the graph (hoisted constants); the
        rest is resolved from the instance names."""
        first = self._first_stacks()
        for length in range(len(entries), 0, -1):
            prefix = tuple(entries[:length])
            base = self._latest.get(prefix) or first.get(prefix)
            if base is not None:
                parent = base[-1][0]
                return list(base) + self.calls.resolve(entries[length:], parent)
        return self.calls.resolve(entries)

    def _first_stacks(self) -> dict[tuple, list[tuple[str, str]]]:
        """Hierarchy prefix -> the exact stack of the first tagged op under it."""
        if self._first is None:
            self._first = {}
            for node in _all_nodes(self.graph.block()):
                if not node.hasAttribute(_SCOPE):
                    continue
                entries = _parse_hierarchy(node.getModuleHierarchy())
                found = _scoped_stack(entries, node.s(_SCOPE))
                if found is None:
                    continue
                for length in range(1, len(entries) + 1):
                    self._first.setdefault(tuple(entries[:length]), found[:length])
        return self._first

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


_UNNAMED_INSTANCE = "INSTANCE_NAME_UNKNOWN"


class _ModuleCalls:
    """Which submodule each module calls, and from which user line, read from the un-inlined
    method graphs of the loaded module.

    The inlined hierarchy names a callee only by the last attribute on the way to it
    (`self.convs[0](x)` is recorded as "0(Conv2d)"), so `children` maps (caller path, that name)
    to the callee's full paths. `sites` maps a callee path to the first user line calling it
    (scripted code only: traced call nodes carry no location, their ops carry full stacks).
    A module several callers share (ultralytics' one `Conv.default_act` SiLU) is recorded with
    no name at all, "INSTANCE_NAME_UNKNOWN(SiLU)" (each caller gets it as an argument): `by_type`
    finds it among its caller's submodules by type.
    """

    def __init__(self, module: torch.jit.ScriptModule):
        self.children: dict[tuple[str, str], set[str]] = {}
        self.by_type: dict[tuple[str, str], set[str]] = {}  # (caller path, callee type) -> paths
        self.sites: dict[str, str] = {}
        self.called: set[str] = set()  # modules some caller calls as its attribute
        self.types: dict[str, str] = {}  # module path -> qualified type
        try:
            named = list(module.named_modules())
        except Exception:
            return
        for prefix, sub in named:
            try:
                self.types[prefix] = sub._c._type().qualified_name()
                methods = sub._c._method_names()
                children = list(sub.named_children())
            except Exception:
                continue
            for name, child in children:  # a shared callee arrives as an argument, not an attribute
                path = f"{prefix}.{name}" if prefix else name
                try:
                    self.by_type.setdefault((prefix, _class_name(child._c._type())), set()).add(path)
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
                    self.called.add(path)
                    last = relative.rsplit(".", 1)[-1]
                    self.children.setdefault((prefix, last), set()).add(path)
                    source = _user_frame(node.sourceRange())
                    if source is not None:
                        self.sites.setdefault(path, source)

    def resolve(self, entries: list[tuple[str, str]], parent: str = "") -> list[tuple[str, str]]:
        """Instance-name entries, below the module at `parent` -> (qualified path, type) pairs."""
        stack: list[tuple[str, str]] = []
        for name, type_name in entries:
            if name == _UNNAMED_INSTANCE:
                candidates = self.by_type.get((parent, type_name), set())
            else:
                candidates = self.children.get((parent, name), set())
            if len(candidates) == 1:
                path = next(iter(candidates))
            else:  # unknown or ambiguous: assume a direct attribute
                path = f"{parent}.{name}" if parent else name
            stack.append((path, type_name))
            parent = path
        return stack
