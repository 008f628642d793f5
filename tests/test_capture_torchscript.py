"""capture_torchscript on real traced, scripted and quantized models saved with torch.jit.save."""

from __future__ import annotations

import os
from typing import List

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from qcheck.capture.torchscript import capture_torchscript
from qcheck.errors import QcheckError
from qcheck.graph import Graph, Node, Ref

# trace/script/save are deprecated upstream; that is torch's business, not this test's
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _line_of(marker: str) -> int:
    """Line number of the single line of this file carrying `marker` (so tests survive edits)."""
    with open(__file__, encoding="utf-8") as handle:
        hits = [number for number, line in enumerate(handle, 1) if line.rstrip().endswith(marker)]
    assert len(hits) == 1, marker
    return hits[0]


def _assert_source(node: Node, marker: str) -> None:
    assert node.source is not None, node
    path, line = node.source.rsplit(":", 1)
    assert os.path.samefile(path, __file__)
    assert int(line) == _line_of(marker)


def _only(graph: Graph, target: str) -> Node:
    found = [node for node in graph.nodes if node.target == target]
    assert len(found) == 1, [n.target for n in graph.nodes]
    return found[0]


def _by_module(graph: Graph, target: str, path: str) -> Node:
    found = [
        n for n in graph.nodes if n.target == target and n.module_stack and n.module_stack[-1][0] == path
    ]
    assert len(found) == 1, (target, path)
    return found[0]


def _assert_well_formed(graph: Graph) -> None:
    """Unique node names; every Ref names a graph value or some node's output."""
    assert len({node.name for node in graph.nodes}) == len(graph.nodes)
    known = set(graph.values) | {out for node in graph.nodes for out in node.outputs}
    for node in graph.nodes:
        for ref in node.input_refs():
            assert ref in known, (node.name, ref)
    for name in graph.inputs + graph.outputs:
        assert name in graph.values


def _save(module: torch.jit.ScriptModule, path) -> str:
    torch.jit.save(module, str(path))
    return str(path)


# ------------------------------------------------------------------------------- traced float


