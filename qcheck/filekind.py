"""What kind of model file a path holds, from its bytes: nothing is loaded, torch is not imported."""

from __future__ import annotations

import zipfile

from qcheck.errors import QcheckError


def sniff(path: str) -> str:
    """What kind of file this is, from its bytes alone: nothing is loaded or run."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise QcheckError(f"cannot read the file: {error.strerror or error}", path) from None
    if not head:
        return "empty"
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return "damaged-zip"
        # Judge by the archive's top-level folders: a TorchScript file's code may well live in a
        # package path with "models" in it (transformers.models...).
        top = {tuple(name.split("/")[1:2]) for name in names}
        if any(name.endswith("/archive_format") for name in names) or (
                ("models",) in top and any(name.split("/")[1:2] == ["models"] and name.endswith(".json")
                                           for name in names)):
            return "pt2"
        if ("code",) in top and any(name.endswith("constants.pkl") for name in names):
            return "torchscript"
        if any(name.endswith("data.pkl") for name in names):
            return "torch-save-zip"
        return "unknown"
    # Legacy torch.save and plain pickles start with the pickle protocol opcode.
    if head[:1] == b"\x80":
        return "pickle"
    # An ONNX ModelProto starts with its ir_version (field 1, a small varint), then another
    # length-delimited field (producer, domain, graph, opset_import...).
    if len(head) >= 3 and head[0] == 0x08 and 0 < head[1] < 0x80 and head[2] in _ONNX_SECOND_FIELD:
        return "onnx"
    return "unknown"


_ONNX_SECOND_FIELD = {0x12, 0x1a, 0x22, 0x2a, 0x32, 0x3a, 0x42, 0x52, 0x5a, 0x62, 0x72}
