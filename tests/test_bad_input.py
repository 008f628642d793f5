"""Issue 8: bad input, hostile input, no surprises.

A table of bad inputs. Each case says how to make the input, which CLI arguments to run, and what
the single error line must contain. Every case runs the real CLI in a subprocess and must:

- exit with code 2 and print nothing on stdout;
- print exactly one line on stderr, starting `qcheck: error: `, naming the file (or, for an option
  error, the option) and containing the expected words; no traceback;
- never run code hidden in the input: cases with a canary hold a payload that would create the
  file CANARY, and the file must not exist afterwards.

The cases are built in this process (torch is imported here only for the files that need
torch.save / torch.jit.save / torch.export.save), then run concurrently, one subprocess each.
"""

from __future__ import annotations

import io
import os
import pickle
import random
import shutil
import textwrap
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from tests.helpers import run_cli

MARCH = ["--march", "bayes"]
SHAPE = ["--input-shape", "1x3x8x8"]
CANARY = "CANARY"


class Workspace:
    """The folder one case runs in (its working directory); paths in arguments are relative."""

    def __init__(self, folder: Path, fixtures: "Fixtures"):
        self.folder = folder
        self.fixtures = fixtures

    @property
    def canary(self) -> str:
        return str(self.folder / CANARY)

    def write(self, name: str, content: bytes | str) -> str:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return name

    def copy(self, fixture: str, name: str) -> str:
        shutil.copyfile(self.fixtures.get(fixture), self.folder / name)
        return name

    def net(self, name: str = "net.py") -> str:
        return self.write(name, NET_PY)


@dataclass
class Case:
    id: str
    build: Callable[[Workspace], list[str]]  # makes the input, returns the CLI arguments
    names: str  # the file (or option) the error line must name
    expect: tuple[str, ...] = ()  # further substrings of the error line
    canary: bool = False  # the input holds a payload that would create CANARY
    xfail: str | None = None  # a known gap, with the module that must change
    env: dict[str, str] = field(default_factory=dict)  # environment variables the case sets


# ----------------------------------------------------------------------------------------- payloads


class _Payload:
    """Unpickling this runs `open(path, "w")`: creating the canary file proves the code ran."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (exec, (f"open({self.path!r}, 'w').close()",))


def _evil_pickle(w: Workspace, protocol: int = 2) -> bytes:
    return pickle.dumps(_Payload(w.canary), protocol=protocol)


def _torch_save_bytes(obj, legacy: bool = False) -> bytes:
    import torch

    buffer = io.BytesIO()
    torch.save(obj, buffer, _use_new_zipfile_serialization=not legacy)
    return buffer.getvalue()


def _rewrite_zip(source: str, edit: Callable[[str, bytes], bytes | None], add: dict | None = None) -> bytes:
    """A copy of the zip at `source` with some members edited (None drops one) or added."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(buffer, "w") as out:
        prefix = archive.namelist()[0].split("/")[0]
        for name in archive.namelist():
            content = edit(name, archive.read(name))
            if content is not None:
                out.writestr(name, content)
        for name, content in (add or {}).items():
            out.writestr(f"{prefix}/{name}", content)
    return buffer.getvalue()


def _pt2_with_pickled_weight(w: Workspace) -> bytes:
    """A .pt2 whose first weight is marked use_pickle: torch.export.load unpickles it fully."""
    import json

    source = w.fixtures.get("model.pt2")
    with zipfile.ZipFile(source) as archive:
        config_name = next(n for n in archive.namelist() if n.endswith("model_weights_config.json"))
        config = json.loads(archive.read(config_name))
    first = sorted(config["config"])[0]
    config["config"][first]["use_pickle"] = True
    weight = "weights/" + config["config"][first]["path_name"]
    payload = _torch_save_bytes(_Payload(w.canary))
    return _rewrite_zip(source, lambda name, content: json.dumps(config).encode() if name == config_name
                        else payload if name.endswith(weight) else content)


def _pt2_with_pickled_sample_inputs(w: Workspace) -> bytes:
    payload = _torch_save_bytes(_Payload(w.canary))
    return _rewrite_zip(w.fixtures.get("model.pt2"),
                        lambda name, c: payload if "sample_inputs/" in name else c)


def _pt2_with_opaque_constant(w: Workspace) -> bytes:
    import json

    config = {"config": {"evil": {"path_name": "opaque_obj_0", "is_param": False, "use_pickle": True,
                                  "tensor_meta": None}}}
    return _rewrite_zip(
        w.fixtures.get("model.pt2"),
        lambda name, c: json.dumps(config).encode() if name.endswith("model_constants_config.json") else c,
        add={"data/constants/opaque_obj_0": _evil_pickle(w)})


# ----------------------------------------------------------------------------------------- fixtures


NET_PY = textwrap.dedent('''
    from torch import nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3)

        def forward(self, x):
            return self.conv(x)


    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom in forward")


    class NeedsArgs(nn.Module):
        def __init__(self, channels):
            super().__init__()


    class InitRaises(nn.Module):
        def __init__(self):
            raise RuntimeError("boom in __init__")


    def factory_raises():
        raise KeyError("weights.bin")


    def factory_returns_dict():
        return {"model": Net()}


    def factory_needs_args(size):
        return Net()


    class Quits(nn.Module):
        def forward(self, x):
            raise SystemExit(0)


    def factory_exits():
        import sys

        sys.exit(0)


    NUMBER = 42
''')


