"""The fast path from a ring slot to a dict of tensors, without building a pyarrow RecordBatch.

A slot holds one encapsulated Arrow IPC RecordBatch message (PROTOCOL.md section 6): the
continuation marker, the flatbuffer metadata, then the body. For a batch whose columns are
integers, floats or fixed_size_lists of them, **without nulls**, every tensor is a plain view at
an offset of the body. Which offsets (and whether a column qualifies) is a function of the
stream's schema and the metadata bytes only, and the metadata bytes are the same for every batch
of a stream that has the same row count and no nulls (the server writes the same layout each
time). So :class:`Decoder` parses the metadata once per distinct metadata (a dict lookup on its
bytes afterwards) into a :class:`Plan`, and a batch then costs: one ``numpy.asarray`` over the
slot's lease, and per run of equally spaced columns of one dtype, one strided numpy array, one
``torch.from_numpy`` and one ``unbind`` (the 32 float32 columns of the benchmark table are one
run).

Columns that do not qualify (nulls, booleans, lists, strings, ...) take the general path
(:func:`weft.torch.record_batch_to_tensors` on a pyarrow RecordBatch over the same slot), so the
result is always exactly that of the general path: the same dtypes, shapes, values, and the same
memory (the tensors are views of the slot; ``copy=True`` clones them).

Lifetime: every fast tensor's storage keeps the numpy array over the slot alive, whose base is the
slot's lease (``weft._client._Lease``): the slot is released when the last tensor is collected,
as on the general path.
"""

from __future__ import annotations

import struct
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pyarrow as pa
import torch

__all__ = ["Decoder", "Plan", "parse_record_batch_metadata", "UnsupportedMessage"]

_CONTINUATION = 0xFFFFFFFF
_MESSAGE_HEADER_RECORD_BATCH = 3
_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")
_I64 = struct.Struct("<q")
_MAX_PLANS = 64  # per decoder; a stream has one or two layouts (full batches, a short tail)


class UnsupportedMessage(ValueError):
    """The message is not a plain record batch this module can lay out (compressed, another
    message type, malformed): the caller takes the general (pyarrow) path."""


def _table_fields(buf: bytes, pos: int) -> Tuple[int, ...]:
    """The field offsets of the flatbuffer table at ``pos`` (0: field absent)."""
    vt = pos - _I32.unpack_from(buf, pos)[0]
    if not 0 <= vt <= len(buf) - 4:
        raise UnsupportedMessage("vtable out of bounds")
    vsize = struct.unpack_from("<H", buf, vt)[0]
    n = (vsize - 4) // 2
    if n < 0 or vt + 4 + 2 * n > len(buf):
        raise UnsupportedMessage("vtable out of bounds")
    return struct.unpack_from(f"<{n}H", buf, vt + 4)


def _field(fields: Tuple[int, ...], i: int) -> int:
    return fields[i] if i < len(fields) else 0


def _struct_vector(buf: bytes, pos: int) -> np.ndarray:
    """A flatbuffer vector of 16-byte structs of two int64 (FieldNode, Buffer) at the offset field
    at ``pos``, as an [n, 2] int64 array (a copy: the metadata bytes are a copy already)."""
    target = pos + _U32.unpack_from(buf, pos)[0]
    if target + 4 > len(buf):
        raise UnsupportedMessage("vector out of bounds")
    n = _U32.unpack_from(buf, target)[0]
    if target + 4 + 16 * n > len(buf):
        raise UnsupportedMessage("vector out of bounds")
    return np.frombuffer(buf, np.int64, 2 * n, target + 4).reshape(n, 2)


