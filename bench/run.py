"""qcheck's speed against the floor, side by side, one process per measurement.

    python bench/run.py            # the full run (about 15 minutes on 2 cores)
    python bench/run.py --quick    # seed Net, ResNet-50, BERT-base, deep-1000; engine up to 5,000 nodes

Measurements (each in its own subprocess; wall time from spawn to exit, peak RSS from wait4):

- floor: `import torch` + build the model + torch.export (non-strict), nothing else; the model is
  built on the meta device when qcheck builds it there (its report says when it could not);
- qcheck: the whole CLI (`qcheck bench/models.py:NAME --march bayes --input-shape ...`, default
  rich output to a pipe, no cache); the ratio qcheck / floor;
- real tensors (full run, ResNet-50 and BERT-base): the same pair with real weights, qcheck
  through its Python API given the nn.Module;
- engine: `qcheck.api.check_graph` on an already captured graph (rules loaded once, the graph
  captured or built anew for every run, untimed), per 1,000 graph nodes, for the corpus and for
  synthetic graphs of 100 to 20,000 nodes;
- GPT-2-XL sizes (1.5 billion parameters) through the CLI on the meta device;
- a cached re-check of an unchanged TorchScript file.

The machine is shared: every figure is the best of --repeat runs (default 3); floor and qcheck take turns.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS = os.path.join(HERE, "models.py")
MARCH = "bayes"


# --------------------------------------------------------------------------------------------
# Workers: each runs in a fresh interpreter and prints one JSON line.
# --------------------------------------------------------------------------------------------

def _factory(factory: str):
    """A factory of bench/models.py, or `path/to/file.py:NAME` (the real-model corpus), imported
    by path as qcheck imports an eager spec file."""
    import importlib.util

    path, name = factory.rsplit(":", 1) if ":" in factory else (MODELS, factory)
    spec = importlib.util.spec_from_file_location("qcheck_bench_" + os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses in the file look their module up there
    spec.loader.exec_module(module)
    return getattr(module, name)


def _inputs(shapes: list[str], dtypes: list[str], device: str):
    import torch

    tensors = []
    for i, shape in enumerate(shapes):
        dims = tuple(int(d) for d in shape.split("x"))
        dtype = getattr(torch, dtypes[i]) if dtypes else torch.float32
        tensors.append(torch.rand(dims, dtype=dtype, device=device) if dtype.is_floating_point
                       else torch.ones(dims, dtype=dtype, device=device))
    return tuple(tensors)


def worker_floor(factory: str, shapes: list[str], dtypes: list[str], device: str) -> dict:
    """The floor: import torch, build the model, torch.export it. Nothing else."""
    start = time.perf_counter()
    import torch

    build = _factory(factory)
    with torch.device(device):
        model = build()
    model.eval()
    built = time.perf_counter()
    program = torch.export.export(model, _inputs(shapes, dtypes, device), strict=False)
    done = time.perf_counter()
    nodes = sum(1 for n in program.graph.nodes if n.op == "call_function")
    return {"build_s": built - start, "export_s": done - built, "nodes": nodes}


def worker_api_real(factory: str, shapes: list[str], dtypes: list[str]) -> dict:
    """qcheck with real tensors: the Python API given the nn.Module (what the meta path avoids)."""
    start = time.perf_counter()
    import torch  # noqa: F401

    from qcheck.api import check
    from qcheck.mapping import pausing_gc
    from qcheck.options import Options
    from qcheck.render import render

    model = _factory(factory)().eval()
    built = time.perf_counter()
    with pausing_gc():  # as the CLI runs the engine
        report = check(model, Options(march=MARCH), example_inputs=_inputs(shapes, dtypes, "cpu"))
    render(report, "json")
    return {"build_s": built - start, "check_s": time.perf_counter() - built, "layers": len(report.layers)}


def worker_engine(factory: str, shapes: list[str], dtypes: list[str], repeat: int) -> dict:
    """check_graph alone on a captured graph, rules loaded once. Every run gets a graph built anew
    (captured again, or the synthetic graph built again), untimed: a graph as the CLI gets it, not a
    deep copy (whose scattered objects cost the engine up to a quarter more per node here)."""
    import gc

    from qcheck.api import check_graph
    from qcheck.mapping import pausing_gc
    from qcheck.capture import InputSpec, capture
    from qcheck.options import Options
    from qcheck.rules import load_rules

    if factory.startswith("synthetic:"):
        size = int(factory.split(":", 1)[1])

        def build():
            return synthetic_graph(size)
    else:
        specs = [InputSpec(tuple(int(d) for d in s.split("x")), dtypes[i] if dtypes else "float32")
                 for i, s in enumerate(shapes)]

        def build():
            return capture(factory if ":" in factory else f"{MODELS}:{factory}", specs)
    began = time.perf_counter()
    graph = build()
    capture_s = time.perf_counter() - began
    rules = load_rules()
    options = Options(march=MARCH)
    times, cpu = [], []
    for run in range(repeat + 1):  # the first run also resolves the rules of each row: reported apart
        fresh = graph if run == 0 else build()
        gc.collect()
        began, began_cpu = time.perf_counter(), time.process_time()
        with pausing_gc():  # as the CLI runs the engine
            report = check_graph(fresh, factory, options, rules)
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    nodes = len(graph.nodes)
    best = min(times[1:])
    return {"nodes": nodes, "layers": len(report.layers), "capture_s": capture_s, "first_s": times[0],
            "best_s": best, "ms_per_1000": best * 1000 / nodes * 1000,
            "cpu_ms_per_1000": min(cpu[1:]) * 1000 / nodes * 1000}


def synthetic_graph(nodes: int):
    """A qcheck Graph of about `nodes` nodes, exactly what torch.export gives for
    bench/models.py's Deep (conv2d, batch_norm, relu, add per residual block), built directly
    so that 20,000 nodes take no minutes of export."""
    from qcheck.graph import Graph, Node, Ref, Value

    blocks = max(1, nodes // 4)
    shape = (1, 8, 8, 8)
    values = {"x": Value("x", shape, "float32", "input")}
    graph_nodes = []
    previous = "x"
    source = "bench/models.py:122"

    def suffix(i: int) -> str:
        return "" if i == 0 else f"_{i}"

    for i in range(blocks):
        p = f"blocks_{i}"
        for name, dims, kind in ((f"p_{p}_conv_weight", (8, 8, 3, 3), "parameter"),
                                 (f"p_{p}_conv_bias", (8,), "parameter"),
                                 (f"p_{p}_bn_weight", (8,), "parameter"), (f"p_{p}_bn_bias", (8,), "parameter"),
                                 (f"b_{p}_bn_running_mean", (8,), "buffer"),
                                 (f"b_{p}_bn_running_var", (8,), "buffer")):
            values[name] = Value(name, dims, "float32", kind)
        values[f"b_{p}_bn_num_batches_tracked"] = Value(f"b_{p}_bn_num_batches_tracked", (), "int64", "buffer")
        conv, bn, relu, add = (f"{op}{suffix(i)}" for op in ("conv2d", "batch_norm", "relu", "add"))
        block = [("blocks", "Sequential"), (f"blocks.{i}", "Block")]
        graph_nodes += [
            Node(conv, "aten::conv2d", {"input": Ref(previous), "weight": Ref(f"p_{p}_conv_weight"),
                                        "bias": Ref(f"p_{p}_conv_bias"), "stride": [1, 1], "padding": [1, 1],
                                        "dilation": [1, 1], "groups": 1},
                 [conv], block + [(f"blocks.{i}.conv", "Conv2d")], source),
            Node(bn, "aten::batch_norm", {"input": Ref(conv), "weight": Ref(f"p_{p}_bn_weight"),
                                          "bias": Ref(f"p_{p}_bn_bias"), "running_mean": Ref(f"b_{p}_bn_running_mean"),
                                          "running_var": Ref(f"b_{p}_bn_running_var"), "training": False,
                                          "momentum": 0.1, "eps": 1e-05, "cudnn_enabled": False},
                 [bn], block + [(f"blocks.{i}.bn", "BatchNorm2d")], source),
            Node(relu, "aten::relu", {"self": Ref(bn)}, [relu], block + [(f"blocks.{i}.relu", "ReLU")], source),
            Node(add, "aten::add", {"self": Ref(relu), "other": Ref(previous), "alpha": 1}, [add], block, source),
        ]
        for name in (conv, bn, relu, add):
            values[name] = Value(name, shape, "float32", "activation")
        previous = add
    attrs = {"": {"calls": 1, "leaf": False, "has_parameters": False, "training": False, "type": "Deep"},
             "blocks": {"calls": 1, "leaf": False, "has_parameters": False, "training": False, "type": "Sequential"}}
    for i in range(blocks):
        attrs[f"blocks.{i}"] = {"calls": 1, "leaf": False, "has_parameters": False, "training": False,
                                "type": "Block"}
        attrs[f"blocks.{i}.conv"] = {"calls": 1, "leaf": True, "has_parameters": True, "training": False,
                                     "in_channels": 8, "out_channels": 8, "kernel_size": [3, 3],
                                     "stride": [1, 1], "padding": [1, 1], "dilation": [1, 1],
                                     "transposed": False, "output_padding": [0, 0], "groups": 1,
                                     "padding_mode": "zeros", "type": "Conv2d"}
        attrs[f"blocks.{i}.bn"] = {"calls": 1, "leaf": True, "has_parameters": True, "training": False,
                                   "num_features": 8, "eps": 1e-05, "momentum": 0.1, "affine": True,
                                   "track_running_stats": True, "type": "BatchNorm2d"}
        attrs[f"blocks.{i}.relu"] = {"calls": 1, "leaf": True, "has_parameters": False, "training": False,
                                     "inplace": False, "type": "ReLU"}
    return Graph(nodes=graph_nodes, values=values, inputs=["x"], outputs=[previous], origin="export",
                 module_attrs=attrs)


def worker_save_torchscript(factory: str, shapes: list[str], dtypes: list[str], path: str) -> dict:
    import torch

    model = _factory(factory)().eval()
    with torch.no_grad():
        traced = torch.jit.trace(model, _inputs(shapes, dtypes, "cpu"), strict=False, check_trace=False)
    torch.jit.save(traced, path)
    return {"bytes": os.path.getsize(path)}


WORKERS = {"floor": worker_floor, "api-real": worker_api_real, "engine": worker_engine,
           "save-torchscript": worker_save_torchscript}


def _worker_main(argv: list[str]) -> None:
    kind, payload = argv[0], json.loads(argv[1])
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    result = WORKERS[kind](**payload)
    sys.stdout.write("BENCH-RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------------------------

def _env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.update(extra or {})
    return env


def run_process(command: list[str], env: dict | None = None, timeout: float = 900) -> dict:
    """Run one measurement: wall seconds (spawn to exit), peak RSS of that child, its output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        began = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                   env=env or _env(), cwd=ROOT)
        deadline = began + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    result = None
    for line in stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            result = json.loads(line[len("BENCH-RESULT "):])
    return {"wall_s": wall, "rss_mb": usage.ru_maxrss / 1024, "rc": process.returncode, "result": result,
            "stdout": stdout, "stderr": stderr}


