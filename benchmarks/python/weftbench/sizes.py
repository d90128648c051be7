"""File size of Weft against pyarrow's Parquet with zstd (pyarrow defaults otherwise), per dataset
and per column: the size targets of issue 3 (Weft <= 1.0x on every dataset, <= 0.85x on two).

    python -m weftbench.sizes [--work DIR] [--recsys-rows N] [DATA.parquet ...]

For each input (default: ../shared/testdata/real/flights-3m.parquet, fashion-mnist-train.parquet
and the seeded recsys table of 1,000,000 rows, generated first): pyarrow reads it and writes it
again with ``compression="zstd"`` and nothing else set; ``bin/weft convert`` writes the Weft file
(defaults: zstd level 3, 16 KiB mini-blocks; ``--memory-budget 2g`` so that recsys' row groups fit)
from the same input, timed. Per column: Parquet's ``total_compressed_size`` summed over row
groups (nested columns: their leaves) against Weft's stored bytes from ``weft inspect --json``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[3]
REAL = REPO.parent / "shared" / "testdata" / "real"


def parquet_columns(path: Path) -> dict[str, int]:
    md = pq.ParquetFile(path).metadata
    out: dict[str, int] = {}
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        for c in range(rg.num_columns):
            cc = rg.column(c)
            top = cc.path_in_schema.split(".")[0]
            out[top] = out.get(top, 0) + cc.total_compressed_size
    return out


def weft_columns(path: Path) -> tuple[dict[str, int], dict[str, str]]:
    j = json.loads(subprocess.run([str(REPO / "bin" / "weft"), "inspect", "--json", str(path)],
                                  check=True, capture_output=True, text=True).stdout)
    sizes, encodings = {}, {}
    for c in j["columns"]:
        sizes[c["name"]] = c["stored_bytes"]
        enc = c.get("encodings") or {}
        encodings[c["name"]] = ", ".join(f"{k} {v}" for k, v in sorted(enc.items(), key=lambda kv: -kv[1]))
    return sizes, encodings


def measure(name: str, src: Path, work: Path) -> dict:
    pq_path = work / f"{name}.zstd.parquet"
    pq.write_table(pq.read_table(src), pq_path, compression="zstd")
    weft_path = work / f"{name}.weft"
    t0 = time.perf_counter()
    subprocess.run([str(REPO / "bin" / "weft"), "convert", str(src), "-o", str(weft_path), "--overwrite",
                    "--memory-budget", "2g"], check=True, capture_output=True)
    write_s = time.perf_counter() - t0
    pcols = parquet_columns(pq_path)
    wcols, encs = weft_columns(weft_path)
    return {"name": name, "parquet_bytes": pq_path.stat().st_size, "weft_bytes": weft_path.stat().st_size,
            "convert_s": write_s, "parquet_columns": pcols, "weft_columns": wcols, "weft_encodings": encs}


def report(r: dict, top: int = 12) -> str:
    lines = [f"## {r['name']}: Weft {r['weft_bytes']:,} B / Parquet zstd {r['parquet_bytes']:,} B = "
             f"{r['weft_bytes'] / r['parquet_bytes']:.3f}x (weft convert {r['convert_s']:.1f} s)", "",
             "| column | Parquet zstd | Weft | ratio | Weft encodings (blocks) |", "| --- | ---: | ---: | ---: | --- |"]
    cols = sorted(r["weft_columns"], key=lambda c: -r["weft_columns"][c])
    for c in cols[:top]:
        p = r["parquet_columns"].get(c, 0)
        w = r["weft_columns"][c]
        lines.append(f"| {c} | {p:,} | {w:,} | {w / p if p else float('nan'):.3f} | {r['weft_encodings'].get(c, '')} |")
    if len(cols) > top:
        p = sum(r["parquet_columns"].get(c, 0) for c in cols[top:])
        w = sum(r["weft_columns"][c] for c in cols[top:])
        lines.append(f"| ({len(cols) - top} more) | {p:,} | {w:,} | {w / p:.3f} | |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="weftbench.sizes", description=__doc__.split("\n\n")[0])
    ap.add_argument("data", nargs="*", help="Parquet inputs (default: flights-3m, fashion-mnist-train, recsys)")
    ap.add_argument("--work", default="/tmp/weft-sizes")
    ap.add_argument("--recsys-rows", type=int, default=1_000_000)
    a = ap.parse_args(argv)
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    inputs = [(Path(d).stem, Path(d)) for d in a.data]
    if not inputs:
        from .gen import generate
        recsys = work / f"recsys-{a.recsys_rows}.parquet"
        if not recsys.exists():
            generate("recsys", a.recsys_rows, recsys)
        inputs = [("flights-3m", REAL / "flights-3m.parquet"), ("fashion-mnist-train", REAL / "fashion-mnist-train.parquet"),
                  ("recsys", recsys)]
    results = []
    for name, src in inputs:
        r = measure(name, src, work)
        results.append(r)
        print(report(r), flush=True)
        print(flush=True)
    (work / "sizes.json").write_text(json.dumps(results, indent=1))
    print("| dataset | Parquet zstd B | Weft B | Weft/Parquet | weft convert s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['name']} | {r['parquet_bytes']:,} | {r['weft_bytes']:,} | {r['weft_bytes'] / r['parquet_bytes']:.3f} | {r['convert_s']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
