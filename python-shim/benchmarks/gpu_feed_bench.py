"""GPU feed: how fast each loader gets shuffled batches into GPU memory (needs a CUDA device).

The loop of :mod:`loader_bench` (the same recsys-like table, batch 256, shuffled), but every batch
ends on the GPU: each tensor is copied host-to-device with ``non_blocking=True`` and the epoch's
clock stops after ``torch.cuda.synchronize()``, so a number here is samples/s *delivered to the
GPU*. Configurations, all in one run, round-robin, medians:

* ``bound``: the in-RAM upper bound — the columns preloaded as numpy arrays in the training
  process, each batch gathered with ``np.take(..., out=)`` straight into one of four pinned
  staging buffers (all columns side by side; a buffer is reused once the copy that last read it
  has finished, tracked by CUDA events), then one asynchronous copy of the whole buffer, viewed
  per column on the GPU; ``bound per column``: the same with one copy per column;
* ``weft workers=K device=cuda``: ``WeftLoader(..., device="cuda")`` — each batch copied in one
  piece, asynchronously, straight from the page-locked shared-memory slot (weft._device);
* ``torch workers=K pin``: torch's DataLoader over the same preloaded arrays (``pin_memory=True``);
* ``weft workers=K pin``: ``WeftLoader(WeftDataset(...), num_workers=K, pin_memory=True)`` — the
  DataLoader's pin thread copies each zero-copy shared-memory batch into pinned memory (and so
  releases the slot), then an asynchronous copy;
* ``weft workers=K``: no pinning: the copy reads the shared-memory slot (pageable) directly;
* ``... transport=socket``: the same over Arrow IPC on TCP.

torch's DataLoader with workers moves each batch through its own shared memory (one file per
tensor), which is slow for 50 columns: those configurations time only ``--slow-batches`` batches.

Prints a table of medians, ratios to the bound and host-to-device GB/s (payload bytes per
sample x samples/s)::

    python python-shim/benchmarks/gpu_feed_bench.py --rows 1000000 --repeats 3 --workers 2,4,8
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loader_bench import DEFAULT_COLUMNS, BenchData, _GatheredBatches, _order, prepare  # noqa: E402

class _ConfigTimeout(Exception):
    pass


STAGING = 4  # pinned staging buffers of the bound: enough to keep copies in flight


@dataclass(frozen=True)
class FeedConfig:
    kind: str  # bound | bound-per-column | torch | weft
    num_workers: int = 0
    pin: bool = True
    device_arg: bool = False  # weft: WeftLoader(device=...), one copy per batch from the locked ring
    transport: str = "shm"
    max_batches: Optional[int] = None  # time only this many batches per epoch (slow peers)

    def label(self) -> str:
        if self.kind == "bound":
            return "bound: gather into one pinned buffer, one async copy"
        if self.kind == "bound-per-column":
            return "bound per column: pinned buffers, one async copy per column"
        if self.device_arg:
            return f"weft workers={self.num_workers} device=cuda" + (
                f" transport={self.transport}" if self.transport != "shm" else "")
        s = f"{self.kind} workers={self.num_workers}" + (" pin" if self.pin else "")
        return s + (f" transport={self.transport}" if self.transport != "shm" else "")


def _to_device(batch: Dict[str, Any], device: Any) -> Dict[str, Any]:
    return {k: v.to(device, non_blocking=True) for k, v in batch.items() if hasattr(v, "data_ptr")}


def _bound_epochs(arrays: Dict[str, np.ndarray], data: BenchData, batch_size: int, epochs: int, device: Any,
                  packed: bool):
    """The in-RAM bound. ``packed``: all columns of a batch gathered into one pinned staging
    buffer (64-byte aligned offsets) and copied in one piece, then viewed on the GPU; else one
    pinned buffer and one copy per column."""
    import torch

    layout, off = {}, 0
    for k, a in arrays.items():
        dtype = torch.from_numpy(a[:1]).dtype
        nbytes = batch_size * a[:1].nbytes
        layout[k] = (off, nbytes, dtype, (batch_size,) + a.shape[1:])
        off += (nbytes + 63) // 64 * 64
    staging = [torch.empty(off, dtype=torch.uint8, pin_memory=True) for _ in range(STAGING)]
    done: List[Optional[Any]] = [None] * STAGING
    for e in range(epochs):
        perm = _order(data.rows, 0, e, True)

        def batches(perm=perm):
            for j in range(len(perm) // batch_size):
                s = j % STAGING
                if done[s] is not None:
                    done[s].synchronize()  # the copy that last read this buffer has finished
                idx = perm[j * batch_size:(j + 1) * batch_size]
                buf = staging[s]
                views = {k: buf[o:o + n].view(dt).view(shape) for k, (o, n, dt, shape) in layout.items()}
                for k, a in arrays.items():
                    np.take(a, idx, axis=0, out=views[k].numpy())
                if packed:
                    g = buf.to(device, non_blocking=True)
                    out = {k: g[o:o + n].view(dt).view(shape) for k, (o, n, dt, shape) in layout.items()}
                else:
                    out = {k: v.to(device, non_blocking=True) for k, v in views.items()}
                ev = torch.cuda.Event()
                ev.record()
                done[s] = ev
                yield out
        yield batches()


def samples_per_second(cfg: FeedConfig, data: BenchData, columns: Sequence[str], batch_size: int,
                       epochs: int, device: Any) -> float:
    """Steady-state samples/s delivered to ``device`` (each epoch timed from its first batch to
    the synchronize after its last)."""
    import torch
    from torch.utils.data import DataLoader

    if cfg.kind in ("bound", "bound-per-column"):
        loaders = _bound_epochs(data.arrays(columns), data, batch_size, epochs, device, cfg.kind == "bound")
        move = False
    elif cfg.kind == "torch":
        arrays = data.arrays(columns)
        loaders = (DataLoader(_GatheredBatches(arrays, batch_size, _order(data.rows, 0, e, True)), batch_size=None,
                              num_workers=cfg.num_workers, pin_memory=cfg.pin) for e in range(epochs))
        move = True
    elif cfg.kind == "weft":
        from weft.torch import WeftDataset, WeftLoader

        ds = WeftDataset(data.weft, columns=list(columns), batch_size=batch_size, seed=0, transport=cfg.transport)
        if cfg.device_arg:
            loader = WeftLoader(ds, num_workers=cfg.num_workers, device=device)
        else:
            loader = WeftLoader(ds, num_workers=cfg.num_workers, pin_memory=cfg.pin)

        def weft_epochs():
            for e in range(epochs):
                ds.set_epoch(e)
                yield loader
        loaders = weft_epochs()
        move = not cfg.device_arg
    else:
        raise ValueError(cfg.kind)
    samples, seconds = 0, 0.0
    for epoch in loaders:
        t0 = None
        n = 0
        for i, b in enumerate(epoch):
            if cfg.max_batches is not None and i > cfg.max_batches:
                break
            g = _to_device(b, device) if move else b
            if t0 is None:
                torch.cuda.synchronize()
                t0 = time.perf_counter()
                continue
            n += len(next(iter(g.values())))
            del g
        torch.cuda.synchronize()
        if t0 is not None:
            seconds += time.perf_counter() - t0
            samples += n
    return samples / seconds if seconds else 0.0


def main(argv: Optional[Sequence[str]] = None) -> int:
    import torch

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--workers", default="2,4,8", help="worker counts for torch and weft")
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp") / "weft-loader-bench")
    ap.add_argument("--slow-batches", type=int, default=400,
                    help="batches timed per epoch for torch's DataLoader and socket-with-workers runs (0: all)")
    ap.add_argument("--skip", nargs="*", default=[], help="leave out configurations whose label contains one of these")
    ap.add_argument("--config-timeout", type=int, default=90, help="seconds one configuration may take")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    if not torch.cuda.is_available():
        print("gpu_feed_bench: no CUDA device (torch.cuda.is_available() is False)", file=sys.stderr)
        return 2
    device = torch.device("cuda")

    def on_alarm(signum: int, frame: Any) -> None:
        raise _ConfigTimeout()
    signal.signal(signal.SIGALRM, on_alarm)
    t = time.perf_counter()
    data = prepare(a.data_dir, a.rows)
    print(f"data ready in {time.perf_counter() - t:.1f} s: {data.weft} ({data.weft.stat().st_size / 1e6:.0f} MB)",
          flush=True)
    columns = DEFAULT_COLUMNS
    arrays = data.arrays(columns)
    bytes_per_sample = sum(a_.itemsize * int(np.prod(a_.shape[1:], dtype=np.int64)) for a_ in arrays.values())
    ks = [int(k) for k in a.workers.split(",") if k]
    configs = [FeedConfig("bound"), FeedConfig("bound-per-column")]
    slow = a.slow_batches or None
    configs += [FeedConfig("torch", k, max_batches=slow) for k in ks]
    configs += [FeedConfig("weft", k, device_arg=True) for k in [0] + ks]
    configs += [FeedConfig("weft", 0)] + [FeedConfig("weft", k) for k in ks]
    configs += [FeedConfig("weft", max(ks), pin=False), FeedConfig("weft", 0, transport="socket"),
                FeedConfig("weft", max(ks), transport="socket", max_batches=slow)]
    configs = [c for c in configs if not any(x in c.label() for x in a.skip)]
    runs: Dict[str, List[float]] = {c.label(): [] for c in configs}
    for r in range(a.repeats):
        for c in configs:
            signal.alarm(a.config_timeout)  # a stuck configuration is reported, the others still run
            try:
                v = samples_per_second(c, data, columns, a.batch_size, a.epochs, device)
            except _ConfigTimeout:
                v = float("nan")
            finally:
                signal.alarm(0)
            runs[c.label()].append(v)
            print(f"  run {r + 1}: {c.label()}: {v:,.0f} samples/s", flush=True)
    bound = statistics.median(runs[configs[0].label()])
    print(f"\n{a.rows:,} rows, batch {a.batch_size}, {bytes_per_sample} payload bytes/sample, "
          f"{torch.cuda.get_device_name(0)}, {os.cpu_count()} CPUs, {a.repeats} runs each")
    print("| configuration | median samples/s | x bound | GB/s to GPU | runs |")
    print("| --- | ---: | ---: | ---: | --- |")
    out = []
    for c in configs:
        m = statistics.median(runs[c.label()])
        print(f"| {c.label()} | {m:,.0f} | {m / bound:.3f} | {m * bytes_per_sample / 1e9:.2f} | "
              + ", ".join(f"{x:,.0f}" for x in runs[c.label()]) + " |")
        out.append({"label": c.label(), "median": m, "runs": runs[c.label()], "x_bound": m / bound,
                    "gb_per_s": m * bytes_per_sample / 1e9})
    if a.json:
        a.json.write_text(json.dumps({"rows": a.rows, "bytes_per_sample": bytes_per_sample,
                                      "device": torch.cuda.get_device_name(0), "cpus": os.cpu_count(),
                                      "results": out}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
