"""The PTQ flow on the real-model corpus: every image model of tests/corpus.py exported to ONNX
(torch's TorchScript-based exporter, opset 11, the model as its library builds it: heads, DFL and
decode included) and checked on each march.

    python bench/onnx_corpus.py            # print the table
    python bench/onnx_corpus.py --write    # also replace the PTQ section of docs/MODELS.md

Per model and march: BPU subgraphs, CPU nodes, and the CPU nodes grouped by the rule that put
them there. A model the exporter refuses at opset 11 is listed with the exporter's reason; one it
refuses for its fused attention is exported again with the attention written out where its library
has a switch for that (timm, transformers), as `qcheck --flow ptq` advises, and says so.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MARCHES = ("bernoulli2", "bayes", "bayes_e")
SHOWN = 6  # rules per cell


def export(model, shape: tuple[int, ...], path: str) -> None:
    import torch

    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), (torch.rand(shape),), path, dynamo=False, opset_version=11)


def write_out_attention(model) -> bool:
    """Switch the model's fused attention (scaled_dot_product_attention, which has no opset-11
    form) to matmul and softmax where its library has a switch: timm's `fused_attn`, transformers'
    attn_implementation. True when something was switched."""
    switched = False
    for module in model.modules():
        if getattr(module, "fused_attn", None) is True:
            module.fused_attn = False
            switched = True
    if hasattr(model, "set_attn_implementation") and model.config._attn_implementation != "eager":
        model.set_attn_implementation("eager")
        switched = True
    return switched


def cpu_rules(report) -> collections.Counter:
    """CPU and failing nodes by the short id of their first finding (`softmax.cpu_default`)."""
    found: collections.Counter = collections.Counter()
    for layer in report.layers:
        if layer.region == "cpu" or layer.status == "fail":
            rule = layer.findings[0].rule if layer.findings else layer.op
            found[rule.split(".onnx.", 1)[-1]] += 1
    return found


def run(only: list[str]) -> list[str]:
    sys.path.insert(0, ROOT)
    from qcheck.onnx.check import check_onnx
    from tests.corpus import CORPUS

    rows = []
    with tempfile.TemporaryDirectory(prefix="qcheck-onnx-corpus-") as folder:
        for entry in CORPUS:
            if (only and entry.label not in only) or not entry.available() or entry.dtypes:
                continue  # token-id models (BERT, GPT-2) have no image input for the PTQ flow
            path = os.path.join(folder, "model.onnx")
            shape = tuple(int(d) for d in entry.shapes[0].split("x"))
            label, model = entry.label, entry.build()
            try:
                try:
                    export(model, shape, path)
                except Exception as error:
                    if "scaled_dot_product_attention" not in str(error) or not write_out_attention(model):
                        raise
                    export(model, shape, path)  # what `qcheck --flow ptq` advises for this refusal
                    label += " (attention written out)"
            except Exception as error:  # the exporter's refusal is the answer for this model
                reason = str(error).splitlines()[0][:120].replace("|", "/")
                rows.append(f"| {label} | {entry.shapes[0]} | - | exporter at opset 11: {reason} | | |")
                continue
            cells, nodes, seconds = [], 0, []
            for march in MARCHES:
                start = time.perf_counter()
                report = check_onnx(path, march)
                seconds.append(time.perf_counter() - start)
                nodes = report.nodes["total"]
                counts = cpu_rules(report)
                listed = ", ".join(f"`{rule}` ×{n}" for rule, n in counts.most_common(SHOWN))
                more = f", {len(counts) - SHOWN} more" if len(counts) > SHOWN else ""
                cells.append(f"{report.partition['subgraph_count']} / {len(report.partition['cpu_layers'])}"
                             + (f": {listed}{more}" if listed else ""))
            rows.append(f"| {label} | {entry.shapes[0]} | {nodes} | " + " | ".join(cells) + " |")
            print(rows[-1], f"({max(seconds):.2f} s)", flush=True)
            os.remove(path)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--model", action="append", default=[], help="only this corpus label (repeatable)")
    args = parser.parse_args()
    rows = run(args.model)
    head = ["| model | input | ONNX nodes | " + " | ".join(f"{m}: subgraphs / CPU nodes" for m in MARCHES) + " |",
            "|---|---|---:|" + "---|" * len(MARCHES)]
    text = "\n".join(head + rows)
    if args.write:
        sys.path.insert(0, HERE)
        from docs_section import write_section

        write_section(os.path.join(ROOT, "docs", "MODELS.md"), "onnx-corpus", text, "The PTQ flow (ONNX)",
                      "`python bench/onnx_corpus.py --write`: each image model of the corpus exported as its "
                      "library builds it (detection heads with their decode, no cut as the vendor's zoo makes), "
                      "torch's TorchScript-based exporter at opset 11, checked with `qcheck MODEL.onnx --march M` "
                      "and no `--run-on-bpu`; fused attention, which has no opset-11 form, written out as matmul and "
                      "softmax where the library has a switch (timm, transformers). A cell is BPU subgraphs / CPU nodes, then the CPU nodes by the "
                      "rule that placed them (`qcheck explain MARCH.onnx.RULE`).")


if __name__ == "__main__":
    main()
