"""Issue 8: `--output FILE` is written atomically.

On success the file holds the whole report (the same bytes as stdout would), with the mode a
plain write would give; on any failure the old file is untouched and no partial or temporary file
remains next to it.
"""

from __future__ import annotations

import json
import os
import stat
import threading
import warnings

import pytest

from qcheck import output
from qcheck.errors import QcheckError
from tests.helpers import run_cli

OPTIONS = ["--march", "bernoulli2", "--input-shape", "1x3x16x16"]


def _files(folder) -> list[str]:
    return sorted(os.listdir(folder))


def _env(tmp_path) -> dict:
    """A report cache of this test's own, outside the folder whose files the test counts."""
    return {"QCHECK_CACHE_DIR": str(tmp_path.parent / f"{tmp_path.name}-cache")}


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> str:
    """A TorchScript file that fails on bernoulli2 (an 8x8 average pool): exit code 1, a report."""
    import torch
    from torch import nn

    folder = tmp_path_factory.mktemp("atomic-model")
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.AvgPool2d(8)).eval()
    path = str(folder / "model.pt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.save(torch.jit.trace(net, torch.rand(1, 3, 16, 16)), path)
    return path


# ----------------------------------------------------------------------------------- through the CLI


def test_output_holds_the_same_bytes_as_stdout(model, tmp_path):
    env = _env(tmp_path)
    printed = run_cli(model, *OPTIONS, "--format", "json", cwd=str(tmp_path), env=env)
    (tmp_path / "out").mkdir()
    report = tmp_path / "out" / "report.json"
    report.write_text("an old report that is much longer than nothing\n" * 100)
    written = run_cli(model, *OPTIONS, "--format", "json", "--output", str(report), cwd=str(tmp_path), env=env)
    assert printed.returncode == written.returncode == 1, (printed.stderr, written.stderr)
    assert written.stdout == "" and written.stderr == ""
    assert report.read_bytes() == printed.stdout.encode()
    json.loads(report.read_text())
    assert _files(tmp_path / "out") == ["report.json"]


def test_a_new_report_file_gets_the_mode_a_plain_write_gives(model, tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    report = tmp_path / "report.json"
    result = run_cli(model, *OPTIONS, "--format", "json", "-o", str(report), cwd=str(tmp_path),
                     env=_env(tmp_path))
    assert result.returncode == 1, result.stderr
    assert stat.S_IMODE(report.stat().st_mode) == 0o666 & ~umask


def test_a_bad_model_leaves_the_old_report_alone(tmp_path):
    report = tmp_path / "report.json"
    report.write_text("old\n")
    report.chmod(0o640)
    (tmp_path / "model.pt").write_bytes(b"PK\x03\x04 truncated")
    result = run_cli("model.pt", *OPTIONS, "--format", "json", "--output", "report.json", cwd=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith("qcheck: error: model.pt: ")
    assert report.read_text() == "old\n"
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    assert _files(tmp_path) == ["model.pt", "report.json"]


def test_a_missing_output_folder_is_one_error_line_and_creates_nothing(model, tmp_path):
    result = run_cli(model, *OPTIONS, "--format", "json", "--output", "no/such/folder/report.json",
                     cwd=str(tmp_path), env=_env(tmp_path))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("qcheck: error: no/such/folder/report.json: "), result.stderr
    assert "does not exist" in lines[0]
    assert _files(tmp_path) == []


def test_an_output_path_below_a_file_is_refused(model, tmp_path):
    (tmp_path / "notes.txt").write_text("a file, not a folder\n")
    result = run_cli(model, *OPTIONS, "--format", "json", "--output", "notes.txt/report.json",
                     cwd=str(tmp_path), env=_env(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith("qcheck: error: notes.txt/report.json: ")
    assert (tmp_path / "notes.txt").read_text() == "a file, not a folder\n"
    assert _files(tmp_path) == ["notes.txt"]


def test_an_output_path_that_is_a_folder_is_refused(model, tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "keep").write_text("x")
    result = run_cli(model, *OPTIONS, "--format", "json", "--output", "reports", cwd=str(tmp_path),
                     env=_env(tmp_path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert _files(tmp_path / "reports") == ["keep"]


# ----------------------------------------------------------------------------------- write_atomic


def test_write_atomic_replaces_the_whole_file(tmp_path):
    path = tmp_path / "report.json"
    path.write_text("x" * 10_000)
    output.write_atomic(str(path), "short\n")
    assert path.read_text() == "short\n"
    assert _files(tmp_path) == ["report.json"]


def test_write_atomic_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "report.json"
    path.write_text("old")
    path.chmod(0o640)
    output.write_atomic(str(path), "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.parametrize("failing", ["write", "fsync", "replace"])
def test_an_os_error_while_writing_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch, failing):
    path = tmp_path / "report.json"
    path.write_text("old report\n")

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if failing == "write":  # the disk fills up half way through the report
        real_fdopen = os.fdopen

        class HalfWritten:
            def __init__(self, stream):
                self.stream = stream

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.stream.close()

            def write(self, text):
                self.stream.write(text[: len(text) // 2])
                self.stream.flush()
                fail()

        monkeypatch.setattr(os, "fdopen", lambda *args, **kwargs: HalfWritten(real_fdopen(*args, **kwargs)))
    else:
        monkeypatch.setattr(os, failing, fail)
    with pytest.raises(QcheckError) as raised:
        output.write_atomic(str(path), "new report\n" * 1000)
    monkeypatch.undo()
    assert raised.value.path == str(path)
    assert "No space left on device" in str(raised.value)
    assert path.read_text() == "old report\n"
    assert _files(tmp_path) == ["report.json"]


def test_an_interrupt_while_writing_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "report.json"
    path.write_text("old report\n")

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        output.write_atomic(str(path), "new report\n")
    monkeypatch.undo()
    assert path.read_text() == "old report\n"
    assert _files(tmp_path) == ["report.json"]


def test_a_missing_folder_is_a_clean_error(tmp_path):
    with pytest.raises(QcheckError, match="does not exist"):
        output.write_atomic(str(tmp_path / "missing" / "report.json"), "x")
    assert _files(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_a_clean_error(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "report.json").write_text("old")
    folder.chmod(0o500)
    try:
        with pytest.raises(QcheckError, match="cannot write the report"):
            output.write_atomic(str(folder / "report.json"), "new")
        assert (folder / "report.json").read_text() == "old"
        assert _files(folder) == ["report.json"]
    finally:
        folder.chmod(0o700)


def test_a_path_that_is_not_utf8_is_written_as_an_escape(tmp_path):
    """A model file named with Latin-1 bytes reaches the report as a lone surrogate."""
    path = tmp_path / "report.json"
    text = json.dumps({"model": "caf\udce9.pt"}, ensure_ascii=False)
    output.write_atomic(str(path), text)
    assert json.loads(path.read_bytes().decode("utf-8")) == {"model": "caf\udce9.pt"}


def test_concurrent_writers_never_interleave(tmp_path):
    path = str(tmp_path / "report.json")
    texts = [f"{i}\n" * (20_000 + i) for i in range(8)]
    errors = []

    def write(text):
        try:
            for _ in range(5):
                output.write_atomic(path, text)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with open(path) as handle:
        assert handle.read() in texts
    assert _files(tmp_path) == ["report.json"]
