"""Moving a batch to a GPU with one copy: :class:`DeviceMover` (``WeftLoader(..., device=)``,
:func:`weft.torch.to_device`).

A batch from the shared-memory transport is a dict of tensors that are views of one ring slot
(one Arrow IPC record batch: the column buffers lie side by side, 8-byte aligned). Copying them
to a GPU one by one costs one ``cudaMemcpyAsync`` per column, a few microseconds each, which for
a 50-column batch of 256 rows (128 KiB) is most of the time. Instead the mover copies the byte
range that spans all the batch's tensors in one piece and makes the GPU tensors views of that
copy at the same offsets (``uint8`` slice, ``view(dtype)``, ``view(shape)``).

The copy reads the slot itself: the mover page-locks the whole ring once per process
(``cudaHostRegister`` of the client's mapping, undone when the client goes), so the copy is a
DMA that runs asynchronously, on a side stream, while the GPU works on the previous batch. The
slot stays leased until that copy has finished (the mover holds the CPU batch until its CUDA
event has fired: at the next call), then it goes back to the server as usual. Where the range cannot be
registered (no CUDA, a kernel or container that refuses to lock the pages) the copy is a plain
synchronous one, still a single one.

Tensors that are not packed together (the general path's copies, a non-contiguous view) are
moved one by one with ``Tensor.to``. Values that are not tensors (lists of strings) are returned
as they are.
"""

from __future__ import annotations

import ctypes
import warnings
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np
import torch

from . import _client

__all__ = ["DeviceMover", "pack_copy", "pack_for_queue", "unpack_from_queue", "views", "layout_of"]

_ALIGN = 64  # the span starts at a multiple of this, so every offset keeps its dtype's alignment
_SLACK = 1 << 16  # a span may hold this many bytes beyond the tensors (padding between buffers)


def _np_bytes(address: int, length: int) -> np.ndarray:
    """A uint8 numpy array over ``length`` bytes at ``address`` (no copy, no ownership: the caller
    keeps the memory alive)."""
    return np.ctypeslib.as_array(ctypes.cast(address, ctypes.POINTER(ctypes.c_uint8)), (length,))


def _host_copy(dst: torch.Tensor, address: int, length: int) -> None:
    """Copies ``length`` bytes at ``address`` into the CPU uint8 tensor ``dst`` with numpy: one
    memcpy on this thread (torch's copy_ may fan a copy of this size out to its thread pool,
    which costs more than it saves on a busy machine)."""
    np.copyto(dst.numpy(), _np_bytes(address, length))


def _host_bytes(address: int, length: int) -> torch.Tensor:
    """A CPU uint8 tensor over ``length`` bytes at ``address`` (as :func:`_np_bytes`)."""
    return torch.from_numpy(_np_bytes(address, length))


_Item = Tuple[str, torch.Tensor, int]  # (name, tensor, data address)


def _clusters(batch: Dict[str, Any]) -> List[Tuple[List[_Item], int, int]]:
    """The batch's CPU tensors that can share one copy, grouped: tensors that lie within
    ``_SLACK`` bytes of each other (the columns of one ring slot) form one group with the span
    [lo, hi) that holds them. Groups of one tensor, and tensors whose offset in the span breaks
    their dtype's alignment, are left out (moved one by one)."""
    items = []
    for k, v in batch.items():
        if isinstance(v, torch.Tensor) and v.device.type == "cpu" and v.is_contiguous() and v.numel():
            items.append((k, v, v.data_ptr()))
    items.sort(key=lambda it: it[2])
    groups: List[List[_Item]] = []
    end = -1
    for it in items:
        if not groups or it[2] - end > _SLACK:
            groups.append([])
        groups[-1].append(it)
        end = max(end, it[2] + it[1].numel() * it[1].element_size())
    out = []
    for g in groups:
        if len(g) < 2:
            continue
        lo = g[0][2] & ~(_ALIGN - 1)
        hi = max(p + v.numel() * v.element_size() for _, v, p in g)
        total = sum(v.numel() * v.element_size() for _, v, _ in g)
        if hi - lo > 2 * total + _SLACK:
            continue  # mostly gaps: separate copies move fewer bytes
        g = [(k, v, p) for k, v, p in g if (p - lo) % v.element_size() == 0]
        if len(g) >= 2:
            out.append((g, lo, hi))
    return out


_MIN_RUN = 3  # equally spaced columns of one dtype and length viewed with one as_strided

