"""Issue 10: the self-contained HTML report, its graph layout (Graphviz dot, grandalf, the simpler
view) and, in a real headless Chromium, that a failing layer is drawn red and shows its finding
when clicked.

The browser tests skip when Chromium is absent (Debian: `apt-get install chromium`). They keep a
screenshot in tests/artifacts/; `QCHECK_DOCS_SCREENSHOT=1` also refreshes docs/report.png.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

from qcheck.render import html
from qcheck.report import Finding, LayerResult, Report, TensorInfo
from tests.helpers import ROOT, run_cli

ARTIFACTS = os.path.join(ROOT, "tests", "artifacts")
SEED = os.path.join("examples", "seed_net.py") + ":Net"
HAS_DOT = shutil.which("dot") is not None
try:
    import grandalf  # noqa: F401

    HAS_GRANDALF = True
except ImportError:
    HAS_GRANDALF = False


# --- a real architecture ---------------------------------------------------------------------------

def _hf_resnet():
    import torch
    from transformers import ResNetConfig, ResNetForImageClassification

    torch.manual_seed(0)
    config = ResNetConfig(embedding_size=16, hidden_sizes=[16, 32, 64, 128], depths=[1, 1, 2, 1],
                          layer_type="bottleneck", num_labels=10)
    return ResNetForImageClassification(config).eval()


@pytest.fixture(scope="module")
def resnet_reports():
    """A transformers ResNet (built from a small ResNetConfig, no download) on bernoulli2, where
    its pooler, flatten and classifier fail, and on bayes."""
    pytest.importorskip("transformers")
    import torch

    import qcheck

    model = _hf_resnet()
    example = torch.rand(1, 3, 64, 64)
    return [qcheck.check_model(model, example, march=march) for march in ("bernoulli2", "bayes")]


@pytest.fixture(scope="module")
def resnet(resnet_reports):
    return resnet_reports[0]


def _payload(page: str) -> dict:
    match = re.search(r'<script id="qcheck-data" type="application/json">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


def _tiny_report(names=("a", "b", "c"), march="bayes") -> Report:
    layers = []
    for i, name in enumerate(names):
        fail = i == len(names) - 1
        layers.append(LayerResult(
            name=name, op="torch.nn.Conv2d", status="fail" if fail else "pass", module_type="Conv2d",
            module_path=None, source=f"net.py:{10 + i}", inputs=[TensorInfo([1, 3, 8, 8], "qint8")],
            outputs=[TensorInfo([1, 3, 8, 8], "qint8")],
            findings=[Finding(f"{march}.conv2d.kernel", "error", "kernel too large (observed: kernel_h=9)",
                              "use a smaller kernel", {"kernel_h": 9}, "kernel_h <= 7")] if fail else [],
            after=[names[i - 1]] if i else []))
    return Report(model="net.py:Net", march=march, layers=layers, nodes={"total": 3}, qcheck_version="0.1.0")


# --- the edges: LayerResult.after -----------------------------------------------------------------

def test_after_names_predecessors_through_structural_nodes(resnet):
    names = [layer.name for layer in resnet.layers]
    position = {name: i for i, name in enumerate(names)}
    for layer in resnet.layers:
        assert layer.after == list(dict.fromkeys(layer.after)), "no duplicates"
        for source in layer.after:
            assert source in position and position[source] < position[layer.name]
    assert resnet.layers[0].after == []
    # a residual add reads both branches: the block's last normalization and the shortcut
    add = next(layer for layer in resnet.layers if layer.name == "resnet.encoder.stages.1.layers.0")
    assert add.op == "torch.add"
    assert sorted(add.after) == ["resnet.encoder.stages.1.layers.0.layer.2.normalization",
                                 "resnet.encoder.stages.1.layers.0.shortcut.normalization"]
    # the classifier's reshape reads the pooler: the flatten between them is looked through or kept
    assert resnet.layers[-1].after and resnet.layers[-1].after[0] in names
    assert resnet.to_dict()["layers"][1]["after"] == [names[0]]


def test_after_survives_the_json_round_trip(resnet):
    again = Report.from_dict(json.loads(json.dumps(resnet.to_dict())))
    assert [layer.after for layer in again.layers] == [layer.after for layer in resnet.layers]


# --- the page ------------------------------------------------------------------------------------

def test_page_is_self_contained_and_deterministic(resnet):
    page = html.render([resnet])
    assert page == html.render([resnet])
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page and "https://" not in page and "//cdn" not in page
    assert not re.search(r"<(script|img|link|iframe)[^>]*\b(src|href)=", page)
    assert "@import" not in page and "url(http" not in page
    assert "rich" not in html.__dict__ and "torch" not in html.__dict__


def test_page_has_summary_graph_data_and_table(resnet):
    page = html.render([resnet])
    data = _payload(page)
    (entry,) = data["reports"]
    assert entry["march"] == "bernoulli2" and entry["verdict"] == "fail" and entry["board"] == "RDK X3"
    assert "<b>bernoulli2</b>" in page and ">FAIL</span>" in page
    summary = resnet.summary
    assert f"{summary['layers']} layers" in page and f"{summary['fail']} fail" in page
    layout = data["layouts"][entry["layout"]]
    assert {n["name"] for n in layout["nodes"]} == {layer.name for layer in resnet.layers}
    assert len(layout["edges"]) == sum(len(layer.after) for layer in resnet.layers)
    # the layer table: one row per layer, with its status, op and findings
    rows = re.findall(r'<tr data-name="([^"]*)" data-status="(\w+)" data-op="([^"]*)">', page)
    assert [(name, status) for name, status, _ in rows] == [(l.name, l.status) for l in resnet.layers]
    if getattr(resnet, "partition", None):  # the BPU partition, once the check computes one
        assert '<li class="partition">partition: ' in page
        assert entry["partition"]["subgraphs"]
    failing = [layer for layer in resnet.layers if layer.status == "fail"]
    assert failing
    for layer in failing:
        for finding in layer.findings:
            assert finding.rule in page


def test_module_groups_nest_and_skip_single_layer_modules(resnet):
    groups = html.module_groups(resnet.layers)
    paths = {g["path"] for g in groups}
    assert "resnet.encoder.stages.1.layers.0" in paths
    assert "resnet.encoder.stages.1.layers.0.layer.0" in paths
    assert "resnet.embedder.embedder.convolution" not in paths  # one layer: not a group
    by_id = {g["id"]: g for g in groups}
    for group in groups:
        assert len(group["members"]) >= 2
        if group["parent"]:
            parent = by_id[group["parent"]]
            assert group["path"].startswith(parent["path"] + ".")
            assert set(group["members"]) < set(parent["members"])


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not installed (Debian: apt-get install graphviz)")
def test_dot_layout_is_top_to_bottom_with_cluster_boxes(resnet):
    layout = html.layout_graph(resnet.layers, "dot")
    assert layout["engine"] == "dot" and layout["note"].startswith("Laid out by Graphviz dot")
    _check_layout(layout, resnet)
    for group in layout["groups"]:  # dot drew every module group as a cluster around its layers
        x, y, w, h = group["box"]
        for name in group["members"]:
            node = next(n for n in layout["nodes"] if n["name"] == name)
            assert x <= node["x"] and node["x"] + layout["node_w"] <= x + w + 0.5
            assert y <= node["y"] and node["y"] + layout["node_h"] <= y + h + 0.5


@pytest.mark.skipif(not HAS_GRANDALF, reason="grandalf is not installed (pip install grandalf)")
def test_grandalf_layout_when_dot_is_absent(resnet, monkeypatch):
    monkeypatch.setattr(html, "_dot_program", lambda: None)
    layout = html.layout_graph(resnet.layers, "auto")
    assert layout["engine"] == "grandalf"
    assert "grandalf" in layout["note"] and "dot program was not found" in layout["note"]
    _check_layout(layout, resnet)
    page = html.render([resnet], layout="grandalf")
    assert "Laid out by grandalf" in page


def test_simpler_view_without_a_layout_library_says_so(resnet, monkeypatch):
    monkeypatch.setattr(html, "_dot_program", lambda: None)
    for name in ["grandalf", *(m for m in sys.modules if m.startswith("grandalf."))]:
        monkeypatch.setitem(sys.modules, name, None)  # every `import grandalf...` fails
    layout = html.layout_graph(resnet.layers, "auto")
    assert layout["engine"] == "none"
    assert layout["note"].startswith("Simpler view: Graphviz's dot program was not found; grandalf is not installed")
    _check_layout(layout, resnet)
    page = html.render([resnet], layout="none")
    assert "Simpler view: the layout library was turned off" in page
    assert "layout-note engine-none" in page


def test_layout_can_be_chosen_from_the_environment():
    from qcheck.options import read_environment

    layout = read_environment({"QCHECK_HTML_LAYOUT": "none"}).html_layout  # what the CLI passes
    assert "Simpler view" in html.render(_tiny_report(), layout=layout)
    with pytest.raises(ValueError):
        html.render(_tiny_report(), layout="circo")


def _check_layout(layout, report):
    position = {n["name"]: n for n in layout["nodes"]}
    assert set(position) == {layer.name for layer in report.layers}
    for node in layout["nodes"]:
        assert 0 <= node["x"] <= layout["width"] and 0 <= node["y"] <= layout["height"]
    for layer in report.layers:  # top to bottom: a layer sits below what it reads
        for source in layer.after:
            assert position[source]["y"] < position[layer.name]["y"]
    for edge in layout["edges"]:
        assert len(edge["path"]) >= 8 and (len(edge["path"]) - 2) % 6 == 0
    for group in layout["groups"]:
        assert group["box"] and group["box"][2] > 0 and group["box"][3] > 0


def test_one_page_per_march_and_the_partition(resnet_reports):
    first, second = resnet_reports
    names = [layer.name for layer in first.layers]
    saved = first.__dict__.get("partition"), second.__dict__.get("partition")
    first.partition = {"subgraphs": [{"id": 0, "layers": names[:-3]}, {"id": 1, "layers": ["not-a-layer"]}]}
    second.partition = {}  # no partition known
    try:
        page = html.render(list(resnet_reports))
    finally:
        first.partition, second.partition = saved
    data = _payload(page)
    assert [r["march"] for r in data["reports"]] == ["bernoulli2", "bayes"]
    assert len(data["layouts"]) == 1, "one graph, laid out once"
    assert data["reports"][0]["partition"] == {"subgraphs": [{"id": 0, "layers": names[:-3]}]}
    assert data["reports"][1]["partition"] is None
    assert page.count('<section class="report') == 2
    assert page.count('<button class="card') == 2
    assert "partition: 1 BPU subgraph (outlined in the graph)" in page


def test_names_are_escaped():
    report = _tiny_report(names=("a", "</script><script>alert(1)</script>", 'q"uote&'))
    page = html.render(report)
    assert "<script>alert(1)" not in page
    assert page.count("</script>") == 2  # the data block and the code block
    data = _payload(page)
    assert data["reports"][0]["layers"][1]["name"] == "</script><script>alert(1)</script>"


def test_cli_writes_the_html_report(tmp_path):
    out = tmp_path / "report.html"
    result = run_cli(SEED, "--march", "bernoulli2", "--input-shape", "1x1x28x28", "--format", "html",
                     "--output", str(out))
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""  # the page is in the file; no terminal report beside it
    page = out.read_text(encoding="utf-8")
    assert "avg_pool" in page and "bernoulli2.avg_pool2d.kernel" in page
    assert _payload(page)["reports"][0]["verdict"] == "fail"
    # without --output the page goes to stdout, like every other format
    result = run_cli(SEED, "--march", "bayes", "--input-shape", "1x1x28x28", "--format", "html")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert result.stdout.rstrip().endswith("</html>")  # the page alone: no terminal report after it


# --- a real browser --------------------------------------------------------------------------------

def find_browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe:
    commands on fd 3, replies on fd 4, NUL-terminated JSON), standard library only."""

    FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio", "--no-default-browser-check")

    def __init__(self, binary: str, width: int = 1400, height: int = 950, timeout: float = 60):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="qcheck-chromium-")
        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()
        high_in = fcntl.fcntl(to_browser, fcntl.F_DUPFD, 10)
        high_out = fcntl.fcntl(from_browser, fcntl.F_DUPFD, 10)
        os.close(to_browser)
        os.close(from_browser)

        def wire():
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        self.process = subprocess.Popen(
            [binary, *self.FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},{height}",
             "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, pass_fds=(3, 4))
        os.close(high_in)
        os.close(high_out)
        self._buffer = b""
        self._next = 0
        self.events: list[dict] = []
        self.session = None
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=False)

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            if select.select([self._read], [], [], left)[0]:
                chunk = os.read(self._read, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def call(self, method: str, **params):
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._write, data):]
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def open(self, url: str) -> None:
        self.events = [e for e in self.events if e["method"] != "Page.loadEventFired"]
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + self.timeout
        while not any(e["method"] == "Page.loadEventFired" for e in self.events):
            reply = self._receive(deadline)
            if "method" in reply:
                self.events.append(reply)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, x: float, y: float) -> None:
        """A real mouse click at page coordinates (press and release, as a person would)."""
        self.call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        self.call("Input.dispatchMouseEvent", type="mousePressed", x=x, y=y, button="left", clickCount=1)
        self.call("Input.dispatchMouseEvent", type="mouseReleased", x=x, y=y, button="left", clickCount=1)

    def click_element(self, selector: str) -> None:
        box = self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                            " if (e.scrollIntoViewIfNeeded) e.scrollIntoViewIfNeeded();"
                            " const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })()")
        self.click(box[0] + box[2] / 2, box[1] + box[3] / 2)

    def screenshot(self, path: str) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as stream:
            stream.write(base64.b64decode(data))

    def errors(self) -> list[str]:
        """Console errors, failed loads and uncaught exceptions seen so far."""
        try:
            while True:
                reply = self._receive(time.monotonic() + 0.3)
                if "method" in reply:
                    self.events.append(reply)
        except TimeoutError:
            pass
        found = []
        for event in self.events:
            params = event.get("params", {})
            if event["method"] == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append(details.get("exception", {}).get("description") or details.get("text", ""))
            elif event["method"] == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
            elif event["method"] == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(params["entry"].get("text", ""))
        return found

    def close(self) -> None:
        try:
            self._next += 1
            os.write(self._write, json.dumps({"id": self._next, "method": "Browser.close"}).encode() + b"\0")
            self.process.wait(timeout=15)
        except Exception:  # noqa: BLE001 - whatever happened, the browser must not outlive the test
            self.process.kill()
            self.process.wait(timeout=15)
        finally:
            for fd in (self._read, self._write):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    binary = find_browser()
    if binary is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium)")
    session = Browser(binary)
    yield session
    session.close()


