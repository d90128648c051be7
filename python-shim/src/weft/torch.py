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

import os
import warnings
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import pyarrow as pa
import torch
from torch.utils.data import IterableDataset, get_worker_info

from . import _server
from ._client import Client, batches_per_rank

__all__ = ["WeftDataset", "record_batch_to_tensors", "rank_and_world_size"]

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


def _column_to_torch(arr: pa.Array, pad_value: float) -> Any:
    t = arr.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t):
        return _from_numpy(_numeric_numpy(arr))
    if pa.types.is_fixed_size_list(t) and (pa.types.is_integer(t.value_type) or pa.types.is_floating(t.value_type)):
        if arr.null_count == 0:
            values = _numeric_numpy(arr.flatten())
            return _from_numpy(values.reshape(len(arr), t.list_size))
    if (pa.types.is_list(t) or pa.types.is_large_list(t)) and (
        pa.types.is_integer(t.value_type) or pa.types.is_floating(t.value_type)
    ):
        offsets = arr.offsets.to_numpy()
        lengths = np.diff(offsets)
        flat = _numeric_numpy(arr.flatten())
        width = int(lengths.max()) if len(lengths) else 0
        padded = np.full((len(arr), width), pad_value, dtype=flat.dtype)
        mask = np.arange(width)[None, :] < lengths[:, None]
        padded[mask] = flat
        return {"values": torch.from_numpy(padded), "lengths": torch.from_numpy(lengths.astype(np.int64))}
    return arr.to_pylist()  # strings, binaries, structs, ...: Python objects


def record_batch_to_tensors(rb: pa.RecordBatch, copy: bool = False, pad_value: float = 0) -> Dict[str, Any]:
    """Converts a record batch to a dict of column name -> value:

    * integer/float columns: 1-D tensors, **views of the batch's memory** (no copy) unless ``copy``;
      columns with nulls and booleans are copied by numpy;
    * fixed_size_list of numbers (e.g. ``float32[64]``): 2-D tensors ``[rows, size]``, views too;
    * list of numbers: ``{"values": padded 2-D tensor, "lengths": int64 tensor}`` (a copy);
    * everything else (strings, ...): a Python list.
    """
    out: Dict[str, Any] = {}
    for name, col in zip(rb.schema.names, rb.columns):
        v = _column_to_torch(col, pad_value)
        if copy and isinstance(v, torch.Tensor):
            v = v.clone()
        elif copy and isinstance(v, dict):
            v = {k: x.clone() for k, x in v.items()}
        out[name] = v
    return out


