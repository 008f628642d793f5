"""Report cache: an unchanged model file with unchanged options, rules, qcheck and torch versions
returns the stored report without importing torch.

The key hashes the model's bytes, every rule file's bytes, the options and the versions. Entries
are written atomically, so concurrent qcheck runs never read half an entry; an entry that does
not parse is ignored (and recomputed). A model file's digest is remembered with its size,
modification time and inode, as git's index does: an untouched 100 MB file is not re-read. Eager specs are not cached: their code can import
anything, so no key could cover it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict

from qcheck.report import Report

VERSION = 1


# Every function takes the cache folder: qcheck.options.read_environment finds and checks it
# (QCHECK_CACHE_DIR, XDG_CACHE_HOME), this module never reads the environment.


def key(folder: str, model_path: str, options, rule_files: list[str]) -> str | None:
    from qcheck import __version__

    digest = hashlib.sha256()
    try:
        digest.update(_model_digest(folder, model_path))
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


def _model_digest(folder: str, path: str) -> bytes:
    """sha256 of the file, from the remembered digest when the file's stat is unchanged."""
    before = os.stat(path)
    stamp = [before.st_size, before.st_mtime_ns, before.st_ino]
    memo = os.path.join(folder, "digests", hashlib.sha256(os.path.abspath(path).encode()).hexdigest() + ".json")
    try:
        with open(memo, encoding="utf-8") as handle:
            known = json.load(handle)
        if known["stat"] == stamp:
            return bytes.fromhex(known["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # none yet, or unreadable: hash the file
    with open(path, "rb") as handle:
        value = hashlib.file_digest(handle, "sha256").digest()
    after = os.stat(path)
    if [after.st_size, after.st_mtime_ns, after.st_ino] == stamp:  # not written to while read
        _write_atomically(memo, json.dumps({"stat": stamp, "sha256": value.hex()}))
    return value


def get(folder: str, entry_key: str) -> Report | None:
    path = os.path.join(folder, entry_key + ".json")
    try:
        with open(path, encoding="utf-8") as handle:
            return Report.from_dict(json.load(handle))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or corrupt: recompute


def put(folder: str, entry_key: str, report: Report) -> None:
    _write_atomically(os.path.join(folder, entry_key + ".json"), json.dumps(report.to_dict(), sort_keys=True))


def _write_atomically(path: str, text: str) -> None:
    import tempfile

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".entry-", dir=os.path.dirname(path))
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError:
        pass  # a cache that cannot be written is only a slower run
