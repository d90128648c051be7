"""Trains a small MLP with Weft's DataLoader integration (2 workers) on a synthetic table.

    .venv/bin/python python-shim/examples/train_mlp.py [--rows 200000] [--epochs 2] [--workers 2] [--device cuda]

Generates the data when absent (pyarrow -> Parquet -> `bin/weft convert`, into
python-shim/examples/data/), starts (or joins) the local loader server, and prints samples/s and
the loss per epoch. The label is a noisy linear function of the features, so the loss falls.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import torch
import weft
from weft.torch import WeftDataset, WeftLoader

DIM = 32


def make_data(path: Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((rows, DIM), dtype=np.float32)
    w = rng.standard_normal(DIM).astype(np.float32)
    y = (x @ w + 0.1 * rng.standard_normal(rows)).astype(np.float32)
    table = pa.table({
        "id": np.arange(rows, dtype=np.int64),
        "features": pa.FixedSizeListArray.from_arrays(pa.array(x.reshape(-1)), DIM),
        "label": y,
    })
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path.with_suffix(".parquet"))
    weft.convert(path.with_suffix(".parquet"), path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu",
                    help="where to train (default: cuda when available)")
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parent / "data" / "synthetic.weft")
    a = ap.parse_args()
    if torch.device(a.device).type == "cuda" and not torch.cuda.is_available():
        ap.error(f"--device {a.device}: this torch build sees no CUDA device")
    if not a.data.exists():
        print(f"generating {a.rows} rows into {a.data} ...", flush=True)
        make_data(a.data, a.rows)
    ds = WeftDataset(a.data, columns=["features", "label"], batch_size=a.batch_size, seed=0)
    # a DataLoader whose checkpoints (loader.state_dict()) resume with any num_workers; the workers
    # hand shared-memory slots to this process instead of copying the batches, and on a GPU each
    # batch goes over in one asynchronous copy straight from its slot (device=)
    device = torch.device(a.device)
    loader = WeftLoader(ds, num_workers=a.workers, device=device if device.type != "cpu" else None)
    model = torch.nn.Sequential(torch.nn.Linear(DIM, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1)).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for epoch in range(a.epochs):
        ds.set_epoch(epoch)
        t0, samples, total = None, 0, 0.0
        for i, batch in enumerate(loader):
            if t0 is None:
                t0 = time.perf_counter()  # steady state: timed from the first batch
            else:
                samples += batch["label"].shape[0]
            loss = torch.nn.functional.mse_loss(model(batch["features"]).squeeze(1), batch["label"])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        dt = time.perf_counter() - (t0 or time.perf_counter())
        print(f"epoch {epoch}: {i + 1} batches, mean loss {total / (i + 1):.4f}, "
              f"{samples / dt if dt else 0:,.0f} samples/s (training included)", flush=True)


if __name__ == "__main__":
    main()
