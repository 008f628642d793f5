"""The options of one check: plain data shared by the CLI, the API and the cache key."""

from __future__ import annotations

from dataclasses import dataclass, field

INPUT_SOURCES = ("ddr", "pyramid", "resizer")


@dataclass
class Options:
    march: str | None = None
    inputs: list = field(default_factory=list)  # qcheck.capture.InputSpec, one per model input
    input_source: str = "ddr"
    rules: list[str] = field(default_factory=list)  # extra rule files
    ignore: list[str] = field(default_factory=list)
    activation_dtype: str = "qint8"
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