def _tiny_net_class():
    """The model of the fixture files, defined on first use so collecting this file needs no torch.

    It is a module global (torch.save of a whole module pickles a reference to its class)."""
    if "TinyNet" not in globals():
        from torch import nn

        class TinyNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 4, 3)

            def forward(self, x):
                return self.conv(x)

        TinyNet.__qualname__ = "TinyNet"
        globals()["TinyNet"] = TinyNet
    return globals()["TinyNet"]


def _raising_net_class():
    """A scripted model whose forward raises for any input (the check cannot fold it away)."""
    from torch import nn

    class Raises(nn.Module):
        def forward(self, x):
            if bool(x.sum() > -1e30):
                raise RuntimeError("boom in forward")
            return x

    return Raises


class Fixtures:
    """Model files made once with torch in this process: a TorchScript file, a .pt2 archive..."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._made: dict[str, str] = {}

    def get(self, name: str) -> str:
        if not self._made:
            self._make()
        return self._made[name]

    def _make(self) -> None:
        import warnings

        import torch

        model = _tiny_net_class()().eval()
        example = torch.rand(1, 3, 8, 8)
        paths = {name: str(self.folder / name) for name in
                 ("model.pt", "model.pt2", "state_dict.pt", "whole.pt", "whole_legacy.pt", "checkpoint.pt",
                  "raises.pt")}
        with warnings.catch_warnings():  # deprecations, "couldn't retrieve source code": not ours
            warnings.simplefilter("ignore")
            torch.jit.save(torch.jit.trace(model, example), paths["model.pt"])
            torch.jit.save(torch.jit.script(_raising_net_class()()), paths["raises.pt"])
            torch.export.save(torch.export.export(model, (example,)), paths["model.pt2"])
            torch.save(model.state_dict(), paths["state_dict.pt"])
            torch.save(model, paths["whole.pt"])
            torch.save(model, paths["whole_legacy.pt"], _use_new_zipfile_serialization=False)
            torch.save({"epoch": 3, "model": model.state_dict(), "optimizer": {"lr": 0.1}},
                       paths["checkpoint.pt"])
        self._made = paths


def _half(w: Workspace, fixture: str) -> bytes:
    data = Path(w.fixtures.get(fixture)).read_bytes()
    return data[: len(data) // 2]


def _fake_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _random_bytes(size: int, seed: int, first: bytes = b"") -> bytes:
    generator = random.Random(seed)
    return first + bytes(generator.randrange(256) for _ in range(size))


def _spec(w: Workspace, name: str, *more: str) -> list[str]:
    return [f"{w.net()}:{name}", *MARCH, *SHAPE, *more]


def _rules(w: Workspace, text: str | bytes, *command: str) -> list[str]:
    """`qcheck rules --rules rules.yaml` (or another command given in `command`)."""
    w.write("rules.yaml", textwrap.dedent(text) if isinstance(text, str) else text)
    return [*(command or ("rules",)), "--rules", "rules.yaml"]


def _rule(w: Workspace, block: str) -> list[str]:
    """A rule file overriding torch.nn.Conv2d on bayes with `block` (YAML, indented 6)."""
    return _rules(w, "operators:\n  - name: torch.nn.Conv2d\n    bayes:\n" + textwrap.indent(
        textwrap.dedent(block), " " * 6))


def _constraint(w: Workspace, check: str) -> list[str]:
    return _rule(w, f"constraints:\n  - id: team_limit\n    says: a team limit\n    check: {check}\n")


def _fifo(w: Workspace) -> list[str]:
    os.mkfifo(w.folder / "model.pt")
    return ["model.pt", *MARCH, *SHAPE]


def _unreadable(w: Workspace) -> list[str]:
    w.write("model.pt", b"PK\x03\x04")
    os.chmod(w.folder / "model.pt", 0)
    return ["model.pt", *MARCH, *SHAPE]


BILLION_LAUGHS = """\
    a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
    f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
    g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
    h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
    i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
    operators: *i
