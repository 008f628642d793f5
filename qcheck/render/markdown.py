"""`--format markdown`: a pull-request comment: verdict, summary, then the layers to fix."""

from __future__ import annotations

from qcheck.render import judged_as


def _op(layer) -> str:
    """The op, and the rows a composite layer was judged as."""
    return f"`{layer.op}`" + (f" ({judged_as(layer)})" if layer.judged_as else "")


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def render(reports, **_options) -> str:
    out = []
    for report in reports:
        summary = report.summary
        out.append(f"### qcheck: {report.verdict.upper()} on `{report.march}` — `{report.model}`")
        out.append("")
        out.append(f"{summary['layers']} layers: {summary['pass']} pass, {summary['warn']} warn, "
                   f"{summary['fail']} fail, {summary['cpu']} cpu")
        out.append("")
        problems = [(layer, f) for layer in report.layers for f in layer.findings
                    if f.severity in ("error", "warning")]
        if problems:
            out.append("| layer | op | severity | rule | finding | advice | source |")
            out.append("|---|---|---|---|---|---|---|")
            for layer, finding in problems:
                out.append(f"| `{_cell(layer.name)}` | {_op(layer)} | {finding.severity} | `{finding.rule}` "
                           f"| {_cell(finding.message)} | {_cell(finding.advice)} | {_cell(layer.source)} |")
            out.append("")
        out.append("<details><summary>All layers</summary>")
        out.append("")
        out.append("| layer | op | status | source |")
        out.append("|---|---|---|---|")
        for layer in report.layers:
            out.append(f"| `{_cell(layer.name)}` | {_op(layer)} | {layer.status} | {_cell(layer.source)} |")
        out.append("")
        out.append("</details>")
        out.append("")
    return "\n".join(out)
