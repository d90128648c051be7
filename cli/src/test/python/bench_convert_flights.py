"""Conversion speed: `bin/weft convert` against pyarrow reading the same Parquet file and writing
it back as Parquet (zstd), alternately in the same run.

    .venv/bin/python cli/src/test/python/bench_convert_flights.py [FILE] [--rounds 3] [--threads 2]

Prints each round and the medians. Not a test (pytest does not collect it). The weft timing is
the wall time of the whole command (JVM start-up included) and the time the command reports
(its own summary, without start-up); pyarrow's is read + write inside one Python process.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import TESTDATA, weft_command  # noqa: E402


def pyarrow_round(src, dst, threads):
    pa.set_cpu_count(threads)
    pa.set_io_thread_count(threads)
    t0 = time.perf_counter()
    table = pq.read_table(src)
    pq.write_table(table, dst, compression="zstd")
    return table.num_rows, time.perf_counter() - t0


def weft_round(src, dst, threads, extra):
    t0 = time.perf_counter()
    proc = subprocess.run(weft_command() + ["convert", str(src), "-o", str(dst), "--overwrite", "--threads",
                                            str(threads)] + extra, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"weft convert failed: {proc.stderr}")
    m = re.search(r"([0-9,]+) rows: .* in ([0-9.]+) s", proc.stdout)
    rows = int(m.group(1).replace(",", ""))
    return rows, wall, float(m.group(2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?", default=str(TESTDATA / "real" / "flights-3m.parquet"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pyarrow-threads", type=int, default=1)
    ap.add_argument("--compression", default="zstd")
    args = ap.parse_args()
    src = Path(args.file)
    with tempfile.TemporaryDirectory() as tmp:
        py, wall, inner = [], [], []
        for r in range(args.rounds):
            rows, t = pyarrow_round(src, Path(tmp) / "py.parquet", args.pyarrow_threads)
            py.append(t)
            rows_w, tw, ti = weft_round(src, Path(tmp) / "out.weft", args.threads, ["--compression", args.compression])
            wall.append(tw)
            inner.append(ti)
            print(f"round {r + 1}: pyarrow read+write zstd {t:.3f} s ({rows / t / 1e6:.2f}M rows/s, "
                  f"{args.pyarrow_threads} thread(s)); weft convert --threads {args.threads} {tw:.3f} s wall "
                  f"({rows_w / tw / 1e6:.2f}M rows/s), {ti:.3f} s reported ({rows_w / ti / 1e6:.2f}M rows/s)")
        p, w, i = statistics.median(py), statistics.median(wall), statistics.median(inner)
        print(f"median: pyarrow {rows / p / 1e6:.2f}M rows/s; weft {rows / w / 1e6:.2f}M rows/s wall, "
              f"{rows / i / 1e6:.2f}M rows/s reported; weft/pyarrow = {p / w:.2f}x (wall), {p / i:.2f}x (reported)"
              f" on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
