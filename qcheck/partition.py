"""BPU / CPU partition: which layers form BPU subgraphs, and where CPU layers cut the model.

The vendor's compiler runs connected BPU layers as one subgraph, as long as the subgraph never
waits on a CPU layer that waits on it (bpu_roots); a layer it cannot run (a failing layer, with
--fallback cpu) or a layer outside the quantized region runs on the CPU and cuts the model, and
every edge between a BPU and a CPU layer is a transfer. Both flows (QAT layers, ONNX nodes) cut
their models here.
Works on the layer results alone (statuses, regions and `after` edges) and leaves them as they
are: the caller makes the results that carry their subgraph numbers (subgraph_numbers).
"""

from __future__ import annotations

from typing import Any


def _on_bpu(layer) -> bool:
    return layer.region == "bpu" and layer.status != "fail" and not layer.fallback


def partition(layers: list) -> dict[str, Any]:
    # Few passes over the layers: on a 20,000-layer model each pass reads memory the CPU's
    # caches no longer hold.
    index: dict[str, int] = {}
    on_bpu: list[bool] = []
    failing = 0
    for i, layer in enumerate(layers):
        index[layer.name] = i
        on_bpu.append(_on_bpu(layer))
        failing += layer.status == "fail"
    read_by_bpu: set[str] = set()  # names of the layers some BPU layer reads
    for i, layer in enumerate(layers):
        if on_bpu[i]:
            read_by_bpu.update(layer.after)
    roots, transfers = bpu_roots(layers, on_bpu, index)
    groups: dict[int, list[int]] = {}
    cpu_indices = []
    for i in range(len(layers)):
        if on_bpu[i]:
            groups.setdefault(roots[i], []).append(i)
        else:
            cpu_indices.append(i)
    subgraphs = []
    for number, (_, members) in enumerate(sorted(groups.items()), start=1):
        subgraphs.append({"id": number, "size": len(members), "layers": [layers[i].name for i in members]})
    cpu = [layers[i].name for i in cpu_indices]
    # A CPU layer cuts the model when BPU work lies on both sides of it.
    cuts = [layers[i].name for i in cpu_indices if layers[i].name in read_by_bpu
            and any(on_bpu[index[p]] for p in layers[i].after if p in index)]
    total = len(layers)
    largest = max((s["size"] for s in subgraphs), default=0)
    if not subgraphs:
        verdict = "no layer runs on the BPU"
    elif len(subgraphs) == 1 and not cuts:
        verdict = f"one BPU subgraph covers {largest} of {total} layers: good"
    else:
        verdict = (f"{len(subgraphs)} BPU subgraphs (largest {largest} of {total} layers), "
                   f"{transfers} BPU<->CPU transfers: every extra cut costs a transfer")
    if failing:
        verdict += f" (if its {failing} failing layer{'s' if failing > 1 else ''} ran on the CPU: --fallback cpu)"
    return {"subgraph_count": len(subgraphs), "subgraphs": subgraphs, "cpu_layers": cpu, "cuts": cuts,
            "transfers": transfers, "verdict": verdict}


def bpu_roots(layers: list, on_bpu: list[bool], index: dict[str, int]) -> tuple[list[int], int]:
    """Each layer's BPU subgraph (the root index of its set; meaningful for BPU layers) and the
    number of BPU<->CPU edges. Layers come in graph order. BPU layers joined by an edge share a
    subgraph when as many CPU layers lie upstream of each: a branch that skips a CPU layer and
    joins the layers after it (YOLO11's attention around its CPU Softmax) does not merge what is
    before and after that CPU layer, which would make the subgraph wait on itself."""
    depth = [0] * len(layers)
    parent = list(range(len(layers)))
    transfers = 0
    for i, layer in enumerate(layers):
        preds = [j for j in (index.get(name) for name in layer.after) if j is not None]
        depth[i] = max((depth[j] + (0 if on_bpu[j] else 1) for j in preds), default=0)
        for j in preds:
            if on_bpu[i] and on_bpu[j] and depth[i] == depth[j]:
                a, b = find_root(parent, i), find_root(parent, j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            elif on_bpu[i] or on_bpu[j]:  # into or out of a subgraph
                transfers += 1
    return [find_root(parent, i) for i in range(len(layers))], transfers


def subgraph_numbers(found: dict[str, Any]) -> dict[str, int]:
    """Layer name -> the BPU subgraph it belongs to, from partition()'s result."""
    return {name: subgraph["id"] for subgraph in found["subgraphs"] for name in subgraph["layers"]}


def find_root(parent: list[int], i: int) -> int:
    """Union-find: the root of i's set, halving the path on the way."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i
