"""BPU / CPU partition: which layers form BPU subgraphs, and where CPU layers cut the model.

The vendor's compiler runs every maximal connected set of BPU layers as one subgraph; a layer it
cannot run (a failing layer, with --fallback cpu) or a layer outside the quantized region runs
on the CPU and cuts the model, and every edge between a BPU and a CPU layer is a transfer.
Works on a Report alone: layer statuses, regions and `after` edges.
"""

from __future__ import annotations

from typing import Any


def _on_bpu(layer) -> bool:
    return layer.region == "bpu" and layer.status != "fail" and not layer.fallback


def partition(report) -> dict[str, Any]:
    layers = report.layers
    index = {layer.name: i for i, layer in enumerate(layers)}
    parent = list(range(len(layers)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    transfers = 0
    for i, layer in enumerate(layers):
        for name in layer.after:
            j = index.get(name)
            if j is None:
                continue
            if _on_bpu(layer) and _on_bpu(layers[j]):
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            elif _on_bpu(layer) != _on_bpu(layers[j]):
                transfers += 1
    groups: dict[int, list[str]] = {}
    for i, layer in enumerate(layers):
        if _on_bpu(layer):
            groups.setdefault(find(i), []).append(layer.name)
    subgraphs = [{"id": n + 1, "size": len(names), "layers": names}
                 for n, (_, names) in enumerate(sorted(groups.items()))]
    for subgraph in subgraphs:
        for name in subgraph["layers"]:
            layers[index[name]].subgraph = subgraph["id"]
    cpu = [layer.name for layer in layers if not _on_bpu(layer)]
    # A CPU layer cuts the model when BPU work lies on both sides of it. (Sets built once: a scan
    # of every layer per CPU layer was quadratic in models with large CPU regions.)
    cpu_names = set(cpu)
    read_by_bpu = {name for other in layers if _on_bpu(other) for name in other.after}
    cuts = [layer.name for layer in layers if layer.name in cpu_names
            and any(_on_bpu(layers[index[p]]) for p in layer.after if p in index)
            and layer.name in read_by_bpu]
    total = len(layers)
    largest = max((s["size"] for s in subgraphs), default=0)
    if not subgraphs:
        verdict = "no layer runs on the BPU"
    elif len(subgraphs) == 1 and not cuts:
        verdict = f"one BPU subgraph covers {largest} of {total} layers: good"
    else:
        verdict = (f"{len(subgraphs)} BPU subgraphs (largest {largest} of {total} layers), "
                   f"{transfers} BPU<->CPU transfers: every extra cut costs a transfer")
    failing = sum(1 for layer in layers if layer.status == "fail")
    if failing:
        verdict += f" (if its {failing} failing layer{'s' if failing > 1 else ''} ran on the CPU: --fallback cpu)"
    return {"subgraph_count": len(subgraphs), "subgraphs": subgraphs, "cpu_layers": cpu, "cuts": cuts,
            "transfers": transfers, "verdict": verdict}
