"""The PTQ flow's speed: `qcheck MODEL.onnx --march bayes_e` on ONNX files exported from real models.

    python bench/onnx_run.py             # ResNet-50 and YOLOv8n (head cut as the vendor's zoo does)
    python bench/onnx_run.py --write     # also replace the ONNX section of docs/PERFORMANCE.md

Each model is exported once (torch's TorchScript-based exporter, opset 11; untimed). Then, best of
--repeat runs, each in a fresh interpreter: the whole CLI (spawn to exit, json to /dev/null), and
the check alone inside it (qcheck.onnx.check.check_onnx, after importing qcheck's modules). Neither
torch nor numpy (nor `import onnx`) is imported by the checks; the shared machine makes every
figure a best-of, and the load average during the run is recorded beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TARGETS = {"resnet50": 0.5, "yolov8n": 1.0}  # issue 16: seconds of wall time


def export(name: str, folder: str) -> str:
    sys.path.insert(0, ROOT)
    from tests import onnx_models

    if name == "resnet50":
        import warnings

        import torch
        import torchvision

        path = os.path.join(folder, "resnet50.onnx")
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(torchvision.models.resnet50(weights=None).eval(), (torch.rand(1, 3, 224, 224),),
                              path, dynamo=False, opset_version=11)
        return path
    return onnx_models.export(name, folder)


def _inner(path: str) -> None:
    start = time.perf_counter()
    from qcheck.onnx.check import check_onnx

    imported = time.perf_counter()
    report = check_onnx(path, "bayes_e")
    done = time.perf_counter()
    print(json.dumps({"import_s": imported - start, "check_s": done - imported,
                      "nodes": report.nodes["total"], "subgraphs": report.partition["subgraph_count"],
                      "torch": "torch" in sys.modules, "numpy": "numpy" in sys.modules}))


def measure(path: str, repeat: int) -> dict:
    env = dict(os.environ, PYTHONPATH=ROOT)
    cli, inner = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "qcheck", path, "--march", "bayes_e", "--format", "json",
                        "-o", os.devnull, "--no-cache"], check=True, env=env, cwd=ROOT)
        cli.append(time.perf_counter() - start)
        out = subprocess.run([sys.executable, __file__, "--inner", path], check=True, env=env, cwd=ROOT,
                             capture_output=True, text=True).stdout
        inner.append(json.loads(out.strip().splitlines()[-1]))
    best = min(inner, key=lambda r: r["check_s"])
    return {"cli_s": min(cli), **best, "qcheck_import_s": min(r["import_s"] for r in inner),
            "size_mb": os.path.getsize(path) / 1e6, "load": os.getloadavg()[0]}


def table(results: dict) -> str:
    lines = ["| model | ONNX nodes | file MB | BPU subgraphs | qcheck CLI s | check s (after import) | "
             "import qcheck.onnx s | target s | torch / numpy imported | load average |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for name, r in results.items():
        lines.append(f"| {name} | {r['nodes']} | {r['size_mb']:.0f} | {r['subgraphs']} | {r['cli_s']:.2f} | "
                     f"{r['check_s']:.2f} | {r['qcheck_import_s']:.2f} | {TARGETS[name]} | "
                     f"{'yes' if r['torch'] else 'no'} / {'yes' if r['numpy'] else 'no'} | {r['load']:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inner")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if args.inner:
        _inner(args.inner)
        return
    with tempfile.TemporaryDirectory(prefix="qcheck-onnx-bench-") as folder:
        results = {name: measure(export(name, folder), args.repeat) for name in TARGETS}
    text = table(results)
    print(text)
    if args.write:
        sys.path.insert(0, HERE)
        from docs_section import write_section

        write_section(os.path.join(ROOT, "docs", "PERFORMANCE.md"), "onnx-bench", text, "ONNX models (PTQ flow)",
                      "`python bench/onnx_run.py --write`: best of 3 on this shared 2-core machine.")

if __name__ == "__main__":
    main()
