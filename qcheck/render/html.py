"""`--format html`: one self-contained page (inline CSS and JS, no network) with the verdict, the
model graph coloured by status, a details panel per layer and a filterable layer table.

The graph is laid out by a kept graph-layout library, never by qcheck itself:

- Graphviz's ``dot`` (primary, when the ``dot`` program is on PATH): nested clusters for module
  groups, spline edge routes;
- ``grandalf`` (a pure-Python Sugiyama layout from PyPI: ``pip install grandalf``) when dot is
  absent or fails;
- neither: a simpler view (layers in one column in execution order) and the page says so.

``layout`` picks the engine: ``"auto"`` (dot, then grandalf), ``"dot"``, ``"grandalf"`` or
``"none"``; the CLI passes the environment variable ``QCHECK_HTML_LAYOUT`` (checked by
qcheck.options.read_environment before any work). The page reads
each report's optional ``partition`` ({"subgraphs": [{"id", "layers"}]}) to outline BPU subgraphs.

This module does not import rich or torch.
"""

from __future__ import annotations

import html
import json
import shutil
import subprocess
from importlib import resources
from typing import Any

from qcheck.options import HTML_LAYOUTS

ENGINES = HTML_LAYOUTS
# The fill and stroke of a layer box per status: the CSS is generated from this one table.
COLORS = {
    "pass": ("#d3f0da", "#2e7d32"),
    "warn": ("#ffe9a8", "#b7791f"),
    "fail": ("#f7b9b9", "#c62828"),
    "cpu": ("#dce6f2", "#4a6c94"),
}
NODE_W = 176  # layer box size in px (dot reads it as points: the layout is drawn 1 pt = 1 px)
NODE_H = 40
DOT_TIMEOUT = 120  # seconds; past it the next engine is tried


def render(reports, layout: str = "auto", boards: dict[str, str] | None = None, **_options) -> str:
    """The page for one report or a list of them (one per model, or one per march). `boards`:
    march -> board, from the rule set the reports were checked with (default: the shipped one)."""
    if not isinstance(reports, (list, tuple)):
        reports = [reports]
    if boards is None:
        from qcheck.rules import load_rules

        boards = load_rules().boards()
    if layout not in ENGINES:
        raise ValueError(f"layout must be one of {', '.join(ENGINES)}, not {layout!r}")
    layouts: list[dict[str, Any]] = []
    known: dict[Any, int] = {}  # the same graph (another march) is laid out once
    entries = []
    for report in reports:
        key = tuple((layer.name, layer.module_path, tuple(layer.after)) for layer in report.layers)
        if key not in known:
            known[key] = len(layouts)
            layouts.append(layout_graph(report.layers, layout))
        data = report.to_dict()
        data["board"] = boards.get(report.march, "")
        data["partition"] = _partition(report)
        data["layout"] = known[key]
        entries.append(data)
    payload = {"reports": entries, "layouts": layouts, "colors": COLORS}
    return _page(entries, layouts, payload)


def _partition(report) -> dict[str, Any] | None:
    partition = getattr(report, "partition", None)
    if not partition:
        return None
    if not isinstance(partition, dict):
        partition = getattr(partition, "to_dict", lambda: None)() or {}
    names = {layer.name for layer in report.layers}
    subgraphs = []
    for item in partition.get("subgraphs", []):
        layers = [name for name in item.get("layers", []) if name in names]
        if layers:
            subgraphs.append({"id": item.get("id", len(subgraphs)), "layers": layers})
    found: dict[str, Any] = {"subgraphs": subgraphs}
    if partition.get("verdict"):
        found["verdict"] = str(partition["verdict"])
    if partition.get("cuts"):
        found["cuts"] = [str(name) for name in partition["cuts"]]
    return found


# ----------------------------------------------------------------------------------------------
# Layout: module groups, then one of the engines. Every engine returns the same shape:
# {"engine", "note", "width", "height", "nodes": [{"name", "label", "group", "x", "y"}] (x, y: the
# top-left corner), "edges": [{"from", "to", "path": [x0, y0, x1, y1, ...]}] (cubic Bezier: a start
# point then three points per segment), "groups": [{"id", "path", "label", "parent", "members",
# "box": [x, y, w, h]}] outermost first}, in px, y down.


