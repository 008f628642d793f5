"""The result of a check: plain data, no torch, no rich. Renderers read only this."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1
STATUSES = ("pass", "warn", "fail", "cpu")


@dataclass
class Finding:
    rule: str  # constraint id, e.g. "bayes.conv2d.kernel"
    severity: str  # error | warning | info
    message: str  # the constraint's sentence with the observed values beside it
    advice: str | None = None
    observed: dict[str, Any] = field(default_factory=dict)
    allowed: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "message": self.message,
                "advice": self.advice, "observed": self.observed, "allowed": self.allowed}


@dataclass
class TensorInfo:
    shape: list[int] | None
    dtype: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"shape": self.shape, "dtype": self.dtype}


@dataclass
class LayerResult:
    name: str
    op: str  # the table row ("torch.nn.Conv2d"), or the raw target of an unknown op
    status: str  # pass | warn | fail | cpu
    module_type: str | None
    module_path: str | None
    source: str | None
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]
    findings: list[Finding]
    targets: list[str] = field(default_factory=list)  # the captured ops that make up the layer
    region: str = "bpu"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "op": self.op, "status": self.status, "module_type": self.module_type,
            "module_path": self.module_path, "source": self.source, "region": self.region,
            "targets": self.targets,
            "inputs": [t.to_dict() for t in self.inputs], "outputs": [t.to_dict() for t in self.outputs],
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass
class Report:
    model: str
    march: str
    layers: list[LayerResult]
    nodes: dict[str, int]  # total, operator, structural, unknown
    qcheck_version: str
    notes: list[str] = field(default_factory=list)
    ignored: int = 0  # findings dropped by ignore settings
    fail_on: str = "error"  # "error" | "warning"
    capture: str = ""  # export | torchscript | trace | pt2

    @property
    def summary(self) -> dict[str, int]:
        counts = {"layers": len(self.layers), **{status: 0 for status in STATUSES}}
        for layer in self.layers:
            counts[layer.status] += 1
        return counts

    @property
    def verdict(self) -> str:
        statuses = {layer.status for layer in self.layers}
        return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"

    @property
    def exit_code(self) -> int:
        """0 when the model passes (as the vendor's check_model returns), 1 when it fails."""
        if self.verdict == "fail" or (self.verdict == "warn" and self.fail_on == "warning"):
            return 1
        return 0

    def findings(self) -> list[tuple[LayerResult, Finding]]:
        return [(layer, finding) for layer in self.layers for finding in layer.findings]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION, "qcheck_version": self.qcheck_version,
            "model": self.model, "march": self.march, "verdict": self.verdict,
            "summary": self.summary, "nodes": self.nodes, "capture": self.capture,
            "ignored": self.ignored, "notes": self.notes,
            "layers": [layer.to_dict() for layer in self.layers],
        }