def _artifacts() -> str:
    os.makedirs(ARTIFACTS, exist_ok=True)
    ignore = os.path.join(ARTIFACTS, ".gitignore")
    if not os.path.exists(ignore):
        with open(ignore, "w", encoding="utf-8") as stream:
            stream.write("# test artifacts (screenshots): never committed\n*\n")
    return ARTIFACTS


def _rgb(color: str) -> str:
    color = color.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(color[i:i + 2], 16) for i in (0, 2, 4)))


def test_browser_failing_layer_is_red_and_click_shows_its_finding(resnet, browser, tmp_path):
    page = tmp_path / "resnet.html"
    page.write_text(html.render([resnet]), encoding="utf-8")
    browser.open(page.as_uri())
    failing = next(layer for layer in resnet.layers if layer.status == "fail" and layer.findings)
    finding = failing.findings[0]
    selector = f'.node[data-name="{failing.name}"]'
    # the failing layer's box is drawn, coloured as failing
    assert browser.evaluate(f"document.querySelectorAll({json.dumps(selector)}).length") == 1
    fill = browser.evaluate(f"getComputedStyle(document.querySelector({json.dumps(selector + ' rect.box')})).fill")
    assert fill == _rgb(html.COLORS["fail"][0])
    passing = next(layer for layer in resnet.layers if layer.status == "pass")
    assert browser.evaluate(
        f"getComputedStyle(document.querySelector('.node[data-name=\"{passing.name}\"] rect.box')).fill"
    ) == _rgb(html.COLORS["pass"][0])
    # bring it into view (the viewport only), then click it as a person would
    browser.evaluate(f"qcheckReport.views[0].center({json.dumps(failing.name)})")
    assert "Click a layer" in browser.evaluate("document.querySelector('.details').textContent")
    browser.click_element(selector)
    details = browser.evaluate("document.querySelector('.details').innerText")
    assert failing.name in details and finding.rule in details
    assert finding.message in details
    if finding.advice:
        assert finding.advice in details
    assert browser.evaluate(f"document.querySelector({json.dumps(selector)}).classList.contains('selected')")
    assert browser.errors() == []
    browser.screenshot(os.path.join(_artifacts(), "html_report.png"))
    if os.environ.get("QCHECK_DOCS_SCREENSHOT"):
        browser.screenshot(os.path.join(ROOT, "docs", "report.png"))


