"""Shared test helpers: run the real CLI in a subprocess, validate the documented JSON shape."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
# A fourth march (bayes_e with one Conv2d limit changed) for the tests of marches as data.
NASH_E_RULES = os.path.join(ROOT, "tests", "data", "nash_e.yaml")


def run_cli(*args: str, cwd: str | None = None, env: dict | None = None, timeout: int = 300):
    """`python -m qcheck ARGS` as a user would run it; returns the CompletedProcess."""
    full_env = {**os.environ, "NO_COLOR": "1", "HF_HUB_OFFLINE": "1", **(env or {})}
    full_env["PYTHONPATH"] = ROOT + os.pathsep + full_env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "qcheck", *args], cwd=cwd or ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


STATUSES = {"pass", "warn", "fail", "cpu"}
SEVERITIES = {"error", "warning", "info"}


def _shipped_marches() -> set[str]:
    from qcheck.rules import load_rules

    return set(load_rules().marches)


def validate_report(data: dict, marches: set[str] | None = None) -> None:
    """Assert the JSON report has exactly the shape issue 2 documents (more keys are allowed), and
    that it validates against the shipped JSON Schema. `marches`: the marches the check's rule
    files define (default: the shipped ones)."""
    _schema_validator().validate(data)
    assert data["schema_version"] == 1
    assert isinstance(data["qcheck_version"], str) and data["qcheck_version"]
    assert isinstance(data["model"], str)
    assert data["march"] in (marches or _shipped_marches())
    assert data["verdict"] in {"pass", "warn", "fail"}
    summary = data["summary"]
    assert set(summary) >= {"layers", "pass", "warn", "fail", "cpu"}
    assert summary["layers"] == len(data["layers"])
    for status in STATUSES:
        assert summary[status] == sum(1 for layer in data["layers"] if layer["status"] == status)
    for layer in data["layers"]:
        assert isinstance(layer["name"], str) and layer["name"]
        assert isinstance(layer["op"], str) and layer["op"]
        assert layer["status"] in STATUSES
        assert layer["module_type"] is None or isinstance(layer["module_type"], str)
        assert layer["source"] is None or (isinstance(layer["source"], str) and ":" in layer["source"])
        for tensor in layer["inputs"] + layer["outputs"]:
            assert set(tensor) >= {"shape", "dtype"}
            assert tensor["shape"] is None or all(isinstance(d, int) for d in tensor["shape"])
        for finding in layer["findings"]:
            assert isinstance(finding["rule"], str) and finding["rule"].count(".") >= 1
            assert finding["severity"] in SEVERITIES
            assert isinstance(finding["message"], str) and finding["message"]
            assert finding["advice"] is None or isinstance(finding["advice"], str)
        if layer["status"] == "fail":
            assert any(f["severity"] == "error" for f in layer["findings"])
    statuses = {layer["status"] for layer in data["layers"]}
    expected = "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"
    assert data["verdict"] == expected


def cli_json(*args: str, **kwargs) -> tuple[int, dict]:
    result = run_cli(*args, "--format", "json", **kwargs)
    assert result.returncode in (0, 1), result.stderr
    data = json.loads(result.stdout)
    validate_report(data)
    return result.returncode, data


@functools.lru_cache(maxsize=1)
def _schema_validator():
    import jsonschema

    from qcheck.report import SCHEMA_FILE

    with open(SCHEMA_FILE, encoding="utf-8") as handle:
        return jsonschema.Draft202012Validator(json.load(handle))
