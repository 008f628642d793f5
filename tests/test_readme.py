"""The README's examples stay true: its YAML parses, its hook ids exist, its flags exist, and its
first two commands are the ones .ci/run runs."""

from __future__ import annotations

import os
import re

import yaml

from tests.helpers import ROOT, run_cli

README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()


def _blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)


def test_yaml_examples_parse_and_name_real_hooks():
    hooks = {hook["id"] for hook in yaml.safe_load(open(os.path.join(ROOT, ".pre-commit-hooks.yaml")))}
    blocks = [yaml.safe_load(block) for block in _blocks("yaml")]
    workflow = next(b for b in blocks if "jobs" in b)
    steps = workflow["jobs"]["qcheck"]["steps"]
    assert any("qcheck" in step.get("run", "") and "--format github" in step["run"] for step in steps)
    config = next(b for b in blocks if "repos" in b)
    assert {hook["id"] for repo in config["repos"] for hook in repo["hooks"]} <= hooks


def test_toml_example_is_a_valid_config(tmp_path):
    from qcheck import config

    (toml,) = _blocks("toml")
    (tmp_path / "pyproject.toml").write_text(toml)
    settings = config.load(str(tmp_path / "pyproject.toml")).settings_for("models/a.pt")
    assert settings.march == "bayes" and settings.input_shapes == ["1x3x224x224"]


def test_every_flag_in_the_readme_exists():
    help_text = "".join(run_cli(command, "--help").stdout for command in ("check", "rules", "explain"))
    used = set(re.findall(r"qcheck [^\n`]*", README))
    flags = {flag for line in used for flag in re.findall(r"(--[a-z][a-z-]+)", line)}
    missing = sorted(flag for flag in flags if flag not in help_text and flag not in ("--help",))
    assert not missing, missing


def test_first_two_commands_are_what_ci_runs():
    first, second = [block.strip() for block in _blocks("sh")[:2]]
    ci = open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8").read()
    for command in first.split(" && ")[1:]:
        assert command in ci, command
    assert second in ci