def test_browser_onnx_node_shows_the_vendor_op_and_why_it_is_on_the_cpu(browser, tmp_path):
    """The PTQ flow's page: a BPU node names the vendor's op type, a CPU node says why it is there."""
    onnx = pytest.importorskip("onnx")
    from onnx import helper

    from qcheck.onnx.check import check_onnx
    from tests.onnx_probes import conv_then

    onnx.save(conv_then(helper.make_node("Softmax", ["c"], ["s"], name="softmax", axis=3),
                        helper.make_node("Relu", ["s"], ["y"], name="relu")), str(tmp_path / "m.onnx"))
    report = check_onnx(str(tmp_path / "m.onnx"), "bayes_e")
    page = tmp_path / "onnx.html"
    page.write_text(html.render([report]), encoding="utf-8")
    browser.open(page.as_uri())
    browser.click_element('.node[data-name="conv"]')
    details = browser.evaluate("document.querySelector('.details').innerText")
    assert "vendor op\tHzSQuantizedConv" in details and "subgraph 1" in details, details
    browser.click_element('.node[data-name="softmax"]')
    details = browser.evaluate("document.querySelector('.details').innerText")
    assert "CPU, in float (the finding below says why)" in details and "quantized region" not in details, details
    assert "bayes_e.onnx.softmax.cpu_default" in details and "--run-on-bpu softmax" in details
    assert browser.errors() == []


