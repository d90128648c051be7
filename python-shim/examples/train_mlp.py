"""Trains a small MLP with Weft's DataLoader integration (2 workers): Parquet -> `bin/weft convert`
-> the loader server -> a PyTorch training loop.

    .venv/bin/python python-shim/examples/train_mlp.py [--dataset fashion-mnist|synthetic]
        [--epochs 2] [--workers 2] [--batch-size 256] [--device cuda] [--rows 200000]

``fashion-mnist`` (the default when ../shared/testdata/real/fashion-mnist-train.parquet is there):
real data, 60,000 28x28 images (a ``fixed_size_binary[784]`` column, which reaches the model as a
``[batch, 784]`` uint8 tensor) and their labels; a classifier, printing loss and accuracy per epoch.
``synthetic``: a table of ``--rows`` rows of 32 float32 features and a label that is a noisy
linear function of them, generated with pyarrow; a regression, printing the loss.
The Parquet file is converted once with `bin/weft convert` into python-shim/examples/data/; the
local loader server is started (or joined); each epoch prints samples/s (training included).
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
EXAMPLES = Path(__file__).resolve().parent
FASHION_MNIST = EXAMPLES.parents[1].parent / "shared" / "testdata" / "real" / "fashion-mnist-train.parquet"


def make_synthetic(path: Path, rows: int) -> None:
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


def convert_once(parquet: Path, weft_path: Path) -> None:
    if not weft_path.exists():
        print(f"converting {parquet} -> {weft_path} (bin/weft convert) ...", flush=True)
        weft_path.parent.mkdir(parents=True, exist_ok=True)
        weft.convert(parquet, weft_path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", choices=["fashion-mnist", "synthetic"],
                    default="fashion-mnist" if FASHION_MNIST.exists() else "synthetic",
                    help=f"default: fashion-mnist when {FASHION_MNIST} exists, else synthetic")
    ap.add_argument("--rows", type=int, default=200_000, help="rows of the synthetic table")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu",
                    help="where to train (default: cuda when available)")
    ap.add_argument("--data", type=Path, help="the .weft file to train on (default: under python-shim/examples/data/)")
    a = ap.parse_args()
    if torch.device(a.device).type == "cuda" and not torch.cuda.is_available():
        ap.error(f"--device {a.device}: this torch build sees no CUDA device")
    images = a.dataset == "fashion-mnist"
    if images:
        if not FASHION_MNIST.exists():
            ap.error(f"--dataset fashion-mnist needs {FASHION_MNIST}")
        data = a.data or EXAMPLES / "data" / "fashion-mnist-train.weft"
        convert_once(FASHION_MNIST, data)
        columns, inputs, outputs = ["image", "label"], 784, 10
    else:
        data = a.data or EXAMPLES / "data" / "synthetic.weft"
        if not data.exists():
            print(f"generating {a.rows} rows into {data} ...", flush=True)
            make_synthetic(data, a.rows)
        columns, inputs, outputs = ["features", "label"], DIM, 1
    ds = WeftDataset(data, columns=columns, batch_size=a.batch_size, seed=0)
    # a DataLoader whose checkpoints (loader.state_dict()) resume with any num_workers; the workers
    # hand shared-memory slots to this process instead of copying the batches, and on a GPU each
    # batch goes over in one asynchronous copy straight from its slot (device=)
    device = torch.device(a.device)
    loader = WeftLoader(ds, num_workers=a.workers, device=device if device.type != "cpu" else None)
    model = torch.nn.Sequential(torch.nn.Linear(inputs, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, outputs)).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3 if images else 1e-2)
    print(f"training on {data.name}: {ds.num_rows:,} rows, batches of {a.batch_size}, {a.workers} workers, "
          f"device {device}", flush=True)
    for epoch in range(a.epochs):
        ds.set_epoch(epoch)
        t0, samples, total, correct, seen = None, 0, 0.0, 0, 0
        for i, batch in enumerate(loader):
            if t0 is None:
                t0 = time.perf_counter()  # steady state: timed from the first batch
            else:
                samples += batch["label"].shape[0]
            if images:
                x = batch["image"].float() / 255  # [batch, 784] uint8 pixels, a view of the slot
                y = batch["label"].long()
                logits = model(x)
                loss = torch.nn.functional.cross_entropy(logits, y)
                correct += int((logits.argmax(1) == y).sum())
                seen += len(y)
            else:
                loss = torch.nn.functional.mse_loss(model(batch["features"]).squeeze(1), batch["label"])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        dt = time.perf_counter() - (t0 or time.perf_counter())
        accuracy = f", accuracy {correct / seen:.1%}" if images and seen else ""
        print(f"epoch {epoch}: {i + 1} batches, mean loss {total / (i + 1):.4f}{accuracy}, "
              f"{samples / dt if dt else 0:,.0f} samples/s (training included)", flush=True)


if __name__ == "__main__":
    main()
