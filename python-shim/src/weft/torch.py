"""PyTorch integration: :class:`WeftDataset`, an ``IterableDataset`` over a Weft loader server.

Use it with the DataLoader's own batching turned off (the server assembles the batches)::

    ds = weft.torch.WeftDataset("train/", batch_size=256, seed=0)
    loader = torch.utils.data.DataLoader(ds, batch_size=None, num_workers=2)
    for epoch in range(3):
        ds.set_epoch(epoch)
        for batch in loader:          # dict: column name -> tensor (or list of str)
            ...
"""

from __future__ import annotations

import json
import os
import queue
import re
import warnings
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np
import pyarrow as pa
import torch
from multiprocessing.context import get_spawning_popen
from multiprocessing.sharedctypes import RawArray
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from . import _flight, _ipc, _server
from ._client import INLINE_SLOT, Client, RawBatch, SlotHandle, adopt_and_view, batches_per_rank
from ._device import DeviceMover, pack_for_queue, unpack_from_queue
from ._fastpath import Decoder, temporal_storage

__all__ = ["WeftDataset", "WeftLoader", "record_batch_to_tensors", "rank_and_world_size", "to_device"]

PathLike = Union[str, "os.PathLike[str]"]


def rank_and_world_size() -> Tuple[int, int]:
    """(rank, world size) from an initialized ``torch.distributed`` group, else from the RANK and
    WORLD_SIZE environment variables, else (0, 1)."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))


def _from_numpy(a: np.ndarray) -> torch.Tensor:
    with warnings.catch_warnings():
        # pyarrow marks its numpy views read-only; torch warns about that. The tensors are views of
        # the shared ring: treat them as read-only (or pass copy=True).
        warnings.simplefilter("ignore", UserWarning)
        return torch.from_numpy(a)


def _numeric_numpy(arr: pa.Array) -> np.ndarray:
    try:
        return arr.to_numpy(zero_copy_only=True)
    except (pa.ArrowInvalid, NotImplementedError):
        return arr.to_numpy(zero_copy_only=False)  # nulls (-> NaN / object) or booleans: a copy


def _is_number(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t)


def _integer_view(arr: pa.Array) -> pa.Array:
    """``arr`` with dates, times, timestamps and durations (also as list or fixed_size_list values)
    read as their stored integers (:func:`weft._fastpath.temporal_storage`): the same buffers, no copy."""
    t = arr.type
    storage = temporal_storage(t)
    if storage is not None:
        return arr.view(storage)
    if pa.types.is_fixed_size_list(t) or pa.types.is_list(t) or pa.types.is_large_list(t):
        values = temporal_storage(t.value_type)
        if values is not None:
            if pa.types.is_fixed_size_list(t):
                return arr.view(pa.list_(values, t.list_size))
            return arr.view(pa.large_list(values) if pa.types.is_large_list(t) else pa.list_(values))
    return arr


def _fixed_binary_numpy(arr: pa.Array) -> np.ndarray:
    """A fixed_size_binary[w] array without nulls as a ``[rows, w]`` uint8 view of its data buffer."""
    w = arr.type.byte_width
    data = np.frombuffer(arr.buffers()[1], dtype=np.uint8)
    return data[arr.offset * w:(arr.offset + len(arr)) * w].reshape(len(arr), w)


LIST_MODES = ("pad", "offsets")


def _list_to_torch(arr: pa.Array, lists: str, pad_to: Optional[int], pad_value: float) -> Dict[str, torch.Tensor]:
    offsets = arr.offsets.to_numpy(zero_copy_only=False)  # accounts for a sliced array
    if lists == "offsets":
        if len(offsets) and offsets[0] != 0:
            offsets = offsets - offsets[0]  # a copy, rebased
            values = _numeric_numpy(arr.flatten())
        else:
            values = _numeric_numpy(arr.values.slice(0, int(offsets[-1]) if len(offsets) else 0))
        return {"values": _from_numpy(values), "offsets": _from_numpy(offsets)}
    lengths = np.diff(offsets).astype(np.int64)
    flat = _numeric_numpy(arr.flatten())
    longest = int(lengths.max()) if len(lengths) else 0
    width = longest if pad_to is None else int(pad_to)
    padded = np.full((len(arr), width), pad_value, dtype=flat.dtype)
    if width >= longest:
        mask = np.arange(width)[None, :] < lengths[:, None]
        padded[mask] = flat  # row-major order of the mask = order of the values
    else:  # truncate each list to its first `width` values
        lengths = np.minimum(lengths, width)
        mask = np.arange(width)[None, :] < lengths[:, None]
        starts = (offsets[:-1] - offsets[0]).astype(np.int64)
        padded[mask] = flat[(starts[:, None] + np.arange(width)[None, :])[mask]]
    return {"values": torch.from_numpy(padded), "lengths": torch.from_numpy(lengths)}


# Hugging Face `datasets` Array2D..Array5D features: nested lists whose shape the field declares
_HF_ARRAY = re.compile(rb"^datasets\.features\.features\.Array[2-5]DExtensionType$")


def declared_shape(field: Optional[pa.Field]) -> Optional[Tuple[int, ...]]:
    """The fixed per-row shape a field's metadata declares: Hugging Face ``datasets``' Array2D to
    Array5D features (``ARROW:extension:metadata`` ``[[3, 4], "float32"]``), stored as nested lists.
    None when there is none or its first dimension is dynamic."""
    md = (field.metadata or {}) if field is not None else {}
    if not _HF_ARRAY.match(md.get(b"ARROW:extension:name", b"")):
        return None
    try:
        shape = json.loads(md.get(b"ARROW:extension:metadata", b""))[0]
    except (ValueError, TypeError, IndexError, KeyError):
        return None
    if not isinstance(shape, list) or not shape or not all(isinstance(d, int) and d >= 0 for d in shape):
        return None
    return tuple(shape)


def _is_list(t: pa.DataType) -> bool:
    return pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)


def _nested_numbers(arr: pa.Array, shape: Optional[Tuple[int, ...]]) -> Optional[np.ndarray]:
    """Nested lists of numbers without nulls as a ``[rows, d1, d2, ...]`` array, a view of the
    values: fixed_size_lists at every level, or lists whose lengths are the declared ``shape``
    (checked row by row). None when the column does not have that form."""
    dims: List[int] = []
    a = arr
    while _is_list(a.type):
        if a.null_count:
            return None
        if pa.types.is_fixed_size_list(a.type):
            d = a.type.list_size
        else:
            if shape is None or len(dims) >= len(shape):
                return None
            d = shape[len(dims)]
            lengths = np.diff(a.offsets.to_numpy(zero_copy_only=False))
            if len(lengths) and not (lengths == d).all():
                return None
        dims.append(d)
        a = a.flatten()  # the slice of the child that `a` covers
    if not _is_number(a.type) or a.null_count or (shape is not None and tuple(dims) != shape):
        return None
    return _numeric_numpy(a).reshape(len(arr), *dims)


def _column_to_torch(arr: pa.Array, pad_value: float, pad_to: Optional[int] = None, lists: str = "pad",
                     field: Optional[pa.Field] = None) -> Any:
    if isinstance(arr.type, pa.BaseExtensionType) and (pa.types.is_nested(arr.type.storage_type)
                                                       or _is_number(arr.type.storage_type)):
        # a registered extension type (e.g. after `import datasets`, pyarrow builds HF's
        # Array2DExtensionType from the field metadata): its storage, with the metadata it came from
        ext = arr.type
        serialize = getattr(ext, "__arrow_ext_serialize__", None)
        field = pa.field(field.name if field is not None else "", ext.storage_type, metadata={
            b"ARROW:extension:name": ext.extension_name.encode(),
            b"ARROW:extension:metadata": serialize() if serialize is not None else b""})
        arr = arr.storage
    arr = _integer_view(arr)
    t = arr.type
    if pa.types.is_boolean(t) and arr.null_count:
        # numpy gives an object array (True/False/None) that torch refuses: float64, nulls NaN,
        # as for integers with nulls
        return _from_numpy(arr.cast(pa.float64()).to_numpy(zero_copy_only=False))
    if _is_number(t) or pa.types.is_boolean(t):
        return _from_numpy(_numeric_numpy(arr))
    if pa.types.is_fixed_size_list(t) and _is_number(t.value_type) and arr.null_count == 0:
        values = _numeric_numpy(arr.flatten())  # the slice of the child that this array covers
        return _from_numpy(values.reshape(len(arr), t.list_size))
    if pa.types.is_fixed_size_binary(t) and arr.null_count == 0:
        return _from_numpy(_fixed_binary_numpy(arr))
    if _is_list(t) and _is_list(t.value_type) or declared_shape(field) is not None:
        nd = _nested_numbers(arr, declared_shape(field))  # e.g. float32[3][4], or HF Array2D
        if nd is not None:
            return _from_numpy(nd)
    if (pa.types.is_list(t) or pa.types.is_large_list(t)) and _is_number(t.value_type) and arr.null_count == 0:
        return _list_to_torch(arr, lists, pad_to, pad_value)
    try:
        return arr.to_pylist()  # strings, binaries, structs, lists with nulls...: Python objects
    except UnicodeDecodeError:
        if not (pa.types.is_string(t) or pa.types.is_large_string(t)):
            raise
        # a string column with invalid UTF-8 (Parquet writers do not check it): U+FFFD for the bad
        # bytes, as `weft cat` prints them
        raw = arr.view(pa.large_binary() if pa.types.is_large_string(t) else pa.binary()).to_pylist()
        return [None if v is None else v.decode("utf-8", "replace") for v in raw]


def _convert_column(name: str, arr: pa.Array, field: Optional[pa.Field], pad_value: float,
                    pad_to: Optional[int], lists: str) -> Any:
    """:func:`_column_to_torch`, with a failure naming the column and its type."""
    try:
        return _column_to_torch(arr, pad_value, pad_to, lists, field)
    except Exception as e:  # noqa: BLE001 - any failure: say which column
        raise TypeError(f"weft: column {name!r} of type {arr.type} cannot be converted for torch: {e}") from e


_movers: Dict[str, DeviceMover] = {}


def to_device(batch: Dict[str, Any], device: Union[str, torch.device]) -> Dict[str, Any]:
    """``batch`` (a dict from a :class:`WeftDataset`) on ``device``, its tensors moved in one copy
    straight from the shared-memory slot (page-locked on first use; on CUDA the copy runs on a
    side stream that the current stream waits for, and the call returns once it has read the
    slot, so ``batch`` may be dropped at once). ``WeftLoader(..., device=)`` does the same for
    each batch without that wait; see :mod:`weft._device`."""
    key = str(torch.device(device))
    mover = _movers.get(key)
    if mover is None:
        mover = _movers[key] = DeviceMover(device, hold=False)
    return mover(batch)


def record_batch_to_tensors(rb: pa.RecordBatch, copy: bool = False, pad_value: float = 0,
                            pad_to: Optional[int] = None, lists: str = "pad") -> Dict[str, Any]:
    """Converts a record batch to a dict of column name -> value:

    * integer/float columns: 1-D tensors, **views of the batch's memory** (no copy) unless ``copy``;
      columns with nulls and booleans are copied by numpy (nulls become NaN, as float64 for integers);
    * date, time, timestamp and duration columns: as integer columns, their stored values (int32
      days for date32, else int64 in the type's unit; timestamps since the epoch in UTC);
    * fixed_size_binary[w] without nulls (e.g. raw 28x28 images): ``[rows, w]`` uint8 tensors, views;
    * fixed_size_list of numbers (e.g. ``float32[64]``): 2-D tensors ``[rows, 64]``, views too;
    * list of numbers, ``lists="pad"`` (the default): ``{"values": [rows, width] tensor padded with
      pad_value, "lengths": int64 [rows]}`` (a copy). ``width`` is ``pad_to`` if given (longer
      lists are cut to their first ``pad_to`` values and ``lengths`` says how many were kept),
      else the longest list of the batch (so it varies from batch to batch);
    * list of numbers, ``lists="offsets"``: ``{"values": flat 1-D tensor, "offsets": [rows + 1]
      tensor}``, both views (row i is ``values[offsets[i]:offsets[i+1]]``);
    * nested lists of numbers with a fixed shape (fixed_size_list at every level, or lists of the
      shape the field declares, like Hugging Face's Array2D..Array5D): ``[rows, d1, d2, ...]``
      tensors, views; booleans with nulls: float64 with NaN;
    * everything else (strings, binaries, lists with nulls, ...): a Python list.

    A column that cannot be converted raises a ``TypeError`` naming the column and its type.

    ``copy=True`` copies every tensor (``clone()``), so nothing refers to the batch's memory.
    """
    if lists not in LIST_MODES:
        raise ValueError(f"lists must be one of {LIST_MODES}, not {lists!r}")
    if pad_to is not None and pad_to < 0:
        raise ValueError("pad_to must be >= 0")
    out: Dict[str, Any] = {}
    for field, col in zip(rb.schema, rb.columns):
        out[field.name] = _convert_column(field.name, col, field, pad_value, pad_to, lists)
    return _copied(out) if copy else out


def _copied(out: Dict[str, Any]) -> Dict[str, Any]:
    """``copy=True``: every tensor cloned (nothing refers to the slot any more)."""
    for name, v in out.items():
        if isinstance(v, torch.Tensor):
            out[name] = v.clone()
        elif isinstance(v, dict):
            out[name] = {k: x.clone() for k, x in v.items()}
    return out


class _Convert(NamedTuple):
    copy: bool
    pad_value: float
    pad_to: Optional[int]
    lists: str


class _SlotConverter:
    """Turns slots of one stream schema into dicts of tensors: the fast path of
    :mod:`weft._fastpath` (views at cached offsets) for integer/float/fixed_size_list columns
    without nulls, :func:`record_batch_to_tensors`' conversion for the other columns. The result
    is exactly the general path's (the same tensors over the same memory)."""

    __slots__ = ("decoder", "convert", "_general")

    def __init__(self, schema: pa.Schema, convert: _Convert) -> None:
        self.decoder = Decoder(schema)
        self.convert = convert
        pad_value, pad_to, lists = convert.pad_value, convert.pad_to, convert.lists

        def general(rb: pa.RecordBatch, columns: List[Tuple[int, str]]) -> Dict[str, Any]:
            return {name: _convert_column(name, rb.column(i), rb.schema.field(i), pad_value, pad_to, lists)
                    for i, name in columns}

        self._general = general

    def __call__(self, lease: Any, rows: int) -> Dict[str, Any]:
        out = self.decoder.decode(lease, rows, self._general)
        return _copied(out) if self.convert.copy else out

    def inline(self, message: bytes) -> Dict[str, Any]:
        """An inline batch (a copy in the reply, nothing leased): the general path."""
        rb = pa.ipc.read_record_batch(pa.ipc.read_message(pa.py_buffer(message)), self.decoder.schema)
        c = self.convert
        return record_batch_to_tensors(rb, c.copy, c.pad_value, c.pad_to, c.lists)


# The training process's converters for handed-off batches, by (schema IPC bytes, convert).
_converters: Dict[Tuple[bytes, Tuple[Any, ...]], _SlotConverter] = {}


def _converter_for(schema_ipc: bytes, convert: Tuple[Any, ...]) -> _SlotConverter:
    key = (schema_ipc, convert)
    conv = _converters.get(key)
    if conv is None:
        if len(_converters) >= 64:
            _converters.clear()
        conv = _converters[key] = _SlotConverter(pa.ipc.read_schema(pa.py_buffer(schema_ipc)), _Convert(*convert))
    return conv


class _HandedOff:
    """What a DataLoader worker yields instead of tensors: a slot handle. Pickling it (torch does,
    to send it to the training process) is cheap: a few numbers, the schema bytes and the
    conversion options. Unpickling it in the training process adopts the slot there and turns
    into the dict of tensors, views of that process's mapping of the ring (:func:`_adopt_to_tensors`).
    An adoption error becomes torch's ``ExceptionWrapper``, so the DataLoader re-raises it in the
    training loop (also from the pin-memory thread)."""

    __slots__ = ("args",)

    def __init__(self, server: str, token: Optional[str], raw: RawBatch, schema_ipc: bytes,
                 convert: _Convert) -> None:
        self.args = (server, token, raw.slot, raw.generation, raw.offset, raw.length, raw.rows, schema_ipc,
                     raw.inline, tuple(convert))

    @property
    def handle(self) -> SlotHandle:
        """The handle as a :class:`weft.SlotHandle` (for inspection)."""
        server, token, slot, gen, offset, length, rows, schema_ipc, inline, _ = self.args
        return SlotHandle(server, token, slot, gen, offset, length, -1, -1, -1, rows, schema_ipc, inline)

    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]:
        return (_adopt_to_tensors, self.args)


class _Packed:
    """What a DataLoader worker yields for a batch that torch must copy to the training process
    (socket and Flight transports, ``handoff=False``): the columns of the batch packed into one
    tensor in shared memory (:func:`weft._device.pack_for_queue`), so torch's queue moves one
    shared-memory segment per batch instead of one per column (for 50 columns, tens of times
    faster). Unpickled in the training process it turns back into the dict, views of that one
    buffer."""

    __slots__ = ("args",)

    def __init__(self, batch: Dict[str, Any]) -> None:
        self.args = pack_for_queue(batch)

    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]:
        return (unpack_from_queue, self.args)


