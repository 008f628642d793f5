"""`--format sarif`: SARIF 2.1.0, one run, rule metadata from the rule files.

Each result is located at the user's source file:line when the capture knows it, else at the
model file; the layer is a logical location. partialFingerprints carry qcheck's fingerprint so
code-scanning services track a finding across line shifts.
"""

from __future__ import annotations

import json

from qcheck.report import fingerprint, location

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render(reports, **_options) -> str:
    from qcheck import __version__

    rule_ids: list[str] = []
    metadata: dict[str, dict] = {}
    for report in reports:
        for rule_id, info in report.rules.items():
            if rule_id not in metadata:
                metadata[rule_id] = info
    rule_ids = sorted(metadata)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    results = []
    for report in reports:
        for layer in report.layers:
            for finding in layer.findings:
                path, line = location(report, layer)
                physical = {"artifactLocation": {"uri": _uri(path)}}
                if line is not None:
                    physical["region"] = {"startLine": line}
                results.append({
                    "ruleId": finding.rule,
                    "ruleIndex": index[finding.rule],
                    "level": LEVELS[finding.severity],
                    "message": {"text": f"{layer.name} ({layer.op}): {finding.message}"
                                        + (f" Advice: {finding.advice}" if finding.advice else "")},
                    "locations": [{
                        "physicalLocation": physical,
                        "logicalLocations": [{"fullyQualifiedName": layer.name, "kind": "member"}],
                    }],
                    "partialFingerprints": {"qcheck/v1": fingerprint(report, layer, finding)},
                    "properties": {"model": report.model, "march": report.march, "layer": layer.name,
                                   "op": layer.op, "observed": finding.observed,
                                   **({"judged_as": layer.judged_as, "part": finding.part}
                                      if layer.judged_as else {})},
                })
    rules = [_rule(rule_id, metadata[rule_id]) for rule_id in rule_ids]
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "qcheck", "version": __version__, "semanticVersion": __version__,
                                "informationUri": "https://pypi.org/project/qcheck/", "rules": rules}},
            "results": results,
            "columnKind": "unicodeCodePoints",
            "properties": {"models": [r.model for r in reports], "marches": sorted({r.march for r in reports}),
                           "verdicts": {f"{r.model} [{r.march}]": r.verdict for r in reports}},
        }],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _rule(rule_id: str, info: dict) -> dict:
    help_text = info.get("advice") or info["says"]
    rule = {
        "id": rule_id,
        "name": rule_id.replace(".", "/"),
        "shortDescription": {"text": info["says"]},
        "fullDescription": {"text": " ".join(filter(None, [info["says"], info.get("note")]))},
        "help": {"text": f"{help_text} (qcheck explain {rule_id})"},
        "properties": {"operator": info.get("operator"), "march": info.get("march"),
                       "table": info.get("table")},
    }
    return rule


def _uri(path: str) -> str:
    return path.replace("\\", "/")