# Where each packed tensor lies in a copy of its span: (name, dtype, shape, byte offset). Plain
# values, so a layout can travel with the bytes through torch's worker queue (pack_for_queue).
Layout = List[Tuple[str, torch.dtype, Tuple[int, ...], int]]


def layout_of(packed: List[_Item], lo: int) -> Layout:
    """The layout of a group from :func:`_clusters` relative to its span start ``lo``."""
    return [(k, v.dtype, tuple(v.shape), p - lo) for k, v, p in packed]


def views(dst: torch.Tensor, layout: Layout) -> Dict[str, torch.Tensor]:
    """The tensors of ``layout`` as views of ``dst`` (uint8, a copy of the span, on any device).
    Runs of equally spaced 1-D columns of one dtype and length (a slot's 32 float32 columns)
    become one strided view and an ``unbind``, which costs far less per column than a slice and
    two views."""
    out: Dict[str, torch.Tensor] = {}
    i, n = 0, len(layout)
    while i < n:
        k, dtype, shape, off = layout[i]
        es = dtype.itemsize
        numel = 1
        for d in shape:
            numel *= d
        nb = numel * es
        j, stride = i + 1, 0
        if len(shape) == 1 and j < n:
            stride = layout[j][3] - off
            while (j < n and stride >= nb and stride % es == 0 and layout[j][1] == dtype
                   and layout[j][2] == shape and layout[j][3] - layout[j - 1][3] == stride):
                j += 1
        if j - i >= _MIN_RUN:
            count = j - i
            typed = dst[off:off + stride * (count - 1) + nb].view(dtype)
            run = typed.as_strided((count, numel), (stride // es, 1))
            out.update(zip((it[0] for it in layout[i:j]), run.unbind(0)))
            i = j
        else:
            out[k] = dst[off:off + nb].view(dtype).view(shape)
            i += 1
    return out


def pack_for_queue(batch: Dict[str, Any]) -> Tuple[Optional[torch.Tensor], Layout, Dict[str, Any], List[str]]:
    """A DataLoader worker's batch for torch's queue: the neighbouring tensors (one IPC record
    batch's columns) copied once into one tensor in shared memory, so torch passes one segment
    instead of one per column; see :func:`unpack_from_queue`. Returns (buffer or None, layout,
    the other values, the key order)."""
    groups = _clusters(batch)
    if not groups:
        return None, [], batch, list(batch)
    packed, lo, hi = max(groups, key=lambda g: g[2] - g[1])
    buf = torch.empty(hi - lo, dtype=torch.uint8).share_memory_()
    _host_copy(buf, lo, hi - lo)
    layout = layout_of(packed, lo)
    inside = {k for k, _, _, _ in layout}
    return buf, layout, {k: v for k, v in batch.items() if k not in inside}, list(batch)


def unpack_from_queue(buf: Optional[torch.Tensor], layout: Layout, rest: Dict[str, Any],
                      order: List[str]) -> Dict[str, Any]:
    """The batch dict again, in the training process: views of the shared buffer plus the rest."""
    if buf is None:
        return rest
    out = views(buf, layout)
    out.update(rest)
    return {k: out[k] for k in order}


def pack_copy(batch: Dict[str, Any], device: Union[str, torch.device] = "cpu") -> Dict[str, Any]:
    """``batch`` on ``device``, each group of neighbouring tensors moved in one synchronous copy
    (the mover's layout logic without CUDA streams or page-locking; with ``device="cpu"`` a
    detached copy)."""
    out: Dict[str, Any] = {}
    for packed, lo, hi in _clusters(batch):
        dst = torch.empty(hi - lo, dtype=torch.uint8, device=device)
        if dst.device.type == "cpu":
            _host_copy(dst, lo, hi - lo)
        else:
            dst.copy_(_host_bytes(lo, hi - lo))
        out.update(views(dst, layout_of(packed, lo)))
    for k, v in batch.items():
        if k not in out:
            out[k] = v.to(device, copy=True) if isinstance(v, torch.Tensor) else v
    return {k: out[k] for k in batch}


class _PinnedRing:
    """A ring mapping registered with CUDA (page-locked); unregistered when collected. It holds the
    client's mmap, so the mapping outlives the registration (CUDA must see the unregister first)."""

    def __init__(self, client: "_client.Client") -> None:
        self._mmap = client._mmap
        self.address = client.base_address
        self.length = client.file_size
        rt = torch.cuda.cudart()
        err = rt.cudaHostRegister(self.address, self.length, 0)
        self.ok = int(err) == 0

    def __del__(self) -> None:
        try:
            if self.ok:
                torch.cuda.cudart().cudaHostUnregister(self.address)
        except Exception:  # interpreter shutdown: the process's pins go with it
            pass


class DeviceMover:
    """Moves batches (dicts of tensors) to one device: ``mover(batch) -> batch on the device``.

    On CUDA the packed tensors of a batch travel in one asynchronous copy on a side stream (see
    the module docstring); the current stream waits for it, so kernels launched after the call
    see the data, and the CPU does not wait. On any other device, or without CUDA, the call is
    :func:`pack_copy` (CPU: the batch unchanged)."""

    def __init__(self, device: Union[str, torch.device], hold: bool = True) -> None:
        self.device = torch.device(device)
        self.hold = hold
        """True: the CPU batch (its slot) is kept until the next call or :meth:`synchronize`, so
        the call returns before the copy has run; False: the call waits for its copy (tens of µs)
        and keeps nothing."""
        self.cuda = self.device.type == "cuda"
        if self.cuda and not torch.cuda.is_available():
            raise RuntimeError(f"device {self.device} asked for, but torch.cuda.is_available() is False")
        self._stream: Optional[torch.cuda.Stream] = None
        self._held: Optional[Tuple[Any, Any]] = None  # (event, CPU batch) of the last asynchronous copy
        self._warned = False
        self.batches = 0
        self.pinned_copies = 0  # batches copied from page-locked memory (asynchronously)

    def __call__(self, batch: Dict[str, Any]) -> Dict[str, Any]:
        if not self.cuda:
            return batch if self.device.type == "cpu" else pack_copy(batch, self.device)
        self.batches += 1
        self._release_held()
        out: Dict[str, Any] = {}
        held = False
        for packed, lo, hi in _clusters(batch):
            src = _host_bytes(lo, hi - lo)
            if self._pinned(lo, hi):
                out.update(self._async_copy(src, packed, lo))
                held = True
            else:
                dst = torch.empty(hi - lo, dtype=torch.uint8, device=self.device)
                dst.copy_(src)  # pageable: synchronous, the memory may be reused right after
                out.update(views(dst, layout_of(packed, lo)))
        for k, v in batch.items():
            if k not in out:
                out[k] = v.to(self.device, non_blocking=True) if isinstance(v, torch.Tensor) else v
        if held:
            done = torch.cuda.Event()
            done.record(self._stream)
            self._held = (done, batch)  # the slot stays leased until the DMA has read it
            self.pinned_copies += 1
            if not self.hold:
                self._release_held()
        return {k: out[k] for k in batch}

    def _async_copy(self, src: torch.Tensor, packed: List[_Item], lo: int) -> Dict[str, torch.Tensor]:
        if self._stream is None:
            self._stream = torch.cuda.Stream(self.device)
        current = torch.cuda.current_stream(self.device)
        with torch.cuda.stream(self._stream):
            dst = torch.empty(src.numel(), dtype=torch.uint8, device=self.device)
            dst.copy_(src, non_blocking=True)
            done = torch.cuda.Event()
            done.record(self._stream)
        current.wait_event(done)  # kernels queued after this call see the data
        dst.record_stream(current)  # its memory is not reused before the current stream is done with it
        return views(dst, layout_of(packed, lo))

    def _release_held(self) -> None:
        """Lets the previous batch's slot go once its copy has finished. A copy of a few hundred
        KiB takes microseconds, so by the next call it is done; only one slot is ever held, which
        keeps a stream's max in flight (default 4) from being reached by the mover alone."""
        if self._held is not None:
            done, _batch = self._held
            self._held = None
            done.synchronize()

    def _pinned(self, lo: int, hi: int) -> bool:
        c = _client.ring_containing(lo)
        if c is None or not c.contains_address(hi - 1):
            return False
        if c.pinned is None:
            c.pinned = _PinnedRing(c)
            if not c.pinned.ok and not self._warned:
                self._warned = True
                warnings.warn("weft: could not page-lock the shared-memory ring (cudaHostRegister failed); "
                              "batches are copied to the GPU synchronously", RuntimeWarning, stacklevel=3)
        return bool(c.pinned.ok)

    def synchronize(self) -> None:
        """Waits for the copy in flight (its slot then goes back to the server)."""
        self._release_held()
