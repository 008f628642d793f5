"""The JSON report's contract is a file (qcheck/schema/report-v1.json, copied in docs/): every
golden report and real reports of every kind validate against it, and it is strict enough to
reject reports that break it."""

from __future__ import annotations

import copy
import json
import os

import jsonschema
import pytest

from qcheck.report import SCHEMA_FILE
from tests.helpers import ROOT, run_cli

SCHEMA = json.load(open(SCHEMA_FILE, encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
GOLDEN = os.path.join(ROOT, "tests", "golden", "seed_net.bernoulli2.json")


def test_the_schema_is_valid_and_the_docs_copy_is_the_shipped_one():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert open(os.path.join(ROOT, "docs", "report-v1.schema.json"), encoding="utf-8").read() == \
        open(SCHEMA_FILE, encoding="utf-8").read()


def test_golden_report_validates():
    VALIDATOR.validate(json.load(open(GOLDEN, encoding="utf-8")))


@pytest.mark.parametrize("args", [
    ("--march", "bernoulli2"),
    ("--march", "bayes", "--fallback", "cpu", "--advice", "0"),
    ("--march", "bayes_e", "--mode", "eager"),
])
def test_real_reports_validate(args):
    result = run_cli("examples/seed_net.py:Net", "--input-shape", "1x1x28x28", "--format", "json", *args)
    assert result.returncode in (0, 1), result.stderr
    VALIDATOR.validate(json.loads(result.stdout))


def test_march_all_is_a_list_of_valid_reports():
    result = run_cli("examples/seed_net.py:Net", "--input-shape", "1x1x28x28", "--format", "json",
                     "--march", "all")
    envelope = json.loads(result.stdout)
    VALIDATOR.validate(envelope)
    assert [report["march"] for report in envelope["reports"]] == ["bernoulli2", "bayes", "bayes_e"]


@pytest.mark.parametrize("breaks", [
    lambda r: r.update(verdict="ok"),
    lambda r: r.update(schema_version=2),
    lambda r: r["layers"][0].update(status="green"),
    lambda r: r["layers"][0].pop("findings"),
    lambda r: r["layers"][0]["inputs"][0].update(shape=["1"]),
    lambda r: r["summary"].pop("cpu"),
    lambda r: next(layer for layer in r["layers"] if layer["findings"])["findings"][0].update(severity="fatal"),
])
def test_the_schema_rejects_a_broken_report(breaks):
    report = copy.deepcopy(json.load(open(GOLDEN, encoding="utf-8")))
    breaks(report)
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(report)