def module_groups(layers) -> list[dict[str, Any]]:
    """The collapsible module groups: every module path that holds two or more layers (of module
    paths holding the same layers, the deepest), nested, outermost first."""
    members: dict[str, list[str]] = {}
    for layer in layers:
        path = layer.module_path
        if not path:
            continue
        parts = path.split(".")
        for depth in range(1, len(parts) + 1):
            members.setdefault(".".join(parts[:depth]), []).append(layer.name)
    everything = len(layers)
    by_set: dict[tuple[str, ...], str] = {}
    for path, names in members.items():
        if len(names) < 2 or len(names) == everything:
            continue
        key = tuple(names)
        if key not in by_set or len(path) > len(by_set[key]):
            by_set[key] = path
    kept = sorted(by_set.values(), key=lambda p: (p.count("."), p))
    groups = [{"id": f"g{number}", "path": path, "members": members[path]} for number, path in enumerate(kept)]
    _nest(groups)
    return groups


def _nest(groups) -> None:
    """Parent, depth and label of each group (outermost first), from the module paths."""
    index: dict[str, dict[str, Any]] = {}
    for group in groups:
        path = group["path"]
        parent = None
        prefix = path
        while "." in prefix and parent is None:
            prefix = prefix.rsplit(".", 1)[0]
            parent = index.get(prefix)
        label = path[len(parent["path"]) + 1:] if parent else path
        if parent and label.split(".")[0].isdigit():
            label = f"{parent['path'].rsplit('.', 1)[-1]}.{label}"
        group.update(label=label, parent=parent["id"] if parent else None,
                     depth=parent["depth"] + 1 if parent else 0)
        index[path] = group


def _innermost(layers, groups) -> dict[str, dict[str, Any] | None]:
    found: dict[str, dict[str, Any] | None] = {layer.name: None for layer in layers}
    for group in groups:  # outermost first: deeper groups overwrite
        for name in group["members"]:
            found[name] = group
    return found


def _node_label(layer, group) -> str:
    """The layer's name inside its group ("conv1" in group "layer1.0"); the op's for the group's
    own op ("add" for the residual add of "layer1.0")."""
    name = layer.name
    if group and name.startswith(group["path"]):
        name = name[len(group["path"]):].lstrip(".:") or layer.op.split("::")[-1].rsplit(".", 1)[-1]
    return name


def layout_graph(layers, engine: str = "auto") -> dict[str, Any]:
    """Lay the layers out top to bottom with the first available engine of `engine`."""
    if not layers:
        return {"engine": "none", "note": "No layer to draw.", "width": NODE_W, "height": NODE_H,
                "nodes": [], "edges": [], "groups": [], "node_w": NODE_W, "node_h": NODE_H}
    groups = module_groups(layers)
    inner = _innermost(layers, groups)
    names = {layer.name for layer in layers}
    edges = [(source, layer.name) for layer in layers for source in layer.after if source in names]
    notes = []
    result = None
    if engine in ("auto", "dot"):
        result, why = _dot_layout(layers, edges, groups, inner)
        if result is None:
            notes.append(why)
    if result is None and engine in ("auto", "grandalf"):
        result, why = _grandalf_layout(layers, edges, groups)
        if result is None:
            notes.append(why)
    if result is None:
        result = _column_layout(layers, edges, groups, inner)
        notes = notes or ["the layout library was turned off"]
        result["note"] = ("Simpler view: " + "; ".join(notes) +
                          ". Layers are shown in one column in execution order. Install Graphviz "
                          "(the dot program) or `pip install grandalf` for the graph layout.")
    elif notes:
        result["note"] = f"{result['note']} ({'; '.join(notes)})"
    if not result.pop("clustered", False):
        groups = _boxed_groups(result, groups)
        inner = _innermost(layers, groups)
    for node in result["nodes"]:
        node["label"] = _node_label(layers[node["index"]], inner[node["name"]])
        node["group"] = inner[node["name"]]["id"] if inner[node["name"]] else None
        del node["index"]
    result["groups"] = groups
    result["node_w"], result["node_h"] = NODE_W, NODE_H
    return result


