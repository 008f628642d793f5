"""`[tool.qcheck]` in pyproject.toml: project defaults, per-model settings by glob, ignores.

Found from the working directory upward (the first pyproject.toml with a [tool.qcheck] table), or
named with --config. Unknown keys and wrong types are errors naming the file, the key and the
line. Command-line options override the file.

    [tool.qcheck]
    march = "bayes"
    fail-on = "error"                  # or "warning"
    ignore = ["bayes.*.precision"]
    rules = ["qcheck-rules/team.yaml"] # relative to the pyproject.toml
    activation-dtype = "qint8"
    input-source = "ddr"

    [tool.qcheck.ignore-layers]
    "backbone.*" = ["bayes.*.precision"]

    [tool.qcheck.models."models/*.pt"]
    input-shapes = ["1x3x224x224"]
    input-dtypes = ["float32"]
    activation-dtype = "qint16"
    dtype-overrides = { "head.*" = "qint16", "classifier" = "qint32" }   # qint32: a high-precision output

    [tool.qcheck.models."models/*.onnx"]
    run-on-bpu = ["/model.10/m/m.0/attn/Softmax"]   # ONNX nodes moved to the BPU, as --run-on-bpu
    max-subgraphs = 1                               # the PTQ flow's CI gates, as the options
    fail-on-cpu = "inside"

    [tool.qcheck.models."export/*.pt"]
    flow = "ptq"                                    # checked as the PTQ toolchain would, as --flow ptq
"""

from __future__ import annotations

import fnmatch
import os
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from qcheck.errors import QcheckError
from qcheck.options import CHOICES, DTYPE_OVERRIDES, choice_error, max_subgraphs_error, node_names_error

_STRING_LISTS = {"ignore", "rules", "input-shapes", "input-dtypes"}
_CHOICES = {key: CHOICES[key] for key in ("fail-on", "activation-dtype", "input-source", "mode", "flow",
                                         "fail-on-cpu")}
# the PTQ flow's settings, as its command-line options: flow, run-on-bpu and the CI gates
_PTQ_KEYS = {"flow", "run-on-bpu", "max-subgraphs", "fail-on-cpu"}
_TOP_KEYS = {"mode", "march", "fail-on", "ignore", "rules", "activation-dtype", "input-source", "ignore-layers",
             "models", "input-shapes", "input-dtypes", "dtype-overrides", *_PTQ_KEYS}
_MODEL_KEYS = {"mode", "march", "fail-on", "ignore", "activation-dtype", "input-source", "input-shapes",
               "input-dtypes", "dtype-overrides", "ignore-layers", *_PTQ_KEYS}


@dataclass
class Settings:
    """Settings for one model after merging: file defaults, the model's glob entry, the CLI."""

    march: str | None = None
    fail_on: str = "error"
    ignore: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    activation_dtype: str | None = None  # the march's
    input_source: str = "ddr"
    input_shapes: list[str] = field(default_factory=list)
    input_dtypes: list[str] = field(default_factory=list)
    dtype_overrides: dict[str, str] = field(default_factory=dict)
    ignore_layers: dict[str, list[str]] = field(default_factory=dict)
    mode: str = "fx"
    run_on_bpu: list[str] = field(default_factory=list)  # ONNX node names, as --run-on-bpu
    flow: str | None = None  # "ptq": a PyTorch model checked in the PTQ flow, as --flow ptq
    max_subgraphs: int | None = None  # as --max-subgraphs
    fail_on_cpu: str | None = None  # as --fail-on-cpu


@dataclass
class ProjectConfig:
    path: str | None
    table: dict[str, Any]

    @property
    def folder(self) -> str:
        return os.path.dirname(os.path.abspath(self.path)) if self.path else os.getcwd()

    def settings_for(self, model: str) -> Settings:
        settings = Settings()
        _apply(settings, self.table, self.folder)
        for pattern, entry in (self.table.get("models") or {}).items():
            if _matches(pattern, model, self.folder):
                _apply(settings, entry, self.folder)
        return settings


