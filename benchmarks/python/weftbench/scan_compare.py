"""Full scan, one thread: Weft (Java, all columns into Arrow) against pyarrow's Parquet read
(`ParquetFile.read(use_threads=False)`), interleaved round by round in one run.

    python -m weftbench.scan_compare DATA... [--reps 5] [--work DIR] [--codecs zstd,none] [--batch 65536]

DATA is a Parquet file or `recsys[:ROWS]` (generated, default 1,000,000 rows). Each input is
prepared as in weft-bench (an Arrow IPC file; Parquet rewritten by pyarrow with zstd, page index
and row groups of 131,072 rows; Weft written with WriterOptions defaults, zstd and/or none). Then
each round scans pyarrow once and every Weft file once (after one warm-up round); the medians and
the ratio Weft rows/s / pyarrow rows/s are printed per dataset. The Java side is one warm JVM
(dev.weft.bench.ScanServer). Both sides open the file anew for every timed scan (open + scan in
the time, OS page cache warm for both): a Weft reader kept open would answer later scans from its
cache of decoded blocks, not by decoding.

`--weft-batches` says how the Weft side hands out batches: `reuse` (default) loads every batch
into one VectorSchemaRoot per file, kept across the timed scans (`WeftScanner.loadNextBatch(root)`,
Arrow Java's `ArrowReader` pattern), so that its buffers are reused; `fresh` returns a new root
per batch (`WeftScanner.next()`), each in new memory (glibc maps allocations over 32 MiB anew, so
a large batch pays page faults on every scan); `reuse,fresh` runs both. pyarrow's side is the same
in both: `ParquetFile.read(use_threads=False)` builds a new Table each time, in memory from
pyarrow's default pool (jemalloc or mimalloc), which keeps the pages the previous scan's table
freed and hands them out again.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from .common import java_cmd
from .prepare import prepare
from .pyside import ParquetPeer


class Java:
    def __init__(self, heap: str, jvm_args: list[str], extra: str | None = None):
        cmd = java_cmd("dev.weft.bench.ScanServer", [], heap=heap)
        if extra:
            i = cmd.index("-cp")
            cmd[i + 1] = extra + os.pathsep + cmd[i + 1]
        cmd[1:1] = jvm_args
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, line: str) -> list[str]:
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        out = self.p.stdout.readline().split()
        if not out or out[0] != "ok":
            raise RuntimeError(f"{line}: {' '.join(out) or 'no answer'}")
        return out[1:]

    def close(self):
        try:
            self.ask("quit")
        finally:
            self.p.wait(timeout=30)


def pyarrow_scan(path: Path) -> tuple[float, int, float]:
    t0 = time.perf_counter()
    c0 = time.process_time()
    pf = pq.ParquetFile(path)
    n = pf.read(use_threads=False).num_rows
    return time.perf_counter() - t0, n, time.process_time() - c0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="weftbench.scan_compare", description=__doc__.split("\n\n")[0])
    ap.add_argument("data", nargs="+")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--work", type=Path)
    ap.add_argument("--codecs", default="zstd,none")
    ap.add_argument("--heap", default="4g")
    ap.add_argument("--batch", type=int, default=65536, help="rows per Weft scan batch (default 65536)")
    ap.add_argument("--weft-batches", default="reuse",
                    help="reuse (one root kept across scans), fresh (a new root per batch) or reuse,fresh")
    ap.add_argument("--jvm-arg", action="append", default=[], help="extra JVM option (repeatable)")
    ap.add_argument("--variant", action="append", default=[],
                    help="NAME=CLASSDIR: also scan with these classes first on the class path, in a JVM of its "
                         "own, interleaved (development: before/after in one run; repeatable)")
    ap.add_argument("--variant-jvm-arg", action="append", default=[], metavar="NAME=ARG",
                    help="an extra JVM option for variant NAME only (repeatable; e.g. "
                         "--variant novec= --variant-jvm-arg novec=-Dweft.vector=false: the main build's "
                         "classes without the Vector API decoders)")
    ap.add_argument("--variant-files", action="store_true",
                    help="each --variant scans a Weft file it wrote itself (weft-CODEC@NAME.weft), not the "
                         "main build's: before/after of a format change in one run")
    a = ap.parse_args(argv)
    work = a.work or Path(tempfile.mkdtemp(prefix="weft-scan-"))
    work.mkdir(parents=True, exist_ok=True)
    codecs = [c for c in a.codecs.split(",") if c]
    java = Java(a.heap, a.jvm_arg, os.environ.get("WEFT_SCAN_CLASSES"))
    variants = {}
    for v in a.variant:
        vn, vdir = v.split("=", 1)
        extra = [x.split("=", 1)[1] for x in a.variant_jvm_arg if x.split("=", 1)[0] == vn]
        variants[vn] = Java(a.heap, a.jvm_arg + extra, vdir or None)
    summary = []
    try:
        for d in a.data:
            if d.startswith("recsys"):
                rows = int(d.split(":")[1]) if ":" in d else 1_000_000
                name = f"recsys-{rows}"
                src = work / f"{name}.src.parquet"
                if not src.exists():
                    from .gen import generate
                    generate("recsys", rows, src)
            else:
                src = Path(d)
                name = src.stem
            ds = work / name
            ds.mkdir(exist_ok=True)
            inp = ds / "input.arrow"
            if not inp.exists():
                prepare(src, ds, 16384, None)
            pq_path = ds / "parquet.parquet"
            if not pq_path.exists():
                ParquetPeer(131072).write(inp, pq_path)
            wefts = {}
            for c in codecs:
                w = ds / f"weft-{c}.weft"
                if not w.exists():
                    java.ask(f"write {inp} {w} {c}")
                wefts[c] = w
            vfiles = {}
            for vn, vj in variants.items():
                for c in codecs:
                    w = ds / f"weft-{c}@{vn}.weft"
                    if a.variant_files and not w.exists():
                        vj.ask(f"write {inp} {w} {c}")
                    vfiles[(vn, c)] = w if a.variant_files else wefts[c]
            modes = [m for m in a.weft_batches.split(",") if m]
            runs = {}
            for m in modes:
                sfx = "" if len(modes) == 1 else f"-{m}"
                runs.update({f"{c}{sfx}": (java, w, m) for c, w in wefts.items()})
                for vn, vj in variants.items():
                    runs.update({f"{c}{sfx}@{vn}": (vj, vfiles[(vn, c)], m) for c in wefts})
            times = {"pyarrow": []}
            times.update({c: [] for c in runs})
            cpu = {k: [] for k in times}
            nrows = None
            for rnd in range(a.reps + 1):
                t, n, ct = pyarrow_scan(pq_path)
                nrows = n
                if rnd:
                    times["pyarrow"].append(t)
                    cpu["pyarrow"].append(ct)
                for c, (j, w, m) in runs.items():
                    s, n2, ct = j.ask(f"scan {w} {a.batch} {m}")
                    if int(n2) != n:
                        raise RuntimeError(f"{name}: weft {c} scanned {n2} rows, pyarrow {n}")
                    if rnd:
                        times[c].append(float(s))
                        cpu[c].append(float(ct))
            med = {k: statistics.median(v) for k, v in times.items()}
            cmed = {k: statistics.median(v) for k, v in cpu.items()}
            sizes = {c: w.stat().st_size for c, w in wefts.items()}
            print(f"{name}: Weft batches: {a.weft_batches} ({a.batch} rows)")
            print(f"{name}: {nrows:,} rows; parquet {pq_path.stat().st_size / 1e6:.1f} MB, "
                  + ", ".join(f"weft-{c} {sizes[c] / 1e6:.1f} MB" for c in codecs)
                  + "".join(f", weft-{c}@{vn} {w.stat().st_size / 1e6:.1f} MB"
                            for (vn, c), w in vfiles.items() if a.variant_files))
            print(f"  pyarrow one thread: median {med['pyarrow'] * 1e3:.0f} ms "
                  f"({nrows / med['pyarrow'] / 1e6:.2f} M rows/s)  runs "
                  + " ".join(f"{x * 1e3:.0f}" for x in times["pyarrow"]) + f"; CPU median {cmed['pyarrow'] * 1e3:.0f} ms")
            for c in runs:
                print(f"  weft-{c}: median {med[c] * 1e3:.0f} ms ({nrows / med[c] / 1e6:.2f} M rows/s), "
                      f"{med['pyarrow'] / med[c]:.2f}x pyarrow  runs " + " ".join(f"{x * 1e3:.0f}" for x in times[c])
                      + f"; CPU median {cmed[c] * 1e3:.0f} ms, {cmed['pyarrow'] / cmed[c]:.2f}x pyarrow's")
            summary.append((name, {c: med["pyarrow"] / med[c] for c in runs}))
            sys.stdout.flush()
    finally:
        java.close()
        for vj in variants.values():
            vj.close()
    print("ratio weft/pyarrow (rows/s, one thread, medians of %d): " % a.reps
          + "; ".join(f"{n} " + " ".join(f"{c} {r:.2f}x" for c, r in rs.items()) for n, rs in summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