def test_browser_groups_collapse_and_table_filters(resnet, browser, tmp_path):
    page = tmp_path / "resnet.html"
    page.write_text(html.render([resnet]), encoding="utf-8")
    browser.open(page.as_uri())
    layers = len(resnet.layers)
    assert browser.evaluate("document.querySelectorAll('.node').length") == layers
    # collapse the first module group from its title: its layers become one box
    group = browser.evaluate("document.querySelector('.cluster').dataset.group")
    members = browser.evaluate(f"qcheckReport.views[0].groups[{json.dumps(group)}].members.length")
    browser.evaluate("qcheckReport.views[0].fit()")
    browser.click_element(f'.cluster[data-group="{group}"] .title')
    assert browser.evaluate(f"document.querySelectorAll('.gbox[data-group=\"{group}\"]').length") == 1
    assert browser.evaluate("document.querySelectorAll('.node').length") == layers - members
    browser.click_element(f'.gbox[data-group="{group}"]')
    assert browser.evaluate("document.querySelectorAll('.node').length") == layers
    # zoom buttons change the scale
    before = browser.evaluate("qcheckReport.views[0].k")
    browser.click_element('.toolbar button[data-act="in"]')
    assert browser.evaluate("qcheckReport.views[0].k") > before
    # the table: only failing layers, then one op
    browser.click_element('.filters input[value="pass"]')
    visible = browser.evaluate("[...document.querySelectorAll('table.layers tbody tr')]"
                               ".filter(r => !r.hidden).map(r => r.dataset.status)")
    assert visible and set(visible) == {"fail"}
    assert len(visible) == resnet.summary["fail"]
    browser.evaluate("document.querySelector('.filters input[value=\"pass\"]').click()")
    browser.evaluate("(() => { const s = document.querySelector('.op-filter'); s.value = 'torch.nn.Conv2d';"
                     " s.dispatchEvent(new Event('change')); })()")
    ops = browser.evaluate("[...document.querySelectorAll('table.layers tbody tr')]"
                           ".filter(r => !r.hidden).map(r => r.dataset.op)")
    assert set(ops) == {"torch.nn.Conv2d"}
    assert len(ops) == sum(1 for layer in resnet.layers if layer.op == "torch.nn.Conv2d")
    # a table row selects its layer in the graph
    browser.click_element('table.layers tbody tr:not([hidden]) a.pick')
    assert browser.evaluate("document.querySelectorAll('.node.selected').length") == 1
    assert browser.errors() == []


def test_browser_marches_partition_and_simpler_view(resnet_reports, browser, tmp_path):
    first = resnet_reports[0]
    saved = first.__dict__.get("partition")
    first.partition = {"subgraphs": [{"id": 0, "layers": [layer.name for layer in first.layers[:-3]]}]}
    try:
        text = html.render(list(resnet_reports), layout="none")
    finally:
        first.partition = saved
    page = tmp_path / "marches.html"
    page.write_text(text, encoding="utf-8")
    browser.open(page.as_uri())
    assert browser.evaluate("document.querySelectorAll('#report-0 .subgraph').length") == 1
    assert "Simpler view" in browser.evaluate("document.querySelector('section.report.active .layout-note').textContent")
    browser.click_element('.card[data-report="1"]')
    assert browser.evaluate("document.querySelector('section.report.active').dataset.report") == "1"
    assert browser.evaluate("document.querySelectorAll('#report-1 .node').length") == len(resnet_reports[1].layers)
    assert browser.errors() == []
    browser.screenshot(os.path.join(_artifacts(), "html_report_simple.png"))
