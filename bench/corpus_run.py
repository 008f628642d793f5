"""Run qcheck over the real-model corpus (tests/corpus.py): each model captured eagerly and from a
TorchScript file, checked on every march (and with --fallback cpu), timed.

    python bench/corpus_run.py [LABEL ...] [--json OUT.jsonl]

One JSON line per model. bench/models_page.py turns the lines into docs/MODELS.md; the corpus
tests (tests/test_corpus.py) use `run_model` for the same figures.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.corpus import CORPUS, MARCHES, RealModel  # noqa: E402


def torchscript_file(model: RealModel, module, examples: tuple, folder: str) -> str:
    """Save the model as a user would: traced (dict/list outputs allowed), or scripted where
    tracing cannot follow the model (torchvision's detectors return per-image dicts)."""
    import torch

    path = os.path.join(folder, model.factory + ".pt")
    if model.factory in SCRIPTED:
        script = torch.jit.script(module)
    else:
        config = getattr(module, "config", None)
        if config is not None and getattr(config, "use_cache", None):
            config.use_cache = False  # transformers: a key/value cache object is not a traceable output
        with torch.no_grad():
            script = torch.jit.trace(module, examples, strict=False, check_trace=False)
    torch.jit.save(script, path)
    return path


SCRIPTED = {"tv_ssdlite", "tv_fasterrcnn_mobilenet"}


def inputs_of(model: RealModel):
    from qcheck.capture import InputSpec, parse_shape

    dtypes = model.dtypes or ("float32",) * len(model.shapes)
    return [InputSpec(parse_shape(shape), dtype) for shape, dtype in zip(model.shapes, dtypes)]


def summarize(report) -> dict:
    failing = collections.Counter(f.rule for layer in report.layers if layer.status == "fail"
                                  for f in layer.findings if f.severity == "error")
    warning = collections.Counter(f.rule for layer in report.layers for f in layer.findings
                                  if f.severity == "warning")
    unknown = collections.Counter(layer.op for layer in report.layers
                                  if any(f.rule.endswith(".unknown_op") for f in layer.findings))
    return {"verdict": report.verdict, "layers": len(report.layers),
            "statuses": dict(collections.Counter(layer.status for layer in report.layers)),
            "failing_rules": dict(failing.most_common()), "warning_rules": dict(warning.most_common()),
            "unknown_ops": dict(unknown.most_common())}


def check_all(graph, label: str, rules) -> tuple[dict, dict]:
    """Every march, plain and with --fallback cpu: (the figures per march, the plain reports)."""
    from qcheck.api import Options, check_graph

    figures, reports = {}, {}
    for march in MARCHES:
        report = reports[march] = check_graph(graph, label, Options(march=march), rules)
        fallback = check_graph(graph, label, Options(march=march, fallback="cpu"), rules)
        figures[march] = {**summarize(report), "subgraphs_cpu_fallback": fallback.partition.get("subgraph_count")}
    return figures, reports


def run_model(model: RealModel, rules, torchscript: bool = True) -> dict:
    import torch

    from qcheck.capture import capture, capture_file, example_tensors

    result: dict = {"label": model.label, "library": model.library, "shapes": list(model.shapes)}
    inputs = inputs_of(model)
    started = time.perf_counter()
    module = model.build()
    result["build_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    try:
        graph = capture(module, inputs)
        result["eager"] = {"capture_s": round(time.perf_counter() - started, 2), "origin": graph.origin,
                           "nodes": len(graph.nodes), "notes": list(graph.notes),
                           "marches": check_all(graph, model.label, rules)[0]}
    except Exception as error:  # the corpus run records failures; the tests assert there are none
        result["eager"] = {"error": f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"}
    if torchscript:
        with tempfile.TemporaryDirectory(prefix="qcheck-corpus-") as folder:
            started = time.perf_counter()
            try:
                examples = example_tensors(inputs)
                # A fresh module: export may leave traced state behind (ultralytics' Detect caches
                # its anchors from the last forward), and users trace a model straight from its code.
                path = torchscript_file(model, model.build(), examples, folder)
                graph = capture_file(path, inputs, None)
                result["torchscript"] = {"capture_s": round(time.perf_counter() - started, 2),
                                         "nodes": len(graph.nodes),
                                         "marches": check_all(graph, model.label, rules)[0]}
            except Exception as error:
                result["torchscript"] = {"error": f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"}
    del module
    torch.set_grad_enabled(True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("labels", nargs="*")
    parser.add_argument("--json", default=None, help="append one JSON line per model to this file")
    parser.add_argument("--no-torchscript", action="store_true")
    args = parser.parse_args()
    from qcheck.rules import load_rules

    rules = load_rules()
    chosen = [m for m in CORPUS if not args.labels or m.label in args.labels or m.factory in args.labels]
    for model in chosen:
        if not model.available():
            print(f"{model.label}: skipped ({model.library} not importable)", file=sys.stderr)
            continue
        result = run_model(model, rules, torchscript=not args.no_torchscript)
        line = json.dumps(result)
        if args.json:
            with open(args.json, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        brief = {path: (result[path].get("error") or {m: v["verdict"] for m, v in result[path]["marches"].items()})
                 for path in ("eager", "torchscript") if path in result}
        print(model.label, json.dumps(brief), file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
