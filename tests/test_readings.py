"""Readings of ambiguous cells: the rule-file schema (strict, file:line errors) and how a layer is
judged under them (fail only when every reading is broken, warn when some are), on real captures."""

from __future__ import annotations

import textwrap

import pytest
from torch import nn

from qcheck.api import Options, check_graph
from qcheck.capture import InputSpec, capture, parse_shape
from qcheck.errors import QcheckError
from qcheck.rules import load_rules
from tests.helpers import run_cli

TEAM = """\
operators:
  - name: torch.nn.Conv2d
    bayes:
      replace: true
      input: [qint8]
      constraints:
        - id: team_kernel
          says: "our kernels are small"
          readings:
{readings}
{decision}
"""
TWO_READINGS = """\
            - name: three
              check: "kernel_h <= 3"
              says: "at most 3 high"
            - name: five
              check: "kernel_h <= 5"
              says: "at most 5 high"
"""


def _team(tmp_path, readings=TWO_READINGS, decision='          unsettled: "our two teams disagree"'):
    path = tmp_path / "team.yaml"
    path.write_text(TEAM.format(readings=textwrap.indent(textwrap.dedent(readings), " " * 12).rstrip("\n"),
                                decision=decision))
    return str(path)


def _findings(rules, kernel):
    graph = capture(nn.Sequential(nn.Conv2d(1, 1, (kernel, 1))).eval(), [InputSpec(parse_shape("1x1x8x1"))])
    report = check_graph(graph, "conv", Options(march="bayes"), rules)
    return {(f.rule, f.severity): f.message for _, f in report.findings()}


def test_unsettled_fails_only_when_every_reading_is_broken(tmp_path):
    rules = load_rules([_team(tmp_path)])
    assert _findings(rules, 3) == {}
    found = _findings(rules, 4)
    assert list(found) == [("bayes.conv2d.team_kernel", "warning")]
    message = found[("bayes.conv2d.team_kernel", "warning")]
    assert "'three'" in message and "'five'" in message and "our two teams disagree" in message
    assert "kernel_h=4" in message
    assert list(_findings(rules, 6)) == [("bayes.conv2d.team_kernel", "error")]


def test_settled_judges_its_reading_only(tmp_path):
    decision = '          settled_by:\n            reading: five\n            source: "our deployment guide"'
    rules = load_rules([_team(tmp_path, decision=decision)])
    assert _findings(rules, 5) == {}
    assert list(_findings(rules, 6)) == [("bayes.conv2d.team_kernel", "error")]
    constraint = rules.find_constraint("bayes.conv2d.team_kernel")
    assert constraint.check.text == "kernel_h <= 5" and constraint.settled_source == "our deployment guide"


@pytest.mark.parametrize("readings, decision, expected", [
    (TWO_READINGS, "", "exactly one of them"),
    (TWO_READINGS, '          unsettled: "x"\n          settled_by: {reading: five, source: "doc"}',
     "exactly one of them"),
    (TWO_READINGS, '          settled_by: {reading: seven, source: "doc"}', "names reading 'seven'"),
    (TWO_READINGS, '          settled_by: {reading: five}', "settled_by.source"),
    (TWO_READINGS, '          settled_by: {reading: five, source: "doc", why: "x"}', "unknown key 'why'"),
    ('- name: three\n  check: "kernel_h <= 3"\n  says: "x"\n', '          unsettled: "x"', "at least two"),
    ('- name: three\n  check: "kernel_h <= 3"\n  says: "x"\n- name: three\n  check: "kernel_h <= 5"\n  says: "y"\n',
     '          unsettled: "x"', "appears twice"),
    ('- name: Three\n  check: "kernel_h <= 3"\n  says: "x"\n- name: five\n  check: "kernel_h <= 5"\n  says: "y"\n',
     '          unsettled: "x"', "lower_snake_case"),
    ('- name: three\n  says: "x"\n- name: five\n  check: "kernel_h <= 5"\n  says: "y"\n',
     '          unsettled: "x"', "needs a check"),
    ('- name: three\n  check: "kernel_x <= 3"\n  says: "x"\n- name: five\n  check: "kernel_h <= 5"\n  says: "y"\n',
     '          unsettled: "x"', "unknown fact 'kernel_x'"),
    ('- name: three\n  check: "kernel_h <= 3"\n- name: five\n  check: "kernel_h <= 5"\n  says: "y"\n',
     '          unsettled: "x"', "says of reading three"),
    ('- name: three\n  check: "kernel_h <= 3"\n  says: "x"\n  colour: red\n- name: five\n  check: "kernel_h <= 5"\n'
     '  says: "y"\n', '          unsettled: "x"', "unknown key 'colour'"),
    (TWO_READINGS, '          unsettled: "x"\n          check: "kernel_h <= 1"', "give no check of its own"),
])
def test_bad_readings_name_the_file_and_line(tmp_path, readings, decision, expected):
    path = _team(tmp_path, readings, decision)
    with pytest.raises(QcheckError) as error:
        load_rules([path])
    text = str(error.value)
    assert expected in text and "team.yaml" in text and "line " in text, text


def test_settled_by_without_readings_is_refused(tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text("operators:\n  - name: torch.nn.Conv2d\n    bayes:\n      constraints:\n"
                    "        - id: team\n          says: x\n          check: \"kernel_h < 3\"\n"
                    "          unsettled: because\n")
    result = run_cli("rules", "--rules", str(path))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "team.yaml" in result.stderr and "line 5" in result.stderr and "needs the readings" in result.stderr
