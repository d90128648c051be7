"""Conversion speed and size: `bin/weft convert` against pyarrow reading the same Parquet file and
writing it back as Parquet (zstd, pyarrow defaults otherwise), alternately in the same run.

    .venv/bin/python cli/src/test/python/bench_convert_flights.py [FILE...] [--rounds 5] [--threads 2]

FILE defaults to ../shared/testdata/real/flights-3m.parquet; several files are measured one after
the other. Not a test (pytest does not collect it); rerunnable (outputs go to a temporary
directory). Per round it prints both timings; then the medians, the speed ratios weft/pyarrow
(> 1 means weft converts faster) and the size ratio weft/pyarrow-zstd (< 1 means the .weft file is
smaller). Three weft timings:

- wall: the whole `bin/weft convert` command, JVM start-up and JIT warm-up included;
- reported: the time the command reports in its summary (from opening the input to the renamed
  output, without JVM start-up);
- cpu: user + system CPU seconds of the weft process (what a loaded machine distorts least).

pyarrow's time is read + write inside this Python process, with --pyarrow-threads CPU threads
(default 1, as the issue's reference numbers). The machine is noisy: use medians of 5+ rounds.
"""

import argparse
import os
import re
import resource
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


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def weft_round(src, dst, threads, extra):
    c0 = children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(weft_command() + ["convert", str(src), "-o", str(dst), "--overwrite", "--threads",
                                            str(threads)] + extra, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    cpu = children_cpu() - c0
    if proc.returncode != 0:
        sys.exit(f"weft convert failed: {proc.stderr}")
    m = re.search(r"([0-9,]+) rows: .* in ([0-9.]+) s", proc.stdout)
    if not m:
        sys.exit(f"unexpected weft convert output: {proc.stdout!r}")
    rows = int(m.group(1).replace(",", ""))
    return rows, wall, float(m.group(2)), cpu


def measure(src, args, tmp):
    py_dst, weft_dst = Path(tmp) / "py.parquet", Path(tmp) / "out.weft"
    py, wall, inner, cpu = [], [], [], []
    rows = 0
    for r in range(args.rounds):
        rows, t = pyarrow_round(src, py_dst, args.pyarrow_threads)
        py.append(t)
        rows_w, tw, ti, tc = weft_round(src, weft_dst, args.threads,
                                        ["--compression", args.compression] + args.weft_arg)
        if rows_w != rows:
            sys.exit(f"row counts differ: pyarrow {rows}, weft {rows_w}")
        wall.append(tw)
        inner.append(ti)
        cpu.append(tc)
        print(f"  round {r + 1}: pyarrow read+write zstd {t:.3f} s ({rows / t / 1e6:.2f}M rows/s); weft convert "
              f"--threads {args.threads}: {tw:.3f} s wall, {ti:.3f} s reported, {tc:.3f} s cpu", flush=True)
    p, w, i, c = (statistics.median(x) for x in (py, wall, inner, cpu))
    size_py, size_weft = py_dst.stat().st_size, weft_dst.stat().st_size
    print(f"{src.name}: {rows:,} rows; medians of {args.rounds} rounds on {os.cpu_count()} cores "
          f"(load {os.getloadavg()[0]:.1f}):")
    print(f"  pyarrow {p:.3f} s ({rows / p / 1e6:.2f}M rows/s, {args.pyarrow_threads} thread(s))")
    print(f"  weft    {w:.3f} s wall ({rows / w / 1e6:.2f}M rows/s), {i:.3f} s reported ({rows / i / 1e6:.2f}M rows/s),"
          f" {c:.3f} s cpu")
    print(f"  speed weft/pyarrow: {p / w:.3f}x wall, {p / i:.3f}x reported")
    print(f"  size: weft {size_weft:,} B, pyarrow zstd {size_py:,} B, weft/pyarrow {size_weft / size_py:.3f}x")
    return {"file": src.name, "rows": rows, "pyarrow_s": p, "weft_wall_s": w, "weft_reported_s": i, "weft_cpu_s": c,
            "speed_ratio_wall": p / w, "speed_ratio_reported": p / i, "size_ratio": size_weft / size_py}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", default=[str(TESTDATA / "real" / "flights-3m.parquet")])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pyarrow-threads", type=int, default=1)
    ap.add_argument("--compression", default="zstd")
    ap.add_argument("--weft-arg", action="append", default=[], help="extra argument for weft convert (repeatable)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for f in args.files:
            measure(Path(f), args, tmp)


if __name__ == "__main__":
    main()
