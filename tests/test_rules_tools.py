"""The table as data: every seed row encoded for every march, `qcheck rules`, `qcheck explain`,
and docs/SUPPORTED_OPS.md generated from the rules (a test fails when it is stale)."""

from __future__ import annotations

import csv
import json
import os

from qcheck import tables
from tests.helpers import ROOT, run_cli

SEED_TABLE = os.path.join(os.path.dirname(__file__), "data", "op-table.tsv")
SUPPORTED_OPS = os.path.join(ROOT, "docs", "SUPPORTED_OPS.md")


def _seed_rows():
    with open(SEED_TABLE, encoding="utf-8") as handle:
        return [row["operator"] for row in csv.DictReader(handle, delimiter="\t")]


def test_every_seed_row_is_encoded_for_every_march(rules, capsys):
    seed = _seed_rows()
    assert len(seed) == 118
    lines = []
    for march in rules.marches:
        encoded = [name for name in seed if name in rules.operators and rules.operators[name].blocks]
        lines.append(f"rows encoded on {march}: {len(encoded)}/{len(seed)}")
        missing = sorted(set(seed) - set(encoded))
        assert not missing, f"{march}: rows not encoded: {missing}"
        for name in seed:
            rules.rule(name, march)  # resolves: references followed, inheritance applied
    with capsys.disabled():
        print("\n" + "\n".join(lines))


def test_rules_command_formats():
    result = run_cli("rules", "--march", "bayes", "--op", "torch.nn.Conv2d", "--format", "json")
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["operator"] == "torch.nn.Conv2d" and row["march"] == "bayes" and row["supported"]
    assert "bayes.conv2d.kernel" in [c["id"] for c in row["constraints"]]
    text = run_cli("rules", "--march", "bernoulli2", "--op", "torch.nn.Linear").stdout
    assert "NOT SUPPORTED" in text
    bad = run_cli("rules", "--op", "torch.nn.Nope")
    assert bad.returncode == 2 and "torch.nn.Nope" in bad.stderr


def test_explain_shows_sentence_limits_source_and_note():
    result = run_cli("explain", "bayes.conv2d.weight_size")
    assert result.returncode == 0
    out = result.stdout
    assert "weight_size < 65535" in out and "check:" in out and "note:" in out and "nn_conv.yaml" in out
    inherited = run_cli("explain", "bayes_e.conv2d.weight_size").stdout
    assert "32767" in inherited and "X5" in inherited
    missing = run_cli("explain", "bayes.conv2d.nope")
    assert missing.returncode == 2 and missing.stderr.startswith("qcheck: error:")


def test_rules_and_explain_show_the_patterns_a_row_declares():
    (row,) = json.loads(run_cli("rules", "--march", "bayes", "--op", "torchvision.ops.RoIAlign",
                                "--format", "json").stdout)
    assert row["patterns"] == ["box_list_to_rois"]
    (plain,) = json.loads(run_cli("rules", "--march", "bayes", "--op", "torch.nn.Conv2d", "--format", "json").stdout)
    assert plain["patterns"] == []
    assert "pattern box_list_to_rois:" in run_cli("rules", "--march", "bayes", "--op", "torchvision.ops.RoIAlign").stdout
    assert "pattern:   scalar_method:" in run_cli("explain", "bayes.add.broadcast_n").stdout
    assert "pattern:" not in run_cli("explain", "bayes.conv2d.kernel").stdout


def test_supported_ops_doc_is_generated_from_the_rules(rules):
    expected = tables.markdown(rules, list(rules.marches))
    if os.environ.get("QCHECK_UPDATE_GOLDEN"):
        with open(SUPPORTED_OPS, "w", encoding="utf-8") as handle:
            handle.write(expected)
    with open(SUPPORTED_OPS, encoding="utf-8") as handle:
        assert handle.read() == expected, ("docs/SUPPORTED_OPS.md is stale: regenerate it with "
                                           "`qcheck rules --format markdown > docs/SUPPORTED_OPS.md`")


def test_rules_markdown_command_matches_the_doc():
    result = run_cli("rules", "--format", "markdown")
    with open(SUPPORTED_OPS, encoding="utf-8") as handle:
        assert result.stdout == handle.read()


def test_extra_rule_file_tightens_a_limit(tmp_path):
    team = tmp_path / "team.yaml"
    team.write_text(
        "operators:\n"
        "  - name: torch.nn.Conv2d\n"
        "    bayes:\n"
        "      replace: true\n"
        "      input: [qint8]\n"
        "      constraints:\n"
        "        - id: team_kernel\n"
        "          check: \"kernel_h <= 3 and kernel_w <= 3\"\n"
        "          says: \"our deployment allows kernels up to 3x3\"\n")
    result = run_cli("examples/seed_net.py:Net", "--march", "bayes", "--input-shape", "1x1x28x28", "--rules",
                     str(team), "--format", "json")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    rules = {f["rule"] for layer in data["layers"] for f in layer["findings"]}
    assert rules == {"bayes.conv2d.team_kernel"}


RULES_DOC = os.path.join(ROOT, "docs", "RULES.md")


def test_every_reading_choice_is_in_the_rules_doc(rules):
    """docs/RULES.md's table of reading choices names every constraint with readings (by its id,
    with or without the march), and says settled or unsettled as the rule file does."""
    with open(RULES_DOC, encoding="utf-8") as handle:
        rows = [line for line in handle.read().split("### Reading choices", 1)[1].splitlines()
                if line.startswith("| `")]
    missing = []
    for constraint in rules.constraints():
        if not constraint.readings or constraint.via:
            continue  # a 参考 row's readings are its target's, listed under the target
        short = constraint.id.split(".", 1)[1]
        row = next((r for r in rows if f"{short}`" in r or f"`{short.split('.')[0]}.*`" in r), None)
        choice = "settled" if constraint.settled_by else "unsettled"
        if row is None or choice not in row.split("|")[4]:
            missing.append(f"{constraint.id} ({choice})")
    assert not missing, f"docs/RULES.md lacks reading choices for: {missing}"


def test_explain_shows_the_readings():
    settled = run_cli("explain", "bayes.cat.hwc")
    assert settled.returncode == 0, settled.stderr
    assert "settled: per_dimension" in settled.stdout and "product (not applied)" in settled.stdout
    assert "supported_op_list.md" in settled.stdout
    unsettled = run_cli("explain", "bayes.matmul.rank")
    assert "unsettled" in unsettled.stdout and "same_rank (judged)" in unsettled.stdout
    assert "rank == other_rank" in unsettled.stdout
