/* qcheck HTML report: draws the laid-out graph (coordinates come from Graphviz dot or grandalf,
   computed by qcheck/render/html.py), module groups that collapse, zoom and pan, the details of a
   layer, and the layer table's filters. No network, no libraries. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("qcheck-data").textContent);
  var firstSvg = document.querySelector("svg.graph");
  if (!firstSvg || !DATA.reports.length) return;
  var SVGNS = firstSvg.namespaceURI; // the SVG namespace, read from the page rather than written out
  var HEAD = 44; // height of a collapsed module group's box
  var STATUS_ORDER = ["fail", "warn", "pass", "cpu"];
  var views = {};
  var current = 0;

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVGNS, name);
    for (var key in attrs) if (attrs[key] !== undefined && attrs[key] !== null) node.setAttribute(key, attrs[key]);
    if (parent) parent.appendChild(node);
    return node;
  }
  function esc(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function clipStart(text, n) { return text.length > n ? "\u2026" + text.slice(text.length - n + 1) : text; }
  function clipEnd(text, n) { return text.length > n ? text.slice(0, n - 1) + "\u2026" : text; }
  function shape(t) { return (t.shape ? t.shape.join("\u00d7") : "?") + " " + (t.dtype || "?"); }
  function shortOp(op) {
    var tail = op.split("::").pop().split(".");
    return tail[tail.length - 1] === "Tensor" || /^[a-z_]+$/.test(tail[tail.length - 1]) && tail.length > 1
      ? tail.slice(-2).join(".") : tail[tail.length - 1];
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function worst(counts) {
    if (counts.fail) return "fail";
    if (counts.warn) return "warn";
    if (counts.pass) return "pass";
    return counts.cpu ? "cpu" : "pass";
  }

  function View(index) {
    var self = this;
    this.index = index;
    this.report = DATA.reports[index];
    this.layout = DATA.layouts[this.report.layout];
    this.W = this.layout.node_w;
    this.H = this.layout.node_h;
    this.section = document.getElementById("report-" + index);
    this.svg = this.section.querySelector("svg.graph");
    this.scene = this.svg.querySelector("g.scene");
    this.details = this.section.querySelector(".details");
    this.layers = {};
    this.report.layers.forEach(function (l) { self.layers[l.name] = l; });
    this.nodes = {};
    this.layout.nodes.forEach(function (n) { self.nodes[n.name] = n; });
    this.groups = {};
    this.layout.groups.forEach(function (g) { self.groups[g.id] = g; });
    this.chain = {}; // layer -> its groups, outermost first
    this.layout.nodes.forEach(function (n) {
      var chain = [];
      for (var g = n.group; g; g = self.groups[g].parent) chain.unshift(g);
      self.chain[n.name] = chain;
    });
    this.groupChain = {};
    this.layout.groups.forEach(function (g) {
      var chain = [];
      for (var p = g.parent; p; p = self.groups[p].parent) chain.unshift(p);
      self.groupChain[g.id] = chain;
      g.counts = { pass: 0, warn: 0, fail: 0, cpu: 0 };
      g.members.forEach(function (name) { if (self.layers[name]) g.counts[self.layers[name].status] += 1; });
    });
    this.succ = {};
    this.report.layers.forEach(function (l) {
      l.after.forEach(function (a) { (self.succ[a] = self.succ[a] || []).push(l.name); });
    });
    this.subgraphOf = {};
    var partition = this.report.partition;
    if (partition) partition.subgraphs.forEach(function (s) {
      s.layers.forEach(function (name) { self.subgraphOf[name] = s.id; });
    });
    this.rows = {};
    this.section.querySelectorAll("table.layers tbody tr").forEach(function (tr) { self.rows[tr.dataset.name] = tr; });
    this.collapsed = this.initialCollapse();
    this.k = 1; this.tx = 0; this.ty = 0;
    this.selected = null;
    this.failIndex = -1;
    this.defs();
    this.draw();
    this.home();
    this.bind();
  }

  View.prototype.initialCollapse = function () {
    var set = new Set();
    var layers = this.layout.nodes.length;
    if (layers <= 150 || !this.layout.groups.length) return set;
    var self = this;
    var maxDepth = Math.max.apply(null, this.layout.groups.map(function (g) { return g.depth; }));
    var chosen = 0;
    for (var d = 0; d <= maxDepth; d++) {
      var count = this.layout.groups.filter(function (g) { return g.depth === d; }).length;
      this.layout.nodes.forEach(function (n) { if (self.chain[n.name].length <= d) count += 1; });
      if (count <= 120) chosen = d; else break;
    }
    this.layout.groups.forEach(function (g) { if (g.depth >= chosen) set.add(g.id); });
    return set;
  };

  View.prototype.defs = function () {
    var defs = el("defs", {}, this.svg);
    var marker = el("marker", { id: "arrow-" + this.index, viewBox: "0 0 10 10", refX: "9", refY: "5",
      markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" }, defs);
    el("path", { d: "M0,1 L10,5 L0,9 z", fill: "#8f99a3" }, marker);
    this.svg.insertBefore(defs, this.scene);
  };

  // The outermost collapsed group holding a layer (or a group), else null.
  View.prototype.hiddenBy = function (chain) {
    for (var i = 0; i < chain.length; i++) if (this.collapsed.has(chain[i])) return chain[i];
    return null;
  };

  // Collapsed groups shrink to HEAD px; where nothing else shares their rows, what lies below
  // moves up (a piecewise linear map of y). Groups that share rows with others collapse in place.
  View.prototype.computeBands = function () {
    var self = this;
    var shown = this.layout.groups.filter(function (g) {
      return g.box && self.collapsed.has(g.id) && !self.hiddenBy(self.groupChain[g.id]);
    });
    var bands = [];
    shown.forEach(function (g) {
      var top = g.box[1], bottom = g.box[1] + g.box[3];
      var inside = new Set(g.members);
      var alone = self.layout.nodes.every(function (n) {
        return inside.has(n.name) || n.y + self.H <= top || n.y >= bottom;
      }) && self.layout.groups.every(function (o) {
        if (!o.box || o.id === g.id || self.groupChain[g.id].indexOf(o.id) >= 0 ||
            self.groupChain[o.id].indexOf(g.id) >= 0) return true;
        return o.box[1] + o.box[3] <= top || o.box[1] >= bottom;
      });
      if (alone && bottom - top > HEAD) bands.push({ top: top, bottom: bottom });
    });
    bands.sort(function (a, b) { return a.top - b.top; });
    this.bands = bands;
    this.collapsedShown = shown;
  };

  View.prototype.y = function (y) {
    var shift = 0;
    for (var i = 0; i < this.bands.length; i++) {
      var b = this.bands[i];
      if (y <= b.top) break;
      if (y >= b.bottom) { shift += b.bottom - b.top - HEAD; continue; }
      return b.top - shift + (y - b.top) * HEAD / (b.bottom - b.top);
    }
    return y - shift;
  };

  // Where a visible thing is drawn: {x, y, w, h} for a layer or a collapsed group.
  View.prototype.place = function (id) {
    var n = this.nodes[id];
    if (n) return { x: n.x, y: this.y(n.y), w: this.W, h: this.H };
    var g = this.groups[id];
    return { x: g.box[0], y: this.y(g.box[1]), w: g.box[2], h: HEAD };
  };

  View.prototype.draw = function () {
    var self = this;
    while (this.scene.firstChild) this.scene.removeChild(this.scene.firstChild);
    this.computeBands();
    this.elements = {};
    var clusters = el("g", { "class": "clusters" }, this.scene);
    var outlines = el("g", { "class": "subgraphs" }, this.scene);
    var edges = el("g", { "class": "edges" }, this.scene);
    var boxes = el("g", { "class": "nodes" }, this.scene);
    // expanded groups: a frame and a title that collapses them
    this.layout.groups.forEach(function (g) {
      if (!g.box || self.collapsed.has(g.id) || self.hiddenBy(self.groupChain[g.id])) return;
      var top = self.y(g.box[1]), bottom = self.y(g.box[1] + g.box[3]);
      var frame = el("g", { "class": "cluster", "data-group": g.id }, clusters);
      el("rect", { "class": "frame", x: g.box[0], y: top, width: g.box[2], height: bottom - top, rx: 6 }, frame);
      var title = el("text", { "class": "title", x: g.box[0] + 7, y: top + 14 }, frame);
      var bad = g.counts.fail ? "  \u2716 " + g.counts.fail : "";
      title.textContent = "\u25be " + clipEnd(g.label, Math.max(8, Math.floor(g.box[2] / 6.6) - 6)) + bad;
      el("title", {}, title).textContent = g.path + " \u2014 click to collapse";
      title.addEventListener("click", function (e) { e.stopPropagation(); if (!self.dragged) self.toggle(g.id); });
    });
    // layers and collapsed groups
    var rep = {};
    this.layout.nodes.forEach(function (n) {
      var hidden = self.hiddenBy(self.chain[n.name]);
      rep[n.name] = hidden || n.name;
      if (hidden) return;
      var layer = self.layers[n.name];
      var p = self.place(n.name);
      var g = el("g", { "class": "node " + layer.status, "data-name": n.name,
        transform: "translate(" + p.x + "," + p.y + ")" }, boxes);
      el("rect", { "class": "box", width: self.W, height: self.H, rx: 5 }, g);
      var name = el("text", { x: 8, y: 16 }, g);
      name.textContent = clipStart(n.label || n.name, 27);
      var detail = el("text", { "class": "op", x: 8, y: 31 }, g);
      var out = layer.outputs.length ? " \u00b7 " + shape(layer.outputs[0]).split(" ")[0] : "";
      detail.textContent = clipEnd(shortOp(layer.op) + out, 30);
      el("title", {}, g).textContent = n.name + "\n" + layer.op + " \u2014 " + layer.status +
        (layer.findings.length ? "\n" + layer.findings.map(function (f) { return f.rule; }).join("\n") : "");
      g.addEventListener("click", function () { if (!self.dragged) self.select(n.name, false); });
      self.elements[n.name] = g;
    });
    this.collapsedShown.forEach(function (grp) {
      var p = self.place(grp.id);
      var status = worst(grp.counts);
      var g = el("g", { "class": "gbox " + status, "data-group": grp.id,
        transform: "translate(" + p.x + "," + p.y + ")" }, boxes);
      el("rect", { "class": "box", width: p.w, height: p.h, rx: 7 }, g);
      var line = el("text", { x: 9, y: 17, "font-weight": "700" }, g);
      line.textContent = "\u25b8 " + clipEnd(grp.label, Math.max(8, Math.floor(p.w / 6.8) - 3));
      var total = grp.members.length;
      var parts = [plural(total, "layer")];
      STATUS_ORDER.forEach(function (s) { if (grp.counts[s] && s !== "pass") parts.push(grp.counts[s] + " " + s); });
      var sub = el("text", { x: 9, y: 34 }, g);
      sub.textContent = clipEnd(parts.join(" \u00b7 "), Math.max(8, Math.floor(p.w / 6.2)));
      el("title", {}, g).textContent = grp.path + " \u2014 click to expand";
      g.addEventListener("click", function () { if (!self.dragged) self.toggle(grp.id); });
      self.elements[grp.id] = g;
    });
    // edges: the engine's routes between visible layers, a plain curve to or from a collapsed group
    var seen = {};
    this.edgeEls = [];
    this.layout.edges.forEach(function (e) {
      var a = rep[e.from], b = rep[e.to];
      if (a === undefined || b === undefined || a === b) return;
      var d;
      var direct = a === e.from && b === e.to;
      if (direct) {
        var p = e.path;
        d = "M" + p[0] + "," + self.y(p[1]);
        for (var i = 2; i + 5 < p.length; i += 6) {
          d += " C" + p[i] + "," + self.y(p[i + 1]) + " " + p[i + 2] + "," + self.y(p[i + 3]) + " " +
            p[i + 4] + "," + self.y(p[i + 5]);
        }
      } else {
        var key = a + ">" + b;
        if (seen[key]) return;
        seen[key] = true;
        var s = self.place(a), t = self.place(b);
        var sx = s.x + s.w / 2, sy = s.y + s.h, tx = t.x + t.w / 2, ty = t.y;
        var bend = Math.max(20, Math.abs(ty - sy) / 2);
        d = "M" + sx + "," + sy + " C" + sx + "," + (sy + bend) + " " + tx + "," + (ty - bend) + " " + tx + "," + ty;
      }
      var path = el("path", { "class": "edge" + (direct ? "" : " group-edge"), d: d,
        "marker-end": "url(#arrow-" + self.index + ")", "data-from": a, "data-to": b }, edges);
      self.edgeEls.push(path);
    });
    // BPU subgraphs of the partition, when the report has one
    var partition = this.report.partition;
    if (partition) partition.subgraphs.forEach(function (sg) {
      var box = null;
      var done = {};
      sg.layers.forEach(function (name) {
        var id = rep[name];
        if (id === undefined || done[id]) return;
        done[id] = true;
        var p = self.place(id);
        box = box ? { x0: Math.min(box.x0, p.x), y0: Math.min(box.y0, p.y), x1: Math.max(box.x1, p.x + p.w),
          y1: Math.max(box.y1, p.y + p.h) } : { x0: p.x, y0: p.y, x1: p.x + p.w, y1: p.y + p.h };
      });
      if (!box) return;
      var g = el("g", { "class": "subgraph", "data-subgraph": sg.id }, outlines);
      el("rect", { x: box.x0 - 6, y: box.y0 - 6, width: box.x1 - box.x0 + 12, height: box.y1 - box.y0 + 12, rx: 9 }, g);
      var label = el("text", { x: box.x1 + 10, y: box.y0 + 6 }, g);
      label.textContent = "BPU subgraph " + sg.id;
    });
    if (this.selected) this.mark(this.selected);
  };

  View.prototype.sceneSize = function () {
    return { w: this.layout.width, h: this.y(this.layout.height) };
  };

  View.prototype.apply = function () {
    this.scene.setAttribute("transform", "translate(" + this.tx + "," + this.ty + ") scale(" + this.k + ")");
  };

  View.prototype.fit = function () {
    var box = this.svg.getBoundingClientRect();
    var size = this.sceneSize();
    this.k = Math.min(box.width / (size.w + 24), box.height / (size.h + 24), 1.5);
    this.tx = (box.width - size.w * this.k) / 2;
    this.ty = (box.height - size.h * this.k) / 2;
    this.apply();
  };

  // First view: the whole graph when it is readable so, else its top at a readable scale.
  View.prototype.home = function () {
    var box = this.svg.getBoundingClientRect();
    var size = this.sceneSize();
    var k = Math.min(box.width / (size.w + 24), box.height / (size.h + 24), 1.2);
    if (k >= 0.5) { this.fit(); return; }
    this.k = Math.max(0.5, Math.min(1, box.width / (size.w + 24)));
    this.tx = Math.max(12, (box.width - size.w * this.k) / 2);
    this.ty = 12;
    var self = this;
    var top = null;
    Object.keys(this.elements).forEach(function (id) {
      var p = self.place(id);
      if (!top || p.y < top.y) top = p;
    });
    if (top && size.w * this.k > box.width) { // wider than the view: start on the first layer
      this.tx = box.width / 2 - (top.x + top.w / 2) * this.k;
      this.ty = 12 - top.y * this.k + 12;
    }
    this.apply();
  };

  View.prototype.zoomAt = function (px, py, factor) {
    var k = Math.min(4, Math.max(0.04, this.k * factor));
    this.tx = px - (px - this.tx) * (k / this.k);
    this.ty = py - (py - this.ty) * (k / this.k);
    this.k = k;
    this.apply();
  };

  View.prototype.center = function (id) {
    var box = this.svg.getBoundingClientRect();
    var p = this.place(id);
    if (this.k < 0.7) this.k = 0.9;
    this.tx = box.width / 2 - (p.x + p.w / 2) * this.k;
    this.ty = box.height / 2 - (p.y + p.h / 2) * this.k;
    this.apply();
  };

  View.prototype.toggle = function (id) {
    if (this.collapsed.has(id)) this.collapsed.delete(id); else this.collapsed.add(id);
    this.draw();
  };

  View.prototype.bind = function () {
    var self = this;
    var svg = this.svg;
    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var r = svg.getBoundingClientRect();
      self.zoomAt(e.clientX - r.left, e.clientY - r.top, Math.exp(-e.deltaY * 0.0015));
    }, { passive: false });
    var drag = null;
    svg.addEventListener("mousedown", function (e) {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, tx: self.tx, ty: self.ty, moved: false };
      self.dragged = false;
    });
    window.addEventListener("mousemove", function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) > 4) { drag.moved = true; svg.classList.add("panning"); }
      if (drag.moved) { self.tx = drag.tx + dx; self.ty = drag.ty + dy; self.apply(); }
    });
    window.addEventListener("mouseup", function () {
      if (!drag) return;
      self.dragged = drag.moved;
      drag = null;
      svg.classList.remove("panning");
      setTimeout(function () { self.dragged = false; }, 0);
    });
    this.section.querySelector(".toolbar").addEventListener("click", function (e) {
      var act = e.target.getAttribute && e.target.getAttribute("data-act");
      var r = svg.getBoundingClientRect();
      if (act === "fit") self.fit();
      else if (act === "in") self.zoomAt(r.width / 2, r.height / 2, 1.25);
      else if (act === "out") self.zoomAt(r.width / 2, r.height / 2, 0.8);
      else if (act === "expand") { self.collapsed.clear(); self.draw(); self.home(); }
      else if (act === "collapse") {
        self.layout.groups.forEach(function (g) { self.collapsed.add(g.id); });
        self.draw(); self.home();
      } else if (act === "next-fail") self.nextFailure();
    });
    this.details.addEventListener("click", function (e) {
      var target = e.target.closest && e.target.closest("a[data-layer]");
      if (target) { e.preventDefault(); self.select(target.getAttribute("data-layer"), true); }
    });
    // the layer table
    var section = this.section;
    var tbody = section.querySelector("table.layers tbody");
    tbody.addEventListener("click", function (e) {
      var tr = e.target.closest("tr");
      if (!tr) return;
      e.preventDefault();
      self.select(tr.dataset.name, true);
      section.querySelector(".viewer").scrollIntoView({ block: "nearest" });
    });
    var filter = function () { self.filter(); };
    section.querySelectorAll(".status-filter").forEach(function (box) { box.addEventListener("change", filter); });
    section.querySelector(".op-filter").addEventListener("change", filter);
    section.querySelector(".name-filter").addEventListener("input", filter);
    this.filter();
  };

  View.prototype.filter = function () {
    var section = this.section;
    var statuses = {};
    section.querySelectorAll(".status-filter").forEach(function (box) { statuses[box.value] = box.checked; });
    var op = section.querySelector(".op-filter").value;
    var text = section.querySelector(".name-filter").value.trim().toLowerCase();
    var shown = 0, total = 0;
    for (var name in this.rows) {
      var tr = this.rows[name];
      var ok = statuses[tr.dataset.status] && (!op || tr.dataset.op === op) &&
        (!text || name.toLowerCase().indexOf(text) >= 0);
      tr.hidden = !ok;
      total += 1;
      if (ok) shown += 1;
    }
    section.querySelector(".shown").textContent = shown + " of " + plural(total, "layer") + " shown";
  };

  View.prototype.nextFailure = function () {
    var failing = this.report.layers.filter(function (l) { return l.status === "fail"; });
    if (!failing.length) failing = this.report.layers.filter(function (l) { return l.status === "warn"; });
    if (!failing.length) return;
    this.failIndex = (this.failIndex + 1) % failing.length;
    this.select(failing[this.failIndex].name, true);
  };

  View.prototype.mark = function (name) {
    this.scene.querySelectorAll(".node.selected").forEach(function (n) { n.classList.remove("selected"); });
    if (this.elements[name]) this.elements[name].classList.add("selected");
    this.edgeEls.forEach(function (p) {
      var hot = p.getAttribute("data-from") === name || p.getAttribute("data-to") === name;
      p.classList.toggle("hot", hot);
    });
    for (var row in this.rows) this.rows[row].classList.toggle("selected", row === name);
  };

  View.prototype.select = function (name, center) {
    var layer = this.layers[name];
    if (!layer) return;
    var chain = this.chain[name] || [];
    var changed = false;
    var self = this;
    chain.forEach(function (g) { if (self.collapsed.delete(g)) changed = true; });
    this.selected = name;
    if (changed) this.draw(); else this.mark(name);
    if (center && this.nodes[name]) this.center(name);
    this.details.innerHTML = this.describe(layer);
    try { history.replaceState(null, "", "#report=" + this.index + "&layer=" + encodeURIComponent(name)); } catch (e) { /* file: URLs may refuse */ }
  };

  View.prototype.describe = function (layer) {
    var link = function (name) { return '<a data-layer="' + esc(name) + '" href="#">' + esc(name) + "</a>"; };
    // an ONNX node (the PTQ flow): module_type is the vendor's op type (hb_mapper checker's Type
    // column), and a CPU node is one the converter places there, for the reason its finding gives
    var onnx = this.report.capture === "onnx";
    var rows = [
      ["op", "<code>" + esc(layer.op) + "</code>" + (layer.judged_as ? "<br>judged as " +
        layer.judged_as.map(function (r) { return "<code>" + esc(r) + "</code>"; }).join(" + ") : "")],
      onnx ? ["vendor op", layer.module_type ? "<code>" + esc(layer.module_type) + "</code>" : "\u2013"]
        : ["module", esc(layer.module_type || "\u2013") + (layer.module_path ? " <code>" + esc(layer.module_path) + "</code>" : "")],
      onnx ? ["module", layer.module_path ? "<code>" + esc(layer.module_path) + "</code>" : "\u2013"]
        : ["source", layer.source ? "<code>" + esc(layer.source) + "</code>" : "\u2013"],
      ["runs on", layer.region === "cpu" ? (onnx ? "CPU, in float (the finding below says why)" : "CPU (outside the quantized region)")
        : layer.fallback ? "CPU (fallback: the BPU cannot run it)" : "BPU" +
        (this.subgraphOf[layer.name] !== undefined ? ", subgraph " + esc(this.subgraphOf[layer.name]) : "")],
      ["inputs", layer.inputs.map(function (t) { return "<code>" + esc(shape(t)) + "</code>"; }).join("<br>") || "\u2013"],
      ["outputs", layer.outputs.map(function (t) { return "<code>" + esc(shape(t)) + "</code>"; }).join("<br>") || "\u2013"],
      ["cost", Object.keys(layer.cost || {}).map(function (k) {
        return esc(k) + " " + esc(typeof layer.cost[k] === "number" ? layer.cost[k].toLocaleString("en") : layer.cost[k]);
      }).join(", ") || "\u2013"],
      ["captured", layer.targets.map(function (t) { return "<code>" + esc(t) + "</code>"; }).join(" ")],
      ["reads", layer.after.map(link).join("<br>") || "model input"],
      ["feeds", (this.succ[layer.name] || []).map(link).join("<br>") || "model output"],
    ];
    var html = '<h3>' + esc(layer.name) + '</h3><span class="badge ' + layer.status + '">' + layer.status.toUpperCase() +
      "</span> on " + esc(this.report.march) + "<table>" +
      rows.map(function (r) { return "<tr><th>" + r[0] + "</th><td>" + r[1] + "</td></tr>"; }).join("") + "</table>";
    if (!layer.findings.length) {
      html += '<p class="dim">' + (layer.status === "cpu" ? "Runs on the CPU in float: not checked against the table."
        : "No finding: every constraint of its table row holds.") + "</p>";
    }
    layer.findings.forEach(function (f) {
      var observed = Object.keys(f.observed || {}).map(function (k) {
        return esc(k) + " = <b>" + esc(JSON.stringify(f.observed[k])) + "</b>";
      }).join(", ");
      html += '<div class="finding ' + esc(f.severity) + '"><div class="rule"><code>' + esc(f.rule) + "</code> \u00b7 " +
        esc(f.severity) + "</div><div>" + esc(f.message) + "</div>" +
        (observed || f.allowed ? '<div class="ov">observed: ' + (observed || "\u2013") + "<br>allowed: <code>" +
          esc(f.allowed || "\u2013") + "</code></div>" : "") +
        (f.advice ? '<div class="advice">\u2192 ' + esc(f.advice) + "</div>" : "") + "</div>";
    });
    return html;
  };

  function show(index) {
    current = index;
    document.querySelectorAll(".cards .card").forEach(function (card) {
      card.classList.toggle("active", Number(card.dataset.report) === index);
    });
    document.querySelectorAll("section.report").forEach(function (section) {
      section.classList.toggle("active", Number(section.dataset.report) === index);
    });
    if (!views[index]) views[index] = new View(index);
    return views[index];
  }

  document.querySelectorAll(".cards .card").forEach(function (card) {
    card.addEventListener("click", function () { show(Number(card.dataset.report)); });
  });

  function fromHash() {
    var params = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var at = part.indexOf("=");
      if (at > 0) params[part.slice(0, at)] = decodeURIComponent(part.slice(at + 1));
    });
    var index = Number(params.report || 0);
    if (!(index >= 0 && index < DATA.reports.length)) index = 0;
    var view = show(index);
    if (params.layer) view.select(params.layer, true);
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
  window.qcheckReport = { show: show, views: views, data: DATA, current: function () { return current; } };
})();
