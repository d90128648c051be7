"""The pyarrow peers: Parquet (zstd, page index) and Arrow IPC files (uncompressed and zstd),
measured like BenchMain measures the Java peers, in a process of their own.

    python -m weftbench.pyside --format parquet-pyarrow|arrow-pyarrow|arrow-pyarrow-zstd
        --input input.arrow --dir WORKDIR --out result.json [same options as BenchMain]
"""
from __future__ import annotations

import argparse
import bisect
import platform
import sys
import traceback
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .common import (MemorySampler, check_ids, path_size, rate, row_ids, timed_reps, write_json)

FORMATS = ("parquet-pyarrow", "arrow-pyarrow", "arrow-pyarrow-zstd")
FILTER_WARMUPS = 3  # as BenchMain.FILTER_WARMUPS: a filtered scan is short, the JIT needs more than one
SCAN_WARMUPS = 3  # as BenchMain.SCAN_WARMUPS: the same untimed all-column scans for every peer
NARROW_NOTE = ("quick mode on a wide table: written once without warm-up; "
               "all-column scan and takes not measured (open + project and the take checks are)")


class ParquetPeer:
    name = "parquet-pyarrow"
    file_name = "parquet.parquet"

    def __init__(self, row_group_rows: int):
        self.row_group_rows = row_group_rows
        self.options = f"zstd, write_page_index=True, row groups of {row_group_rows} rows; take reads each needed row group"

    def write(self, inp: Path, target: Path) -> None:
        src = pa.ipc.open_file(pa.memory_map(str(inp)))
        with pq.ParquetWriter(target, src.schema, compression="zstd", write_page_index=True) as w:
            pending, n = [], 0
            for i in range(src.num_record_batches):
                b = src.get_batch(i)
                pending.append(b)
                n += b.num_rows
                if n >= self.row_group_rows:
                    w.write_table(pa.Table.from_batches(pending), row_group_size=self.row_group_rows)
                    pending, n = [], 0
            if pending:
                w.write_table(pa.Table.from_batches(pending), row_group_size=self.row_group_rows)

    def open(self, target: Path):
        return ParquetReader(target)