def _adopt_to_tensors(server: str, token: Optional[str], slot: int, generation: int, offset: int, length: int,
                      rows: int, schema_ipc: bytes, inline: Optional[bytes], convert: Tuple[Any, ...]) -> Any:
    try:
        conv = _converter_for(schema_ipc, convert)
        if inline is not None:
            return conv.inline(inline)
        return adopt_and_view(server, token, slot, generation, offset, length, lambda lease: conv(lease, rows))
    except Exception:
        from torch._utils import ExceptionWrapper

        return ExceptionWrapper(where=f"in process {os.getpid()}, adopting a weft batch handed over by a "
                                      f"DataLoader worker")


def _identity(batch: Any) -> Any:
    """The collate function of a WeftLoader: batches come ready from the server (the default,
    ``default_convert``, would rebuild every dict for nothing)."""
    return batch


class WeftDataset(IterableDataset):  # type: ignore[type-arg]
    """Batches of a Weft dataset, served by a loader server over shared memory.

    Args:
        source: a ``.weft`` file, a directory of them, or a list of files/directories.
        columns: projection (in output order); None: all columns.
        batch_size: rows per batch (the DataLoader must use ``batch_size=None``).
        shuffle: True (global shuffle), False, or one of "none", "global", "block".
        seed: shuffle seed; the order is a pure function of (seed, epoch, dataset).
        drop_last: drop the incomplete tail (else pad by wrapping to the start of the order).
        transport: ``"shm"`` (the shared-memory ring, zero copy; same host), ``"socket"`` (Arrow IPC
            streams over TCP, PROTOCOL.md section 15; any host; the faster socket transport: several
            times Flight's throughput on loopback here) or ``"flight"`` (Arrow Flight over TCP,
            section 12). Over either socket transport the tensors are views of what was received,
            and with workers torch copies them to the training process as usual.
        server: ``"shm"``: the Unix socket path of a running loader server; ``"socket"``: its Arrow
            IPC address, ``"host:port"`` or ``"ipc+tcp://host:port"`` (a ``"grpc+tcp://"`` address
            selects Flight); ``"flight"``: its Flight address, ``"host:port"`` or
            ``"grpc+tcp://host:port"``. None starts (or shares) a local server (see
            :mod:`weft._server`; for the socket transports it listens on 127.0.0.1).
        copy: copy the tensors out of shared memory and release the slot at once.
        block_size, window_blocks: geometry of ``shuffle="block"``.
        lists: list columns as ``"pad"`` (padded values + lengths) or ``"offsets"`` (flat values
            + offsets); see :func:`record_batch_to_tensors`.
        pad_to: width of padded list columns; None (the default): the longest list of each batch.
        pad_value: fill value of padded list columns.
        handoff: in DataLoader workers, hand each batch's slot over to the training process
            (HANDOFF/ADOPT, zero copy) instead of letting torch copy the tensors; default True.
        max_in_flight: slots one stream's batches may hold at once (in the training loop and in
            the DataLoader's queues); the next batch waits beyond that.

    Each yielded dict's tensors are views of a ring slot; the slot is released when all of them
    are garbage-collected. With ``num_workers > 0`` a worker passes only a small handle through
    the DataLoader's queue, and the training process maps the slot itself: its tensors are views
    of the training process's own mapping, never a copy. Partitioning: by ``torch.distributed``
    rank/world size (or the RANK and WORLD_SIZE environment variables) and by DataLoader worker;
    the sequence of batches the training loop sees does not depend on ``num_workers``. Nothing is
    connected before ``__iter__`` (no sockets or threads before the workers fork); without
    ``server=`` the constructor only makes sure a local server process runs.

    Epoch and resume position live in a few bytes of shared memory made before the workers
    start, so :meth:`set_epoch` and :meth:`load_state_dict` also reach workers that persist
    across epochs (``persistent_workers=True``). Call ``set_epoch(e)`` before each epoch.
    """

    def __init__(
        self,
        source: Union[PathLike, Sequence[PathLike]],
        columns: Optional[Sequence[str]] = None,
        batch_size: int = 256,
        shuffle: Union[bool, str] = True,
        seed: int = 0,
        drop_last: bool = True,
        transport: str = "shm",
        server: Optional[str] = None,
        copy: bool = False,
        *,
        block_size: int = 64,
        window_blocks: int = 16,
        lists: str = "pad",
        pad_to: Optional[int] = None,
        pad_value: float = 0,
        handoff: bool = True,
        max_in_flight: int = 4,
        token: Optional[str] = None,
    ) -> None:
        super().__init__()
        if isinstance(source, (str, os.PathLike)):
            paths: List[str] = [os.fspath(source)]
        else:
            paths = [os.fspath(p) for p in source]
        self.paths = paths
        self.columns = None if columns is None else list(columns)
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self.batch_size = batch_size
        self.shuffle = {True: "global", False: "none"}.get(shuffle, shuffle) if isinstance(shuffle, bool) else shuffle
        if self.shuffle not in ("none", "global", "block"):
            raise ValueError(f"shuffle must be a bool or 'none'|'global'|'block', not {shuffle!r}")
        if transport not in ("shm", "socket", "flight"):
            raise ValueError(f"transport must be 'shm', 'socket' or 'flight', not {transport!r}")
        if transport == "shm" and server is not None and (_flight.is_socket_address(server)
                                                          or _ipc.is_ipc_address(server)):
            raise ValueError(f"server={server!r} is a network address: pass transport='socket' (Arrow Flight); "
                             f"the shared-memory transport takes the server's Unix socket path")
        if lists not in LIST_MODES:
            raise ValueError(f"lists must be one of {LIST_MODES}, not {lists!r}")
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be >= 1")
        self.transport = transport
        self.seed = seed
        self.drop_last = drop_last
        self.copy = copy
        self.block_size = block_size if self.shuffle == "block" else 1
        self.window_blocks = window_blocks if self.shuffle == "block" else 1
        self.lists = lists
        self.pad_to = pad_to
        self.pad_value = pad_value
        self.handoff = handoff
        self.max_in_flight = max_in_flight
        self.token = token
        # [epoch, start batch of the next iteration]: shared with the DataLoader's workers
        self._shared: Any = RawArray("q", 2)
        self._next_batch = 0  # the next batch index of the current epoch this process will deliver
        self._worker = 0
        self._num_rows: Optional[int] = None
        self._fingerprint: Optional[str] = None
        self._expected_fingerprint: Optional[str] = None
        if transport == "socket" and server is not None and server.startswith(("grpc://", "grpc+tcp://",
                                                                                "grpc+tls://")):
            transport = self.transport = "flight"  # a Flight address: the caller means Flight
        if transport == "socket":
            self.server = _ipc.location(server) if server is not None else _server.acquire_ipc(self.paths)
        elif transport == "flight":
            self.server = _flight.location(server) if server is not None else _server.acquire_flight(self.paths)
        else:
            self.server = server if server is not None else _server.acquire(self.paths)

    # ----------------------------------------------------------------- state
    @property
    def epoch(self) -> int:
        return int(self._shared[0])

    @property
    def _start_batch(self) -> int:
        return int(self._shared[1])

    @_start_batch.setter
    def _start_batch(self, value: int) -> None:
        self._shared[1] = value

    def set_epoch(self, epoch: int) -> None:
        """Sets the epoch of the next iteration (its order). Call it before creating the iterator
        of each epoch, like ``DistributedSampler.set_epoch``; it reaches persistent workers too.
        Another epoch than the current one also clears a resume position."""
        if epoch < 0:
            raise ValueError("epoch must be >= 0")
        if epoch != self.epoch:
            self._shared[1] = 0
        self._shared[0] = epoch

    def _info(self) -> None:
        if self._num_rows is None and self.transport == "socket":
            self._num_rows, self._fingerprint, _schema = _ipc.dataset_info(self.server, self.token)
        elif self._num_rows is None and self.transport == "flight":
            self._num_rows, self._fingerprint, _schema = _flight.dataset_info(self.server, self.token)
        elif self._num_rows is None:
            with Client(self.server, self.token) as c:  # short-lived; closed before any fork
                self._num_rows = c.num_rows
                self._fingerprint = c.fingerprint

    @property
    def num_rows(self) -> int:
        self._info()
        assert self._num_rows is not None
        return self._num_rows

    @property
    def fingerprint(self) -> str:
        """The dataset's fingerprint (hex SHA-256 from the server), as checkpoints record it."""
        self._info()
        assert self._fingerprint is not None
        return self._fingerprint

    def __len__(self) -> int:
        """Batches per rank per epoch."""
        _rank, world = rank_and_world_size()
        return batches_per_rank(self.num_rows, self.batch_size, world, self.drop_last)

    def state_dict(self) -> Dict[str, Any]:
        """The position after the last batch this process delivered (torchdata's Stateful protocol).

        With ``num_workers=0`` that is exactly what the training loop received. Inside a DataLoader
        worker it is that worker's position; ``torchdata.stateful_dataloader.StatefulDataLoader``
        collects these per delivered batch and resumes exactly (with the same num_workers). For a
        checkpoint that resumes with any num_workers, use :class:`WeftLoader`'s state."""
        self._info()
        return {"epoch": self.epoch, "next_batch": self._next_batch, "worker": self._worker,
                "seed": self.seed, "batch_size": self.batch_size, "fingerprint": self._fingerprint}

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        """The next iteration continues the saved epoch at the saved batch (for every worker).

        The position holds for iterations of that epoch until one of them finishes (in the training
        process, ``num_workers=0``, or through :class:`WeftLoader`) or ``set_epoch`` selects
        another epoch; a plain DataLoader with workers keeps it until ``set_epoch``."""
        if state.get("batch_size", self.batch_size) != self.batch_size or state.get("seed", self.seed) != self.seed:
            raise ValueError("the checkpoint was made with another batch_size or seed")
        self._shared[0] = int(state["epoch"])
        self._next_batch = int(state["next_batch"])
        # a worker that delivers next_batch is worker w of a stream that starts at next_batch - w
        self._shared[1] = self._next_batch - int(state.get("worker", 0))
        self._expected_fingerprint = state.get("fingerprint")

    # ------------------------------------------------------------- iterate
    def __iter__(self) -> Iterator[Dict[str, Any]]:
        # Not a generator function: the epoch and start are read now, when the DataLoader (or its
        # worker, also a persistent one on each new epoch) creates the iterator.
        rank, world = rank_and_world_size()
        info = get_worker_info()
        worker, workers = (0, 1) if info is None else (info.id, info.num_workers)
        epoch, start = self.epoch, self._start_batch
        # the next batch index (of the rank) this process will deliver: worker w of K delivers
        # start + w, start + w + K, ... (PROTOCOL.md section 4)
        self._next_batch = start + worker
        self._worker = worker
        in_worker = info is not None
        if self.transport in ("socket", "flight"):
            it = self._flight_batches(epoch, start, rank, world, worker, workers, in_worker)
        else:
            it = self._batches(epoch, start, rank, world, worker, workers, in_worker and self.handoff, in_worker)
        return it if info is not None else self._clearing_resume(it, epoch, start)

    def _clearing_resume(self, it: Iterator[Any], epoch: int, start: int) -> Iterator[Any]:
        # In the training process (num_workers=0): once the resumed epoch is finished, its next
        # iteration starts from the beginning (WeftLoader does the same for any num_workers).
        yield from it
        if self.epoch == epoch and self._start_batch == start:
            self._start_batch = 0

    def _flight_batches(self, epoch: int, start: int, rank: int, world: int, worker: int,
                        workers: int, pack: bool) -> Iterator[Any]:
        ticket = _flight.make_ticket(
            epoch=epoch, seed=self.seed, shuffle=self.shuffle, batch_size=self.batch_size, rank=rank,
            world_size=world, worker=worker, num_workers=workers, drop_last=self.drop_last, start_batch=start,
            columns=self.columns, block_size=self.block_size, window_blocks=self.window_blocks,
            fingerprint=self._expected_fingerprint,
        )
        read = _ipc.stream if self.transport == "socket" else _flight.stream
        for b in read(self.server, ticket, self.token):
            out = record_batch_to_tensors(b.record_batch, self.copy and not pack, self.pad_value, self.pad_to,
                                          self.lists)
            self._next_batch = b.index + workers
            del b
            yield _Packed(out) if pack else out
            del out

    def _batches(self, epoch: int, start: int, rank: int, world: int, worker: int, workers: int,
                 handoff: bool, pack: bool = False) -> Iterator[Any]:
        # A dropped batch's RELEASE rides on this connection's next request (eager_release=False):
        # only this connection's own pipelined NEXT can wait for it (hold_limit below).
        client = Client(self.server, self.token, eager_release=False)
        convert = _Convert(self.copy, self.pad_value, self.pad_to, self.lists)
        try:
            stream = client.open_stream(
                epoch=epoch, seed=self.seed, shuffle=self.shuffle, batch_size=self.batch_size, rank=rank,
                world_size=world, worker=worker, num_workers=workers, drop_last=self.drop_last,
                start_batch=start, columns=self.columns, block_size=self.block_size,
                window_blocks=self.window_blocks, fingerprint=self._expected_fingerprint,
                max_in_flight=self.max_in_flight, pipeline=True,
            )
            client.hold_limit = stream.max_in_flight
            self._num_rows, self._fingerprint = client.num_rows, client.fingerprint
            if handoff:
                schema_ipc, server, token = stream.schema_ipc, client.socket_path, client.token
                while True:
                    r = stream.next_raw_handoff()
                    if r is None:
                        break
                    self._next_batch = r.index + workers
                    yield _HandedOff(server, token, r, schema_ipc, convert)
            else:
                conv = _SlotConverter(stream.schema, convert)
                lease = client.lease
                while True:
                    r = stream.next_raw()
                    if r is None:
                        break
                    if r.slot == INLINE_SLOT:
                        out = conv.inline(r.inline)  # type: ignore[arg-type]
                    else:
                        out = conv(lease(r.slot, r.generation, r.offset, r.length), r.rows)
                    self._next_batch = r.index + workers
                    yield _Packed(out) if pack else out  # packing copies: the slot goes back at once
                    del out
            stream.close()
        finally:
            client.close()

    def __getstate__(self) -> Dict[str, Any]:
        d = dict(self.__dict__)
        if get_spawning_popen() is None:
            # plain pickling (deepcopy, torch.save): the copy gets state of its own
            d["_shared"] = list(self._shared)
        return d

    def __setstate__(self, d: Dict[str, Any]) -> None:
        if isinstance(d.get("_shared"), list):
            d["_shared"] = RawArray("q", d["_shared"])
        self.__dict__.update(d)


