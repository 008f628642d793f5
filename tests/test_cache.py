"""The report cache: identical reports without importing torch; safe under concurrency; a
corrupt entry is ignored. (Its speed is measured in bench/, not asserted here.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT
from tests.models import save_torchscript, seed_net

PROBE = """
import sys
from qcheck.cli import main
try:
    main(sys.argv[1:], prog_name="qcheck")
except SystemExit as stop:
    code = stop.code
print("TORCH_IMPORTED" if "torch" in sys.modules else "TORCH_NOT_IMPORTED", code, file=sys.stderr)
"""


@pytest.fixture()
def model(tmp_path):
    return save_torchscript(seed_net(), (1, 1, 28, 28), tmp_path / "seed.pt")


def _run(model, cache_dir, *extra):
    env = {**os.environ, "QCHECK_CACHE_DIR": str(cache_dir), "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-c", PROBE, model, "--march", "bernoulli2", "--input-shape",
                           "1x1x28x28", "--format", "json", *extra],
                          capture_output=True, text=True, env=env, timeout=300)


def test_cached_report_is_identical_and_skips_torch(model, tmp_path):
    cache_dir = tmp_path / "cache"
    first = _run(model, cache_dir)
    assert "TORCH_IMPORTED 1" in first.stderr
    second = _run(model, cache_dir)
    assert "TORCH_NOT_IMPORTED 1" in second.stderr
    assert second.stdout == first.stdout
    assert len(_entries(cache_dir)) == 1


def _entries(cache_dir):
    return [name for name in os.listdir(cache_dir) if name.endswith(".json")]


def test_changed_options_or_model_miss_the_cache(model, tmp_path):
    cache_dir = tmp_path / "cache"
    _run(model, cache_dir)
    other_march = _run(model, cache_dir, "--march", "bayes")
    assert "TORCH_IMPORTED 0" in other_march.stderr
    with open(model, "ab") as handle:
        handle.write(b"")  # same bytes: still a hit
    assert "TORCH_NOT_IMPORTED" in _run(model, cache_dir).stderr


def test_corrupt_entry_is_ignored(model, tmp_path):
    cache_dir = tmp_path / "cache"
    first = _run(model, cache_dir)
    (entry,) = _entries(cache_dir)
    (cache_dir / entry).write_text('{"half": ')
    again = _run(model, cache_dir)
    assert "TORCH_IMPORTED 1" in again.stderr
    assert again.stdout == first.stdout
    json.loads((cache_dir / entry).read_text())  # rewritten whole


def test_concurrent_runs_share_the_cache_safely(model, tmp_path):
    cache_dir = tmp_path / "cache"
    env = {**os.environ, "QCHECK_CACHE_DIR": str(cache_dir), "PYTHONPATH": ROOT}
    command = [sys.executable, "-m", "qcheck", model, "--march", "bernoulli2", "--input-shape", "1x1x28x28",
               "--format", "json"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            for _ in range(3)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [1, 1, 1]
    assert len({out for out, _ in outputs}) == 1
    for folder in (cache_dir, cache_dir / "digests"):  # no temporary file left behind
        assert [name for name in os.listdir(folder) if not name.startswith(".")] == os.listdir(folder)


def test_a_rewritten_model_is_hashed_again(model, tmp_path):
    # The model's digest is remembered with its size, mtime and inode; a new file under the same
    # name (another model) must not be served the old report.
    cache_dir = tmp_path / "cache"
    first = _run(model, cache_dir)
    save_torchscript(seed_net(avg_kernel=4), (1, 1, 28, 28), model)
    second = _run(model, cache_dir)
    assert "TORCH_IMPORTED" in second.stderr and "TORCH_NOT_IMPORTED" not in second.stderr
    assert second.stdout != first.stdout
    assert len(_entries(cache_dir)) == 2


def test_a_corrupt_digest_memo_is_ignored(model, tmp_path):
    cache_dir = tmp_path / "cache"
    first = _run(model, cache_dir)
    (memo,) = os.listdir(cache_dir / "digests")
    known = json.loads((cache_dir / "digests" / memo).read_text())
    (cache_dir / "digests" / memo).write_text(json.dumps({"stat": known["stat"], "sha256": "zz"}))
    again = _run(model, cache_dir)
    assert "TORCH_NOT_IMPORTED" in again.stderr  # hashed again: the same bytes, still a hit
    assert again.stdout == first.stdout
    assert json.loads((cache_dir / "digests" / memo).read_text()) == known


def test_no_cache_flag(model, tmp_path):
    cache_dir = tmp_path / "cache"
    _run(model, cache_dir, "--no-cache")
    assert not cache_dir.exists() or not os.listdir(cache_dir)
