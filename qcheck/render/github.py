"""`--format github`: GitHub Actions workflow commands that annotate the pull request."""

from __future__ import annotations

from qcheck.render import judged_as
from qcheck.report import location

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(reports, **_options) -> str:
    lines = []
    for report in reports:
        for layer in report.layers:
            for finding in layer.findings:
                path, line = location(report, layer)
                props = [f"file={_property(path)}"]
                if line is not None:
                    props.append(f"line={line}")
                props.append(f"title={_property(f'qcheck {finding.rule}')}")
                judged = f", {judged_as(layer)}" if layer.judged_as else ""
                message = f"{layer.name} ({layer.op}{judged}): {finding.message}"
                if finding.advice:
                    message += f"\n{finding.advice}"
                lines.append(f"::{COMMANDS[finding.severity]} {','.join(props)}::{_data(message)}")
        summary = report.summary
        lines.append(f"qcheck {report.model} [{report.march}]: {report.verdict.upper()} - "
                     f"{summary['layers']} layers, {summary['fail']} fail, {summary['warn']} warn, "
                     f"{summary['cpu']} cpu")
    return "\n".join(lines) + "\n"
