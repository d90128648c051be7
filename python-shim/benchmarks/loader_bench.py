"""Loader throughput: Weft's DataLoader integration vs the in-RAM numpy bound vs torch's DataLoader.

Steady-state samples/s (timed from the first batch of each epoch) into a loop that only touches
the tensors (reads one value of each), on a synthetic recsys-like table, batch 256, all in one
run so that the numbers are comparable:

* ``numpy``: the bound — the table's columns preloaded as numpy arrays in the training process,
  each batch gathered with a shuffled index (``a[idx]``) and wrapped by ``torch.from_numpy``
  (``num_workers`` must be 0);
* ``torch``: torch's own ``DataLoader(batch_size=None, num_workers=K)`` over a map-style dataset
  whose item j is that same gathered batch j of the preloaded arrays (with K > 0 every batch is
  copied into torch's shared memory and pickled to the training process);
* ``weft``: ``WeftLoader(WeftDataset(...), num_workers=K)`` — workers hand slot handles over and
  the training process maps the slots (zero copy); the server gathers the rows from the .weft
  file. ``weft_kwargs={"transport": "socket"}`` streams the same batches as Arrow IPC over TCP,
  ``{"transport": "flight"}`` over Arrow Flight;
* ``hf``: Hugging Face ``datasets`` — ``Dataset.from_parquet(...).with_format("torch")`` read by
  ``DataLoader(ds, batch_size=B, shuffle=True, num_workers=K)`` (row by row, then collated);
* ``parquet``: a map-style dataset doing random access into the Parquet file with pyarrow: each
  item is a batch of shuffled row ids (``BatchSampler``), read as the row groups holding them plus
  ``take``.

The two per-row peers are slow, so their configurations time only the first ``max_batches``
batches.

Use it as a library (the #8 loader benchmark builds on :func:`samples_per_second`)::

    from loader_bench import BenchConfig, prepare, samples_per_second
    data = prepare(Path("/tmp/weft-bench"), rows=200_000)
    samples_per_second(BenchConfig(kind="weft", num_workers=2), data)

or from the command line (prints a table of medians and ratios to the bound; ``--json`` writes
the raw numbers)::

    .venv/bin/python python-shim/benchmarks/loader_bench.py --rows 200000 --repeats 3

The table: ``f0..f31`` float32, ``c0..c15`` int64, ``embedding`` float32[64], ``label`` int8 and
``history`` list<int64> (0..50 values; not in the default projection: a list column is padded,
i.e. copied, by the tensor conversion). Generated with numpy (seeded), written as Parquet and
converted by ``weft.convert``; cached under the data directory.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

DENSE, CATEGORICAL, EMBEDDING, MAX_HISTORY = 32, 16, 64, 50
DEFAULT_COLUMNS: List[str] = ([f"f{i}" for i in range(DENSE)] + [f"c{i}" for i in range(CATEGORICAL)]
                              + ["embedding", "label"])


@dataclass(frozen=True)
class BenchConfig:
    """One measurement: ``kind`` in ``numpy`` | ``torch`` | ``weft`` | ``hf`` | ``parquet``."""

    kind: str = "weft"
    num_workers: int = 0
    batch_size: int = 256
    shuffle: bool = True
    columns: Optional[Sequence[str]] = None  # None: DEFAULT_COLUMNS
    epochs: int = 1
    seed: int = 0
    weft_kwargs: Dict[str, Any] = field(default_factory=dict)  # extra WeftDataset arguments
    max_batches: Optional[int] = None  # time only this many batches per epoch (slow peers)


@dataclass
class BenchData:
    parquet: Path
    weft: Path
    rows: int
    _arrays: Optional[Dict[str, np.ndarray]] = None

    def arrays(self, columns: Sequence[str]) -> Dict[str, np.ndarray]:
        """The columns preloaded in RAM (fixed_size_list as 2-D arrays), cached."""
        if self._arrays is None:
            self._arrays = {}
        missing = [c for c in columns if c not in self._arrays]
        if missing:
            t = pq.read_table(self.parquet, columns=missing)
            for name in missing:
                col = t.column(name).combine_chunks()
                if pa.types.is_fixed_size_list(col.type):
                    a = col.flatten().to_numpy().reshape(len(col), col.type.list_size)
                elif pa.types.is_list(col.type) or pa.types.is_large_list(col.type):
                    raise ValueError(f"the numpy/torch baselines take no list columns ({name})")
                else:
                    a = col.to_numpy()
                self._arrays[name] = np.ascontiguousarray(a)
        return {c: self._arrays[c] for c in columns}


def make_table(rows: int, seed: int = 42) -> pa.Table:
    rng = np.random.default_rng(seed)
    cols: Dict[str, Any] = {}
    for i in range(DENSE):
        if i < 8:
            cols[f"f{i}"] = rng.standard_normal(rows, dtype=np.float32)
        elif i < 16:
            cols[f"f{i}"] = np.floor(rng.lognormal(1.0, 1.0, rows)).astype(np.float32)
        elif i < 24:
            cols[f"f{i}"] = np.round(rng.random(rows, dtype=np.float32), 3)
        else:
            v = rng.exponential(1.0, rows).astype(np.float32)
            v[rng.random(rows) < 0.8] = 0
            cols[f"f{i}"] = v
    cards = [5_000_000, 1_000_000, 200, 100, 50, 20, 168, 5_000, 50_000, 200_000, 20_000, 100_000,
             10_000_000, 40_000, 500_000, 30_000]
    for i, n in enumerate(cards):
        z = np.minimum(rng.zipf(1.1 + 0.05 * (i % 4), rows) - 1, n - 1).astype(np.int64)
        if i >= 8:  # hashed 63-bit ids
            z = ((z.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(1)).astype(np.int64)
        cols[f"c{i}"] = z
    lengths = rng.integers(0, MAX_HISTORY + 1, rows)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    items = np.minimum(rng.zipf(1.2, int(offsets[-1])) - 1, 999_999).astype(np.int64)
    cols["history"] = pa.ListArray.from_arrays(pa.array(offsets), pa.array(items))
    emb = (rng.standard_normal(rows * EMBEDDING, dtype=np.float32) * 0.1)
    cols["embedding"] = pa.FixedSizeListArray.from_arrays(pa.array(emb), EMBEDDING)
    cols["label"] = (rng.random(rows) < 0.05).astype(np.int8)
    return pa.table(cols)


def prepare(data_dir: Path, rows: int = 200_000, seed: int = 42) -> BenchData:
    """The recsys-like table as Parquet and .weft under ``data_dir`` (made once, then reused)."""
    import weft

    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    pq_path = data_dir / f"recsys-{rows}-{seed}.parquet"
    weft_path = pq_path.with_suffix(".weft")
    if not pq_path.exists():
        tmp = pq_path.with_name("." + pq_path.name)
        pq.write_table(make_table(rows, seed), tmp, row_group_size=65536)
        tmp.rename(pq_path)
    if not weft_path.exists():
        weft.convert(pq_path, weft_path)
    return BenchData(pq_path, weft_path, rows)


# ------------------------------------------------------------------------------ the loops
def _touch(batch: Dict[str, Any]) -> float:
    """Reads one value of each tensor (the loop 'only touches the tensors')."""
    acc = 0.0
    for v in batch.values():
        if hasattr(v, "data_ptr"):
            acc += float(v.reshape(-1)[0])
    return acc


def _timed(loader_epochs: Iterable[Iterable[Dict[str, Any]]], max_batches: Optional[int] = None) -> float:
    """Samples/s over all epochs, each timed from its first batch (steady state); with
    ``max_batches``, an epoch stops after that many batches."""
    samples, seconds = 0, 0.0
    for epoch in loader_epochs:
        t0 = None
        for n, b in enumerate(epoch):
            _touch(b)
            if t0 is None:
                t0 = time.perf_counter()
                continue
            samples += len(next(iter(b.values())))
            if max_batches is not None and n + 1 >= max_batches:
                break
        if t0 is not None:
            seconds += time.perf_counter() - t0
    return samples / seconds if seconds else 0.0


class _GatheredBatches:
    """Map-style dataset: item j is batch j of a shuffled epoch, gathered from preloaded arrays."""

    def __init__(self, arrays: Dict[str, np.ndarray], batch_size: int, perm: np.ndarray) -> None:
        self.arrays, self.batch_size, self.perm = arrays, batch_size, perm

    def __len__(self) -> int:
        return len(self.perm) // self.batch_size

    def __getitem__(self, j: int) -> Dict[str, Any]:
        import torch

        idx = self.perm[j * self.batch_size:(j + 1) * self.batch_size]
        return {k: torch.from_numpy(a[idx]) for k, a in self.arrays.items()}


class _ParquetRows:
    """Map-style dataset doing random access into the Parquet file with pyarrow: item ``ids`` (a
    batch of row ids, from a ``BatchSampler``) reads each row group holding some of them and takes
    the rows — the usual way to put random access on top of Parquet in PyTorch."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self.path, self.columns = path, list(columns)
        meta = pq.ParquetFile(path).metadata
        self.starts = np.cumsum([0] + [meta.row_group(g).num_rows for g in range(meta.num_row_groups)])
        self._file: Optional[pq.ParquetFile] = None  # opened lazily, in each worker

    def __len__(self) -> int:
        return int(self.starts[-1])

    def __getitem__(self, ids: Sequence[int]) -> Dict[str, Any]:
        import torch

        if self._file is None:
            self._file = pq.ParquetFile(self.path)
        ids = np.asarray(ids, dtype=np.int64)
        groups = np.searchsorted(self.starts, ids, side="right") - 1
        parts, order = [], []
        for g in np.unique(groups):
            sel = np.nonzero(groups == g)[0]
            rg = self._file.read_row_group(int(g), columns=self.columns)
            parts.append(rg.take(pa.array(ids[sel] - int(self.starts[g]))))
            order.append(sel)
        table = pa.concat_tables(parts).take(pa.array(np.argsort(np.concatenate(order))))
        out = {}
        for name in self.columns:
            col = table.column(name).combine_chunks()
            if pa.types.is_fixed_size_list(col.type):
                a = col.flatten().to_numpy().reshape(len(col), col.type.list_size)
            else:
                a = col.to_numpy(zero_copy_only=False)
            out[name] = torch.from_numpy(np.ascontiguousarray(a))
        return out