def discover(start: str | None = None) -> str | None:
    folder = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate) and _has_table(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _has_table(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return re.search(rb"^\s*\[\s*tool\s*\.\s*qcheck\b", handle.read(), re.MULTILINE) is not None
    except OSError:
        return False


def load(path: str | None) -> ProjectConfig:
    if path is None:
        return ProjectConfig(None, {})
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        data = tomllib.loads(raw.decode("utf-8"))
    except OSError as error:
        raise QcheckError(f"cannot read the config: {error.strerror}", path) from None
    except UnicodeDecodeError:
        raise QcheckError("not UTF-8 text; fix the file's encoding", path) from None
    except tomllib.TOMLDecodeError as error:
        raise QcheckError(f"invalid TOML: {error}", path) from None
    table = data.get("tool", {}).get("qcheck", {})
    _Validator(path, raw.decode("utf-8")).top(table)
    return ProjectConfig(path, table)


class _Validator:
    def __init__(self, path: str, text: str):
        self.path = path
        self.lines = text.splitlines()

    def fail(self, key: str, message: str) -> QcheckError:
        line = self.line_of(key)
        where = f"line {line}: " if line else ""
        return QcheckError(f"{where}[tool.qcheck] {message}", self.path)

    def line_of(self, key: str) -> int | None:
        """The first line that sets `key` (bare or quoted) below a [tool.qcheck...] header."""
        bare = key.rsplit(".", 1)[-1]
        pattern = re.compile(r'^\s*("?)' + re.escape(bare) + r'\1\s*=')
        in_section = False
        for number, line in enumerate(self.lines, 1):
            stripped = line.strip()
            if stripped.startswith("["):
                in_section = stripped.replace(" ", "").startswith(("[tool.qcheck", "[[tool.qcheck"))
                if in_section and stripped.replace(" ", "").rstrip("]").endswith(bare):
                    return number
                continue
            if in_section and pattern.match(line):
                return number
        return None

    def top(self, table: Any) -> None:
        if not isinstance(table, dict):
            raise self.fail("qcheck", "must be a table")
        self.entry(table, _TOP_KEYS, "")
        models = table.get("models", {})
        if not isinstance(models, dict):
            raise self.fail("models", "models must be a table of glob = { settings }")
        for pattern, entry in models.items():
            if not isinstance(entry, dict):
                raise self.fail(pattern, f'models."{pattern}" must be a table of settings')
            self.entry(entry, _MODEL_KEYS, f'models."{pattern}".')

    def entry(self, table: dict, allowed: set[str], prefix: str) -> None:
        for key, value in table.items():
            name = f"{prefix}{key}"
            if key not in allowed:
                raise self.fail(key, f"unknown key {name!r}; allowed: {', '.join(sorted(allowed))}")
            if key in _STRING_LISTS:
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise self.fail(key, f"{name} must be a list of strings")
            elif key in _CHOICES:
                if value not in _CHOICES[key]:
                    raise self.fail(key, choice_error(name, value, _CHOICES[key]))
            elif key == "march":
                if not isinstance(value, str):
                    raise self.fail(key, f"{name} must be a string")
            elif key == "ignore-layers":
                if not isinstance(value, dict) or not all(
                        isinstance(v, list) and all(isinstance(i, str) for i in v) for v in value.values()):
                    raise self.fail(key, f'{name} must map a layer glob to a list of rule ids')
            elif key == "max-subgraphs":
                error = max_subgraphs_error(name, value)
                if error:
                    raise self.fail(key, error)
            elif key == "run-on-bpu":
                error = node_names_error(name, value)
                if error:
                    raise self.fail(key, error)
            elif key == "dtype-overrides":
                if not isinstance(value, dict) or not all(v in DTYPE_OVERRIDES for v in value.values()):
                    raise self.fail(key, f"{name} must map a layer glob to one of {', '.join(DTYPE_OVERRIDES)}")


def _apply(settings: Settings, table: dict, folder: str) -> None:
    simple = {"mode": "mode", "march": "march", "fail-on": "fail_on", "activation-dtype": "activation_dtype",
              "input-source": "input_source", "input-shapes": "input_shapes", "input-dtypes": "input_dtypes",
              "flow": "flow", "max-subgraphs": "max_subgraphs", "fail-on-cpu": "fail_on_cpu"}
    for key, attribute in simple.items():
        if key in table:
            setattr(settings, attribute, table[key])
    if "ignore" in table:
        settings.ignore = settings.ignore + list(table["ignore"])
    if "rules" in table:
        settings.rules = settings.rules + [os.path.join(folder, p) for p in table["rules"]]
    if "run-on-bpu" in table:
        settings.run_on_bpu = settings.run_on_bpu + list(table["run-on-bpu"])
    if "dtype-overrides" in table:
        settings.dtype_overrides = {**settings.dtype_overrides, **table["dtype-overrides"]}
    if "ignore-layers" in table:
        settings.ignore_layers = {**settings.ignore_layers, **table["ignore-layers"]}


def _matches(pattern: str, model: str, folder: str) -> bool:
    """A models glob matches the model as given, or its path relative to the config's folder."""
    candidates = {model}
    path = model.rpartition(":")[0] if model.rpartition(":")[0].endswith(".py") else model
    if os.path.exists(path):
        candidates.add(os.path.relpath(os.path.abspath(path), folder))
        candidates.add(path)
    return any(fnmatch.fnmatch(c, pattern) for c in candidates)
