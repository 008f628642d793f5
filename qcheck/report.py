"""The result of a check: plain data, no torch, no rich. Renderers read only this."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

SCHEMA_VERSION = 1
# The JSON report's contract (JSON Schema, draft 2020-12), shipped with the package.
SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema", "report-v1.json")
STATUSES = ("pass", "warn", "fail", "cpu")


def status_of(region: str, findings: list["Finding"], fallback: bool = False) -> str:
    """A layer's status from where it runs, what was found, and whether --fallback cpu sends it to
    the CPU when it fails: every stage that makes or changes a layer's findings asks this."""
    if region == "cpu":
        return "cpu"
    severities = {f.severity for f in findings}
    if "error" in severities:
        return "cpu" if fallback else "fail"
    return "warn" if "warning" in severities else "pass"


def with_findings(layer: "LayerResult", findings: list["Finding"]) -> "LayerResult":
    """A new result with these findings and the status they give; `layer` is left as it was."""
    return replace(layer, findings=findings, status=status_of(layer.region, findings, layer.fallback))


def fallen_back(layer: "LayerResult") -> "LayerResult":
    """The result with --fallback cpu: a failing layer runs on the CPU instead (a new result)."""
    if layer.status != "fail":
        return layer
    return replace(layer, fallback=True, status=status_of(layer.region, layer.findings, fallback=True))


@dataclass(slots=True)
class Finding:
    rule: str  # constraint id, e.g. "bayes.conv2d.kernel"
    severity: str  # error | warning | info
    message: str  # the constraint's sentence with the observed values beside it
    advice: str | None = None
    observed: dict[str, Any] = field(default_factory=dict)
    allowed: str | None = None
    part: str | None = None  # the part of a composite layer it is about (its table row is in `rule`)

    def to_dict(self) -> dict[str, Any]:
        found = {"rule": self.rule, "severity": self.severity, "message": self.message,
                 "advice": self.advice, "observed": self.observed, "allowed": self.allowed}
        if self.part is not None:
            found["part"] = self.part
        return found


@dataclass(slots=True)
class TensorInfo:
    shape: list[int] | None
    dtype: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"shape": self.shape, "dtype": self.dtype}


@dataclass(slots=True)
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
    # Names of the non-structural layers this layer reads from: its graph predecessors, looking
    # through structural nodes (reshapes, folded constants). Empty for layers fed by model inputs.
    after: list[str] = field(default_factory=list)
    subgraph: int | None = None  # the BPU subgraph the layer belongs to (qcheck.partition)
    fallback: bool = False  # a failing layer sent to the CPU by --fallback cpu
    cost: dict[str, Any] = field(default_factory=dict)  # macs, bytes, estimate_us (qcheck.cost)
    # A composite layer (an op that is not a table row): the rows it was judged as, one per part
    # in order, and its parts [{"part": id, "row": row}]. Empty for every other layer.
    judged_as: list[str] = field(default_factory=list)
    parts: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        found = {
            "name": self.name, "op": self.op, "status": self.status, "module_type": self.module_type,
            "module_path": self.module_path, "source": self.source, "region": self.region,
            "targets": self.targets, "after": self.after, "subgraph": self.subgraph,
            "fallback": self.fallback, "cost": self.cost,
            "inputs": [t.to_dict() for t in self.inputs], "outputs": [t.to_dict() for t in self.outputs],
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.judged_as:
            found["judged_as"] = self.judged_as
            found["parts"] = self.parts
        return found


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
    # Metadata of every rule that fired: id -> {"says", "operator", "march", "table", "note", "advice"}
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    baselined: int = 0  # findings dropped because the baseline already knows them
    partition: dict[str, Any] = field(default_factory=dict)  # qcheck.partition.partition()
    advice: dict[str, Any] | None = None  # {"threshold_us", "layers": [...]} with --advice N

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
            "ignored": self.ignored, "baselined": self.baselined, "notes": self.notes,
            "fail_on": self.fail_on, "rules": self.rules, "partition": self.partition,
            "advice": self.advice,
            "layers": [layer.to_dict() for layer in self.layers],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Report":
        """Rebuild a report from its JSON form (the cache stores reports this way)."""
        layers = [
            LayerResult(
                name=item["name"], op=item["op"], status=item["status"], module_type=item["module_type"],
                module_path=item.get("module_path"), source=item["source"],
                inputs=[TensorInfo(**t) for t in item["inputs"]],
                outputs=[TensorInfo(**t) for t in item["outputs"]],
                findings=[Finding(**f) for f in item["findings"]],
                targets=item.get("targets", []), region=item.get("region", "bpu"),
                after=item.get("after", []), subgraph=item.get("subgraph"),
                fallback=item.get("fallback", False), cost=item.get("cost", {}),
                judged_as=item.get("judged_as", []), parts=item.get("parts", []),
            )
            for item in data["layers"]
        ]
        return cls(model=data["model"], march=data["march"], layers=layers, nodes=data["nodes"],
                   qcheck_version=data["qcheck_version"], notes=data.get("notes", []),
                   ignored=data.get("ignored", 0), fail_on=data.get("fail_on", "error"),
                   capture=data.get("capture", ""), rules=data.get("rules", {}),
                   baselined=data.get("baselined", 0), partition=data.get("partition", {}),
                   advice=data.get("advice"))


def model_file(report: Report) -> str:
    """The file a report is about: the model file, or the .py file of an eager spec."""
    location, sep, name = report.model.rpartition(":")
    if sep and location.endswith(".py"):
        return location
    return report.model


def location(report: Report, layer: LayerResult) -> tuple[str, int | None]:
    """Where a finding points: the user's source line when known, else the model file."""
    if layer.source:
        path, _, line = layer.source.rpartition(":")
        if path and line.isdigit():
            return path, int(line)
    return model_file(report), None


def fingerprint(report: Report, layer: LayerResult, finding: Finding) -> str:
    """Stable identity of a finding: survives line shifts and unrelated edits, changes when the
    layer changes (its op, shapes, or the observed values that broke the rule)."""
    import hashlib
    import json

    identity = {
        "model": model_file(report), "march": report.march, "layer": layer.name, "op": layer.op,
        "rule": finding.rule, "observed": finding.observed,
        "inputs": [t.shape for t in layer.inputs], "outputs": [t.shape for t in layer.outputs],
    }
    if finding.part is not None:  # two parts of one layer may break the same row's rule
        identity["part"] = finding.part
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:32]