def _hf_dataset(data: BenchData, columns: Sequence[str]):
    """The Parquet file as a Hugging Face dataset (its Arrow cache under the data directory)."""
    import datasets

    ds = datasets.Dataset.from_parquet(str(data.parquet), columns=list(columns),
                                       cache_dir=str(data.parquet.parent / "hf-cache"))
    return ds.with_format("torch")


def _row_loader(ds: Any, cfg: BenchConfig, epoch: int, batched: bool):
    """A DataLoader over a map-style dataset: row by row then collated, or (``batched``) one
    item per batch of row ids."""
    import torch
    from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler

    g = torch.Generator()
    g.manual_seed(cfg.seed * 1000 + epoch)
    if batched:
        rows = RandomSampler(ds, generator=g) if cfg.shuffle else SequentialSampler(ds)
        return DataLoader(ds, batch_size=None, num_workers=cfg.num_workers,
                          sampler=BatchSampler(rows, cfg.batch_size, drop_last=True))
    return DataLoader(ds, batch_size=cfg.batch_size, shuffle=cfg.shuffle, generator=g,
                      num_workers=cfg.num_workers, drop_last=True)


def _order(rows: int, seed: int, epoch: int, shuffle: bool) -> np.ndarray:
    if not shuffle:
        return np.arange(rows, dtype=np.int64)
    return np.random.default_rng([seed, epoch]).permutation(rows)