def parse_record_batch_metadata(meta: bytes) -> Tuple[int, np.ndarray, np.ndarray, int]:
    """(rows, nodes [n, 2] = (length, null_count), buffers [m, 2] = (offset, length), body length)
    of the flatbuffer ``Message`` of an uncompressed RecordBatch; else :class:`UnsupportedMessage`."""
    if len(meta) < 8:
        raise UnsupportedMessage("metadata too short")
    root = _U32.unpack_from(meta, 0)[0]
    if root + 4 > len(meta):
        raise UnsupportedMessage("root out of bounds")
    f = _table_fields(meta, root)
    # Message: 0 version (short), 1 header_type (ubyte), 2 header (table), 3 bodyLength (long)
    if not _field(f, 1) or meta[root + f[1]] != _MESSAGE_HEADER_RECORD_BATCH or not _field(f, 2):
        raise UnsupportedMessage("not a RecordBatch message")
    version = struct.unpack_from("<h", meta, root + f[0])[0] if _field(f, 0) else 0
    if version < 3:  # V4 = 3, V5 = 4 (8-byte aligned buffers, no validity for null columns...)
        raise UnsupportedMessage(f"metadata version {version}")
    body_length = _I64.unpack_from(meta, root + f[3])[0] if _field(f, 3) else 0
    hpos = root + f[2]
    hpos += _U32.unpack_from(meta, hpos)[0]
    rf = _table_fields(meta, hpos)
    # RecordBatch: 0 length (long), 1 nodes, 2 buffers, 3 compression (table), 4 variadic counts
    if _field(rf, 3) or _field(rf, 4):
        raise UnsupportedMessage("compressed or variadic buffers")
    rows = _I64.unpack_from(meta, hpos + rf[0])[0] if _field(rf, 0) else 0
    empty = np.zeros((0, 2), np.int64)
    nodes = _struct_vector(meta, hpos + rf[1]) if _field(rf, 1) else empty
    buffers = _struct_vector(meta, hpos + rf[2]) if _field(rf, 2) else empty
    return rows, nodes, buffers, body_length


# Arrow integer and float types -> numpy dtypes (DataType.to_pandas_dtype needs pandas in pyarrow >= 2x)
_NUMPY_DTYPES = {t: np.dtype(n) for t, n in (
    (pa.int8(), "int8"), (pa.int16(), "int16"), (pa.int32(), "int32"), (pa.int64(), "int64"),
    (pa.uint8(), "uint8"), (pa.uint16(), "uint16"), (pa.uint32(), "uint32"), (pa.uint64(), "uint64"),
    (pa.float16(), "float16"), (pa.float32(), "float32"), (pa.float64(), "float64"))}


def temporal_storage(t: pa.DataType) -> Optional[pa.DataType]:
    """The integer type that stores a date, time, timestamp or duration column (int32 for date32
    and time32, else int64), or None for other types. Such columns become integer tensors in their
    own unit (days, or the type's s/ms/us/ns; timestamps since the epoch, in UTC whatever the time
    zone), as torch has no date or time dtypes and Python datetime objects would cost a Python
    object per row."""
    if pa.types.is_date32(t) or pa.types.is_time32(t):
        return pa.int32()
    if pa.types.is_date64(t) or pa.types.is_time64(t) or pa.types.is_timestamp(t) or pa.types.is_duration(t):
        return pa.int64()
    return None


def _fast_dtype(t: pa.DataType) -> Optional[np.dtype]:
    storage = temporal_storage(t)  # dates and times: views of their stored integers
    return _NUMPY_DTYPES.get(t if storage is None else storage)


def _shape_counts(t: pa.DataType) -> Optional[Tuple[int, int]]:
    """(field nodes, buffers) a column of type ``t`` takes in an IPC record batch (V5), or None
    for a type this module does not count (the whole batch then takes the general path)."""
    if pa.types.is_null(t):
        return 1, 0
    if (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t) or pa.types.is_decimal(t)
            or pa.types.is_temporal(t) or pa.types.is_fixed_size_binary(t)):
        return 1, 2
    if pa.types.is_string(t) or pa.types.is_binary(t) or pa.types.is_large_string(t) or pa.types.is_large_binary(t):
        return 1, 3
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_map(t):
        c = _shape_counts(t.value_type if not pa.types.is_map(t) else pa.struct([t.key_field, t.item_field]))
        return None if c is None else (1 + c[0], 2 + c[1])
    if pa.types.is_fixed_size_list(t):
        c = _shape_counts(t.value_type)
        return None if c is None else (1 + c[0], 1 + c[1])
    if pa.types.is_struct(t):
        nodes, bufs = 1, 1
        for i in range(t.num_fields):
            c = _shape_counts(t.field(i).type)
            if c is None:
                return None
            nodes, bufs = nodes + c[0], bufs + c[1]
        return nodes, bufs
    return None  # unions, views, run-end encoded, dictionaries, ...