def _round(values) -> list[float]:
    return [round(v, 1) for v in values]


# --- Graphviz dot --------------------------------------------------------------------------------

_DOT_VERSION: dict[str, str] = {}


def _dot_program() -> str | None:
    return shutil.which("dot")


def _dot_version(program: str) -> str:
    if program not in _DOT_VERSION:
        try:
            out = subprocess.run([program, "-V"], capture_output=True, text=True, timeout=10)
            text = (out.stderr or out.stdout).strip()
            _DOT_VERSION[program] = text.split("version", 1)[-1].split("(")[0].strip() if text else ""
        except (OSError, subprocess.SubprocessError):
            _DOT_VERSION[program] = ""
    return _DOT_VERSION[program]


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_source(layers, edges, groups, inner, clusters: bool) -> str:
    ids = {layer.name: f"n{i}" for i, layer in enumerate(layers)}
    lines = ["digraph qcheck {",
             "graph [rankdir=TB, newrank=true, nodesep=0.22, ranksep=0.32, fontname=Helvetica, fontsize=11];",
             f"node [shape=box, fixedsize=true, label=\"\", width={NODE_W / 72:.4f}, "
             f"height={NODE_H / 72:.4f}];"]
    children: dict[str | None, list[dict[str, Any]]] = {}
    for group in groups:
        children.setdefault(group["parent"], []).append(group)
    direct: dict[str | None, list[str]] = {}
    for layer in layers:
        group = inner[layer.name] if clusters else None
        direct.setdefault(group["id"] if group else None, []).append(ids[layer.name])

    def emit(group_id: str | None, indent: str) -> None:
        for node in direct.get(group_id, []):
            lines.append(f"{indent}{node};")
        if not clusters:
            return
        for group in children.get(group_id, []):
            lines.append(f"{indent}subgraph cluster_{group['id']} {{")
            lines.append(f"{indent}  label={_dot_quote('▾ ' + group['label'])}; labelloc=t; "
                         f"labeljust=l; margin=10;")
            emit(group["id"], indent + "  ")
            lines.append(f"{indent}}}")

    emit(None, "")
    for source, target in edges:
        lines.append(f"{ids[source]} -> {ids[target]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_layout(layers, edges, groups, inner) -> tuple[dict[str, Any] | None, str]:
    program = _dot_program()
    if program is None:
        return None, "Graphviz's dot program was not found"
    why = ""
    for clusters in (True, False) if groups else (False,):
        source = _dot_source(layers, edges, groups, inner, clusters)
        try:
            done = subprocess.run([program, "-Tjson0"], input=source, capture_output=True, text=True,
                                  timeout=DOT_TIMEOUT)
        except subprocess.TimeoutExpired:
            why = f"Graphviz's dot took more than {DOT_TIMEOUT} s"
            continue
        except OSError as error:
            return None, f"Graphviz's dot could not run ({error.strerror})"
        if done.returncode != 0:
            why = "Graphviz's dot failed: " + (done.stderr.strip().splitlines() or ["no message"])[-1]
            continue
        try:
            result = _read_dot_json(json.loads(done.stdout), layers, groups if clusters else [])
        except (ValueError, KeyError, IndexError) as error:
            why = f"Graphviz's dot output could not be read ({error})"
            continue
        version = _dot_version(program)
        result["engine"] = "dot"
        result["note"] = f"Laid out by Graphviz dot {version}".rstrip() + (
            "" if clusters or not groups else ", without module groups (dot failed with them)")
        result["clustered"] = clusters
        return result, ""
    return None, why


def _floats(text: str) -> list[float]:
    return [float(v) for v in text.split(",")]


def _read_dot_json(data: dict[str, Any], layers, groups) -> dict[str, Any]:
    x0, y0, x1, y1 = _floats(data["bb"])
    height = y1 - y0

    def flip(x: float, y: float) -> tuple[float, float]:
        return x - x0, height - (y - y0)

    by_id = {f"n{i}": i for i in range(len(layers))}
    gvid = {}
    nodes = []
    boxes = {}
    for item in data.get("objects", []):
        name = item.get("name", "")
        if name.startswith("cluster_"):
            bx0, by0, bx1, by1 = _floats(item["bb"])
            left, top = flip(bx0, by1)
            boxes[name[len("cluster_"):]] = _round([left, top, bx1 - bx0, by1 - by0])
        elif name in by_id:
            x, y = flip(*_floats(item["pos"]))
            index = by_id[name]
            gvid[item["_gvid"]] = layers[index].name
            nodes.append({"name": layers[index].name, "index": index,
                          "x": round(x - NODE_W / 2, 1), "y": round(y - NODE_H / 2, 1)})
    edges = []
    for item in data.get("edges", []):
        spline = item["pos"].split(";")[0].split()
        end = None
        points = []
        for token in spline:
            if token.startswith("e,"):
                end = flip(*_floats(token[2:]))
            elif token.startswith("s,"):
                continue
            else:
                points.extend(flip(*_floats(token)))
        if end is not None:  # the arrow's tip: one more straight segment
            last = points[-2:]
            points.extend(_segment(last, end))
        edges.append({"from": gvid[item["tail"]], "to": gvid[item["head"]], "path": _round(points)})
    nodes.sort(key=lambda n: n["index"])
    result = {"width": round(x1 - x0, 1), "height": round(height, 1), "nodes": nodes, "edges": edges}
    for group in groups:
        group["box"] = boxes.get(group["id"])
    return result


def _segment(start, end) -> list[float]:
    """The three control points of a straight cubic segment from start to end."""
    (ax, ay), (bx, by) = start, end
    return [ax + (bx - ax) / 3, ay + (by - ay) / 3, ax + 2 * (bx - ax) / 3, ay + 2 * (by - ay) / 3, bx, by]


# --- grandalf ------------------------------------------------------------------------------------

def _grandalf_layout(layers, edges, groups) -> tuple[dict[str, Any] | None, str]:
    try:
        from grandalf.graphs import Edge, Graph, Vertex
        from grandalf.layouts import SugiyamaLayout
        from grandalf.routing import EdgeViewer, route_with_lines
    except ImportError:
        return None, "grandalf is not installed"

    class _View:
        w, h = NODE_W, NODE_H
        xy = (0.0, 0.0)

    vertices = {layer.name: Vertex(i) for i, layer in enumerate(layers)}
    for vertex in vertices.values():
        vertex.view = _View()
    links = [Edge(vertices[a], vertices[b]) for a, b in edges]
    for link in links:
        link.view = EdgeViewer()
    graph = Graph(list(vertices.values()), links)
    offset = 0.0
    placed: dict[int, tuple[float, float]] = {}
    routes: dict[int, list[tuple[float, float]]] = {}
    try:
        # Components side by side, in order of their first layer.
        for component in sorted(graph.C, key=lambda c: min(v.data for v in c.sV)):
            sugiyama = SugiyamaLayout(component)
            sugiyama.xspace, sugiyama.yspace = 24, 34
            sugiyama.route_edge = route_with_lines
            sugiyama.init_all(roots=[v for v in component.sV if not v.e_in()] or None)
            sugiyama.draw()
            xs = [v.view.xy[0] for v in component.sV]
            left = min(xs) - NODE_W / 2
            for vertex in component.sV:
                placed[vertex.data] = (vertex.view.xy[0] - left + offset, vertex.view.xy[1])
            for link in component.sE:
                route = getattr(link.view, "_pts", None) or [link.v[0].view.xy, link.v[1].view.xy]
                routes[id(link)] = [(x - left + offset, y) for x, y in route]
            offset += max(xs) - left + NODE_W / 2 + 40
    except Exception as error:  # noqa: BLE001 - a layout library's bug must not lose the report
        return None, f"grandalf failed ({type(error).__name__}: {error})"
    top = min(y for _, y in placed.values()) - NODE_H / 2 - 12
    bottom = max(y for _, y in placed.values()) + NODE_H / 2 + 12
    # grandalf's y may grow upwards or downwards: the first layer goes on top.
    first = placed[0][1] if placed else 0
    last = placed[len(layers) - 1][1] if placed else 0
    flip = last < first

    def y_of(y: float) -> float:
        return (bottom - y) if flip else (y - top)

    nodes = [{"name": layer.name, "index": i, "x": round(placed[i][0] + 12 - NODE_W / 2, 1),
              "y": round(y_of(placed[i][1]) - NODE_H / 2, 1)} for i, layer in enumerate(layers)]
    out_edges = []
    for link, (a, b) in zip(links, edges):
        route = [(x + 12, y_of(y)) for x, y in routes.get(id(link), [])]
        if len(route) < 2:
            continue
        points = list(route[0])
        for start, end in zip(route, route[1:]):
            points.extend(_segment(start, end))
        out_edges.append({"from": a, "to": b, "path": _round(points)})
    width = offset - 40 + 24 if placed else NODE_W
    result = {"width": round(width, 1), "height": round(bottom - top, 1), "nodes": nodes,
              "edges": out_edges, "engine": "grandalf"}
    try:
        from importlib.metadata import version

        result["note"] = f"Laid out by grandalf {version('grandalf')}"
    except Exception:  # noqa: BLE001
        result["note"] = "Laid out by grandalf"
    return result, ""


# --- the simpler view ----------------------------------------------------------------------------

def _column_layout(layers, edges, groups, inner) -> dict[str, Any]:
    """No layout library: one column in execution order, indented by module depth, room left for
    the group titles, edges that skip layers drawn as arcs on the right. Not a layout algorithm:
    the order is the report's."""
    chains: list[list[str]] = []
    by_id = {g["id"]: g for g in groups}
    for layer in layers:
        chain = []
        group = inner[layer.name]
        while group is not None:
            chain.insert(0, group["id"])
            group = by_id.get(group["parent"])
        chains.append(chain)
    nodes = []
    position = {}
    y = 12.0
    previous: list[str] = []
    for i, layer in enumerate(layers):
        chain = chains[i]
        common = 0
        while common < min(len(chain), len(previous)) and chain[common] == previous[common]:
            common += 1
        if i:
            y += NODE_H + 14 + (len(previous) - common) * _PAD
        y += (len(chain) - common) * (_PAD + _HEAD)
        x = 12 + (_PAD + 6) * len(chain)
        nodes.append({"name": layer.name, "index": i, "x": x, "y": round(y, 1)})
        position[layer.name] = (x, y, i)
        previous = chain
    y += NODE_H + len(previous) * _PAD + 12
    right = 12 + (_PAD + 6) * max((len(c) for c in chains), default=0) + NODE_W + 24
    out_edges = []
    for a, b in edges:
        ax, ay, ai = position[a]
        bx, by, bi = position[b]
        if bi == ai + 1:
            start, end = (ax + NODE_W / 2, ay + NODE_H), (bx + NODE_W / 2, by)
            points = [*start, *_segment(start, end)]
        else:
            bend = right + min(200, 8 * abs(bi - ai))
            points = [ax + NODE_W, ay + NODE_H / 2, bend, ay + NODE_H / 2, bend, by + NODE_H / 2,
                      bx + NODE_W, by + NODE_H / 2]
        out_edges.append({"from": a, "to": b, "path": _round(points)})
    return {"width": right + 220, "height": round(y, 1), "nodes": nodes, "edges": out_edges, "engine": "none"}


_PAD, _HEAD = 6, 16  # group frame padding and title room, for engines that know no clusters


def _boxed_groups(result: dict[str, Any], groups) -> list[dict[str, Any]]:
    """Frames for the module groups where the engine knew no clusters: a group is kept when the
    box around its members holds no other layer and crosses no kept group; boxes nest."""
    where = {node["name"]: node for node in result["nodes"]}

    def around(names) -> list[float] | None:
        spans = [(where[n]["x"], where[n]["y"]) for n in names if n in where]
        if not spans:
            return None
        left, top = min(x for x, _ in spans), min(y for _, y in spans)
        right, bottom = max(x for x, _ in spans) + NODE_W, max(y for _, y in spans) + NODE_H
        return [left - _PAD, top - _PAD - _HEAD, right + _PAD, bottom + _PAD]

    def overlap(a, b) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    def inside(a, b) -> bool:
        return a[0] >= b[0] and a[1] >= b[1] and a[2] <= b[2] and a[3] <= b[3]

    kept: list[dict[str, Any]] = []
    for group in groups:  # outermost first
        box = around(group["members"])
        if box is None:
            continue
        members = set(group["members"])
        if any(overlap(box, [n["x"], n["y"], n["x"] + NODE_W, n["y"] + NODE_H])
               for n in result["nodes"] if n["name"] not in members):
            continue
        if any(overlap(box, other["_tight"]) and not inside(box, other["_tight"]) for other in kept):
            continue
        kept.append({**group, "_tight": box})
    kept = [{k: v for k, v in g.items() if k not in ("_tight", "box")} for g in kept]
    nodes = sorted(([n["y"], n["x"], n["name"]] for n in result["nodes"]), key=lambda n: n[0])
    tops = [n[0] for n in nodes]
    while True:
        _nest(kept)
        boxes = _nested_boxes(kept, around)
        crowded = [g for g in kept if _crowded(g, boxes, kept, nodes, tops, overlap, inside)]
        if not crowded:
            break
        # Nested frames grew into a neighbour: drop the deepest group under each crowded one.
        drop = set()
        for bad in crowded:
            under = [g for g in kept if g["path"] == bad["path"] or g["path"].startswith(bad["path"] + ".")]
            drop.add(max(under, key=lambda g: (g["path"].count("."), g["path"]))["id"])
        kept = [g for g in kept if g["id"] not in drop]
    for group in kept:
        x0, y0, x1, y1 = boxes[group["id"]]
        group["box"] = _round([x0, y0, x1 - x0, y1 - y0])
    _make_room(result, kept)
    return kept


def _nested_boxes(groups, around) -> dict[str, list[float]]:
    boxes: dict[str, list[float]] = {}
    children: dict[str, list[dict[str, Any]]] = {}
    for group in groups:
        children.setdefault(group["parent"], []).append(group)
    for group in sorted(groups, key=lambda g: -g["depth"]):  # innermost first: parents hold children
        box = around(group["members"])
        for child in children.get(group["id"], []):
            if child["id"] in boxes:
                c = boxes[child["id"]]
                box = [min(box[0], c[0] - _PAD), min(box[1], c[1] - _PAD - _HEAD),
                       max(box[2], c[2] + _PAD), max(box[3], c[3] + _PAD)]
        boxes[group["id"]] = box
    return boxes


def _crowded(group, boxes, groups, nodes, tops, overlap, inside) -> bool:
    """Does the group's box hold a layer that is not its own, or cross another group's box?"""
    import bisect

    box = boxes[group["id"]]
    members = set(group["members"])
    first = bisect.bisect_left(tops, box[1] - NODE_H)
    last = bisect.bisect_right(tops, box[3])
    if any(overlap(box, [x, y, x + NODE_W, y + NODE_H]) for y, x, name in nodes[first:last]
           if name not in members):
        return True
    return any(overlap(box, boxes[o["id"]]) and not inside(box, boxes[o["id"]])
               and not inside(boxes[o["id"]], box) for o in groups if o is not group)


def _make_room(result: dict[str, Any], groups) -> None:
    """Shift the drawing so that every group box lies inside it."""
    boxes = [g["box"] for g in groups if g.get("box")]
    if not boxes:
        return
    dx = max(0.0, 4 - min(b[0] for b in boxes))
    dy = max(0.0, 4 - min(b[1] for b in boxes))
    if dx or dy:
        for node in result["nodes"]:
            node["x"], node["y"] = round(node["x"] + dx, 1), round(node["y"] + dy, 1)
        for edge in result["edges"]:
            edge["path"] = _round(v + (dx if i % 2 == 0 else dy) for i, v in enumerate(edge["path"]))
        for group in groups:
            if group.get("box"):
                group["box"] = _round([group["box"][0] + dx, group["box"][1] + dy, *group["box"][2:]])
    result["width"] = round(max(result["width"] + dx, max(b[0] + b[2] for b in boxes) + 4), 1)
    result["height"] = round(max(result["height"] + dy, max(b[1] + b[3] for b in boxes) + 4), 1)


# ----------------------------------------------------------------------------------------------
# The page


def _asset(name: str) -> str:
    return resources.files("qcheck.render").joinpath("html_assets", name).read_text(encoding="utf-8")


def _css() -> str:
    rules = []
    for status, (fill, stroke) in COLORS.items():
        rules.append(f".node.{status} rect.box{{fill:{fill};stroke:{stroke}}}"
                     f".gbox.{status} rect.box{{fill:{fill};stroke:{stroke}}}"
                     f".badge.{status},.chip.{status}{{background:{fill};border-color:{stroke};color:#111}}")
    return _asset("report.css") + "\n" + "\n".join(rules) + "\n"


def _json_script(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # Inside <script>: no "</" may close it early, no "<!--" may open a comment.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _tensors(items: list[dict[str, Any]]) -> str:
    parts = []
    for item in items:
        shape = "×".join(str(d) for d in item["shape"]) if item["shape"] is not None else "?"
        parts.append(f"{shape} {item['dtype'] or '?'}")
    return ", ".join(parts) or "–"


def _summary_line(summary: dict[str, int]) -> str:
    chips = "".join(f'<span class="chip {s}">{summary[s]} {s}</span>' for s in ("pass", "warn", "fail", "cpu"))
    return f'<span class="count">{summary["layers"]} layers</span> {chips}'


def _page(entries, layouts, payload) -> str:
    models = sorted({entry["model"] for entry in entries})
    title = "qcheck report · " + ", ".join(models)
    version = entries[0]["qcheck_version"] if entries else ""
    cards = []
    for i, entry in enumerate(entries):
        cards.append(
            f'<button class="card{" active" if i == 0 else ""}" data-report="{i}" type="button">'
            f'<span class="march">{_e(entry["march"])}</span> <span class="board">{_e(entry["board"])}</span>'
            f'<span class="badge {entry["verdict"]}">{entry["verdict"].upper()}</span>'
            + (f'<span class="model">{_e(entry["model"])}</span>' if len(models) > 1 else "")
            + f'<span class="line">{_summary_line(entry["summary"])}</span></button>')
    panels = [_panel(i, entry, layouts[entry["layout"]]) for i, entry in enumerate(entries)]
    overall = "fail" if any(e["verdict"] == "fail" for e in entries) else (
        "warn" if any(e["verdict"] == "warn" for e in entries) else "pass")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<meta name=\"generator\" content=\"qcheck {_e(version)}\">\n"
        f"<title>{_e(title)}</title>\n<style>\n{_css()}</style>\n</head>\n<body>\n"
        f"<header><h1>qcheck <span class=\"sub\">{_e(', '.join(models))}</span></h1>"
        f"<span class=\"badge big {overall}\" id=\"overall\">{overall.upper()}</span>"
        f"<span class=\"meta\">qcheck {_e(version)} · Horizon BPU operator-support table</span></header>\n"
        + (f"<nav class=\"cards\" aria-label=\"reports\">{''.join(cards)}</nav>\n" if len(entries) > 1 else "")
        + "\n".join(panels)
        + f"\n<script id=\"qcheck-data\" type=\"application/json\">{_json_script(payload)}</script>\n"
        f"<script>\n{_asset('report.js')}</script>\n</body>\n</html>\n"
    )


def _judged_as(layer: dict[str, Any]) -> str:
    """Under a composite layer's op: the table rows it was judged as."""
    from qcheck.render import judged_as

    text = judged_as(layer) if layer.get("judged_as") else ""
    return f'<div class="dim judged">{_e(text)}</div>' if text else ""


def _panel(i: int, entry: dict[str, Any], layout: dict[str, Any]) -> str:
    rows = []
    for n, layer in enumerate(entry["layers"]):
        findings = []
        for f in layer["findings"]:
            advice = f'<div class="advice">→ {_e(f["advice"])}</div>' if f.get("advice") else ""
            findings.append(f'<div class="finding {f["severity"]}"><code>{_e(f["rule"])}</code> '
                            f'{_e(f["message"])}{advice}</div>')
        rows.append(
            f'<tr data-name="{_e(layer["name"])}" data-status="{layer["status"]}" data-op="{_e(layer["op"])}">'
            f'<td class="num">{n + 1}</td><td class="name"><a href="#" class="pick">{_e(layer["name"])}</a></td>'
            f'<td><code>{_e(layer["op"])}</code>{_judged_as(layer)}</td>'
            f'<td><span class="badge {layer["status"]}">{layer["status"]}</span></td>'
            f'<td class="shapes">{_e(_tensors(layer["inputs"]))} → {_e(_tensors(layer["outputs"]))}</td>'
            f'<td>{"".join(findings)}</td><td class="src">{_e(layer["source"] or "")}</td></tr>')
    ops: dict[str, int] = {}
    for layer in entry["layers"]:
        ops[layer["op"]] = ops.get(layer["op"], 0) + 1
    options = "".join(f'<option value="{_e(op)}">{_e(op)} ({count})</option>' for op, count in sorted(ops.items()))
    summary = entry["summary"]
    boxes = "".join(
        f'<label class="chip {s}"><input type="checkbox" class="status-filter" value="{s}" checked> '
        f'{s} ({summary[s]})</label>' for s in ("pass", "warn", "fail", "cpu"))
    notes = "".join(f'<li>{_e(note)}</li>' for note in entry["notes"])
    partition = entry["partition"]
    partition_line = ""
    if partition is not None:
        count = len(partition["subgraphs"])
        said = partition.get("verdict") or f'{count} BPU subgraph{"s" if count != 1 else ""}'
        cuts = f'; CPU layers cutting it: {", ".join(partition["cuts"])}' if partition.get("cuts") else ""
        partition_line = f'<li class="partition">partition: {_e(said)}{_e(cuts)} (outlined in the graph)</li>'

    nodes = entry["nodes"]
    node_line = (f'{nodes.get("total", 0)} graph nodes: {nodes.get("operator", 0)} in table rows, '
                 f'{nodes.get("structural", 0)} structural, {nodes.get("unknown", 0)} unknown')
    engine = layout.get("engine", "none")
    return f"""<section class="report{' active' if i == 0 else ''}" id="report-{i}" data-report="{i}">
<h2><span class="badge {entry['verdict']}">{entry['verdict'].upper()}</span> {_e(entry['model'])} on
<b>{_e(entry['march'])}</b> <span class="board">{_e(entry['board'])}</span></h2>
<p class="summary">{_summary_line(summary)} <span class="dim">· {_e(node_line)}</span>
{f'<span class="dim">· {entry["ignored"]} findings ignored by settings</span>' if entry.get('ignored') else ''}</p>
<ul class="notes">{notes}{partition_line}</ul>
<div class="viewer">
<div class="toolbar">
<button type="button" data-act="fit" title="Fit the whole graph">Fit</button>
<button type="button" data-act="in" title="Zoom in">+</button>
<button type="button" data-act="out" title="Zoom out">−</button>
<button type="button" data-act="expand" title="Expand every module group">Expand all</button>
<button type="button" data-act="collapse" title="Collapse every module group">Collapse all</button>
<button type="button" data-act="next-fail" title="Go to the next failing layer">Next failure</button>
<span class="legend">{''.join(f'<span class="chip {s}">{s}</span>' for s in ('pass', 'warn', 'fail', 'cpu'))}</span>
<span class="layout-note engine-{_e(engine)}">{_e(layout.get('note', ''))}</span>
</div>
<div class="stage">
<svg class="graph" role="img" aria-label="model graph"><g class="scene"></g></svg>
<aside class="details"><p class="dim">Click a layer to see its op, shapes, dtypes and findings.
Drag to pan, wheel to zoom, click a group's title to collapse it.</p></aside>
</div>
<noscript><p>The graph needs JavaScript; the layer table below does not.</p></noscript>
</div>
<h3>Layers</h3>
<div class="filters">{boxes}
<label>op <select class="op-filter"><option value="">all ops</option>{options}</select></label>
<label>name <input type="search" class="name-filter" placeholder="filter layers"></label>
<span class="shown dim"></span></div>
<table class="layers"><thead><tr><th>#</th><th>layer</th><th>op</th><th>status</th><th>in → out</th>
<th>findings</th><th>source</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</section>"""
