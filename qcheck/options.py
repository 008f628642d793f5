"""The options of one check: plain data shared by the CLI, the API and the cache key, and the one
place their values and qcheck's environment variables are checked.

Every closed choice is listed once in CHOICES: the CLI's click options, `[tool.qcheck]` and the
API's `validate` all read it. The environment is read once, by `read_environment`, before any
work; the renderers and the cache get the validated values and never read os.environ.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

from qcheck.errors import QcheckError

INPUT_SOURCES = ("ddr", "pyramid", "resizer")
HTML_LAYOUTS = ("auto", "dot", "grandalf", "none")  # qcheck.render.html's engines
# option (as the command line spells it) -> its allowed values; the first is the default
# (fallback: none; activation-dtype: the march's)
CHOICES = {
    "input-source": INPUT_SOURCES,
    "activation-dtype": ("qint8", "qint16"),
    "fail-on": ("error", "warning"),
    "mode": ("fx", "eager"),
    "fallback": ("cpu",),  # or none
    "flow": ("qat", "ptq"),
    "fail-on-cpu": ("inside", "any"),  # or none
}
DTYPE_OVERRIDES = ("qint8", "qint16", "qint32")  # a layer's dtype override (qint32: a high-precision output)


@dataclass
class Options:
    march: str | None = None
    inputs: list = field(default_factory=list)  # qcheck.capture.InputSpec, one per model input
    input_source: str = "ddr"
    rules: list[str] = field(default_factory=list)  # extra rule files
    ignore: list[str] = field(default_factory=list)
    activation_dtype: str | None = None  # None: the march's (rules/marches.yaml `dtypes`)
    fail_on: str = "error"
    dtype_overrides: dict[str, str] = field(default_factory=dict)  # layer glob -> qint8 | qint16 | qint32
    ignore_layers: dict[str, list[str]] = field(default_factory=dict)  # layer glob -> rule globs
    fallback: str | None = None  # "cpu": failing layers run on the CPU instead of failing the model
    advice: float | None = None  # list layers estimated above this many microseconds
    mode: str = "fx"  # "eager": also report what the vendor's eager-mode flow needs (qcheck.eager)
    # The PTQ flow (ONNX models, qcheck.onnx): nodes moved to the BPU as the toolchain's run_on_bpu,
    # and the CI gates on its partition.
    run_on_bpu: list[str] = field(default_factory=list)
    max_subgraphs: int | None = None
    fail_on_cpu: str | None = None  # "inside": CPU nodes between BPU subgraphs | "any"
    flow: str = "qat"  # "ptq": a PyTorch model is exported to ONNX and checked against the ONNX lists


def validate(options: Options) -> None:
    """Reject a bad option value (from the API; the CLI and the config file check theirs as read)."""
    for name, allowed in CHOICES.items():
        value = getattr(options, name.replace("-", "_"))
        if value is None and name in ("fallback", "activation-dtype", "fail-on-cpu"):  # none / the march's
            continue
        if value not in allowed:
            raise QcheckError(choice_error(f"--{name}", value, allowed))
    for pattern, dtype in options.dtype_overrides.items():
        if dtype not in DTYPE_OVERRIDES:
            raise QcheckError(choice_error(f"the dtype override of {pattern!r}", dtype, DTYPE_OVERRIDES))
    if options.advice is not None and not options.advice >= 0:
        raise QcheckError(f"--advice must be a number of microseconds >= 0, not {options.advice!r}")
    error = node_names_error("--run-on-bpu", options.run_on_bpu)
    if error:
        raise QcheckError(error)
    if options.max_subgraphs is not None:
        error = max_subgraphs_error("--max-subgraphs", options.max_subgraphs)
        if error:
            raise QcheckError(error)


def max_subgraphs_error(name: str, value) -> str | None:
    """What is wrong with a max_subgraphs value (the option, the config key, the API), or None."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return f"{name} must be a whole number >= 0 (BPU subgraphs), not {value!r}"
    return None


def node_names_error(name: str, value) -> str | None:
    """What is wrong with a run_on_bpu value (the option, the config key, the API), or None: it
    names ONNX nodes, one non-empty string each (whether they exist is the model's to say)."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v for v in value):
        return f"{name} must be a list of ONNX node names (non-empty strings), not {value!r}"
    return None


def choice_error(name: str, value, allowed) -> str:
    return f"{name} must be one of {', '.join(allowed)}, not {value!r}"


@dataclass(frozen=True)
class Environment:
    """What qcheck takes from environment variables, validated."""

    html_layout: str = "auto"  # QCHECK_HTML_LAYOUT: the HTML report's graph-layout engine
    cache_dir: str = ""  # QCHECK_CACHE_DIR, else $XDG_CACHE_HOME/qcheck, else ~/.cache/qcheck


def read_environment(environ: Mapping[str, str] | None = None) -> Environment:
    """The environment variables qcheck reads, checked; an empty variable counts as unset."""
    environ = os.environ if environ is None else environ
    layout = environ.get("QCHECK_HTML_LAYOUT") or "auto"
    if layout not in HTML_LAYOUTS:
        raise QcheckError(f"environment variable {choice_error('QCHECK_HTML_LAYOUT', layout, HTML_LAYOUTS)}")
    cache_dir = environ.get("QCHECK_CACHE_DIR")
    if cache_dir:
        if os.path.exists(cache_dir) and not os.path.isdir(cache_dir):
            raise QcheckError(f"environment variable QCHECK_CACHE_DIR={cache_dir!r} is not a folder; "
                              "set it to a folder for the report cache, or unset it")
    else:
        base = environ.get("XDG_CACHE_HOME") or ""
        if not os.path.isabs(base):  # the XDG spec: a relative value is ignored
            base = os.path.join(os.path.expanduser("~"), ".cache")
        cache_dir = os.path.join(base, "qcheck")
    return Environment(html_layout=layout, cache_dir=cache_dir)