class ConvBNReLU(nn.Module):
    def __init__(self, cin, cout, k, stride=1, padding=0, dilation=1, groups=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, padding=padding, dilation=dilation, groups=groups)
        self.bn = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.bn(self.conv(x)))  # MARK:cbr


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv0 = ConvBNReLU(3, 8, 3, stride=2, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.conv1 = ConvBNReLU(8, 16, 3, padding=2, dilation=2, groups=4)
        self.avg = nn.AvgPool2d(2)
        self.head = nn.Conv2d(16, 10, 1)

    def forward(self, x):
        x = self.conv0(x)
        x = self.pool(x)
        x = self.conv1(x)
        x = self.avg(x)
        return self.head(x)  # MARK:head


@pytest.fixture(scope="module")
def traced_net(tmp_path_factory):
    torch.manual_seed(0)
    model = Net().eval()
    example = torch.randn(1, 3, 32, 32)
    path = _save(torch.jit.trace(model, example), tmp_path_factory.mktemp("ts") / "net.pt")
    return model, example, path, capture_torchscript(path, [example])


def test_traced_conv_args_and_weight(traced_net):
    _, _, _, graph = traced_net
    assert graph.origin == "torchscript"
    assert len([n for n in graph.nodes if n.target == "aten::_convolution"]) == 3

    conv = _by_module(graph, "aten::_convolution", "conv1.conv")
    assert conv.args["input"] == Ref(conv.args["input"].value)
    assert conv.args["stride"] == [1, 1]
    assert conv.args["padding"] == [2, 2]
    assert conv.args["dilation"] == [2, 2]
    assert conv.args["groups"] == 4
    assert conv.args["transposed"] is False
    weight = graph.values[conv.args["weight"].value]
    assert weight.shape == (16, 2, 3, 3)
    assert weight.kind == "parameter"
    assert graph.values[conv.args["bias"].value].shape == (16,)

    first = _by_module(graph, "aten::_convolution", "conv0.conv")
    assert first.args["stride"] == [2, 2] and first.args["padding"] == [1, 1] and first.args["groups"] == 1
    assert first.args["input"] == Ref(graph.inputs[0])


def test_traced_module_stack_and_source(traced_net):
    _, _, _, graph = traced_net
    conv = _by_module(graph, "aten::_convolution", "conv1.conv")
    assert conv.module_stack == [("conv1", "ConvBNReLU"), ("conv1.conv", "Conv2d")]
    # innermost user frame: ConvBNReLU.forward, not torch/nn/modules/conv.py
    _assert_source(conv, "# MARK:cbr")

    head = _by_module(graph, "aten::_convolution", "head")
    assert head.module_stack == [("head", "Conv2d")]
    _assert_source(head, "# MARK:head")
    assert _only(graph, "aten::max_pool2d").module_stack == [("pool", "MaxPool2d")]


def test_traced_shapes_match_eager_forward(traced_net):
    model, example, _, graph = traced_net
    seen: dict[str, tuple[int, ...]] = {}
    hooks = [
        module.register_forward_hook(lambda _m, _i, out, name=name: seen.__setitem__(name, tuple(out.shape)))
        for name, module in model.named_modules()
        if name
    ]
    try:
        with torch.no_grad():
            expected = model(example)
    finally:
        for hook in hooks:
            hook.remove()

    ops = {"aten::_convolution", "aten::batch_norm", "aten::relu", "aten::max_pool2d", "aten::avg_pool2d"}
    checked = 0
    for node in graph.nodes:
        if node.target in ops:
            assert graph.values[node.outputs[0]].shape == seen[node.module_stack[-1][0]], node.name
            checked += 1
    assert checked == 9
    assert [graph.values[name].shape for name in graph.outputs] == [tuple(expected.shape)]
    assert graph.values[graph.inputs[0]].kind == "input"
    assert graph.values[graph.inputs[0]].shape == (1, 3, 32, 32)
    assert _only(graph, "aten::avg_pool2d").args["kernel_size"] == [2, 2]


def test_every_tensor_value_has_shape_and_dtype(traced_net):
    _, _, _, graph = traced_net
    _assert_well_formed(graph)
    assert graph.values
    for value in graph.values.values():
        assert value.shape is not None, value.name
        assert value.dtype == "float32", value.name
    # structural nodes are kept, not dropped
    assert {"prim::Constant", "aten::batch_norm"} <= {n.target for n in graph.nodes}


# ------------------------------------------------------------------------------- cat / tuples


class CatNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 4, 1)
        self.b = nn.Conv2d(3, 6, 1)

    def forward(self, x):
        return torch.cat([self.a(x), self.b(x)], dim=1), x.flatten(1)


def test_cat_tensors_are_a_list_of_refs(tmp_path):
    example = torch.randn(1, 3, 8, 8)
    path = _save(torch.jit.trace(CatNet().eval(), example), tmp_path / "cat.pt")
    graph = capture_torchscript(path, [example])
    _assert_well_formed(graph)

    cat = _only(graph, "aten::cat")
    tensors = cat.args["tensors"]
    assert isinstance(tensors, list) and all(isinstance(item, Ref) for item in tensors)
    assert [graph.values[item.value].shape for item in tensors] == [(1, 4, 8, 8), (1, 6, 8, 8)]
    producers = graph.producers()
    assert [producers[item.value].module_stack[-1][0] for item in tensors] == ["a", "b"]
    assert cat.args["dim"] == 1
    # the returned tuple is flattened to its tensors
    assert [graph.values[name].shape for name in graph.outputs] == [(1, 10, 8, 8), (1, 192)]
    assert all(value.shape is not None for value in graph.values.values())


# ------------------------------------------------------------------------------- scripted


class Branchy(nn.Module):
    def __init__(self, use_pool: bool):
        super().__init__()
        self.use_pool = use_pool
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.convs = nn.ModuleList([nn.Conv2d(4, 4, 1), nn.Conv2d(4, 4, 1)])

    def forward(self, x):
        y = self.conv(x)  # MARK:scripted-conv
        if self.use_pool:  # attribute: resolved by freezing
            y = F.max_pool2d(y, 2)
        else:
            y = torch.sigmoid(y)
        for c in self.convs:
            y = c(y)
        y = F.interpolate(y, scale_factor=2.0)  # branches on the input rank inside torch
        if bool(y.mean() > 100.0):  # data-dependent: stays a prim::If
            y = torch.tanh(y)
        return y


