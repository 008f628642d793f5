"""Golden-file tests per output format, on a real check of the seed network (bernoulli2: one
failing layer). Regenerate after an intended change with QCHECK_UPDATE_GOLDEN=1."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest

from tests.helpers import ROOT, run_cli

GOLDEN = os.path.join(os.path.dirname(__file__), "golden")
SEED = "examples/seed_net.py:Net"
FORMATS = ["json", "sarif", "junit", "github", "markdown"]


@pytest.fixture(scope="module")
def outputs():
    found = {}
    for fmt in FORMATS:
        result = run_cli(SEED, "--march", "bernoulli2", "--input-shape", "1x1x28x28", "--format", fmt,
                         cwd=ROOT)
        assert result.returncode == 1, result.stderr
        found[fmt] = result.stdout
    return found


def _normalise(text: str) -> str:
    from qcheck import __version__

    return text.replace(__version__, "<version>")


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt, outputs):
    path = os.path.join(GOLDEN, f"seed_net.bernoulli2.{fmt}")
    actual = _normalise(outputs[fmt])
    if os.environ.get("QCHECK_UPDATE_GOLDEN"):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(actual)
    with open(path, encoding="utf-8") as handle:
        assert actual == handle.read()


# The parts of the SARIF 2.1.0 schema (sarif-schema-2.1.0.json) that every consumer relies on:
# required properties and enumerations of the objects qcheck writes.
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"enum": ["2.1.0"]},
        "runs": {"type": "array", "items": {
            "type": "object", "required": ["tool"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name"],
                    "properties": {"name": {"type": "string"}, "rules": {"type": "array", "items": {
                        "type": "object", "required": ["id"],
                        "properties": {"id": {"type": "string"},
                                       "shortDescription": {"$ref": "#/$defs/message"},
                                       "fullDescription": {"$ref": "#/$defs/message"},
                                       "help": {"$ref": "#/$defs/message"}}}}}}}},
                "results": {"type": "array", "items": {
                    "type": "object", "required": ["message"],
                    "properties": {
                        "ruleId": {"type": "string"},
                        "ruleIndex": {"type": "integer", "minimum": 0},
                        "level": {"enum": ["none", "note", "warning", "error"]},
                        "message": {"$ref": "#/$defs/message"},
                        "locations": {"type": "array", "items": {"type": "object", "properties": {
                            "physicalLocation": {"type": "object", "required": ["artifactLocation"], "properties": {
                                "artifactLocation": {"type": "object", "required": ["uri"]},
                                "region": {"type": "object", "properties": {
                                    "startLine": {"type": "integer", "minimum": 1}}}}},
                            "logicalLocations": {"type": "array"}}}},
                        "partialFingerprints": {"type": "object",
                                                "additionalProperties": {"type": "string"}}}}},
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]}}}},
    },
    "$defs": {"message": {"type": "object", "anyOf": [{"required": ["text"]}, {"required": ["id"]}]}},
}


def test_sarif_structure(outputs):
    import jsonschema

    document = json.loads(outputs["sarif"])
    jsonschema.validate(document, SARIF_SUBSET)
    run = document["runs"][0]
    (result,) = run["results"]
    assert result["ruleId"] == "bernoulli2.avg_pool2d.kernel"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "examples/seed_net.py"
    assert location["region"]["startLine"] == 46


def test_junit_structure(outputs):
    root = ET.fromstring(outputs["junit"])
    assert root.tag == "testsuites" and root.get("failures") == "1"
    cases = root.findall("./testsuite/testcase")
    failing = [c for c in cases if c.find("failure") is not None]
    assert len(cases) == 11 and len(failing) == 1
    assert failing[0].get("name").startswith("avg_pool ")
    assert failing[0].get("line") == "46"
    assert failing[0].find("failure").get("type") == "bernoulli2.avg_pool2d.kernel"


def test_github_annotation(outputs):
    lines = outputs["github"].splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == 1
    assert annotations[0].startswith("::error file=examples/seed_net.py,line=46,title=qcheck bernoulli2.avg_pool2d.kernel::")
    assert "\n" not in annotations[0]


def test_markdown_lists_the_failing_layer(outputs):
    text = outputs["markdown"]
    assert text.startswith("### qcheck: FAIL on `bernoulli2`")
    assert "| `avg_pool` | `torch.nn.AvgPool2d` | error | `bernoulli2.avg_pool2d.kernel` |" in text
