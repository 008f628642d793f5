"""The rich terminal report: a row per layer, its findings with advice, then the verdict."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "cpu": "cyan"}
MARK = {"error": ("✗", "red"), "warning": ("!", "yellow"), "info": ("i", "blue")}


def _tensors(items) -> str:
    parts = []
    for item in items:
        shape = "x".join(str(d) for d in item.shape) if item.shape is not None else "?"
        parts.append(f"{shape} {item.dtype or '?'}")
    return ", ".join(parts) or "-"


def build(report, problems_only: bool = False) -> list:
    """The rich renderables of a report (the CLI prints them; tests render them to text)."""
    table = Table(title=f"qcheck · {report.model} · march {report.march}", show_lines=False,
                  expand=False, title_justify="left")
    table.add_column("layer", overflow="fold", max_width=40)
    table.add_column("op", no_wrap=True)
    table.add_column("in → out", overflow="fold", max_width=44)
    table.add_column("status", no_wrap=True)
    table.add_column("findings", overflow="fold", ratio=1, min_width=30)
    table.add_column("source", overflow="fold", max_width=36)
    shown = 0
    for layer in report.layers:
        if problems_only and layer.status in ("pass", "cpu"):
            continue
        shown += 1
        findings = Text()
        for finding in layer.findings:
            mark, color = MARK.get(finding.severity, ("·", "white"))
            if findings:
                findings.append("\n")
            findings.append(f"{mark} ", style=color)
            findings.append(finding.rule, style="bold")
            findings.append(f": {finding.message}")
            if finding.advice:
                findings.append(f"\n  → {finding.advice}", style="dim")
        table.add_row(layer.name, layer.op, f"{_tensors(layer.inputs)} → {_tensors(layer.outputs)}",
                      Text(layer.status, style=STYLE[layer.status]), findings, layer.source or "")
    parts: list = []
    if shown:
        parts.append(table)
    for note in report.notes:
        parts.append(Text(f"note: {note}", style="dim"))
    summary = report.summary
    nodes = report.nodes
    line = Text()
    line.append(f"{summary['layers']} layers: ")
    for status in ("pass", "warn", "fail", "cpu"):
        line.append(f"{summary[status]} {status}", style=STYLE[status] if summary[status] else "")
        line.append(", " if status != "cpu" else "")
    line.append(f"  ({nodes.get('total', 0)} graph nodes: {nodes.get('operator', 0)} in table rows, "
                f"{nodes.get('structural', 0)} structural, {nodes.get('unknown', 0)} unknown)")
    if report.ignored:
        line.append(f"  {report.ignored} findings ignored by settings", style="dim")
    parts.append(line)
    verdict = Text("verdict: ")
    verdict.append(report.verdict.upper(), style=STYLE[report.verdict])
    verdict.append(f" on {report.march}")
    parts.append(verdict)
    return parts


def render(reports, width: int = 160, color: bool = False, problems_only: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="standard" if color else None,
                      no_color=not color)
    for report in reports:
        for part in build(report, problems_only):
            console.print(part)
    return buffer.getvalue()