def worker_command(kind: str, **payload) -> list[str]:
    return [sys.executable, os.path.abspath(__file__), "--worker", kind, json.dumps(payload)]


def qcheck_command(factory_or_path: str, shapes: list[str], dtypes: list[str], extra=()) -> list[str]:
    target = (factory_or_path if os.path.isfile(factory_or_path) or ":" in factory_or_path
              else f"{MODELS}:{factory_or_path}")
    script = os.path.join(os.path.dirname(sys.executable), "qcheck")  # the console script, as users run it
    command = ([script] if os.path.isfile(script) else [sys.executable, "-m", "qcheck"]) + [target, "--march", MARCH]
    for shape in shapes:
        command += ["--input-shape", shape]
    for dtype in dtypes:
        command += ["--input-dtype", dtype]
    return command + list(extra)


def best_of(repeat: int, command: list[str], env: dict | None = None, ok=(0, 1), label: str = "") -> dict:
    return best_of_each(repeat, [(command, ok, label)], env)[0]


def best_of_each(repeat: int, measurements: list[tuple[list[str], tuple, str]], env: dict | None = None) -> list[dict]:
    """Best of `repeat` runs of each (command, accepted exit codes, label), the commands taking
    turns: on a shared machine the load drifts, and a floor measured first and qcheck after
    would see different loads."""
    runs: list[list[dict]] = [[] for _ in measurements]
    for _ in range(repeat):
        for found, (command, ok, label) in zip(runs, measurements):
            run = run_process(command, env)
            if run["rc"] not in ok:
                raise RuntimeError(f"{label or command[:4]} exited {run['rc']}:\n{run['stderr'][-3000:]}")
            found.append(run)
    bests = []
    for found in runs:
        best = min(found, key=lambda r: r["wall_s"])
        best["all_wall_s"] = [round(r["wall_s"], 3) for r in found]
        best["max_rss_mb"] = max(r["rss_mb"] for r in found)
        bests.append(best)
    return bests


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure_model(label: str, factory: str, shapes: list[str], dtypes: list[str], repeat: int,
                  real: bool, json_too: bool = False) -> dict:
    """Floor and qcheck CLI for one corpus model (and, with `real`, both with real tensors)."""
    # qcheck first: its JSON report says whether the meta device was used, and the floor follows.
    json_path = os.path.join(tempfile.gettempdir(), f"qcheck-bench-{os.getpid()}.json")
    probe = run_process(qcheck_command(factory, shapes, dtypes, ["--format", "json", "--no-cache",
                                                                 "--output", json_path]))
    if probe["rc"] not in (0, 1):
        raise RuntimeError(f"qcheck failed on {label}:\n{probe['stderr'][-3000:]}")
    with open(json_path, encoding="utf-8") as handle:
        report = json.load(handle)
    os.unlink(json_path)
    on_meta = not any("not on the meta device" in note for note in report.get("notes", []))
    device = "meta" if on_meta else "cpu"
    row = {"model": label, "factory": factory, "device": device, "layers": report["summary"]["layers"],
           "verdict": report["verdict"]}
    floor, cli = best_of_each(repeat, [
        (worker_command("floor", factory=factory, shapes=shapes, dtypes=dtypes, device=device), (0,), f"floor {label}"),
        (qcheck_command(factory, shapes, dtypes, ["--no-cache"]), (0, 1), f"qcheck {label}")])
    row.update(nodes=floor["result"]["nodes"], floor_s=floor["wall_s"], floor_runs=floor["all_wall_s"],
               floor_build_s=floor["result"]["build_s"], floor_export_s=floor["result"]["export_s"],
               floor_rss_mb=floor["max_rss_mb"], qcheck_s=cli["wall_s"], qcheck_runs=cli["all_wall_s"],
               qcheck_rss_mb=cli["max_rss_mb"], ratio=cli["wall_s"] / floor["wall_s"])
    if json_too:
        as_json = best_of(repeat, qcheck_command(factory, shapes, dtypes, ["--no-cache", "--format", "json"]),
                          label=f"qcheck --format json {label}")
        row.update(json_s=as_json["wall_s"], json_ratio=as_json["wall_s"] / floor["wall_s"])
    if not on_meta:
        row["note"] = next(n for n in report["notes"] if "not on the meta device" in n)
    if real:
        floor_real = best_of(repeat, worker_command("floor", factory=factory, shapes=shapes, dtypes=dtypes,
                                                    device="cpu"), label=f"floor real {label}")
        api_real = best_of(repeat, worker_command("api-real", factory=factory, shapes=shapes, dtypes=dtypes),
                           label=f"qcheck real {label}")
        row.update(real_floor_s=floor_real["wall_s"], real_floor_rss_mb=floor_real["max_rss_mb"],
                   real_qcheck_s=api_real["wall_s"], real_qcheck_rss_mb=api_real["max_rss_mb"],
                   real_ratio=api_real["wall_s"] / floor_real["wall_s"])
    return row


