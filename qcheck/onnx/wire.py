"""Read an ONNX file's protobuf without the weights' bytes.

The check needs every initializer's name, dims and dtype, and the values of small ones (Reshape
shapes, Resize scales), but never a large weight's data. Parsing the whole file copies and decodes
every weight (ResNet-50: 100 MB read and parsed for a graph of 170 nodes). Here the file is mapped
and only the protobuf wire format of ModelProto -> GraphProto -> TensorProto is walked: large
initializers are re-encoded without their data fields, everything else is copied byte for byte, and
the result (a few hundred KB) is what the generated protobuf classes parse. Only the pages holding
field headers are ever read from disk.
"""

from __future__ import annotations

import mmap

# Field numbers of onnx.proto (ModelProto.graph, GraphProto.initializer, TensorProto's data fields).
_MODEL_GRAPH = 7
_GRAPH_INITIALIZER = 5
_TENSOR_DATA = {4, 5, 7, 9, 10, 11}  # float_data, int32_data, int64_data, raw_data, double_data, uint64_data
# Tensors whose data fields take more bytes than this lose them. A tensor small enough for its
# values to be read (<= 64 elements, qcheck.onnx.model) takes at most 64 ten-byte varints plus
# field headers, well under this, so it always keeps its data.
_SMALL_DATA_BYTES = 1024
PROTOBUF_LIMIT = 2**31  # protobuf cannot parse a message this large: such a model needs external data


class WireError(ValueError):
    """The bytes are not a well-formed protobuf message."""


def _varint(buffer, pos: int, end: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= end:
            raise WireError("truncated varint")
        byte = buffer[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise WireError("varint longer than 10 bytes")


def _fields(buffer, pos: int, end: int):
    """(field number, start of the field's tag, start of its payload, end of the field) per field."""
    while pos < end:
        start = pos
        tag, pos = _varint(buffer, pos, end)
        number, kind = tag >> 3, tag & 7
        if number == 0:
            raise WireError("field number 0")
        if kind == 0:
            _, pos = _varint(buffer, pos, end)
            payload = pos
        elif kind == 1:
            payload, pos = pos, pos + 8
        elif kind == 2:
            length, payload = _varint(buffer, pos, end)
            pos = payload + length
        elif kind == 5:
            payload, pos = pos, pos + 4
        else:  # groups (3, 4): deprecated, never written by ONNX
            raise WireError(f"unsupported wire type {kind}")
        if pos > end:
            raise WireError("truncated message")
        yield number, kind, start, payload, pos


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _length_delimited(number: int, payload: bytes) -> bytes:
    return _encode_varint(number << 3 | 2) + _encode_varint(len(payload)) + payload


def _tensor(buffer, start: int, end: int) -> bytes:
    spans = list(_fields(buffer, start, end))
    data = sum(stop - field_start for number, _, field_start, _, stop in spans if number in _TENSOR_DATA)
    if data <= _SMALL_DATA_BYTES:
        return buffer[start:end]
    return b"".join(buffer[field_start:stop] for number, _, field_start, _, stop in spans
                    if number not in _TENSOR_DATA)


def _graph(buffer, start: int, end: int) -> bytes:
    parts = []
    for number, kind, field_start, payload, stop in _fields(buffer, start, end):
        if number == _GRAPH_INITIALIZER and kind == 2:
            parts.append(_length_delimited(number, _tensor(buffer, payload, stop)))
        else:
            parts.append(buffer[field_start:stop])
    return b"".join(parts)


def model_without_weights(path: str) -> bytes:
    """The serialized ModelProto of `path`, its large initializers' data left out. Raises
    WireError for bytes that are not a protobuf message (truncated, another format)."""
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buffer:
        parts = []
        for number, kind, field_start, payload, stop in _fields(buffer, 0, len(buffer)):
            if number == _MODEL_GRAPH and kind == 2:
                parts.append(_length_delimited(number, _graph(buffer, payload, stop)))
            else:
                parts.append(buffer[field_start:stop])
        return b"".join(parts)
