"""Issue 8: the same model and options give byte-identical machine-readable reports.

For every machine format (every format but "rich"), the real CLI checks three models at once (a
TorchScript file, a .pt2 archive and an eager spec, so all three capture paths):

- run 1 in folder A, with an empty report cache;
- run 2 in folder B, at another depth, with another empty cache and another PYTHONHASHSEED;
- for JSON also run 3, in folder A again, reusing run 1's cache (the file models come from the
  cache) and writing the report with --output.

The runs must be byte-identical, and no report may mention the folder it was run in.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import textwrap
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest

from qcheck.render import FORMATS
from tests.helpers import run_cli

MACHINE_FORMATS = [fmt for fmt in FORMATS if fmt != "rich"]
MODELS = ["model.pt", "model.pt2", "net.py:Net"]
OPTIONS = ["--march", "bernoulli2", "--input-shape", "1x1x28x28"]

NET = textwrap.dedent("""\
    from torch import nn
    from torch.ao.quantization import DeQuantStub, QuantStub


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.quant = QuantStub()
            self.conv = nn.Conv2d(1, 8, 5)
            self.bn = nn.BatchNorm2d(8)
            self.relu = nn.ReLU()
            self.pool = nn.AvgPool2d(8)  # bernoulli2 allows kernels up to 7: one finding
            self.head = nn.Conv2d(8, 10, 1)
            self.dequant = DeQuantStub()

        def forward(self, x):
            x = self.quant(x)
            x = self.relu(self.bn(self.conv(x)))
            x = self.head(self.pool(x))
            return self.dequant(x).flatten(1)
""")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """{format: [(exit code, report bytes, stderr) of runs 1, 2, 3]} and the two folders."""
    import torch

    root = tmp_path_factory.mktemp("determinism")
    source = root / "source"  # where the TorchScript and .pt2 files were made: outside both folders
    source.mkdir()
    (source / "net.py").write_text(NET)
    spec = importlib.util.spec_from_file_location("determinism_net", source / "net.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.Net().eval()
    example = torch.rand(1, 1, 28, 28)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.save(torch.jit.trace(model, example), str(source / "model.pt"))
        torch.export.save(torch.export.export(model, (example,)), str(source / "model.pt2"))

    folder_a = root / "a"
    folder_b = root / "b" / "deeper" / "still"
    for folder in (folder_a, folder_b):
        folder.mkdir(parents=True)
        for name in ("net.py", "model.pt", "model.pt2"):
            shutil.copyfile(source / name, folder / name)

    def run(job):
        fmt, number = job
        folder = folder_a if number in (1, 3) else folder_b
        cache = root / f"cache-{fmt}-{'a' if number in (1, 3) else 'b'}"
        output = ["--output", f"report-{fmt}"] if number == 3 else []
        result = run_cli(*MODELS, *OPTIONS, "--format", fmt, *output, cwd=str(folder), timeout=300,
                         env={"QCHECK_CACHE_DIR": str(cache), "PYTHONHASHSEED": str(number)})
        text = (folder / f"report-{fmt}").read_bytes() if number == 3 and result.returncode in (0, 1) \
            else result.stdout.encode("utf-8", "surrogateescape")
        return fmt, number, (result.returncode, text, result.stderr, result.stdout)

    results: dict[str, list] = {fmt: [None, None] for fmt in MACHINE_FORMATS}
    results["json"].append(None)
    with ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 2))) as pool:
        # run 3 reuses run 1's cache, so runs 1 and 2 go first
        for fmt, number, outcome in pool.map(run, [(f, n) for f in MACHINE_FORMATS for n in (1, 2)]):
            results[fmt][number - 1] = outcome
        for fmt, number, outcome in pool.map(run, [("json", 3)]):
            results[fmt][number - 1] = outcome
    return results, folder_a, folder_b


def test_machine_formats_are_known():
    assert "json" in MACHINE_FORMATS and "rich" not in MACHINE_FORMATS


@pytest.mark.parametrize("fmt", MACHINE_FORMATS)
def test_reports_are_byte_identical(fmt, runs):
    results, folder_a, folder_b = runs
    (code1, text1, err1, _), (code2, text2, err2, _) = results[fmt][:2]
    assert code1 == 1, err1  # the pool layer fails on bernoulli2: a report with a finding
    assert code2 == 1, err2
    assert text1, "an empty report"
    assert text1 == text2, f"{fmt}: a run in another folder (and hash seed) differs:\n{_diff(text1, text2)}"
    for folder in (folder_a, folder_b):
        assert str(folder).encode() not in text1, f"{fmt}: the report mentions the folder it ran in"


def test_a_repeated_run_from_the_cache_is_byte_identical(runs):
    results, _, _ = runs
    (_, text1, _, _), _, (code3, text3, err3, out3) = results["json"]
    assert code3 == 1, err3
    assert text1 == text3, f"a repeated run (from the cache, via --output) differs:\n{_diff(text1, text3)}"
    assert out3 == "", "with --output the report goes to the file only"


def _diff(one: bytes, two: bytes) -> str:
    import difflib

    lines = difflib.unified_diff(one.decode("utf-8", "replace").splitlines(),
                                 two.decode("utf-8", "replace").splitlines(), lineterm="", n=1)
    return "\n".join(list(lines)[:40])