def samples_per_second(cfg: BenchConfig, data: BenchData) -> float:
    """Steady-state samples/s of one configuration (see the module docstring)."""
    import torch
    from torch.utils.data import DataLoader

    columns = list(cfg.columns) if cfg.columns is not None else DEFAULT_COLUMNS
    if cfg.kind == "numpy":
        if cfg.num_workers:
            raise ValueError("the numpy bound runs in the training process (num_workers=0)")
        arrays = data.arrays(columns)

        def epochs_np():
            for e in range(cfg.epochs):
                ds = _GatheredBatches(arrays, cfg.batch_size, _order(data.rows, cfg.seed, e, cfg.shuffle))
                yield (ds[j] for j in range(len(ds)))

        return _timed(epochs_np(), cfg.max_batches)
    if cfg.kind == "torch":
        arrays = data.arrays(columns)

        def epochs_torch():
            for e in range(cfg.epochs):
                ds = _GatheredBatches(arrays, cfg.batch_size, _order(data.rows, cfg.seed, e, cfg.shuffle))
                yield DataLoader(ds, batch_size=None, shuffle=False, num_workers=cfg.num_workers)

        return _timed(epochs_torch(), cfg.max_batches)
    if cfg.kind == "weft":
        from weft.torch import WeftDataset, WeftLoader

        ds = WeftDataset(data.weft, columns=columns, batch_size=cfg.batch_size, shuffle=cfg.shuffle,
                         seed=cfg.seed, **cfg.weft_kwargs)
        loader = WeftLoader(ds, num_workers=cfg.num_workers)

        def epochs_weft():
            for e in range(cfg.epochs):
                ds.set_epoch(e)
                yield loader

        return _timed(epochs_weft(), cfg.max_batches)
    if cfg.kind in ("hf", "parquet"):
        rows_ds = _hf_dataset(data, columns) if cfg.kind == "hf" else _ParquetRows(data.parquet, columns)
        batched = cfg.kind == "parquet"
        return _timed((_row_loader(rows_ds, cfg, e, batched) for e in range(cfg.epochs)), cfg.max_batches)
    raise ValueError(f"unknown kind {cfg.kind!r}")


