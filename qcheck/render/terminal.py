"""The rich terminal report: a row per layer, its findings with advice, then the verdict."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from qcheck.render import judged_as
from qcheck.render.grid import Column, Grid, Pieces

STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "cpu": "cyan"}
MARK = {"error": ("✗", "red"), "warning": ("!", "yellow"), "info": ("i", "blue")}


def _tensors(items) -> str:
    parts = []
    for item in items:
        shape = "x".join(str(d) for d in item.shape) if item.shape is not None else "?"
        parts.append(f"{shape} {item.dtype or '?'}")
    return ", ".join(parts) or "-"


def _op(report, layer) -> str:
    """The op column; an ONNX node also names the vendor's op type that hb_mapper checker prints."""
    if report.capture == "onnx" and layer.module_type:
        return f"{layer.op} ({layer.module_type})"
    return layer.op


def build(report, problems_only: bool = False) -> list:
    """The rich renderables of a report (the CLI prints them; tests render them to text)."""
    partition = report.partition or {}
    show_subgraphs = partition.get("subgraph_count", 0) > 1 or any(layer.fallback for layer in report.layers)
    columns = [Column("layer", max_width=40), Column("op", wrap=False), Column("in → out", max_width=44),
               Column("status", wrap=False), Column("findings", min_width=30), Column("source", max_width=36)]
    if show_subgraphs:
        columns.append(Column("bpu", wrap=False))
    table = Grid(columns, title=f"qcheck · {report.model} · march {report.march}")
    shown = 0
    for layer in report.layers:
        # quiet: the failing and warning layers; in the PTQ flow the CPU nodes too, with why they are there
        if problems_only and (layer.status == "pass" or (layer.status == "cpu" and report.capture != "onnx")):
            continue
        shown += 1
        findings: Pieces = [(judged_as(layer), "dim")] if layer.judged_as else []
        for finding in layer.findings:
            mark, color = MARK.get(finding.severity, ("·", "white"))
            findings += [("\n" if findings else "", None), (f"{mark} ", color), (finding.rule, "bold"),
                         (f": {finding.message}", None)]
            if finding.advice:
                findings.append((f"\n  → {finding.advice}", "dim"))
        row = [layer.name, _op(report, layer), f"{_tensors(layer.inputs)} → {_tensors(layer.outputs)}",
               [(layer.status + (" (fallback)" if layer.fallback else ""), STYLE[layer.status])],
               findings, layer.source or ""]
        if show_subgraphs:
            row.append(f"#{layer.subgraph}" if layer.subgraph else "cpu")
        table.add_row(*row)
    parts: list = []
    if shown:
        parts.append(table)
    by_line = _by_source_line(report)
    if by_line is not None:
        parts.append(by_line)
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
    if report.baselined:
        line.append(f"  {report.baselined} findings known to the baseline", style="dim")
    parts.append(line)
    if partition:
        parts.append(Text(f"partition: {partition['verdict']}"
                          + (f"; CPU layers cutting it: {', '.join(partition['cuts'])}" if partition["cuts"] else ""),
                          style="dim" if partition.get("subgraph_count") == 1 else ""))
    if report.advice is not None:
        parts.append(_advice_table(report))
    verdict = Text("verdict: ")
    verdict.append(report.verdict.upper(), style=STYLE[report.verdict])
    verdict.append(f" on {report.march}")
    parts.append(verdict)
    return parts


def _source_key(source: str | None) -> tuple:
    if not source:
        return ("~", 0)  # unknown locations last
    path, _, line = source.rpartition(":")
    return (path, int(line) if line.isdigit() else 0)


def _by_source_line(report):
    """Problems ordered by file and line, so a file can be fixed top to bottom."""
    rows = [(layer, f) for layer in report.layers for f in layer.findings if f.severity in ("error", "warning")]
    if not any(layer.source for layer, _ in rows):  # no file to fix (an ONNX model): the table says it all
        return None
    rows.sort(key=lambda item: (_source_key(item[0].source), item[0].name))
    table = Grid([Column("source", wrap=False), Column("layer", max_width=40), Column("finding")],
                 title="findings by source line", boxed=False, show_header=False)
    last = None
    for layer, finding in rows:
        mark, color = MARK[finding.severity]
        source = layer.source or "(no source)"
        table.add_row(source if source != last else "", layer.name,
                      [(f"{mark} ", color), (finding.rule, "bold"), (f": {finding.message}", None)])
        last = source
    return table


def _advice_table(report):
    advice = report.advice
    assumed = advice.get("assumed") or {}
    table = Grid([Column("layer"), Column("op", wrap=False), Column("MACs", right=True), Column("bytes", right=True),
                  Column("estimate µs", right=True)],
                 title=f"layers above {advice['threshold_us']:g} µs (estimates: roofline at "
                       f"{assumed.get('tops', '?')} TOPS, {assumed.get('bandwidth_gbs', '?')} GB/s)")
    for item in advice["layers"]:
        table.add_row(item["name"], item["op"], f"{item['macs']:,}", f"{item['bytes']:,}",
                      f"{item['estimate_us']:.2f}")
    if not advice["layers"]:
        return Text(f"no layer is estimated above {advice['threshold_us']:g} µs", style="dim")
    return table


def build_comparison(reports) -> list:
    """`--march all`: one table, a column per march, then which marches run the model whole."""
    table = Grid([Column("layer", max_width=40), Column("op", wrap=False)]
                 + [Column(report.march, max_width=48) for report in reports],
                 title=f"qcheck · {reports[0].model} · every march")
    by_march = [{layer.name: layer for layer in report.layers} for report in reports]
    for layer in reports[0].layers:
        cells = []
        for layers in by_march:
            other = layers.get(layer.name)
            if other is None:
                cells.append("-")
                continue
            cell: Pieces = [(other.status, STYLE[other.status])]
            for finding in other.findings:
                if finding.severity == "error":
                    cell.append((f"\n{finding.rule.split('.', 1)[1]}", "dim"))
            cells.append(cell)
        table.add_row(layer.name, layer.op, *cells)
    whole = [r.march for r in reports if r.verdict != "fail"]
    verdicts = Text("verdicts: ")
    for i, report in enumerate(reports):
        verdicts.append(f"{report.march} ")
        verdicts.append(report.verdict.upper(), style=STYLE[report.verdict])
        verdicts.append(", " if i < len(reports) - 1 else "")
    runs = Text("runs the model whole: " + (", ".join(whole) if whole else "no march"),
                style="green" if whole else "bold red")
    return [table, verdicts, runs]


def build_all(reports, problems_only: bool = False) -> list:
    """Every report of a run; several marches of one model become one comparison table."""
    parts: list = []
    models: dict[str, list] = {}
    for report in reports:
        models.setdefault(report.model, []).append(report)
    for same_model in models.values():
        if len({r.march for r in same_model}) > 1:
            parts.extend(build_comparison(same_model))
        else:
            for report in same_model:
                parts.extend(build(report, problems_only))
    return parts


def render(reports, width: int = 160, color: bool = False, problems_only: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="standard" if color else None,
                      no_color=not color)
    for part in build_all(reports, problems_only):
        console.print(part)
    return buffer.getvalue()
