"""Report cache: an unchanged model file with unchanged options, rules, qcheck and torch versions
returns the stored report without importing torch.

The key hashes the model's bytes, every rule file's bytes, the options and the versions. Entries
are written atomically, so concurrent qcheck runs never read half an entry; an entry that does
not parse is ignored (and recomputed). Eager specs are not cached: their code can import
anything, so no key could cover it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict

from qcheck.report import Report

VERSION = 1


def folder() -> str:
    explicit = os.environ.get("QCHECK_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "qcheck")


def key(model_path: str, options, rule_files: list[str]) -> str | None:
    from qcheck import __version__

    digest = hashlib.sha256()
    try:
        with open(model_path, "rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
        for path in rule_files:
            with open(path, "rb") as handle:
                digest.update(path.encode() + b"\0" + hashlib.sha256(handle.read()).digest())
    except OSError:
        return None
    from qcheck.paths import torch_version

    # The working directory too: reports show source paths relative to it.
    settings = {"cache": VERSION, "qcheck": __version__, "torch": torch_version(), "model": model_path,
                "cwd": os.getcwd(),
                "options": asdict(options)}
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def get(entry_key: str) -> Report | None:
    path = os.path.join(folder(), entry_key + ".json")
    try:
        with open(path, encoding="utf-8") as handle:
            return Report.from_dict(json.load(handle))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or corrupt: recompute


def put(entry_key: str, report: Report) -> None:
    import tempfile

    target = folder()
    try:
        os.makedirs(target, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".entry-", dir=target)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(report.to_dict(), stream, sort_keys=True)
        os.replace(temporary, os.path.join(target, entry_key + ".json"))
    except OSError:
        pass  # a cache that cannot be written is only a slower run