DEFAULT_CONFIGS: List[BenchConfig] = [
    BenchConfig("numpy", 0),
    BenchConfig("torch", 0),
    BenchConfig("torch", 2),
    BenchConfig("weft", 0),
    BenchConfig("weft", 2),
    BenchConfig("weft", 2, weft_kwargs={"handoff": False}),
    BenchConfig("weft", 0, shuffle=False),
    BenchConfig("weft", 2, shuffle=False),
    BenchConfig("weft", 2, shuffle=False, weft_kwargs={"handoff": False}),
    BenchConfig("weft", 0, weft_kwargs={"transport": "socket"}),
    BenchConfig("weft", 2, weft_kwargs={"transport": "socket"}),
    BenchConfig("weft", 0, weft_kwargs={"transport": "flight"}),
    BenchConfig("hf", 0, max_batches=100),
    BenchConfig("hf", 2, max_batches=100),
    BenchConfig("parquet", 0, max_batches=30),
    BenchConfig("parquet", 2, max_batches=30),
]


def label(cfg: BenchConfig) -> str:
    s = f"{cfg.kind} workers={cfg.num_workers}"
    if not cfg.shuffle:
        s += " no-shuffle"
    if cfg.weft_kwargs:
        s += " " + " ".join(f"{k}={v}" for k, v in cfg.weft_kwargs.items())
    return s


def run(configs: Sequence[BenchConfig], data: BenchData, repeats: int = 3) -> List[Dict[str, Any]]:
    """Runs the configurations round-robin ``repeats`` times (so that machine noise spreads over
    all of them) and returns one record per configuration with every sample and the median."""
    samples: Dict[int, List[float]] = {i: [] for i in range(len(configs))}
    for _ in range(repeats):
        for i, cfg in enumerate(configs):
            samples[i].append(samples_per_second(cfg, data))
    out = []
    for i, cfg in enumerate(configs):
        d = asdict(cfg)
        d.update(label=label(cfg), samples_per_s=samples[i], median=statistics.median(samples[i]))
        out.append(d)
    return out


def report(results: List[Dict[str, Any]]) -> str:
    bound = next((r["median"] for r in results if r["kind"] == "numpy"), None)
    lines = ["| configuration | median samples/s | x bound | runs |", "| --- | ---: | ---: | --- |"]
    for r in results:
        ratio = f"{r['median'] / bound:.3f}" if bound else "-"
        runs = ", ".join(f"{x:,.0f}" for x in r["samples_per_s"])
        lines.append(f"| {r['label']} | {r['median']:,.0f} | {ratio} | {runs} |")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=1, help="epochs per measurement")
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp") / "weft-loader-bench")
    ap.add_argument("--only", nargs="*", help="labels to run (substring match), e.g. 'weft workers=2'")
    ap.add_argument("--json", type=Path, help="write the results here")
    a = ap.parse_args(argv)
    data = prepare(a.data_dir, a.rows)
    configs = [replace(c, batch_size=a.batch_size, epochs=a.epochs) for c in DEFAULT_CONFIGS]
    if a.only:
        configs = [c for c in configs if any(o in label(c) for o in a.only)]
    results = run(configs, data, a.repeats)
    print(f"{a.rows:,} rows, batch {a.batch_size}, {a.epochs} epoch(s) per run, {a.repeats} runs each")
    print(report(results))
    if a.json:
        a.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
