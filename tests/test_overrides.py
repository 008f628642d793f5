"""Extra rule files extend the shipped rows unless they say `replace: true`; the loader refuses
blocks that mean nothing (same_as with its own rule, an unknown drop id, inherit on a march
without a parent) with the file and line."""

from __future__ import annotations

import json
import textwrap

import pytest

from qcheck.errors import QcheckError
from qcheck.rules import load_rules
from tests.helpers import NASH_E_RULES, run_cli, validate_report
from tests.probes import all_probes
from tests.probes.run import capture_probe, check_probe

TIGHTER_KERNEL = """\
operators:
  - name: torch.nn.Conv2d
    bayes:
      constraints:
        - id: kernel
          check: "kernel_h <= 3 and kernel_w <= 3"
          says: "our deployment allows kernels up to 3x3"
"""

ONE_MORE = """\
operators:
  - name: torch.nn.Conv2d
    bayes:
      constraints:
        - id: team_groups
          check: "groups == 1"
          says: "our deployment runs dense convolutions only"
"""


def _write(tmp_path, text, name="team.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def _short_ids(rules, march):
    return [c.id.split(".", 2)[2] for c in rules.rule("torch.nn.Conv2d", march).constraints]


def test_an_added_constraint_keeps_the_shipped_row_and_bayes_e_inherits_it(tmp_path, rules):
    team = load_rules([_write(tmp_path, ONE_MORE)])
    for march in ("bayes", "bayes_e"):
        shipped = _short_ids(rules, march)
        assert len(shipped) == 13
        assert _short_ids(team, march) == shipped + ["team_groups"]
    assert _short_ids(team, "bernoulli2") == _short_ids(rules, "bernoulli2")


def test_replace_true_replaces_the_row(tmp_path):
    team = load_rules([_write(tmp_path, ONE_MORE.replace("    bayes:\n", "    bayes:\n      replace: true\n"))])
    assert _short_ids(team, "bayes") == ["team_groups"]
    # bayes_e extends bayes: the X5 weight_size limit stays on top of the replaced row
    assert _short_ids(team, "bayes_e") == ["team_groups", "weight_size"]


def _conv_probes():
    return [p for p in all_probes() if any(r.startswith(("bayes.conv2d.", "bayes_e.conv2d.")) for r in p.fail)]


def test_a_tightened_limit_fires_and_every_other_shipped_constraint_still_fires(tmp_path, rules):
    """On the real Conv2d probes: each shipped fail id still fires with the team file loaded,
    except the one the team file rewrote, which now fires at the team's limit."""
    team = load_rules([_write(tmp_path, TIGHTER_KERNEL)])
    probes = _conv_probes()
    assert len(probes) >= 10
    checked = set()
    for probe in probes:
        graph = capture_probe(probe)
        for march in sorted({r.split(".", 1)[0] for r in probe.fail} & {"bayes", "bayes_e"}):
            shipped = {f.rule for _, f in check_probe(graph, probe, march, rules).findings()}
            tightened = {f.rule for _, f in check_probe(graph, probe, march, team).findings()}
            for rule_id in probe.fail:
                if rule_id.startswith(march + ".") and not rule_id.endswith(".conv2d.kernel"):
                    assert rule_id in tightened, f"{probe.name}: {rule_id} no longer fires with the team file"
                    checked.add(rule_id.split(".", 1)[1])
            # the team file can only add findings
            assert shipped - tightened <= {f"{march}.conv2d.kernel"}, (probe.name, shipped - tightened)
    assert len(checked) >= 8, sorted(checked)  # most of bayes' Conv2d constraints were seen to fire


def test_a_tightened_limit_through_the_cli(tmp_path):
    """A 5x5 kernel passes the shipped kernel < 32 and fails the team's 3x3, on bayes and on
    bayes_e (which inherits the team's row)."""
    net = tmp_path / "net.py"
    net.write_text("from torch import nn\n\nclass Net(nn.Sequential):\n"
                   "    def __init__(self):\n        super().__init__(nn.Conv2d(3, 8, 5), nn.ReLU())\n")
    team = _write(tmp_path, TIGHTER_KERNEL)
    for march in ("bayes", "bayes_e"):
        shipped = run_cli(f"{net}:Net", "--march", march, "--input-shape", "1x3x16x16", "--format", "json")
        assert shipped.returncode == 0, shipped.stdout + shipped.stderr
        result = run_cli(f"{net}:Net", "--march", march, "--input-shape", "1x3x16x16", "--rules", team,
                         "--format", "json")
        assert result.returncode == 1, result.stderr
        findings = [f for layer in json.loads(result.stdout)["layers"] for f in layer["findings"]]
        assert [(f["rule"], "3x3" in f["message"]) for f in findings] == [(f"{march}.conv2d.kernel", True)]


@pytest.mark.parametrize("block, words", [
    ("same_as: torch.nn.Conv3d\nconstraints: [{id: k, says: s, check: 'kernel_h < 3'}]\n",
     ("same_as and constraints",)),
    ("same_as: torch.nn.Conv3d\ninput: [qint8]\n", ("same_as and input",)),
    ("drop: [no_such_id]\n", ("drop names 'no_such_id'",)),
    ("replace: true\ndrop: [no_such_id]\nconstraints: [{id: k, says: s, check: 'kernel_h < 3'}]\n",
     ("drop names 'no_such_id'",)),
    ("inherit: true\n", ("bayes extends no march",)),
    ("inherit: false\n", ("bayes extends no march",)),
    ("replace: maybe\n", ("replace in torch.nn.Conv2d on bayes must be true or false",)),
])
def test_meaningless_blocks_are_refused_with_file_and_line(tmp_path, block, words):
    text = "operators:\n  - name: torch.nn.Conv2d\n    bayes:\n" + textwrap.indent(block, " " * 6)
    path = _write(tmp_path, text)
    with pytest.raises(QcheckError) as caught:
        load_rules([path])
    message = str(caught.value)
    assert "team.yaml" in message and "line " in message and all(w in message for w in words), message
    result = run_cli("rules", "--rules", path)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "team.yaml" in result.stderr


@pytest.mark.parametrize("march, text", [
    ("bayes_e", "operators:\n  - name: torch.add\n    bayes_e:\n      drop: [no_such_id]\n"),
    ("bayes_e", "operators:\n  - name: torch.add\n    bayes_e:\n      replace: true\n      drop: [no_such_id]\n"),
    ("bayes_e", "operators:\n  - name: torch.ge\n    bayes_e:\n      same_as: torch.eq\n      drop: [no_such_id]\n"),
    ("bernoulli2", "operators:\n  - name: torch.nn.ReLU\n    bernoulli2:\n      drop: [no_such_id]\n"),
])
def test_an_unknown_drop_is_refused_on_every_path(tmp_path, march, text):
    """Extension, replacement (a march that extends another too), same_as."""
    with pytest.raises(QcheckError, match="drop names 'no_such_id'") as caught:
        load_rules([_write(tmp_path, text)])
    assert "line " in str(caught.value)


def test_supported_true_cannot_extend_an_unsupported_row(tmp_path, rules):
    unsupported = next(name for name in rules.operators if not rules.rule(name, "bernoulli2").supported
                       and "bernoulli2" in rules.operators[name].blocks)
    text = f"operators:\n  - name: {unsupported}\n    bernoulli2:\n      supported: true\n"
    with pytest.raises(QcheckError, match="replace: true"):
        load_rules([_write(tmp_path, text)])


def test_an_extension_may_drop_a_shipped_constraint_and_turn_a_row_off(tmp_path, rules):
    text = """\
    operators:
      - name: torch.nn.Conv2d
        bayes:
          drop: [qint16_accumulation]
          input: [qint8]
      - name: torch.nn.ReLU
        bayes:
          supported: false
    """
    team = load_rules([_write(tmp_path, text)])
    assert "qint16_accumulation" not in _short_ids(team, "bayes")
    assert len(_short_ids(team, "bayes")) == 12
    allowed = {c.id: c.allowed for c in team.rule("torch.nn.Conv2d", "bayes").constraints}
    assert allowed["bayes.conv2d.input_dtype"] == ("qint8",)
    assert not team.rule("torch.nn.ReLU", "bayes").supported
    assert not team.rule("torch.nn.ReLU", "bayes_e").supported


with open(NASH_E_RULES, encoding="utf-8") as _handle:
    NASH_E = _handle.read()


def test_a_march_naming_only_its_board_and_parent_inherits_everything(tmp_path, rules):
    """Also the rows whose parent block drops an id (torch.add on bayes_e drops broadcast_n)."""
    nash = load_rules([NASH_E_RULES])
    short = lambda rs, march: sorted(c.id.split(".", 1)[1] for c in rs.constraints(march))  # noqa: E731
    assert short(nash, "nash_e") == short(rules, "bayes_e")
    assert "add.broadcast_n" not in short(nash, "nash_e")


# The fourth march of issue 17: two changed limits and its own default dtypes, from YAML only.
NASH_E_OWN = NASH_E.replace("    extends: bayes_e\n", "    extends: bayes_e\n    dtypes: {activation: qint16}\n") + """\
        - id: out_channel
          check: "out_channels <= 4"
          says: "nash_e convolutions have at most 4 output channels"
"""


def test_a_fourth_march_checks_a_model_through_the_cli(tmp_path):
    """Two limits changed, qint16 activations by default, everything else inherited from bayes_e
    (the Conv2d row's other constraints, ReLU, the perf figures): checked through the CLI."""
    net = tmp_path / "net.py"
    net.write_text("from torch import nn\n\nclass Net(nn.Sequential):\n"
                   "    def __init__(self):\n        super().__init__(nn.Conv2d(3, 8, 5), nn.ReLU())\n")
    rules_file = _write(tmp_path, NASH_E_OWN, "nash.yaml")
    args = [f"{net}:Net", "--march", "nash_e", "--input-shape", "1x3x16x16", "--rules", rules_file]

    def findings(*more):
        result = run_cli(*args, "--format", "json", *more)
        assert result.returncode == 1, result.stderr
        data = json.loads(result.stdout)
        validate_report(data, marches={"nash_e"})  # a march of the team's file, same contract
        assert data["march"] == "nash_e"
        assert all(layer["cost"]["estimate_us"] > 0 for layer in data["layers"])  # bayes_e's perf
        return data, sorted(f["rule"] for layer in data["layers"] for f in layer["findings"])

    data, rules = findings()
    assert rules == ["nash_e.conv2d.kernel", "nash_e.conv2d.out_channel", "nash_e.conv2d.qint16_accumulation"]
    assert {t["dtype"] for layer in data["layers"] for t in layer["inputs"]} == {"qint16"}
    # --activation-dtype still overrides the march's default: no qint16 accumulation note
    data, rules = findings("--activation-dtype", "qint8")
    assert rules == ["nash_e.conv2d.kernel", "nash_e.conv2d.out_channel"]
    assert {t["dtype"] for layer in data["layers"] for t in layer["inputs"]} == {"qint8"}
    page = run_cli(*args, "--format", "html", env={"QCHECK_HTML_LAYOUT": "none"})
    assert page.returncode == 1 and '<span class="board">a fourth board</span>' in page.stdout


def test_march_dtypes_are_inherited_and_checked(tmp_path, rules):
    assert {m: rules.marches[m].dtypes for m in rules.marches} == {
        m: {"activation": "qint8", "weight": "qint8", "bias": "qint32"} for m in ("bernoulli2", "bayes", "bayes_e")}
    nash = load_rules([_write(tmp_path, NASH_E_OWN, "nash.yaml")])
    assert nash.marches["nash_e"].dtypes == {"activation": "qint16", "weight": "qint8", "bias": "qint32"}
    assert nash.marches["nash_e"].perf == rules.marches["bayes_e"].perf
    for text, words in [("marches:\n  x9:\n    board: B\n", "x9 gives no activation / weight / bias dtype"),
                        ("marches:\n  x9:\n    extends: bayes\n    dtypes: {activation: qint4}\n",
                         "dtypes.activation of march x9 must be one of qint8, qint16, qint32, not 'qint4'"),
                        ("marches:\n  x9:\n    extends: bayes\n    dtypes: {input: qint8}\n", "unknown key 'input'")]:
        with pytest.raises(QcheckError, match="line ") as caught:
            load_rules([_write(tmp_path, text, "x9.yaml")])
        assert words in str(caught.value) and "x9.yaml" in str(caught.value)