class ParquetReader:
    def __init__(self, path: Path):
        self.path = str(path)
        self.pf = pq.ParquetFile(path)
        md = self.pf.metadata
        self.starts = [0]
        for g in range(md.num_row_groups):
            self.starts.append(self.starts[-1] + md.row_group(g).num_rows)

    def num_rows(self) -> int:
        return self.starts[-1]

    def scan(self, threads: bool) -> int:
        return self.pf.read(use_threads=threads).num_rows

    filter_method = ("pq.read_table(columns=projection, filters=expression, use_threads=False): row groups "
                     "pruned by their statistics, the rest filtered by Arrow compute")

    def filtered_scan(self, f: dict) -> int:
        return pq.read_table(self.path, columns=f["project"], filters=filter_expression(f),
                             use_threads=False).num_rows

    def take(self, ids, columns=None) -> pa.Table:
        ids = np.asarray(ids, dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        groups = np.searchsorted(np.asarray(self.starts), sorted_ids, side="right") - 1
        parts = []
        for g in np.unique(groups):
            local = sorted_ids[groups == g] - self.starts[g]
            t = self.pf.read_row_group(int(g), columns=columns, use_threads=False)
            parts.append(t.take(pa.array(local)))
        t = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        return t.take(pa.array(inverse))

    def close(self):
        self.pf.close()


class IpcPeer:
    def __init__(self, zstd: bool, batch_rows: int):
        self.zstd = zstd
        self.batch_rows = batch_rows
        self.name = "arrow-pyarrow-zstd" if zstd else "arrow-pyarrow"
        self.file_name = self.name + ".arrow"
        self.options = (f"IPC file, {'zstd buffers' if zstd else 'uncompressed'}, record batches of {batch_rows} rows, "
                        "read memory-mapped; take decodes each needed record batch")

    def write(self, inp: Path, target: Path) -> None:
        src = pa.ipc.open_file(pa.memory_map(str(inp)))
        opts = pa.ipc.IpcWriteOptions(compression="zstd" if self.zstd else None)
        with pa.OSFile(str(target), "wb") as sink, pa.ipc.new_file(sink, src.schema, options=opts) as w:
            for i in range(src.num_record_batches):
                w.write_batch(src.get_batch(i))

    def open(self, target: Path):
        return IpcReader(target, self.batch_rows, zero_copy=not self.zstd)


class IpcReader:
    """Memory-mapped IPC file. zero_copy (uncompressed files): every record batch is opened at
    open, which costs nothing (they point into the mapping), and a take concatenates one-row
    slices (the fastest of the ways tried: Table.take, per-batch take, slices); otherwise (zstd)
    each needed record batch is decoded once per take."""

    def __init__(self, path: Path, batch_rows: int, zero_copy: bool = False):
        self.mm = pa.memory_map(str(path))
        self.r = pa.ipc.open_file(self.mm)
        self.batch_rows = batch_rows
        k = self.r.num_record_batches
        self.n = 0 if k == 0 else (k - 1) * batch_rows + self.r.get_batch(k - 1).num_rows
        self.batches = [self.r.get_batch(i) for i in range(k)] if zero_copy else None

    def num_rows(self) -> int:
        return self.n

    def scan(self, threads: bool) -> int:
        return sum(self.r.get_batch(i).num_rows for i in range(self.r.num_record_batches))

    filter_method = ("reads every record batch (memory-mapped), tests the predicate with pyarrow.compute, "
                     "RecordBatch.filter of the projection")

    def filtered_scan(self, f: dict) -> int:
        lo, hi = filter_bounds(f)
        rows = 0
        for i in range(self.r.num_record_batches):
            b = self.r.get_batch(i)
            col = b.column(f["column"])
            mask = pc.and_(pc.greater_equal(col, lo), pc.less(col, hi))
            rows += b.select(f["project"]).filter(mask).num_rows
        return rows

    def take(self, ids, columns=None) -> pa.Table:
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 1:
            i = int(ids[0])
            b = self.r.get_batch(i // self.batch_rows)
            if columns is not None:
                b = b.select(columns)
            return pa.Table.from_batches([b.slice(i % self.batch_rows, 1)])
        if self.batches is not None:
            B = self.batch_rows
            parts = [self.batches[int(i) // B].slice(int(i) % B, 1) for i in ids]
            if columns is not None:
                parts = [p.select(columns) for p in parts]
            return pa.Table.from_batches(parts).combine_chunks()
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        batches = sorted_ids // self.batch_rows
        parts = []
        for b in np.unique(batches):
            local = sorted_ids[batches == b] - b * self.batch_rows
            rb = self.r.get_batch(int(b))
            if columns is not None:
                rb = rb.select(columns)
            parts.append(rb.take(pa.array(local)))
        t = pa.Table.from_batches(parts)
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        return t.take(pa.array(inverse))

    def close(self):
        self.mm.close()


def filter_bounds(f: dict):
    """The predicate's bounds as pyarrow scalars of the column's type family."""
    kind = f["kind"]
    if kind == "int":
        return pa.scalar(int(f["lo"]), pa.int64()), pa.scalar(int(f["hi"]), pa.int64())
    if kind == "float":
        return pa.scalar(float(f["lo"]), pa.float64()), pa.scalar(float(f["hi"]), pa.float64())
    t = pa.timestamp(kind.split(":")[1])
    return pa.scalar(int(f["lo"]), t), pa.scalar(int(f["hi"]), t)


def filter_expression(f: dict):
    """lo <= column < hi as a pyarrow dataset expression."""
    lo, hi = filter_bounds(f)
    c = pc.field(f["column"])
    return (c >= lo) & (c < hi)


def make_peer(fmt: str, batch_rows: int, row_group_rows: int):
    if fmt == "parquet-pyarrow":
        return ParquetPeer(row_group_rows)
    if fmt in ("arrow-pyarrow", "arrow-pyarrow-zstd"):
        return IpcPeer(fmt.endswith("zstd"), batch_rows)
    raise ValueError(f"unknown pyarrow format {fmt} ({', '.join(FORMATS)})")


def _rows(t: pa.Table):
    return t.to_pylist()


def run(a) -> dict:
    peer = make_peer(a.format, a.batch_rows, a.row_group_rows)
    d = Path(a.dir)
    d.mkdir(parents=True, exist_ok=True)
    target = d / peer.file_name
    project = [c for c in a.project.split(",") if c] if a.project else []
    f = filter_spec(a)
    res = {"format": peer.name, "side": "python", "library": f"pyarrow {pa.__version__}",
           "options": peer.options, "python": platform.python_version(), "file": str(target)}
    errors, checks, ok = [], [], True
    mem = MemorySampler()
    ref = IpcReader(Path(a.input), a.batch_rows)
    n = ref.num_rows()
    res["rows"] = n
    try:
        mem.start_phase()

        def write(rep):
            target.unlink(missing_ok=True)
            peer.write(Path(a.input), target)
        res["write_s"] = timed_reps(0, 1, write) if a.narrow else timed_reps(1, a.write_reps, write)
        res["write_peak_bytes"] = mem.peak_above_baseline()
    except Exception:
        errors.append("write: " + traceback.format_exc(limit=4))
    if not target.exists():
        errors.append(f"no file {target}")
        res.update(check={"ok": False, "details": checks}, errors=errors)
        return res
    res["size_bytes"] = path_size(target)

    mem.start_phase()
    try:
        reader = peer.open(target)
        if reader.num_rows() != n:
            ok = False
            checks.append(f"FAILED: num_rows {reader.num_rows()} != {n}")
        if a.narrow:
            res["narrow_note"] = NARROW_NOTE
        else:
            seen = [0]

            # each timed scan opens the file anew (as BenchMain does for the Java peers): no peer
            # reuses what an earlier repetition read; the takes below use the open reader
            def scan1(rep, threads=False):
                r = peer.open(target)
                try:
                    seen[0] = r.scan(threads)
                finally:
                    r.close()
            try:
                res["scan_s"] = timed_reps(SCAN_WARMUPS, a.reps, scan1)
                if isinstance(reader, ParquetReader):
                    res["scan_mt_s"] = timed_reps(SCAN_WARMUPS, a.reps, lambda rep: scan1(rep, True))
                if seen[0] == n:
                    checks.append(f"scan: {n} rows: OK")
                else:
                    ok = False
                    checks.append(f"FAILED: scan returned {seen[0]} rows, expected {n}")
            except Exception:
                errors.append("scan: " + traceback.format_exc(limit=4))
            try:
                res["take1_rows_s"] = rate(a.reps, 5, a.take1_max, a.rep_seconds,
                                           lambda rep, i: reader.take(row_ids(a.seed, rep, i, 1, n)).num_rows)
                res["take256_rows_s"] = rate(a.reps, 2, a.take256_max, a.rep_seconds,
                                             lambda rep, i: reader.take(
                                                 row_ids(a.seed, rep, 1_000_000_000 + i * 256, 256, n)).num_rows)
            except Exception:
                errors.append("take: " + traceback.format_exc(limit=4))
        res["read_peak_bytes"] = mem.peak_above_baseline()
        if f is not None:
            ok &= filtered(a, lambda: peer.open(target), reader, f, n, res, errors, checks)
        # correctness: the rows taken are the rows asked for (all columns, then the projection)
        for cols in ([None, project] if project else [None]):
            what = "all columns" if cols is None else f"{len(cols)} columns"
            ids = check_ids(a.seed, min(a.check_rows, n), n)
            want = ref.take(ids, cols)
            got = reader.take(ids, cols)
            if got.num_rows != len(ids):
                ok = False
                checks.append(f"FAILED: take ({what}) of {len(ids)} ids returned {got.num_rows} rows")
            elif got.column_names != want.column_names:
                ok = False
                checks.append(f"FAILED: take ({what}) columns {got.column_names} != {want.column_names}")
            elif _rows(got) != _rows(want):
                ok = False
                bad = next(i for i, (x, y) in enumerate(zip(_rows(got), _rows(want))) if x != y)
                checks.append(f"FAILED: take ({what}) row {ids[bad]} differs from the input")
            else:
                checks.append(f"take ({what}) of {len(ids)} ids (duplicates, first and last row included) "
                              "equals the input: OK")
        reader.close()
    except Exception:
        ok = False
        errors.append("open: " + traceback.format_exc(limit=4))

    if project:
        try:
            def open_project(rep, i):
                r = peer.open(target)
                r.take(row_ids(a.seed, rep, 2_000_000_000 + i, 1, n), project)
                r.close()
                return 1
            res["open_project_ms"] = [1000.0 / x for x in rate(a.reps, 3, 200, a.rep_seconds / 2, open_project)]
        except Exception:
            errors.append("open+project: " + traceback.format_exc(limit=4))
    mem.close()
    ref.close()
    res["check"] = {"ok": ok and not any(e.startswith(("open", "check")) for e in errors), "details": checks}
    res["errors"] = errors
    return res


def filter_spec(a) -> dict | None:
    if not a.filter_column:
        return None
    proj = a.filter_project.split(",") if a.filter_project else [a.filter_column]
    return {"column": a.filter_column, "kind": a.filter_kind, "lo": a.filter_lo, "hi": a.filter_hi,
            "text": a.filter_text, "project": proj, "expect": a.filter_expect}


def filtered(a, fresh, reader, f: dict, n: int, res: dict, errors: list, checks: list) -> bool:
    """Measures the filtered scan and checks its number of matching rows (as BenchMain.filtered):
    each timed filtered scan opens a new reader with fresh()."""
    try:
        seen = [0]

        def scan(rep):
            r = fresh()
            try:
                seen[0] = r.filtered_scan(f)
            finally:
                r.close()
        res["filter_s"] = timed_reps(FILTER_WARMUPS, a.reps, scan)
        res["filter_matches"] = seen[0]
        res["filter_method"] = reader.filter_method
    except Exception:
        errors.append("check: filtered scan: " + traceback.format_exc(limit=4))
        return False
    if f["expect"] >= 0 and seen[0] != f["expect"]:
        checks.append(f"FAILED: filtered scan ({f['text']}) returned {seen[0]} rows, expected {f['expect']}")
        return False
    checks.append(f"filtered scan ({f['text']}): {seen[0]} of {n} rows"
                  + (", as many as in the input: OK" if f["expect"] >= 0 else ""))
    return True


def parse(argv=None):
    ap = argparse.ArgumentParser(prog="weftbench.pyside")
    ap.add_argument("--format", required=True, choices=FORMATS)
    ap.add_argument("--input", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--batch-rows", type=int, default=16384)
    ap.add_argument("--row-group-rows", type=int, default=131072)
    ap.add_argument("--scan-batch", type=int, default=65536)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--write-reps", type=int, default=5)
    ap.add_argument("--rep-seconds", type=float, default=1.0)
    ap.add_argument("--take1-max", type=int, default=2000)
    ap.add_argument("--take256-max", type=int, default=100)
    ap.add_argument("--project", default="")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--check-rows", type=int, default=64)
    ap.add_argument("--narrow", action="store_true",
                    help="write once, no all-column scan or takes (quick mode on the wide table)")
    ap.add_argument("--filter-column")
    ap.add_argument("--filter-kind")
    ap.add_argument("--filter-lo")
    ap.add_argument("--filter-hi")
    ap.add_argument("--filter-text")
    ap.add_argument("--filter-project")
    ap.add_argument("--filter-expect", type=int, default=-1)
    return ap.parse_args(argv)


def main(argv=None) -> int:
    a = parse(argv)
    res = run(a)
    write_json(Path(a.out), res)
    return 0 if res["check"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
