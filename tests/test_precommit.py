"""The pre-commit hook for real: the `pre-commit` tool installs this repository as a hook source
into a temporary git repository and runs it on a passing and a failing model file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.helpers import ROOT
from tests.models import save_torchscript, seed_net, small_convnet

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """A temporary project whose .pre-commit-config.yaml uses this repository at its HEAD commit."""
    try:
        head = _git("rev-parse", "HEAD", cwd=ROOT)
    except subprocess.CalledProcessError:
        pytest.skip("the qcheck checkout is not a git repository")
    if _git("status", "--porcelain", "--untracked-files=no", cwd=ROOT):
        pytest.skip("uncommitted changes: pre-commit installs the hook from the committed HEAD")
    project = tmp_path_factory.mktemp("hooked")
    _git("init", "-q", cwd=project)
    _git("config", "user.email", "ci@example.com", cwd=project)
    _git("config", "user.name", "ci", cwd=project)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {head}\n    hooks:\n      - id: qcheck\n")
    (project / "pyproject.toml").write_text(
        '[tool.qcheck]\nmarch = "bernoulli2"\n\n[tool.qcheck.models."*.pt"]\ninput-shapes = ["1x1x28x28"]\n')
    # pre-commit builds the hook's own virtualenv with pip: pin the local CPU torch wheel so the
    # range in pyproject.toml does not pull a multi-GB CUDA build.
    constraints = project.parent / "constraints.txt"
    constraints.write_text("torch==2.13.0\n")
    env = {**os.environ, "PRE_COMMIT_HOME": str(project.parent / "pre-commit-home"),
           "PIP_CONSTRAINT": str(constraints), "QCHECK_CACHE_DIR": str(project.parent / "cache")}
    return project, env


def _pre_commit(project, env, *files):
    for name in files:
        _git("add", name, cwd=project)
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--files", *files], cwd=project, env=env,
                          capture_output=True, text=True, timeout=1200)


def test_hook_passes_a_deployable_model(hook_repo):
    project, env = hook_repo
    save_torchscript(small_convnet(), (1, 1, 28, 28), project / "good.pt")
    result = _pre_commit(project, env, "good.pt")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_hook_fails_a_model_that_breaks_the_table(hook_repo):
    project, env = hook_repo
    save_torchscript(seed_net(), (1, 1, 28, 28), project / "bad.pt")
    result = _pre_commit(project, env, "bad.pt")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "bernoulli2.avg_pool2d.kernel" in result.stdout