@pytest.mark.parametrize("use_pool", [True, False])
def test_scripted_if_is_resolved_where_possible(tmp_path, use_pool):
    example = torch.randn(1, 3, 8, 8)
    model = Branchy(use_pool).eval()
    path = _save(torch.jit.script(model), tmp_path / "branchy.pt")
    graph = capture_torchscript(path, [example])
    _assert_well_formed(graph)
    targets = [node.target for node in graph.nodes]

    # the attribute branch is gone, only the taken side's op is left
    assert ("aten::max_pool2d" in targets) == use_pool
    assert ("aten::sigmoid" in targets) == (not use_pool)
    # interpolate's rank dispatch is specialized to the 4-d example input
    assert "aten::upsample_nearest2d" in targets
    assert "aten::upsample_nearest1d" not in targets and "aten::upsample_nearest3d" not in targets
    assert _only(graph, "aten::upsample_nearest2d").args["scale_factors"] == [2.0, 2.0]
    # the data-dependent branch is kept whole, and said so
    assert targets.count("prim::If") == 1 and "aten::tanh" in targets
    assert any("data-dependent" in note for note in graph.notes)
    assert "prim::Loop" not in targets

    tanh_out = _only(graph, "aten::tanh").outputs[0]
    for value in graph.values.values():
        if value.name != tanh_out:  # branch not taken by the example input
            assert value.shape is not None, value.name
    with torch.no_grad():
        expected = model(example)
    assert [graph.values[name].shape for name in graph.outputs] == [tuple(expected.shape)]

    conv = _by_module(graph, "aten::conv2d", "conv")
    assert conv.module_stack == [("conv", "Conv2d")]
    assert graph.values[conv.args["weight"].value].shape == (4, 3, 3, 3)
    assert conv.args["padding"] == [1, 1]
    # scripted code only records torch's own line; the source is the user's call of the module
    _assert_source(conv, "# MARK:scripted-conv")
    # ModuleList members keep their full path
    assert _by_module(graph, "aten::conv2d", "convs.1").module_stack == [("convs.1", "Conv2d")]


# ------------------------------------------------------------- what export sees, a trace too


def _traced(model: nn.Module, example, tmp_path, name="m.pt") -> Graph:
    with torch.no_grad():
        path = _save(torch.jit.trace(model.eval(), example, strict=False, check_trace=False), tmp_path / name)
    graph = capture_torchscript(path, [example])
    _assert_well_formed(graph)
    return graph