# A run: ``count`` columns of one dtype and shape, ``stride`` bytes apart, the first at ``offset``
# bytes from the message start. ``names`` in schema order.
_Run = Tuple[Tuple[str, ...], int, np.dtype, Tuple[int, ...], int, int]


class Plan:
    """How to turn messages with one metadata layout into tensors (see the module docstring).

    ``runs``: the fast columns, as runs of equally spaced columns of one dtype and shape;
    ``general``: (index, name) of the columns that need a pyarrow RecordBatch; ``names``: the
    schema's column names (the order of the output)."""

    __slots__ = ("runs", "general", "names", "rows", "end")

    def __init__(self, runs: List[_Run], general: List[Tuple[int, str]], names: Sequence[str], rows: int,
                 end: int) -> None:
        self.runs = runs
        self.general = general
        self.names = list(names)
        self.rows = rows
        """Rows per the metadata; -1: a message this module cannot lay out (all general)."""
        self.end = end
        """Where the message's body ends: a message shorter than that is malformed."""

    @classmethod
    def build(cls, schema: pa.Schema, meta: bytes, body_start: int) -> "Plan":
        names = schema.names
        try:
            rows, nodes, buffers, body_length = parse_record_batch_metadata(meta)
        except (UnsupportedMessage, struct.error):
            return cls([], list(enumerate(names)), names, -1, 0)
        end = body_start + body_length
        if body_length < 0:
            return cls([], list(enumerate(names)), names, -1, 0)
        fast: List[Tuple[str, int, np.dtype, Tuple[int, ...]]] = []  # (name, offset, dtype, shape)
        general: List[Tuple[int, str]] = []
        ni = bi = 0
        for i, field in enumerate(schema):
            t = field.type
            counts = _shape_counts(t)
            if counts is None or ni + counts[0] > len(nodes) or bi + counts[1] > len(buffers):
                return cls([], list(enumerate(names)), names, -1, 0)
            spec = cls._fast_column(t, nodes[ni:ni + counts[0]], buffers[bi:bi + counts[1]], rows, body_length)
            if spec is None:
                general.append((i, field.name))
            else:
                off, dtype, shape = spec
                fast.append((field.name, body_start + off, dtype, shape))
            ni, bi = ni + counts[0], bi + counts[1]
        if ni != len(nodes) or bi != len(buffers):  # the metadata does not match the schema
            return cls([], list(enumerate(names)), names, -1, 0)
        return cls(cls._runs(fast), general, names, rows, end)

    @staticmethod
    def _fast_column(t: pa.DataType, nodes: np.ndarray, buffers: np.ndarray, rows: int,
                     body_length: int) -> Optional[Tuple[int, np.dtype, Tuple[int, ...]]]:
        """(body offset, dtype, shape) of a fast column, or None (general path)."""
        if int(nodes[0, 0]) != rows or int(nodes[0, 1]) != 0:
            return None  # nulls (or a length the general path should judge)
        dtype = _fast_dtype(t)
        if dtype is not None:
            data, shape = buffers[1], (rows,)
        elif pa.types.is_fixed_size_list(t) and _fast_dtype(t.value_type) is not None:
            dtype = _fast_dtype(t.value_type)
            n = t.list_size
            if int(nodes[1, 0]) != rows * n or int(nodes[1, 1]) != 0:
                return None
            data, shape = buffers[2], (rows, n)
        elif pa.types.is_fixed_size_binary(t):
            dtype, data, shape = np.dtype(np.uint8), buffers[1], (rows, t.byte_width)  # e.g. raw images
        else:
            return None
        assert dtype is not None
        off, length = int(data[0]), int(data[1])
        need = dtype.itemsize * int(np.prod(shape))
        if off < 0 or off % dtype.itemsize or length < need or off + need > body_length:
            return None
        return off, dtype, shape

    @staticmethod
    def _runs(fast: List[Tuple[str, int, np.dtype, Tuple[int, ...]]]) -> List[_Run]:
        runs: List[_Run] = []
        i = 0
        while i < len(fast):
            name, off, dtype, shape = fast[i]
            j = i + 1
            stride = fast[j][1] - off if j < len(fast) else 0
            if len(shape) == 1 and stride > 0 and stride % dtype.itemsize == 0:
                while (j < len(fast) and fast[j][2] == dtype and fast[j][3] == shape
                       and fast[j][1] - fast[j - 1][1] == stride):
                    j += 1
            if j - i == 1:
                stride = 0
            runs.append((tuple(f[0] for f in fast[i:j]), off, dtype, shape, j - i, stride))
            i = j
        return runs