def measure_engine(label: str, factory: str, shapes: list[str], dtypes: list[str], repeat: int) -> dict:
    run = run_process(worker_command("engine", factory=factory, shapes=shapes, dtypes=dtypes, repeat=repeat))
    if run["rc"] != 0 or run["result"] is None:
        raise RuntimeError(f"engine worker failed on {label}:\n{run['stderr'][-3000:]}")
    return {"model": label, **run["result"], "rss_mb": run["rss_mb"]}


def measure_cached(repeat: int) -> dict:
    """A TorchScript ResNet-50: checked once (cache written), then re-checked unchanged."""
    from corpus import CORPUS  # bench/ is on sys.path when run as a script

    factory, shapes, dtypes = CORPUS["ResNet-50"]
    folder = tempfile.mkdtemp(prefix="qcheck-bench-")
    try:
        path = os.path.join(folder, "resnet50.pt")
        saved = run_process(worker_command("save-torchscript", factory=factory, shapes=shapes, dtypes=dtypes,
                                           path=path))
        if saved["rc"] != 0:
            raise RuntimeError(f"saving the TorchScript file failed:\n{saved['stderr'][-3000:]}")
        env = _env({"QCHECK_CACHE_DIR": os.path.join(folder, "cache")})
        command = qcheck_command(path, shapes, dtypes)
        first = run_process(command, env)
        if first["rc"] not in (0, 1):
            raise RuntimeError(f"qcheck on the TorchScript file failed:\n{first['stderr'][-3000:]}")
        cached = best_of(repeat, command, env, label="cached re-check")
        import_torch = best_of(repeat, [sys.executable, "-c", "import torch"], label="import torch")
        same = first["stdout"] == cached["stdout"]
        return {"model": "ResNet-50 (TorchScript file)", "first_s": first["wall_s"], "first_rss_mb": first["rss_mb"],
                "cached_s": cached["wall_s"], "cached_runs": cached["all_wall_s"], "cached_rss_mb": cached["max_rss_mb"],
                "import_torch_s": import_torch["wall_s"], "same_output": same}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def machine() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            memory = round(int(handle.readline().split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    import importlib.metadata as metadata

    def version(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory, "python": platform.python_version(),
            "torch": version("torch"), "transformers": version("transformers"),
            "torchvision": version("torchvision"), "qcheck": version("qcheck"),
            "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None}


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------

TARGETS = {"ratio": 1.15, "yolo_ratio": 1.10, "engine_ms_per_1000": 50.0, "linearity": 1.5, "big_s": 20.0, "big_rss_mb": 1536.0,
           "cached_s": 0.3}


def _f(value, digits=2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def markdown(results: dict) -> str:
    lines = []
    m = results["machine"]
    lines.append(f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM; Python {m['python']}, "
                 f"torch {m['torch']}, transformers {m['transformers']}, torchvision "
                 f"{m['torchvision'] or 'not installed'}. Load average {_f(m['load_average'])} at the start "
                 f"(the machine is shared). Every figure is the best of {results['repeat']} runs, each run "
                 f"its own process, floor and qcheck taking turns.")
    if results["models"]:
        lines += ["", "Whole runs: the floor (`import torch` + build + torch.export) against qcheck's CLI "
                  "(default rich output, piped), wall seconds from spawn to exit:", "",
                  "| model | graph nodes | layers | device | floor s | qcheck s | qcheck / floor | "
                  "floor peak RSS MB | qcheck peak RSS MB |",
                  "|---|---:|---:|---|---:|---:|---:|---:|---:|"]
        for row in results["models"]:
            lines.append(f"| {row['model']} | {row['nodes']} | {row['layers']} | {row['device']} | "
                         f"{_f(row['floor_s'])} | {_f(row['qcheck_s'])} | {_f(row['ratio'])} | "
                         f"{row['floor_rss_mb']:.0f} | {row['qcheck_rss_mb']:.0f} |")
        for row in results["models"]:
            if row.get("note"):
                lines.append(f"\n{row['model']}: {row['note']}")
        as_json = [row for row in results["models"] if "json_s" in row]
        if as_json:
            lines += ["", "The same runs with `--format json` (what CI reads):", "",
                      "| model | floor s | qcheck --format json s | qcheck / floor |", "|---|---:|---:|---:|"]
            for row in as_json:
                lines.append(f"| {row['model']} | {_f(row['floor_s'])} | {_f(row['json_s'])} | {_f(row['json_ratio'])} |")
        real = [row for row in results["models"] if "real_floor_s" in row]
        if real:
            lines += ["", "Real tensors (floor: build with weights + export; qcheck: the Python API given the "
                      "nn.Module, report rendered as JSON):", "",
                      "| model | floor s | qcheck s | qcheck / floor | floor peak RSS MB | qcheck peak RSS MB |",
                      "|---|---:|---:|---:|---:|---:|"]
            for row in real:
                lines.append(f"| {row['model']} | {_f(row['real_floor_s'])} | {_f(row['real_qcheck_s'])} | "
                             f"{_f(row['real_ratio'])} | {row['real_floor_rss_mb']:.0f} | "
                             f"{row['real_qcheck_rss_mb']:.0f} |")
    if results.get("real"):
        rows = results["real"]
        ratios = sorted(row["ratio"] for row in rows)
        lines += ["", f"The real-model corpus (tests/corpus.py, {len(rows)} models, one run each): floor and qcheck "
                  "as above, per model, and the median:", "",
                  "| model | graph nodes | layers | device | floor s | qcheck s | qcheck / floor |",
                  "|---|---:|---:|---|---:|---:|---:|"]
        for row in rows:
            lines.append(f"| {row['model']} | {row['nodes']} | {row['layers']} | {row['device']} | "
                         f"{_f(row['floor_s'])} | {_f(row['qcheck_s'])} | {_f(row['ratio'])} |")
        middle = len(ratios) // 2
        median = ratios[middle] if len(ratios) % 2 else (ratios[middle - 1] + ratios[middle]) / 2
        results["real_median_ratio"] = median
        lines += ["", f"Median qcheck / floor over the corpus: {median:.3f} (floor median "
                      f"{sorted(r['floor_s'] for r in rows)[middle]:.2f} s, qcheck median "
                      f"{sorted(r['qcheck_s'] for r in rows)[middle]:.2f} s)."]
    if results["engine"]:
        lines += ["", "The engine alone (`qcheck.api.check_graph` on a captured graph, rules loaded once, the "
                  "graph built anew for every run, march bayes). \"first\" also resolves the rules' rows:", "",
                  "| graph | nodes | layers | first ms | best ms | ms per 1,000 nodes | CPU ms per 1,000 nodes |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for row in results["engine"]:
            lines.append(f"| {row['model']} | {row['nodes']} | {row['layers']} | {row['first_s'] * 1000:.1f} | "
                         f"{row['best_s'] * 1000:.1f} | {row['ms_per_1000']:.1f} | {row['cpu_ms_per_1000']:.1f} |")
        if results.get("linearity") is not None:
            lines += ["", f"Per-node cost at the largest synthetic graph / at 1,000 nodes: "
                          f"{results['linearity']:.2f}"]
    if results.get("big"):
        big = results["big"]
        lines += ["", f"{big['model']}, {big['nodes']} graph nodes, {big['layers']} layers, built on the "
                      f"{big['device']} device: qcheck {_f(big['qcheck_s'])} s, peak RSS {big['qcheck_rss_mb']:.0f} MB; "
                      f"floor {_f(big['floor_s'])} s, {big['floor_rss_mb']:.0f} MB (ratio {_f(big['ratio'])})."]
    if results.get("cached"):
        c = results["cached"]
        lines += ["", f"Cached re-check of an unchanged {c['model']}: {_f(c['cached_s'], 3)} s (runs "
                      f"{c['cached_runs']}), peak RSS {c['cached_rss_mb']:.0f} MB, output identical to the first "
                      f"run: {c['same_output']}. First (uncached) check {_f(c['first_s'])} s; `import torch` "
                      f"alone {_f(c['import_torch_s'])} s."]
    lines += ["", "Targets:", ""]
    for name, passed, detail in verdicts(results):
        lines.append(f"- {'PASS' if passed else 'MISS'} {name}: {detail}")
    return "\n".join(lines) + "\n"


def verdicts(results: dict) -> list[tuple[str, bool, str]]:
    found = []
    for row in results["models"]:
        if row["model"] in ("ResNet-50", "BERT-base"):
            found.append((f"{row['model']} qcheck <= 1.15 x floor", row["ratio"] <= TARGETS["ratio"],
                          f"{row['ratio']:.3f}"))
        if row["model"] == "YOLOv8n":
            found.append(("YOLOv8n qcheck <= 1.10 x floor", row["ratio"] <= TARGETS["yolo_ratio"],
                          f"{row['ratio']:.3f}"))
    # Per 1,000 nodes is a rate: graphs under 100 nodes measure the fixed cost of one call instead.
    engine = [row for row in results["engine"] if row["nodes"] >= 100]
    if engine:
        worst = max(engine, key=lambda r: r["ms_per_1000"])
        found.append(("engine <= 50 ms per 1,000 nodes (graphs of 100 nodes or more)",
                      worst["ms_per_1000"] <= TARGETS["engine_ms_per_1000"],
                      f"worst {worst['ms_per_1000']:.1f} ({worst['model']}), best "
                      f"{min(r['ms_per_1000'] for r in engine):.1f}"))
    if results.get("linearity") is not None:
        found.append(("engine linear (per-node cost at the largest / at 1,000 within 1.5x)",
                      results["linearity"] <= TARGETS["linearity"], f"{results['linearity']:.2f}"))
    if results.get("big"):
        big = results["big"]
        found.append(("GPT-2-XL-sized model < 20 s and < 1.5 GB",
                      big["qcheck_s"] < TARGETS["big_s"] and big["qcheck_rss_mb"] < TARGETS["big_rss_mb"],
                      f"{big['qcheck_s']:.1f} s, {big['qcheck_rss_mb']:.0f} MB"))
    if results.get("cached"):
        c = results["cached"]
        found.append(("cached re-check < 0.3 s", c["cached_s"] < TARGETS["cached_s"], f"{c['cached_s']:.3f} s"))
    return found


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--worker":
        _worker_main(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a subset: a few models, engine up to 5,000 nodes")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement, best taken (default 3)")
    parser.add_argument("--only", action="append", default=[],
                        help="a section: models, engine, big, cached, real (repeatable; default all but real: "
                        "the real-model corpus of tests/corpus.py, one run each)")
    parser.add_argument("--model", action="append", default=[], help="only this corpus model (repeatable)")
    parser.add_argument("--json", dest="json_path", help="also write the figures as JSON to this file")
    args = parser.parse_args(argv)
    sys.path.insert(0, HERE)
    from corpus import BIG, CORPUS, QUICK, RATIO_TARGETS, TORCHVISION, ULTRALYTICS, has_torchvision, has_ultralytics

    sections = set(args.only) or {"models", "engine", "big", "cached"}
    if args.quick:
        sections.discard("big")
    corpus = dict(CORPUS)
    if has_torchvision() and not args.quick:
        corpus.update(TORCHVISION)
    if has_ultralytics():
        corpus.update(ULTRALYTICS)
    if args.model:
        corpus = {k: v for k, v in corpus.items() if k in args.model}
    elif args.quick:
        corpus = {k: v for k, v in corpus.items() if k in QUICK}
    results = {"machine": machine(), "repeat": args.repeat, "models": [], "engine": [], "real": [], "quick": args.quick,
               "command": " ".join(["python", "bench/run.py", *argv])}
    began = time.perf_counter()
    if "models" in sections:
        for label, (factory, shapes, dtypes) in corpus.items():
            _log(f"[{time.perf_counter() - began:6.0f}s] floor and qcheck: {label}")
            # The synthetic 5,000-node model exports for half a minute: one run of it.
            repeat = 1 if label == "deep-5000" else args.repeat
            row = measure_model(label, factory, shapes, dtypes, repeat, real=not args.quick and label in RATIO_TARGETS,
                                json_too=label in RATIO_TARGETS)
            results["models"].append(row)
            _log(f"          floor {row['floor_s']:.2f} s, qcheck {row['qcheck_s']:.2f} s, "
                 f"ratio {row['ratio']:.3f}, RSS {row['qcheck_rss_mb']:.0f} MB")
    if "engine" in sections:
        sizes = (100, 1000, 5000) if args.quick else (100, 1000, 5000, 20000)
        for label, (factory, shapes, dtypes) in corpus.items():
            if label.startswith("deep-"):
                continue  # the synthetic graphs below cover them, to 20,000 nodes
            _log(f"[{time.perf_counter() - began:6.0f}s] engine: {label}")
            results["engine"].append(measure_engine(label, factory, shapes, dtypes, max(args.repeat, 3)))
        for size in sizes:
            _log(f"[{time.perf_counter() - began:6.0f}s] engine: synthetic {size}")
            results["engine"].append(measure_engine(f"synthetic {size}", f"synthetic:{size}", [], [],
                                                    max(args.repeat, 3)))
        synthetic = {row["nodes"]: row for row in results["engine"] if row["model"].startswith("synthetic")}
        if 1000 in synthetic:
            largest = synthetic[max(synthetic)]
            results["linearity"] = largest["ms_per_1000"] / synthetic[1000]["ms_per_1000"]
    if "real" in sections:
        from corpus import real_corpus

        for label, (factory, shapes, dtypes) in real_corpus().items():
            _log(f"[{time.perf_counter() - began:6.0f}s] real corpus: {label}")
            try:
                row = measure_model(label, factory, shapes, dtypes, 1, real=False)
            except RuntimeError as error:
                _log(f"          skipped: {str(error).splitlines()[0]}")
                continue
            results["real"].append(row)
            _log(f"          floor {row['floor_s']:.2f} s, qcheck {row['qcheck_s']:.2f} s, ratio {row['ratio']:.3f}")
    if "big" in sections:
        for label, (factory, shapes, dtypes) in BIG.items():
            _log(f"[{time.perf_counter() - began:6.0f}s] big model: {label}")
            row = measure_model(label, factory, shapes, dtypes, args.repeat, real=False)
            results["big"] = row
            _log(f"          qcheck {row['qcheck_s']:.2f} s, RSS {row['qcheck_rss_mb']:.0f} MB")
    if "cached" in sections:
        _log(f"[{time.perf_counter() - began:6.0f}s] cached re-check")
        results["cached"] = measure_cached(args.repeat)
    results["elapsed_s"] = time.perf_counter() - began
    text = markdown(results)
    sys.stdout.write(text)
    sys.stdout.write(f"\nTotal {results['elapsed_s']:.0f} s. Command: {results['command']}\n")
    if args.json_path:
        with open(args.json_path, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
