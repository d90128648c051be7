"""Generated benchmark tables as Parquet: the Java generators (dev.weft.testdata.gen.GenMain in the
testdata module, whose RecsysGenerator is also the demo's table) write an Arrow IPC stream into a pipe, and pyarrow writes it as
Parquet (zstd, page index) batch by batch, so memory stays at a few batches.

    python -m weftbench.gen recsys|wide|text --rows N [--seed 42] [--columns 10000] --out FILE.parquet
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .common import java_cmd

DEFAULT_ROWS = {"recsys": 1_000_000, "wide": 10_000, "text": 200_000}


def generate(kind: str, rows: int, out: Path, seed: int = 42, columns: int = 10_000,
             row_group_rows: int = 131072) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name("." + out.name + ".tmp")
    cmd = java_cmd("dev.weft.testdata.gen.GenMain",
                   [kind, "--rows", str(rows), "--seed", str(seed), "--columns", str(columns), "--out", "-"],
                   heap="2g")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    try:
        reader = pa.ipc.open_stream(proc.stdout)
        if kind == "wide":
            row_group_rows = max(1000, min(row_group_rows, 50_000_000 // max(1, columns)))
        with pq.ParquetWriter(tmp, reader.schema, compression="zstd", write_page_index=True) as w:
            pending, n = [], 0
            for batch in reader:
                pending.append(batch)
                n += batch.num_rows
                if n >= row_group_rows:
                    w.write_table(pa.Table.from_batches(pending), row_group_size=row_group_rows)
                    pending, n = [], 0
            if pending:
                w.write_table(pa.Table.from_batches(pending), row_group_size=row_group_rows)
    finally:
        proc.stdout.close()
        rc = proc.wait()
    if rc != 0:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"generator {kind} exited with status {rc}")
    os.replace(tmp, out)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="weft-bench gen", description=__doc__.split("\n\n")[0])
    ap.add_argument("kind", choices=sorted(DEFAULT_ROWS))
    ap.add_argument("--rows", type=int, help="rows (default: recsys 1,000,000; wide 10,000; text 200,000)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--columns", type=int, default=10_000, help="columns of the wide table")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    rows = a.rows if a.rows is not None else DEFAULT_ROWS[a.kind]
    p = generate(a.kind, rows, Path(a.out), a.seed, a.columns)
    md = pq.ParquetFile(p).metadata
    print(f"{p}: {md.num_rows:,} rows, {md.num_columns:,} columns, {md.num_row_groups} row groups, "
          f"{p.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
