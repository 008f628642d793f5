"""BPU / CPU partition: which layers form BPU subgraphs, and where CPU layers cut the model.

The vendor's compiler runs every maximal connected set of BPU layers as one subgraph; a layer it
cannot run (a failing layer, with --fallback cpu) or a layer outside the quantized region runs
on the CPU and cuts the model, and every edge between a BPU and a CPU layer is a transfer.
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
    parent = list(range(len(layers)))

    def find(i: int) -> int:
        return find_root(parent, i)

    transfers = 0
    read_by_bpu: set[str] = set()  # names of the layers some BPU layer reads
    for i, layer in enumerate(layers):
        bpu = on_bpu[i]
        if bpu:
            read_by_bpu.update(layer.after)
        for name in layer.after:
            j = index.get(name)
            if j is None:
                continue
            if bpu and on_bpu[j]:
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            elif bpu != on_bpu[j]:
                transfers += 1
    groups: dict[int, list[int]] = {}
    cpu_indices = []
    for i in range(len(layers)):
        if on_bpu[i]:
            groups.setdefault(find(i), []).append(i)
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


def subgraph_numbers(found: dict[str, Any]) -> dict[str, int]:
    """Layer name -> the BPU subgraph it belongs to, from partition()'s result."""
    return {name: subgraph["id"] for subgraph in found["subgraphs"] for name in subgraph["layers"]}


def find_root(parent: list[int], i: int) -> int:
    """Union-find: the root of i's set, halving the path on the way."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i
