"""The PTQ flow: an ONNX model checked against the vendor's ONNX operator lists.

load (qcheck.onnx.model) -> model-level rules and per-node judgement against rules/onnx/*.yaml
(qcheck.onnx.rules, the same constraint language as the PyTorch table) -> BPU / CPU placement and
subgraphs as the vendor's converter makes them (qcheck.onnx.check) -> the usual Report, so every
renderer works. Nothing here imports torch.
"""

from __future__ import annotations

import os

ONNX_MISSING = ("checking an ONNX model needs the onnx package; install it with "
                "`pip install 'qcheck[onnx]'` (or `pip install onnx`)")


def is_onnx_target(target) -> bool:
    """True for a path to an ONNX file: judged by its bytes, or by a .onnx name (so a damaged
    .onnx file gets the ONNX loader's error rather than "unrecognised contents")."""
    if not isinstance(target, (str, os.PathLike)) or not os.path.isfile(target):
        return False
    from qcheck.filekind import sniff

    return sniff(os.fspath(target)) == "onnx" or os.fspath(target).lower().endswith(".onnx")