_from_numpy: Callable[[np.ndarray], torch.Tensor] = torch.from_numpy


class Decoder:
    """Per stream schema: cached :class:`Plan` s by metadata bytes, and the decoding itself."""

    def __init__(self, schema: pa.Schema) -> None:
        self.schema = schema
        self._plans: Dict[bytes, Plan] = {}

    def plan(self, message: np.ndarray) -> Optional[Plan]:
        """The plan of the IPC message ``message`` (uint8), or None if it is not one."""
        if len(message) < 8:
            return None
        head = message[:8].view(np.uint32)
        meta_len = int(head[1])
        if int(head[0]) != _CONTINUATION or meta_len <= 0 or 8 + meta_len > len(message):
            return None
        meta = message[8:8 + meta_len].tobytes()
        p = self._plans.get(meta)
        if p is None:
            if len(self._plans) >= _MAX_PLANS:
                self._plans.clear()
            p = self._plans[meta] = Plan.build(self.schema, meta, 8 + meta_len)
        return None if p.end > len(message) else p

    def decode(self, lease: Any, rows: int, general: Callable[[pa.RecordBatch, List[Tuple[int, str]]],
                                                              Dict[str, Any]]) -> Dict[str, Any]:
        """The dict of tensors of the message that ``numpy.asarray(lease)`` views. ``general(rb,
        columns)`` converts the columns the plan leaves to the general path; ``rb`` is a pyarrow
        RecordBatch over the same bytes (whose buffers keep the lease alive too)."""
        message = np.asarray(lease)
        p = self.plan(message)
        if p is None or p.rows != rows:
            p = None
        out: Dict[str, Any] = {}
        if p is not None:
            fn = _from_numpy
            nd = np.ndarray
            for names, off, dtype, shape, count, stride in p.runs:
                if count == 1:
                    out[names[0]] = fn(nd(shape, dtype, message, off))
                else:
                    out.update(zip(names, fn(nd((count,) + shape, dtype, message, off,
                                                (stride, dtype.itemsize))).unbind(0)))
            if not p.general:
                return out
        buf = pa.foreign_buffer(message.ctypes.data, len(message), base=lease)
        rb = pa.ipc.read_record_batch(pa.ipc.read_message(buf), self.schema)
        if rb.num_rows != rows:
            from ._client import WeftError

            raise WeftError(f"batch has {rb.num_rows} rows, the server said {rows}")
        todo = p.general if p is not None else list(enumerate(self.schema.names))
        out.update(general(rb, todo))
        names = p.names if p is not None else self.schema.names
        return out if len(out) == len(names) and list(out) == names else {n: out[n] for n in names}