"""

ADVICE_SAVE = "torch.jit.save"

CASES: list[Case] = [
    # ------------------------------------------------------------------ model files (no torch needed)
    Case("missing-model-file", lambda w: ["model.pt", *MARCH, *SHAPE], "model.pt",
         ("no such file", "torch.jit.save")),
    Case("model-is-a-directory", lambda w: [w.write("models/keep", b"") and "models", *MARCH, *SHAPE],
         "models", ("is a directory",)),
    Case("empty-model-file", lambda w: [w.write("model.pt", b""), *MARCH, *SHAPE], "model.pt",
         ("empty", "TorchScript")),
    Case("random-bytes-model", lambda w: [w.write("model.pt", _random_bytes(4096, 1, b"\x13")), *MARCH, *SHAPE],
         "model.pt", ("unrecognised", ADVICE_SAVE)),
    Case("random-bytes-pt2", lambda w: [w.write("model.pt2", _random_bytes(4096, 2, b"\x00")), *MARCH],
         "model.pt2", ("unrecognised",)),
    Case("text-file-as-model", lambda w: [w.write("model.pt", "just some notes\n"), *MARCH, *SHAPE],
         "model.pt", ("unrecognised",)),
    Case("onnx-like-protobuf", lambda w: [w.write("model.onnx", b"\x08\x07\x12\x07pytorch\x1a\x032.1"), *MARCH,
                                          *SHAPE], "model.onnx", ("not an ONNX model", "no graph")),
    Case("gzip-file-as-model", lambda w: [w.write("model.pt.gz", b"\x1f\x8b\x08\x00" + bytes(40)), *MARCH, *SHAPE],
         "model.pt.gz", ("unrecognised",)),
    Case("zip-header-only", lambda w: [w.write("model.pt", b"PK\x03\x04garbage"), *MARCH, *SHAPE], "model.pt",
         ("damaged zip",)),
    Case("zip-that-is-not-torchscript",
         lambda w: [w.write("model.pt", _fake_zip({"readme.txt": b"hello", "data.csv": b"1,2"})), *MARCH, *SHAPE],
         "model.pt", ("unrecognised", ADVICE_SAVE)),
    Case("empty-zip", lambda w: [w.write("model.pt", _fake_zip({})), *MARCH, *SHAPE], "model.pt",
         ("unrecognised",)),
    Case("truncated-torchscript", lambda w: [w.write("model.pt", _half(w, "model.pt")), *MARCH, *SHAPE],
         "model.pt", ("damaged zip", ADVICE_SAVE)),
    Case("truncated-pt2", lambda w: [w.write("model.pt2", _half(w, "model.pt2")), *MARCH], "model.pt2",
         ("damaged zip",)),
    Case("python-file-without-name", lambda w: [w.net(), *MARCH, *SHAPE], "net.py", ("file.py:NAME",)),
    Case("fifo-as-model", _fifo, "model.pt", ("not a regular file",)),
    *([Case("unreadable-model", _unreadable, "model.pt", ("cannot read", "ermission"))]
      if os.geteuid() != 0 else []),  # root reads any file
    Case("model-path-with-newline", lambda w: ["bad\nname.pt", *MARCH, *SHAPE], "name.pt"),
    # -------------------------------------------------------------- pickles: refused, never unpickled
    Case("state-dict", lambda w: [w.copy("state_dict.pt", "weights.pt"), *MARCH, *SHAPE], "weights.pt",
         ("state_dict", "file.py:NAME", ADVICE_SAVE)),
    Case("whole-module-torch-save", lambda w: [w.copy("whole.pt", "model.pt"), *MARCH, *SHAPE], "model.pt",
         ("does not unpickle", ADVICE_SAVE, "file.py:NAME")),
    Case("whole-module-legacy-torch-save", lambda w: [w.copy("whole_legacy.pt", "model.pt"), *MARCH, *SHAPE],
         "model.pt", ("does not unpickle", ADVICE_SAVE)),
    Case("training-checkpoint", lambda w: [w.copy("checkpoint.pt", "ckpt.pt"), *MARCH, *SHAPE], "ckpt.pt",
         ("holding a dict", ADVICE_SAVE)),
    Case("canary-raw-pickle", lambda w: [w.write("model.pt", _evil_pickle(w)), *MARCH, *SHAPE], "model.pt",
         ("does not unpickle", ADVICE_SAVE), canary=True),
    Case("canary-raw-pickle-protocol-5", lambda w: [w.write("model.pt", _evil_pickle(w, 5)), *MARCH, *SHAPE],
         "model.pt", ("does not unpickle",), canary=True),
    Case("canary-torch-save-zip", lambda w: [w.write("model.pt", _torch_save_bytes(_Payload(w.canary))), *MARCH,
                                             *SHAPE], "model.pt", ("does not unpickle", ADVICE_SAVE), canary=True),
    Case("canary-torch-save-legacy",
         lambda w: [w.write("model.pt", _torch_save_bytes(_Payload(w.canary), legacy=True)), *MARCH, *SHAPE],
         "model.pt", ("does not unpickle",), canary=True),
    Case("canary-in-state-dict", lambda w: [w.write("model.pt", _torch_save_bytes(
        {"conv.weight": _Payload(w.canary)})), *MARCH, *SHAPE], "model.pt", ("does not unpickle",), canary=True),
    Case("canary-pt2-pickled-weight", lambda w: [w.write("model.pt2", _pt2_with_pickled_weight(w)), *MARCH],
         "model.pt2", ("pickled Python objects",), canary=True),
    Case("canary-pt2-pickled-sample-inputs",
         lambda w: [w.write("model.pt2", _pt2_with_pickled_sample_inputs(w)), *MARCH], "model.pt2",
         ("pickled Python objects",), canary=True),
    Case("canary-pt2-opaque-constant", lambda w: [w.write("model.pt2", _pt2_with_opaque_constant(w)), *MARCH],
         "model.pt2", ("pickled Python objects",), canary=True),
    # ------------------------------------------------------------------ archives that do not load
    Case("pt2-with-broken-json", lambda w: [w.write("model.pt2", _rewrite_zip(
        w.fixtures.get("model.pt2"), lambda n, c: b"{not json" if n.endswith("models/model.json") else c)),
        *MARCH], "model.pt2", ("could not load this .pt2",)),
    Case("fake-torchscript-zip", lambda w: [w.write("model.pt", _fake_zip({
        "model/code/__torch__.py": b"def forward(self, x):\n    return x +\n",
        "model/constants.pkl": b"\x80\x02garbage", "model/data.pkl": b"\x80\x02garbage"})), *MARCH, *SHAPE],
        "model.pt", ("TorchScript",)),
    Case("fake-torch-save-zip", lambda w: [w.write("model.pt", _fake_zip({"archive/data.pkl": b"\x80\x02}q\x00("})),
                                           *MARCH, *SHAPE], "model.pt", (ADVICE_SAVE,)),
    # ------------------------------------------------------------------------------ --input-shape
    Case("shape-zero", lambda w: ["model.pt", *MARCH, "--input-shape", "1x0x8x8"], "--input-shape",
         ("'1x0x8x8'", "at least 1")),
    Case("shape-negative", lambda w: ["model.pt", *MARCH, "--input-shape", "1x-3x8x8"], "--input-shape",
         ("'1x-3x8x8'", "at least 1")),
    Case("shape-non-numeric", lambda w: ["model.pt", *MARCH, "--input-shape", "1x3xHxW"], "1x3xHxW",
         ("'h' is not a whole number", "--input-shape like 1x3x224x224")),
    Case("shape-float", lambda w: ["model.pt", *MARCH, "--input-shape", "1x3x8.5x8"], "1x3x8.5x8",
         ("not a whole number",)),
    Case("shape-absurdly-large", lambda w: ["model.pt", *MARCH, "--input-shape", "64x3x100000x100000"],
         "--input-shape", ("elements",)),
    Case("shape-huge-integer", lambda w: ["model.pt", *MARCH, "--input-shape", "1x" + "9" * 400], "--input-shape",
         ("elements",)),
    Case("shape-empty", lambda w: ["model.pt", *MARCH, "--input-shape", ""], "--input-shape",
         ("1x3x224x224",)),
    Case("shape-empty-dimension", lambda w: ["model.pt", *MARCH, "--input-shape", "1xx8"], "--input-shape",
         ("'1xx8'",)),
    Case("shape-full-width-digits", lambda w: ["model.pt", *MARCH, "--input-shape", "１x３x８x８"], "--input-shape",
         ("not a whole number",)),
    Case("shape-underscore-digits", lambda w: ["model.pt", *MARCH, "--input-shape", "1x3x1_000x8"],
         "--input-shape", ("'1_000' is not a whole number",)),
    Case("input-dtype-unknown", lambda w: ["model.pt", *MARCH, *SHAPE, "--input-dtype", "float8"], "float8",
         ("unknown input dtype",)),
    Case("input-dtype-count", lambda w: ["model.pt", *MARCH, *SHAPE, "--input-dtype", "float32", "--input-dtype",
                                         "int64"], "dtype", ("one dtype per input",)),
    Case("shape-rank-mismatch-torchscript", lambda w: [w.copy("model.pt", "model.pt"), *MARCH, "--input-shape",
                                                       "1x3x8"], "model.pt", ("[1, 3, 8]", "--input-shape")),
    Case("shape-too-small-torchscript", lambda w: [w.copy("model.pt", "model.pt"), *MARCH, "--input-shape",
                                                   "1x3x2x2"], "model.pt", ("--input-shape",)),
    Case("torchscript-forward-raises", lambda w: [w.copy("raises.pt", "model.pt"), *MARCH, *SHAPE], "model.pt",
         ("running the model", "boom in forward")),
    Case("shape-too-many-inputs", lambda w: [w.copy("model.pt", "model.pt"), *MARCH, *SHAPE, *SHAPE], "model.pt",
         ("2 example input(s)", "--input-shape")),
    Case("shape-missing-torchscript", lambda w: [w.copy("model.pt", "model.pt"), *MARCH], "model.pt",
         ("no input shape", "--input-shape")),
    Case("shape-rank-mismatch-eager", lambda w: _spec(w, "Net")[:-1] + ["1x3x8"], "net.py:Net",
         ("forward raised", "--input-shape")),
    Case("march-unknown", lambda w: ["model.pt", "--march", "bayes_x", *SHAPE], "bayes_x",
         ("unknown march", "bernoulli2")),
    Case("march-missing", lambda w: ["model.pt", *SHAPE], "--march", ("no march given",)),
    # ------------------------------------------------------------------------------ eager specs
    Case("spec-missing-file", lambda w: ["nets/missing.py:Net", *MARCH, *SHAPE], "nets/missing.py",
         ("no such file",)),
    Case("spec-missing-attribute", lambda w: _spec(w, "Nett"), "net.py:Nett", ("no attribute 'Nett'", "Net")),
    Case("spec-missing-module", lambda w: ["no_such_package.models:Net", *MARCH, *SHAPE],
         "no_such_package.models:Net", ("cannot import",)),
    Case("spec-not-a-module", lambda w: _spec(w, "NUMBER"), "net.py:NUMBER", ("not an nn.Module",)),
    Case("spec-forward-raises", lambda w: _spec(w, "Boom"), "net.py:Boom", ("ValueError", "boom in forward")),
    Case("spec-factory-raises", lambda w: _spec(w, "factory_raises"), "net.py:factory_raises",
         ("KeyError", "weights.bin")),
    Case("spec-factory-returns-non-module", lambda w: _spec(w, "factory_returns_dict"),
         "net.py:factory_returns_dict", ("returned dict", "not an nn.Module")),
    Case("spec-class-needs-arguments", lambda w: _spec(w, "NeedsArgs"), "net.py:NeedsArgs",
         ("needs arguments",)),
    Case("spec-constructor-raises", lambda w: _spec(w, "InitRaises"), "net.py:InitRaises",
         ("RuntimeError", "boom in __init__")),
    Case("spec-forward-exits", lambda w: _spec(w, "Quits"), "net.py:Quits", ("sys.exit(0)",)),
    Case("spec-factory-exits", lambda w: _spec(w, "factory_exits"), "net.py:factory_exits", ("sys.exit(0)",)),
    Case("spec-import-raises", lambda w: [w.write("net.py", "import horizon_plugin_pytorch_missing\n") + ":Net",
                                          *MARCH, *SHAPE], "net.py:Net", ("ModuleNotFoundError",)),
    Case("spec-syntax-error", lambda w: [w.write("net.py", "class Net(:\n    pass\n") + ":Net", *MARCH, *SHAPE],
         "net.py:Net", ("SyntaxError",)),
    Case("spec-exits-on-import", lambda w: [w.write("net.py", "import sys\nsys.exit(3)\n") + ":Net", *MARCH,
                                            *SHAPE], "net.py:Net", ("SystemExit",)),
    # ------------------------------------------------------------------------------ rule files
    Case("rules-missing-file", lambda w: ["rules", "--rules", "team.yaml"], "team.yaml", ("no such rule file",)),
    Case("rules-is-a-directory", lambda w: [w.write("team/keep", b"") and "rules", "--rules", "team"], "team",
         ("no such rule file",)),
    Case("rules-yaml-syntax-error", lambda w: _rules(w, "operators: [\n  - name: torch.nn.Conv2d\n"),
         "rules.yaml", ("invalid YAML",)),
    Case("rules-yaml-tab-indent", lambda w: _rules(w, "operators:\n\t- name: x\n"), "rules.yaml",
         ("line 2", "invalid YAML")),
    Case("rules-not-utf8", lambda w: _rules(w, "operators: []\n# caf\xe9\n".encode("latin-1")), "rules.yaml",
         ("not UTF-8",)),
    Case("rules-random-bytes", lambda w: _rules(w, _random_bytes(2048, 3)), "rules.yaml", ()),
    Case("rules-model-file-passed-as-rules", lambda w: _rules(w, _fake_zip({"a/data.pkl": b"\x80\x02."})),
         "rules.yaml", ()),
    Case("rules-too-large", lambda w: _rules(w, "# padding\n" * 500_000), "rules.yaml", ("larger than 4 MB",)),
    Case("rules-top-level-list", lambda w: _rules(w, "- torch.nn.Conv2d\n"), "rules.yaml", ("must be a mapping",)),
    Case("rules-top-level-scalar", lambda w: _rules(w, "hello\n"), "rules.yaml", ("must be a mapping",)),
    Case("rules-unknown-top-key", lambda w: _rules(w, "operator: []\n"), "rules.yaml",
         ("unknown key 'operator'", "operators")),
    Case("rules-unknown-operator-key", lambda w: _rules(w, """\
        operators:
          - name: torch.nn.Conv2d
            colour: red
        """), "rules.yaml", ("line 2", "unknown key 'colour'")),
    Case("rules-unknown-pattern", lambda w: _rules(w, """\
        operators:
          - name: torchvision.ops.RoIAlign
            patterns: [box_list_to_rois, box_list_to_roi]
        """), "rules.yaml", ("line 2", "unknown pattern 'box_list_to_roi'", "box_list_to_rois", "scalar_method")),
    Case("rules-pattern-not-a-name", lambda w: _rules(w, """\
        operators:
          - name: torch.add
            patterns: [{scalar_method: true}]
        """), "rules.yaml", ("line 2", "patterns of torch.add must be a list of strings")),
    Case("rules-unknown-operator", lambda w: _rules(w, """\
        operators:
          - name: torch.nn.Conv2dd
            bayes: {supported: false}
        """), "rules.yaml", ("line 2", "unknown operator 'torch.nn.Conv2dd'", "qcheck rules")),
    Case("rules-unknown-march-block", lambda w: _rules(w, """\
        operators:
          - name: torch.nn.Conv2d
            bayez: {supported: false}
        """), "rules.yaml", ("unknown key 'bayez'", "bayes")),
    Case("rules-op-name-not-namespaced", lambda w: _rules(w, """\
        operators:
          - name: torch.nn.Conv2d
            match: {ops: [conv2d]}
        """), "rules.yaml", ("'conv2d' is not an op name", "aten::conv2d")),
    Case("rules-fake-quant-not-namespaced", lambda w: _rules(w, "fake_quant: [fake_quantize_per_tensor_affine]\n"),
         "rules.yaml", ("fake_quant: 'fake_quantize_per_tensor_affine' is not an op name", "aten::conv2d")),
    Case("rules-same-as-unknown", lambda w: _rule(w, "same_as: torch.nn.Nope\n"), "rules.yaml",
         ("same_as names 'torch.nn.Nope'",)),
    Case("rules-same-as-loop", lambda w: _rules(w, """\
        operators:
          - name: team.LoopA
            id: loop_a
            bayes: {same_as: team.LoopB}
          - name: team.LoopB
            id: loop_b
            bayes: {same_as: team.LoopA}
        """), "rules.yaml", ("loop",)),
    Case("rules-march-extends-unknown", lambda w: _rules(w, "marches:\n  x9:\n    extends: bayes_z\n"),
         "rules.yaml", ("extends unknown march 'bayes_z'",)),
    Case("rules-march-extends-loop", lambda w: _rules(w, "marches:\n  bayes:\n    extends: bayes_e\n"),
         "rules.yaml", ("loop",)),
    Case("rules-march-block-false", lambda w: _rules(w, """\
        operators:
          - name: torch.nn.Conv2d
            bayes: false
        """), "rules.yaml", ("must be a mapping, got bool",)),
    Case("rules-expression-syntax-error", lambda w: _constraint(w, '"kernel_h <"'), "rules.yaml",
         ("check of team_limit", "syntax error")),
    Case("rules-expression-unknown-fact", lambda w: _constraint(w, '"kernel_x < 3"'), "rules.yaml",
         ("unknown fact 'kernel_x'",)),
    Case("rules-expression-import", lambda w: _constraint(
        w, f'"__import__(\'os\').system(\'touch {CANARY}\') == 0"'), "rules.yaml",
        ("only the functions",), canary=True),
    Case("rules-expression-dunder-name", lambda w: _constraint(w, '"__builtins__ == 1"'), "rules.yaml",
         ("'__builtins__' is not allowed",)),
    Case("rules-expression-attribute", lambda w: _constraint(w, '"kernel_h.__class__ == 1"'), "rules.yaml",
         ("Attribute is not allowed",)),
    Case("rules-expression-method-call", lambda w: _constraint(w, '"mode.upper() == \'X\'"'), "rules.yaml",
         ("only the functions",)),
    Case("rules-expression-eval", lambda w: _constraint(w, r"""'eval("open(\"CANARY\", \"w\").close()") == 1'"""),
         "rules.yaml", ("only the functions",), canary=True),
    Case("rules-expression-lambda", lambda w: _constraint(w, '"lambda: 1"'), "rules.yaml",
         ("Lambda is not allowed",)),
    Case("rules-expression-comprehension", lambda w: _constraint(w, '"all(d < 3 for d in dims)"'), "rules.yaml",
         ("GeneratorExp is not allowed",)),
    Case("rules-expression-power", lambda w: _constraint(w, '"kernel_h < 10 ** 9"'), "rules.yaml",
         ("10 ** 9",)),
    Case("rules-expression-walrus", lambda w: _constraint(w, '"(k := kernel_h) < 3"'), "rules.yaml",
         ("NamedExpr is not allowed",)),
    Case("rules-expression-too-long", lambda w: _constraint(w, '"' + " or ".join(["kernel_h < 3"] * 60) + '"'),
         "rules.yaml", ("longer than 500",)),
    Case("rules-expression-not-a-string", lambda w: _constraint(w, "[kernel_h, 3]"), "rules.yaml",
         ("expected an expression string, got list",)),
    Case("rules-expression-null-byte", lambda w: _constraint(w, '"kernel_h\\0 < 3"'), "rules.yaml",
         ("check of team_limit",)),
    Case("rules-billion-laughs", lambda w: _rules(w, BILLION_LAUGHS), "rules.yaml",
         ("line 2", "aliases (*name) are not allowed")),
    Case("rules-python-object-tag", lambda w: _rules(
        w, f"operators: !!python/object/apply:builtins.exec [\"open('{CANARY}', 'w').close()\"]\n"),
        "rules.yaml", ("invalid YAML",), canary=True),
    Case("rules-python-name-tag", lambda w: _rules(w, "operators: !!python/name:os.system\n"), "rules.yaml",
         ("invalid YAML",)),
    Case("rules-nested-too-deeply", lambda w: _rules(w, "operators: " + "[" * 5000 + "]" * 5000 + "\n"),
         "rules.yaml", ("invalid YAML",)),
    Case("rules-bad-timestamp", lambda w: _rules(w, "version: 2024-13-45\n"), "rules.yaml",
         ("line 1", "invalid YAML", "2024-13-45")),
    Case("rules-bad-int-tag", lambda w: _rules(w, "version: !!int twelve\n"), "rules.yaml",
         ("invalid YAML", "twelve")),
    Case("rules-duplicate-key", lambda w: _constraint(w, '"kernel_h < 3"\n    check: "kernel_h < 5"'),
         "rules.yaml", ("'check' appears twice",)),
    Case("rules-duplicate-constraint-id", lambda w: _rule(w, """\
        constraints:
          - {id: limit, says: one, check: "kernel_h < 3"}
          - {id: limit, says: two, check: "kernel_w < 3"}
        """), "rules.yaml", ("'limit' appears twice",)),
    Case("rules-bad-severity", lambda w: _rule(w, """\
        constraints:
          - {id: limit, says: one, check: "kernel_h < 3", severity: fatal}
        """), "rules.yaml", ("severity must be one of",)),
    Case("rules-bad-constraint-id", lambda w: _rule(w, """\
        constraints:
          - {id: Kernel-Size, says: one, check: "kernel_h < 3"}
        """), "rules.yaml", ("lower_snake_case",)),
    Case("rules-constraint-without-says", lambda w: _rule(w, """\
        constraints:
          - {id: limit, check: "kernel_h < 3"}
        """), "rules.yaml", ("says must be a non-empty string",)),
    Case("rules-constraints-not-a-list", lambda w: _rule(w, "constraints: {id: limit}\n"), "rules.yaml",
         ("must be a list",)),
    Case("rules-unknown-dtype", lambda w: _rule(w, "input: [qint4]\n"), "rules.yaml", ("unknown dtype 'qint4'",)),
    Case("rules-dtype-nested-mapping", lambda w: _rule(w, "input: {input: {x: [qint8]}}\n"), "rules.yaml",
         ("must be a list of strings",)),
    Case("rules-supported-not-bool", lambda w: _rule(w, "supported: maybe\n"), "rules.yaml",
         ("must be true or false",)),
    Case("rules-inherit-not-bool", lambda w: _rule(w, "inherit: sometimes\n"), "rules.yaml",
         ("must be true or false",)),
    Case("rules-drop-unknown", lambda w: _rule(w, "drop: [no_such_constraint]\n"), "rules.yaml",
         ("drop names 'no_such_constraint'",)),
    Case("rules-operators-not-a-list", lambda w: _rules(w, "operators: {name: torch.nn.Conv2d}\n"), "rules.yaml",
         ("operators must be a list",)),
    Case("rules-name-not-a-string", lambda w: _rules(w, "operators:\n  - name: [torch.nn.Conv2d]\n"),
         "rules.yaml", ("name must be a non-empty string",)),
    Case("rules-id-clash", lambda w: _rules(w, "operators:\n  - {name: team.Conv, id: conv2d}\n"), "rules.yaml",
         ("already used by torch.nn.Conv2d",)),
    Case("rules-group-without-modules", lambda w: _rules(
        w, "operators:\n  - {name: team.Block, id: team_block, group: true}\n"), "rules.yaml", ("names no modules",)),
    Case("rules-match-not-a-mapping", lambda w: _rules(w, "operators:\n  - {name: torch.nn.Conv2d, match: [x]}\n"),
         "rules.yaml", ("match must be a mapping",)),
    Case("rules-via-check-command", lambda w: ["model.pt", *MARCH, *SHAPE, *_rules(w, "operators: [\n")[1:]],
         "rules.yaml", ("invalid YAML",)),
    Case("rules-via-explain-command", lambda w: _rules(w, "operator: []\n", "explain", "bayes.conv2d.kernel"),
         "rules.yaml", ("unknown key 'operator'",)),
    # -------------------------------------------------------------------------- click usage errors
    Case("unknown-option", lambda w: ["model.pt", *MARCH, "--marhc", "bayes"], "--marhc"),
    Case("format-unknown", lambda w: ["model.pt", *MARCH, "--format", "xml"], "xml"),
    Case("input-source-unknown", lambda w: ["model.pt", *MARCH, "--input-source", "camera"], "--input-source",
         ("'camera'", "ddr")),
    Case("activation-dtype-unknown", lambda w: ["model.pt", *MARCH, "--activation-dtype", "qint4"],
         "--activation-dtype", ("'qint4'", "qint16")),
    Case("advice-not-a-number", lambda w: ["model.pt", *MARCH, "--advice", "fast"], "--advice", ("'fast'",)),
    Case("advice-negative", lambda w: [w.copy("model.pt", "model.pt"), *MARCH, *SHAPE, "--advice", "-1"],
         "--advice", (">= 0", "-1.0")),
    Case("output-folder-missing", lambda w: ["model.pt", *MARCH, *SHAPE, "--output", "missing/report.json"],
         "missing/report.json", ("folder", "does not exist")),  # refused before model.pt is even looked at
    Case("write-baseline-folder-missing", lambda w: ["model.pt", *MARCH, *SHAPE, "--write-baseline",
                                                     "missing/baseline.json"], "missing/baseline.json",
         ("does not exist",)),
    # ---------------------------------------------- environment variables: checked before any work
    Case("env-html-layout-unknown", lambda w: [w.copy("model.pt", "model.pt"), *MARCH, *SHAPE, "--format", "html"],
         "QCHECK_HTML_LAYOUT", ("'circo'", "auto, dot, grandalf, none"), env={"QCHECK_HTML_LAYOUT": "circo"}),
    Case("env-html-layout-unknown-other-format", lambda w: [w.copy("model.pt", "model.pt"), *MARCH, *SHAPE],
         "QCHECK_HTML_LAYOUT", ("'Dot'",), env={"QCHECK_HTML_LAYOUT": "Dot"}),
    Case("env-cache-dir-is-a-file", lambda w: [w.write("cache", b"") and w.copy("model.pt", "model.pt"), *MARCH,
                                               *SHAPE], "QCHECK_CACHE_DIR", ("'cache'", "not a folder"),
         env={"QCHECK_CACHE_DIR": "cache"}),
]


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else []
        yield pytest.param(case, id=case.id, marks=marks)


def test_the_corpus_is_large_and_ids_are_unique():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert len([case for case in CASES if not case.xfail]) >= 50
    assert sum(case.canary for case in CASES) >= 8


# ------------------------------------------------------------------------------------------ running


@dataclass
class Outcome:
    workspace: Workspace
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    build_error: BaseException | None = None
    seconds: float = 0.0


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory) -> Fixtures:
    return Fixtures(tmp_path_factory.mktemp("fixtures"))


@pytest.fixture(scope="module")
def outcomes(request, tmp_path_factory, fixtures) -> dict[str, Outcome]:
    """Build every selected case here, then run them all concurrently (one subprocess each)."""
    selected = {item.callspec.params["case"].id for item in request.session.items
                if getattr(item, "originalname", None) == "test_bad_input" and hasattr(item, "callspec")}
    cache = tmp_path_factory.mktemp("cache")
    results: dict[str, Outcome] = {}
    cases: dict[Path, dict[str, str]] = {}  # workspace -> the case's environment
    jobs = []
    for case in CASES:
        if case.id not in selected:
            continue
        workspace = Workspace(tmp_path_factory.mktemp(case.id), fixtures)
        outcome = results[case.id] = Outcome(workspace)
        try:
            jobs.append((outcome, case.build(workspace)))
            cases[workspace.folder] = case.env
        except BaseException as error:  # reported by the case's own test
            outcome.build_error = error

    def run(job):
        outcome, args = job
        start = time.monotonic()
        completed = run_cli(*args, cwd=str(outcome.workspace.folder), timeout=120,
                            env={"QCHECK_CACHE_DIR": str(cache), **cases[outcome.workspace.folder]})
        outcome.returncode, outcome.stdout, outcome.stderr = (completed.returncode, completed.stdout,
                                                              completed.stderr)
        outcome.seconds = time.monotonic() - start

    with ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 2))) as pool:
        list(pool.map(run, jobs))
    return results


@pytest.mark.parametrize("case", list(_params()))
def test_bad_input(case: Case, outcomes):
    outcome = outcomes[case.id]
    if outcome.build_error is not None:
        raise outcome.build_error
    shown = (f"exit {outcome.returncode} after {outcome.seconds:.1f} s\nstdout: {outcome.stdout!r}\n"
             f"stderr: {outcome.stderr!r}")
    assert "Traceback" not in outcome.stderr, shown
    assert outcome.returncode == 2, shown
    assert outcome.stdout == "", shown
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1, shown
    line = lines[0]
    assert line.startswith("qcheck: error: "), shown
    assert case.names in line, f"the line does not name {case.names!r}: {line}"
    for expected in case.expect:
        assert expected in line, f"{expected!r} not in: {line}"
    # canary cases hold a payload that creates CANARY when run (test_the_canaries_are_live)
    assert not (outcome.workspace.folder / CANARY).exists(), "the payload in the input ran"


# ------------------------------------------------------------------------------ beyond one line


def test_debug_shows_the_traceback(tmp_path):
    result = run_cli("missing.pt", *MARCH, *SHAPE, "--debug", cwd=str(tmp_path))
    assert result.returncode == 2  # --debug adds the traceback, the exit code stays an input error's
    assert "Traceback" in result.stderr
    assert "QcheckError" in result.stderr and "missing.pt" in result.stderr


def _unsafe_torch_load(path: str) -> None:
    import torch

    torch.load(path, weights_only=False)  # noqa: S614 - the point of the test


def _unsafe_export_load(path: str) -> None:
    import torch

    try:
        torch.export.load(path)
    except Exception:  # the payload runs first; what it returns is no program
        pass


@pytest.mark.parametrize("build, unsafe_load", [
    (lambda w: _evil_pickle(w), lambda path: pickle.loads(Path(path).read_bytes())),  # noqa: S301
    (lambda w: _torch_save_bytes(_Payload(w.canary)), _unsafe_torch_load),
    (lambda w: _torch_save_bytes(_Payload(w.canary), legacy=True), _unsafe_torch_load),
    (lambda w: _torch_save_bytes({"conv.weight": _Payload(w.canary)}), _unsafe_torch_load),
    (_pt2_with_pickled_weight, _unsafe_export_load),
    (_pt2_with_pickled_sample_inputs, _unsafe_export_load),
    (_pt2_with_opaque_constant, _unsafe_export_load),
], ids=["pickle", "torch-save", "torch-save-legacy", "state-dict", "pt2-weight", "pt2-sample-inputs",
        "pt2-opaque-constant"])
def test_the_canaries_are_live(build, unsafe_load, tmp_path, fixtures):
    """The payloads are real: loaded the unsafe way (plain pickle, torch.load(weights_only=False),
    an unguarded torch.export.load), each creates CANARY. So a CANARY absent after qcheck ran
    means qcheck did not run it."""
    workspace = Workspace(tmp_path, fixtures)
    path = workspace.write("model.bin", build(workspace))
    unsafe_load(str(tmp_path / path))
    assert (tmp_path / CANARY).exists()


def test_failed_check_leaves_the_output_file_alone(tmp_path):
    report = tmp_path / "report.json"
    report.write_text("old report\n")
    (tmp_path / "model.pt").write_bytes(b"")
    result = run_cli("model.pt", *MARCH, *SHAPE, "--format", "json", "--output", str(report), cwd=str(tmp_path))
    assert result.returncode == 2
    assert report.read_text() == "old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt", "report.json"]


@pytest.mark.parametrize("variable, value", [("QCHECK_HTML_LAYOUT", "circo"), ("QCHECK_CACHE_DIR", "cache")])
def test_a_bad_environment_value_writes_nothing(tmp_path, fixtures, variable, value):
    """Checked before capture: no report file, no cache entry (a good run writes both)."""
    shutil.copyfile(fixtures.get("model.pt"), tmp_path / "model.pt")
    args = ["model.pt", *MARCH, *SHAPE, "--format", "html", "--output", "report.html"]
    good = {"QCHECK_CACHE_DIR": str(tmp_path / "good-cache"), "QCHECK_HTML_LAYOUT": "none"}
    bad = {"QCHECK_CACHE_DIR": str(tmp_path / "bad-cache"), "QCHECK_HTML_LAYOUT": "none"}
    if variable == "QCHECK_CACHE_DIR":
        (tmp_path / value).write_bytes(b"")
        bad[variable] = str(tmp_path / value)
    else:
        bad[variable] = value
    result = run_cli(*args, cwd=str(tmp_path), env=bad)
    assert result.returncode == 2 and variable in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["model.pt"] + (["cache"] if variable ==
                                                                                "QCHECK_CACHE_DIR" else []))
    result = run_cli(*args, cwd=str(tmp_path), env=good)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "report.html").stat().st_size > 0
    assert any((tmp_path / "good-cache").glob("*.json"))