class Shuffled(nn.Module):
    def forward(self, x):
        b, c, h, w = x.shape
        x = x.view(b, 2, c // 2, h, w).transpose(1, 2).reshape(b, c, h, w)  # ShuffleNet
        x = F.pad(x, (0, (4 - w % 4) % 4, 0, (4 - h % 4) % 4))  # Swin's window padding
        return x * (c // 2) ** -0.5 * 2.0


def test_shape_arithmetic_reaches_the_ops_as_numbers(tmp_path):
    # A trace records `c // 2` as ops on rank-0 tensors; torch.export sees the number. The ops
    # that read such values get the numbers, as they do from export.
    graph = _traced(Shuffled(), torch.rand(1, 8, 6, 6), tmp_path)
    assert _only(graph, "aten::view").args["size"] == [1, 2, 4, 6, 6]
    assert _only(graph, "aten::constant_pad_nd" if any(n.target == "aten::constant_pad_nd" for n in graph.nodes)
                 else "aten::pad").args["pad"] == [0, 2, 0, 2]
    muls = [n for n in graph.nodes if n.target == "aten::mul" and isinstance(n.args["self"], Ref)
            and graph.values[n.args["self"].value].shape == (1, 8, 8, 8)]
    assert [n.args["other"] for n in muls] == [pytest.approx(0.5), 2.0]  # (8 // 2) ** -0.5, 2.0
    for node in graph.nodes:
        if node.target in ("aten::floor_divide", "aten::remainder", "aten::pow"):
            assert not node.input_refs(), node  # computed from sizes alone: nothing to read


class Heads(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkvs = nn.ModuleList([nn.Conv2d(4, 12, 1), nn.Conv2d(4, 12, 1)])
        self.dws = nn.ModuleList([nn.Conv2d(4, 4, 1), nn.Conv2d(4, 4, 1)])

    def forward(self, x):
        out = x
        for qkv, dw in zip(self.qkvs, self.dws):
            q, k, v = qkv(out).chunk(3, dim=1)
            out = dw(q) + k * v
        return out


def test_op_returned_lists_and_module_lists(tmp_path):
    graph = _traced(Heads(), torch.rand(1, 4, 8, 8), tmp_path)
    chunks = [n for n in graph.nodes if n.target == "aten::chunk"]
    assert len(chunks) == 2
    for chunk in chunks:  # the op makes the tensors: three values, not one list
        assert [graph.values[out].shape for out in chunk.outputs] == [(1, 4, 8, 8)] * 3
        (unpack,) = [n for n in graph.nodes if n.target == "prim::ListUnpack" and set(n.refs) == set(chunk.outputs)]
    # inlining names both `self.qkvs[0]` and `self.dws[0]` "0": the paths are told apart
    convs = [n.module_stack for n in graph.nodes if n.target == "aten::_convolution"]
    assert convs == [[("qkvs.0", "Conv2d")], [("dws.0", "Conv2d")], [("qkvs.1", "Conv2d")], [("dws.1", "Conv2d")]]


@torch.jit.script
class Batch:
    """An object carrying the batch, as torchvision's ImageList carries `tensors`."""

    def __init__(self, tensors: torch.Tensor):
        self.tensors = tensors


class ListDetector(nn.Module):
    """What a scripted torchvision detector does with its images: a List[Tensor] input, a
    new_full buffer filled in place, an object attribute, and results appended to a list."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 1)
        self.head = nn.Conv2d(3, 4, 1)

    def forward(self, images: List[torch.Tensor]):
        batched = images[0].new_full((len(images), 3, 8, 8), 0.0)
        for i in range(len(images)):
            batched[i, :, : images[i].shape[1], : images[i].shape[2]].copy_(images[i])
        batch = Batch(batched)
        results: List[torch.Tensor] = []
        results.append(self.stem(batch.tensors))
        for image in images:
            results.append(self.head(image.unsqueeze(0)))
        return torch.cat(results)


def test_scripted_list_and_in_place_data_flow(tmp_path, rules):
    """The image reaches every layer: through the list input, the buffer written in place, the
    object's attribute and the appended list. None of them is folded as a constant."""
    from qcheck.mapping import map_graph

    path = os.path.join(tmp_path, "detector.pt")
    torch.jit.save(torch.jit.script(ListDetector()), path)
    from qcheck.capture import InputSpec, capture_file

    graph = capture_file(path, [InputSpec((1, 3, 8, 8), "float32")], None)
    assert graph.inputs == ["images.1[0]"] and graph.values["images.1[0]"].shape == (3, 8, 8)
    layers = {layer.operator.name if layer.module_path is None else layer.module_path: layer
              for layer in map_graph(graph, rules).layers if layer.kind != "structural"}
    assert sorted(layers) == ["head", "stem", "torch.Tensor.reshape", "torch.cat"]  # unsqueeze: a reshape
    assert [(v.shape, v.kind) for v in layers["stem"].inputs] == [((1, 3, 8, 8), "activation")]
    assert [(v.shape, v.kind) for v in layers["head"].inputs] == [((1, 3, 8, 8), "activation")]
    assert [(v.shape, v.kind) for v in layers["torch.cat"].inputs] == [((1, 4, 8, 8), "activation")] * 2
    assert [(v.shape, v.kind) for v in layers["torch.cat"].outputs] == [((2, 4, 8, 8), "activation")]


class SharedAct(nn.Module):
    act = nn.ReLU6()  # one instance every block calls (ultralytics' Conv.default_act)

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 1)
        self.act = SharedAct.act

    def forward(self, x):
        return self.act(self.conv(x))


def test_a_module_several_callers_share_is_named_in_each(tmp_path):
    graph = _traced(nn.Sequential(SharedAct(), SharedAct()), torch.rand(1, 4, 8, 8), tmp_path)
    acts = [n.module_stack[-1] for n in graph.nodes if n.target == "aten::hardtanh"]
    assert acts == [("0.act", "ReLU6"), ("1.act", "ReLU6")]


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x, heads, pos):
        for head in heads:
            x = head(self.lin(x) + pos(x))
        return x


class PassesItsHeads(nn.Module):
    """RT-DETR's shape: the decoder gets the head's modules as arguments."""

    def __init__(self):
        super().__init__()
        self.decoder = Decoder()
        self.heads = nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 4)])
        self.pos = nn.Linear(4, 4)

    def forward(self, x):
        return self.decoder(x, self.heads, self.pos)


