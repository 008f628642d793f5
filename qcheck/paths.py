"""Where qcheck's own files are, found without importing anything heavy."""

from __future__ import annotations

import os


def shipped_rules_dir() -> str:
    """`rules/` inside the installed package, else the repository's top-level `rules/`."""
    from qcheck.errors import QcheckError

    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "rules"), os.path.join(os.path.dirname(here), "rules")):
        if os.path.isdir(candidate):
            return candidate
    raise QcheckError("the shipped rule files are missing; reinstall qcheck", here)


def shipped_rule_files() -> list[str]:
    folder = shipped_rules_dir()
    return sorted(os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(".yaml"))


def torch_version() -> str:
    """torch's version from its version.py, without importing torch (or importlib.metadata)."""
    import importlib.util
    import re

    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.origin:
        return "none"
    try:
        with open(os.path.join(os.path.dirname(spec.origin), "version.py"), encoding="utf-8") as handle:
            found = re.search(r"^__version__\s*=\s*['\"]([^'\"]+)", handle.read(), re.MULTILINE)
    except OSError:
        return "unknown"
    return found.group(1) if found else "unknown"