class WeftDataset(IterableDataset):  # type: ignore[type-arg]
    """Batches of a Weft dataset, served by a loader server over shared memory.

    Args:
        source: a ``.weft`` file, a directory of them, or a list of files/directories.
        columns: projection (in output order); None: all columns.
        batch_size: rows per batch (the DataLoader must use ``batch_size=None``).
        shuffle: True (global shuffle), False, or one of "none", "global", "block".
        seed: shuffle seed; the order is a pure function of (seed, epoch, dataset).
        drop_last: drop the incomplete tail (else pad by wrapping to the start of the order).
        server: socket path of a running loader server; None starts (or shares) a local one
            (see :mod:`weft._server`).
        copy: copy the tensors out of shared memory and release the slot at once.
        block_size, window_blocks: geometry of ``shuffle="block"``.
        pad_value: fill value of padded list columns.

    Each yielded dict's tensors are views of a ring slot; the slot is released when all of them
    are garbage-collected. Partitioning: by ``torch.distributed`` rank/world size (or the RANK and
    WORLD_SIZE environment variables) and by DataLoader worker; the sequence of batches the training
    loop sees does not depend on ``num_workers``. Nothing is connected before ``__iter__`` (no
    sockets or threads before the workers fork); without ``server=`` the constructor only makes
    sure a local server process runs.
    """

    def __init__(
        self,
        source: Union[PathLike, Sequence[PathLike]],
        columns: Optional[Sequence[str]] = None,
        batch_size: int = 256,
        shuffle: Union[bool, str] = True,
        seed: int = 0,
        drop_last: bool = True,
        server: Optional[str] = None,
        copy: bool = False,
        *,
        block_size: int = 64,
        window_blocks: int = 16,
        pad_value: float = 0,
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
        self.seed = seed
        self.drop_last = drop_last
        self.copy = copy
        self.block_size = block_size if self.shuffle == "block" else 1
        self.window_blocks = window_blocks if self.shuffle == "block" else 1
        self.pad_value = pad_value
        self.token = token
        self.epoch = 0
        self._start_batch = 0  # for the next __iter__ (resume)
        self._next_batch = 0  # the next batch index of the current epoch the loop will receive
        self._num_rows: Optional[int] = None
        self._fingerprint: Optional[str] = None
        self.server = server if server is not None else _server.acquire(self.paths)

    # ----------------------------------------------------------------- state
    def set_epoch(self, epoch: int) -> None:
        """Sets the epoch of the next iteration (its order). Call it before creating the iterator
        of each epoch, like ``DistributedSampler.set_epoch``."""
        if epoch != self.epoch:
            self._start_batch = 0
        self.epoch = epoch

    def _info(self) -> None:
        if self._num_rows is None:
            with Client(self.server, self.token) as c:  # short-lived; closed before any fork
                self._num_rows = c.num_rows
                self._fingerprint = c.fingerprint

    @property
    def num_rows(self) -> int:
        self._info()
        assert self._num_rows is not None
        return self._num_rows

    def __len__(self) -> int:
        """Batches per rank per epoch."""
        _rank, world = rank_and_world_size()
        return batches_per_rank(self.num_rows, self.batch_size, world, self.drop_last)

    def state_dict(self) -> Dict[str, Any]:
        """The position after the last batch this process delivered (torchdata's Stateful protocol).

        With ``num_workers=0`` that is exactly what the training loop received. Inside a DataLoader
        worker it is that worker's position; ``torchdata.stateful_dataloader.StatefulDataLoader``
        collects these per delivered batch and resumes exactly (with the same num_workers)."""
        self._info()
        return {"epoch": self.epoch, "next_batch": self._next_batch, "worker": getattr(self, "_worker", 0),
                "seed": self.seed, "batch_size": self.batch_size, "fingerprint": self._fingerprint}

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        """The next ``__iter__`` continues the saved epoch at the saved batch."""
        if state.get("batch_size", self.batch_size) != self.batch_size or state.get("seed", self.seed) != self.seed:
            raise ValueError("the checkpoint was made with another batch_size or seed")
        self.epoch = int(state["epoch"])
        self._next_batch = int(state["next_batch"])
        # a worker that delivers next_batch is worker w of a stream that starts at next_batch - w
        self._start_batch = self._next_batch - int(state.get("worker", 0))
        self._expected_fingerprint = state.get("fingerprint")

    # ------------------------------------------------------------- iterate
    def __iter__(self) -> Iterator[Dict[str, Any]]:
        rank, world = rank_and_world_size()
        info = get_worker_info()
        worker, workers = (0, 1) if info is None else (info.id, info.num_workers)
        start = self._start_batch
        self._start_batch = 0  # the following epoch starts from 0
        # the next batch index (of the rank) this process will deliver: worker w of K delivers
        # start + w, start + w + K, ... (PROTOCOL.md section 4)
        self._next_batch = start + worker
        self._worker = worker
        client = Client(self.server, self.token)
        try:
            stream = client.open_stream(
                epoch=self.epoch, seed=self.seed, shuffle=self.shuffle, batch_size=self.batch_size, rank=rank,
                world_size=world, worker=worker, num_workers=workers, drop_last=self.drop_last,
                start_batch=start, columns=self.columns, block_size=self.block_size,
                window_blocks=self.window_blocks, fingerprint=getattr(self, "_expected_fingerprint", None),
            )
            self._num_rows, self._fingerprint = client.num_rows, client.fingerprint
            while True:
                b = stream.next()
                if b is None:
                    break
                out = record_batch_to_tensors(b.record_batch, copy=self.copy, pad_value=self.pad_value)
                b_index = b.index
                del b
                self._next_batch = b_index + workers
                yield out
                del out
            stream.close()
        finally:
            client.close()

    def __getstate__(self) -> Dict[str, Any]:
        return dict(self.__dict__)
