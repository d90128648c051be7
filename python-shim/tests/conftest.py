"""Shared fixtures: a small .weft file made with the repository's `bin/weft convert`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
N_ROWS = 2000
SHM = Path("/dev/shm")


def shm_files() -> set:
    return {p.name for p in SHM.glob("weft-*")} if SHM.is_dir() else set()


SHM_AT_START = shm_files()


def make_table(n: int = N_ROWS) -> pa.Table:
    ids = np.arange(n, dtype=np.int64)
    return pa.table({
        "id": pa.array(ids),
        "x": pa.array(ids.astype(np.float32) * 0.5),
        "emb": pa.FixedSizeListArray.from_arrays(pa.array(np.arange(n * 4, dtype=np.float32)), 4),
        "seq": pa.array([list(range(i % 5)) for i in range(n)], type=pa.list_(pa.int32())),
        "name": pa.array([f"row{i}" for i in range(n)]),
    })


def convert(src: Path, dst: Path) -> None:
    """`bin/weft convert SRC -o DST` (the CLI builds itself if needed; offline)."""
    env = {**os.environ, "WEFT_MVN_FLAGS": os.environ.get("WEFT_MVN_FLAGS", "-o")}
    r = subprocess.run([str(REPO / "bin" / "weft"), "convert", str(src), "-o", str(dst)],
                       capture_output=True, text=True, env=env, timeout=300)
    if r.returncode != 0 or not dst.is_file():
        pytest.fail(f"bin/weft convert failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")


@pytest.fixture(scope="session")
def weft_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("data")
    pq.write_table(make_table(), d / "t.parquet")
    convert(d / "t.parquet", d / "t.weft")
    return d / "t.weft"