def test_a_module_passed_as_an_argument_keeps_its_own_path(tmp_path):
    graph = _traced(PassesItsHeads(), torch.rand(1, 4), tmp_path)
    linears = [n.module_stack[-1][0] for n in graph.nodes if n.target == "aten::linear"]
    assert linears == ["decoder.lin", "pos", "heads.0", "decoder.lin", "pos", "heads.1"]


class Stubbed(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv = nn.Conv2d(3, 4, 1)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        y = self.conv(self.quant(x))
        return self.dequant(y).softmax(dim=1)


@pytest.mark.parametrize("how", ["trace", "script"])
def test_float_stubs_are_marked_as_export_marks_them(tmp_path, how):
    example = torch.rand(1, 3, 8, 8)
    model = Stubbed().eval()
    if how == "trace":
        graph = _traced(model, example, tmp_path)
    else:
        graph = capture_torchscript(_save(torch.jit.script(model), tmp_path / "s.pt"), [example])
    quant, dequant = _only(graph, "qcheck::quant_stub"), _only(graph, "qcheck::dequant_stub")
    (conv,) = [n for n in graph.nodes if n.target in ("aten::_convolution", "aten::conv2d")]  # traced, scripted
    assert quant.module_stack == [("quant", "QuantStub")] and dequant.module_stack == [("dequant", "DeQuantStub")]
    assert quant.refs == (graph.inputs[0],)
    assert conv.args["input"] == Ref(quant.outputs[0])
    assert dequant.refs == tuple(conv.outputs)
    assert _only(graph, "aten::softmax").args["self"] == Ref(dequant.outputs[0])
    inferred = [note for note in graph.notes if "QuantStub/DeQuantStub" in note]
    # a traced identity stub keeps no argument: the boundary is inferred, and the note says so
    assert len(inferred) == (1 if how == "trace" else 0)


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(16, 2, batch_first=True)

    def forward(self, x):
        return self.attn(x, x, x, need_weights=False)[0]


def test_an_undefined_output_does_not_stop_the_probe(tmp_path):
    # In eval without grad MultiheadAttention runs its fused kernel, whose weights output is an
    # undefined tensor when need_weights=False: no run can hand it back.
    graph = _traced(Attention(), torch.rand(1, 5, 16), tmp_path)
    fused = _only(graph, "aten::_native_multi_head_attention")
    assert graph.values[fused.outputs[0]].shape == (1, 5, 16)
    assert any("not probed" in note for note in graph.notes)


# ------------------------------------------------------------------------------- quantized


class QNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.relu(self.bn(self.conv(x)))
        return self.dequant(self.pool(x))


@pytest.fixture
def quantized_engine():
    engines = torch.backends.quantized.supported_engines
    engine = next((e for e in ("qnnpack", "fbgemm", "x86") if e in engines), None)
    if engine is None:
        pytest.skip(f"no quantized CPU engine in {engines}")
    previous = torch.backends.quantized.engine
    torch.backends.quantized.engine = engine
    yield engine
    torch.backends.quantized.engine = previous


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::torch.jit.TracerWarning")
def test_quantized_eager_model(tmp_path, quantized_engine):
    tq = torch.ao.quantization
    torch.manual_seed(0)
    model = QNet().eval()
    model.qconfig = tq.get_default_qconfig(quantized_engine)
    tq.fuse_modules(model, [["conv", "bn", "relu"]], inplace=True)
    tq.prepare(model, inplace=True)
    with torch.no_grad():
        model(torch.randn(4, 3, 8, 8))  # calibrate
    tq.convert(model, inplace=True)
    example = torch.randn(1, 3, 8, 8)
    path = _save(torch.jit.trace(model, example), tmp_path / "q.pt")

    graph = capture_torchscript(path, [example])
    _assert_well_formed(graph)
    assert all(value.shape is not None for value in graph.values.values())

    quantize = _only(graph, "aten::quantize_per_tensor")
    assert quantize.args["dtype"] == "quint8"
    assert quantize.module_stack == [("quant", "Quantize")]
    quantized_input = graph.values[quantize.outputs[0]]
    assert quantized_input.dtype == "quint8"
    assert quantized_input.qscheme == {
        "scale": pytest.approx(quantize.args["scale"]),
        "zero_point": quantize.args["zero_point"],
    }

    conv = _only(graph, "quantized::conv2d_relu")
    assert conv.module_stack == [("conv", "ConvReLU2d")]
    assert conv.args["qx"] == Ref(quantize.outputs[0])
    packed = graph.values[conv.args["packed_weight"].value]
    assert packed.shape == (8, 3, 3, 3) and packed.dtype == "qint8" and packed.kind == "parameter"
    out = graph.values[conv.outputs[0]]
    assert out.dtype == "quint8" and out.shape == (1, 8, 8, 8)
    assert isinstance(out.qscheme["scale"], float) and isinstance(out.qscheme["zero_point"], int)
    assert out.qscheme["scale"] == pytest.approx(conv.args["output_scale"])
    assert out.qscheme["zero_point"] == conv.args["output_zero_point"]

    dequantize = _only(graph, "aten::dequantize")
    assert graph.values[dequantize.outputs[0]].dtype == "float32"
    assert graph.outputs == dequantize.outputs


# ------------------------------------------------------------------------------- errors


def _assert_one_line(error: QcheckError, path: str) -> str:
    assert error.path == path
    assert "\n" not in error.message and "Traceback" not in error.message
    return error.message


def test_random_bytes_are_rejected(tmp_path):
    path = tmp_path / "noise.pt"
    path.write_bytes(os.urandom(512))
    with pytest.raises(QcheckError) as caught:
        capture_torchscript(str(path), [torch.randn(1, 3, 8, 8)])
    assert "TorchScript" in _assert_one_line(caught.value, str(path))


def test_state_dict_is_rejected_with_a_hint(tmp_path):
    path = tmp_path / "weights.pt"
    torch.save(Net().state_dict(), str(path))
    with pytest.raises(QcheckError) as caught:
        capture_torchscript(str(path), [torch.randn(1, 3, 32, 32)])
    message = _assert_one_line(caught.value, str(path))
    assert "state_dict" in message and "torch.jit" in message


def test_missing_file(tmp_path):
    path = str(tmp_path / "absent.pt")
    with pytest.raises(QcheckError) as caught:
        capture_torchscript(path, [torch.randn(1, 3, 8, 8)])
    assert "not found" in _assert_one_line(caught.value, path)


def test_wrong_input_rank(traced_net):
    _, _, path, _ = traced_net
    with pytest.raises(QcheckError) as caught:
        capture_torchscript(path, [torch.randn(3, 32)])
    message = _assert_one_line(caught.value, path)
    assert "[3, 32]" in message and "--input-shape" in message
    assert "input" in message.lower()


def test_wrong_number_of_inputs(traced_net):
    _, example, path, _ = traced_net
    with pytest.raises(QcheckError) as caught:
        capture_torchscript(path, [example, example])
    assert "--input-shape" in _assert_one_line(caught.value, path)
