"""Baselines: record today's findings, then fail only on new ones.

A finding's fingerprint (qcheck.report.fingerprint) leaves out source lines, so unrelated edits
that shift code keep it; a changed layer (other op, shapes or observed values) gets a new one.
"""

from __future__ import annotations

import json
from dataclasses import replace

from qcheck.errors import QcheckError
from qcheck.output import write_atomic
from qcheck.report import Report, fingerprint, with_findings

VERSION = 1


def write(path: str, reports: list[Report]) -> None:
    entries = sorted(
        ({"fingerprint": fingerprint(report, layer, finding), "model": report.model, "march": report.march,
          "layer": layer.name, "rule": finding.rule}
         for report in reports for layer in report.layers for finding in layer.findings),
        key=lambda e: (e["model"], e["march"], e["layer"], e["rule"], e["fingerprint"]))
    write_atomic(path, json.dumps({"qcheck_baseline": VERSION, "findings": entries}, indent=2,
                                  sort_keys=True) + "\n")


def read(path: str) -> set[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise QcheckError("no such baseline file; create it with --write-baseline FILE", path) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise QcheckError(f"not a qcheck baseline ({error}); recreate it with --write-baseline FILE",
                          path) from None
    if not isinstance(data, dict) or data.get("qcheck_baseline") != VERSION or not isinstance(
            data.get("findings"), list):
        raise QcheckError("not a qcheck baseline (version 1); recreate it with --write-baseline FILE", path)
    try:
        return {entry["fingerprint"] for entry in data["findings"]}
    except (TypeError, KeyError):
        raise QcheckError("a baseline entry has no fingerprint; recreate it with --write-baseline FILE",
                          path) from None


def apply(report: Report, known: set[str]) -> Report:
    """The report without the findings the baseline knows (a new Report; statuses follow what
    is left). The partition stays the checked one: a baselined failure still does not run on
    the BPU."""
    layers = []
    baselined = 0
    for layer in report.layers:
        kept = [f for f in layer.findings if fingerprint(report, layer, f) not in known]
        baselined += len(layer.findings) - len(kept)
        layers.append(with_findings(layer, kept) if len(kept) != len(layer.findings) else layer)
    return replace(report, layers=layers, baselined=report.baselined + baselined)
