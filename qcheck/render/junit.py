"""`--format junit`: a testsuite per model and march, a testcase per layer.

fail -> <failure>, cpu -> <skipped>, warn -> passes with the warnings in <system-out>.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET


def _judged(layer) -> str:
    from qcheck.render import judged_as

    return f"; {judged_as(layer)}" if layer.judged_as else ""


def render(reports, **_options) -> str:
    suites = ET.Element("testsuites", name="qcheck")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for report in reports:
        summary = report.summary
        suite = ET.SubElement(suites, "testsuite", {
            "name": f"{report.model} [{report.march}]", "tests": str(summary["layers"]),
            "failures": str(summary["fail"]), "errors": "0", "skipped": str(summary["cpu"])})
        totals["tests"] += summary["layers"]
        totals["failures"] += summary["fail"]
        totals["skipped"] += summary["cpu"]
        for layer in report.layers:
            case = ET.SubElement(suite, "testcase", {"classname": f"{report.model}.{report.march}",
                                                     "name": f"{layer.name} ({layer.op}{_judged(layer)})"})
            if layer.source:
                path, _, line = layer.source.rpartition(":")
                case.set("file", path)
                case.set("line", line)
            errors = [f for f in layer.findings if f.severity == "error"]
            others = [f for f in layer.findings if f.severity != "error"]
            if layer.status == "fail":
                failure = ET.SubElement(case, "failure", {"message": errors[0].message, "type": errors[0].rule})
                failure.text = "\n".join(_line(f) for f in errors)
            elif layer.status == "cpu":
                ET.SubElement(case, "skipped", {"message": "runs on the CPU (outside the quantized region)"})
            if others:
                ET.SubElement(case, "system-out").text = "\n".join(_line(f) for f in others)
    for key, value in totals.items():
        suites.set(key, str(value))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _line(finding) -> str:
    advice = f" -> {finding.advice}" if finding.advice else ""
    return f"{finding.severity}: {finding.rule}: {finding.message}{advice}"