class WeftLoader(DataLoader):  # type: ignore[type-arg]
    """A ``DataLoader`` for a :class:`WeftDataset` whose checkpoints resume with **any** num_workers.

    ``WeftLoader(ds, num_workers=K, **kwargs)`` takes the DataLoader's keyword arguments
    (``batch_size`` must stay None: the server makes the batches). :meth:`state_dict` records the
    position after the last batch the training loop received from this loader — (epoch, the
    rank's next batch index), never what workers prefetched — and :meth:`load_state_dict` makes
    the next iteration continue there, whatever ``num_workers`` the new loader has: the rank's
    sequence of batches does not depend on it (PROTOCOL.md section 4), so the position is simply
    the start of the iteration plus the number of batches received.

    A finished epoch's state points at its end (resuming it yields nothing; call ``set_epoch``
    for the next). An iteration abandoned midway (``break``) leaves the resume position in place.

    ``device="cuda"`` (or ``"cuda:1"``...) yields the batches on that device: each batch's
    tensors travel in one asynchronous copy straight from the page-locked shared-memory slot (no
    pinned staging copy, unlike ``pin_memory=True``, which cannot be combined with it); see
    :func:`to_device`.
    """

    def __init__(self, dataset: WeftDataset, num_workers: int = 0,
                 device: Optional[Union[str, torch.device]] = None, **kwargs: Any) -> None:
        if not isinstance(dataset, WeftDataset):
            raise TypeError(f"WeftLoader needs a WeftDataset, not {type(dataset).__name__}")
        if device is not None and kwargs.get("pin_memory"):
            raise ValueError("WeftLoader: use device= or pin_memory=True, not both (device= copies each "
                             "batch straight from page-locked shared memory; pinning would copy it first)")
        self._mover: Optional[DeviceMover] = None if device is None else DeviceMover(device)
        if kwargs.setdefault("batch_size", None) is not None:
            raise ValueError("WeftLoader needs batch_size=None: the WeftDataset makes the batches")
        if kwargs.get("collate_fn") is None:
            kwargs["collate_fn"] = _identity
        if dataset.transport == "flight" and num_workers > 0 and kwargs.get("multiprocessing_context") is None:
            # gRPC (Flight) is not fork-safe: workers forked from a process that has used it can
            # hang, so they start from a clean fork server instead
            kwargs["multiprocessing_context"] = "forkserver"
        super().__init__(dataset, num_workers=num_workers, **kwargs)
        self._position: Optional[Tuple[int, int]] = None

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        ds: WeftDataset = self.dataset  # type: ignore[assignment]
        epoch, start = ds.epoch, ds._start_batch
        self._position = (epoch, start)
        if self.num_workers == 0 and self.collate_fn is _identity and not self.pin_memory:
            # What torch's single-process iterator would do, less its per-batch bookkeeping (a
            # profiler range, a fetcher, a collate call: tens of µs per batch)
            it: Iterator[Any] = iter(ds)
        else:
            it = super().__iter__()  # workers (new or persistent) read epoch and start from ds
        tracked = self._track(it, ds, epoch, start)
        return tracked if self._mover is None else self._moved(tracked, self._mover)

    @staticmethod
    def _moved(tracked: Iterator[Any], mover: DeviceMover) -> Iterator[Any]:
        try:
            for batch in tracked:
                yield mover(batch)
        finally:
            mover.synchronize()  # the last batch's slot goes back when the iteration ends

    def _track(self, it: Iterator[Any], ds: WeftDataset, epoch: int, start: int) -> Iterator[Any]:
        n = start
        finished = False
        try:
            for batch in it:
                n += 1
                self._position = (epoch, n)
                yield batch
            finished = True
        finally:
            if not finished:
                self._drain(it)
        if ds.epoch == epoch and ds._start_batch == start:
            ds._start_batch = 0  # the epoch is done: its next iteration starts from the beginning

    def _drain(self, it: Any) -> None:
        """After an abandoned iteration (``break``), stops the workers and adopts (and so releases at
        once) the batches they already put into torch's queue, instead of leaving their slots to
        the server's handoff timeout. Best effort: it uses torch internals, and does nothing with
        persistent workers (torch drains their queue itself on the next epoch) or pin memory."""
        from torch.utils.data.dataloader import _MultiProcessingDataLoaderIter

        if (not isinstance(it, _MultiProcessingDataLoaderIter) or self.persistent_workers
                or hasattr(it, "_pin_memory_thread")):
            return
        try:
            it._shutdown_workers()
            q = it._worker_result_queue
            while True:
                try:
                    item = q.get(timeout=0.05)  # unpickling adopts; dropping it releases the slot
                except queue.Empty:
                    return
                del item
        except Exception:  # noqa: BLE001 - a failed drain only delays the slots' return
            return

    def state_dict(self) -> Dict[str, Any]:
        """``{"epoch", "next_batch", "seed", "batch_size", "rank", "world_size", "fingerprint"}``:
        where to continue after the last batch the loop received."""
        ds: WeftDataset = self.dataset  # type: ignore[assignment]
        epoch, nxt = self._position if self._position is not None else (ds.epoch, ds._start_batch)
        rank, world = rank_and_world_size()
        return {"epoch": epoch, "next_batch": nxt, "seed": ds.seed, "batch_size": ds.batch_size,
                "rank": rank, "world_size": world, "fingerprint": ds.fingerprint}

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        """The next iteration continues at the saved position, with this loader's num_workers."""
        ds: WeftDataset = self.dataset  # type: ignore[assignment]
        rank, world = rank_and_world_size()
        if state.get("world_size", world) != world:
            raise ValueError(f"the checkpoint was made with world size {state['world_size']}, this run has {world}")
        ds.load_state_dict({"epoch": state["epoch"], "next_batch": state["next_batch"], "worker": 0,
                            "seed": state.get("seed", ds.seed), "batch_size": state.get("batch_size", ds.batch_size),
                            "fingerprint": state.get("fingerprint")})
        self._position = (int(state["epoch"]), int(state["next_batch"]))
