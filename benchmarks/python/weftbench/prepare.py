"""Turns an input Parquet file into the harness's common input: an uncompressed Arrow IPC file
in record batches of a fixed row count (read by every peer's writer), plus its metadata.

The Java side reads Parquet only through this file (pyarrow reads the Parquet file): the cli
module's Parquet reader (dev.weft.cli.parquet) is not usable yet.
"""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .common import write_json


def _normalize_schema(schema: pa.Schema) -> pa.Schema:
    """Dictionary-encoded columns are read decoded (every peer then stores the same values)."""
    fields = []
    for f in schema:
        t = f.type.value_type if pa.types.is_dictionary(f.type) else f.type
        fields.append(pa.field(f.name, t, f.nullable, f.metadata))
    return pa.schema(fields, metadata=None)


def project_columns(names: list[str], k: int = 10) -> list[str]:
    """k columns spread evenly over the schema (all of them when there are at most k)."""
    if len(names) <= k:
        return list(names)
    step = len(names) / k
    return [names[int(i * step)] for i in range(k)]


def prepare(parquet: Path, work: Path, batch_rows: int, max_rows: int | None) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    out = work / "input.arrow"
    pf = pq.ParquetFile(parquet)
    schema = _normalize_schema(pf.schema_arrow)
    total = pf.metadata.num_rows if max_rows is None else min(max_rows, pf.metadata.num_rows)
    rows = 0
    nbytes = 0
    tmp = out.with_suffix(".tmp")

    with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, schema) as w:
        def emit(tbl: pa.Table) -> None:
            nonlocal rows, nbytes
            b = tbl.combine_chunks().to_batches()[0]
            w.write_batch(b)
            nbytes += b.nbytes
            rows += b.num_rows

        buf: list[pa.RecordBatch] = []
        buffered = 0
        seen = 0
        for batch in pf.iter_batches(batch_size=batch_rows, use_threads=True):
            if seen + batch.num_rows > total:
                batch = batch.slice(0, total - seen)
            seen += batch.num_rows
            if batch.schema != schema:
                batch = batch.cast(schema)
            buf.append(batch)
            buffered += batch.num_rows
            while buffered >= batch_rows:
                t = pa.Table.from_batches(buf, schema)
                emit(t.slice(0, batch_rows))
                buf = t.slice(batch_rows).to_batches()
                buffered -= batch_rows
            if seen >= total:
                break
        if buffered:
            emit(pa.Table.from_batches(buf, schema))
    tmp.replace(out)
    names = schema.names
    meta = {
        "source": str(parquet),
        "source_bytes": parquet.stat().st_size,
        "source_rows": pf.metadata.num_rows,
        "rows": rows,
        "columns": len(names),
        "arrow_bytes": nbytes,
        "batch_rows": batch_rows,
        "schema": [f"{f.name}: {f.type}" for f in schema][:40],
        "project": project_columns(names),
        "input": str(out),
    }
    write_json(work / "meta.json", meta)
    return meta


# ---------------------------------------------------------------------------------------------
# The filtered-scan predicate: chosen from the data, the same for every peer.

FILTER_FRACTION = 0.01
_MAX_CANDIDATES = 64  # numeric columns looked at (the wide table has 10,000)


def _kind(t: pa.DataType) -> str | None:
    if pa.types.is_integer(t):
        return "int"
    if pa.types.is_floating(t) and not pa.types.is_float16(t):
        return "float"
    if pa.types.is_timestamp(t) and t.tz is None:
        return "timestamp:" + t.unit
    return None


def _literal_text(kind: str, v) -> str:
    """v as a literal of Weft's predicate text (Lance's SQL takes the same text)."""
    if kind == "int":
        return str(int(v))
    if kind == "float":
        return repr(float(v))  # exact: the bounds are values of the column
    unit = kind.split(":")[1]
    per = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[unit]
    secs, frac = divmod(int(v), per)
    import datetime
    dt = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=secs)
    s = dt.strftime("%Y-%m-%d %H:%M:%S")
    if per > 1:
        s += "." + str(frac).rjust(len(str(per)) - 1, "0")
    return f"TIMESTAMP '{s}'"


def _window(values, n: int, target: int):
    """The bounds lo <= x < hi of a range of the sorted non-null values that selects about
    target rows: tried at several positions (the middle first), the closest count wins."""
    import numpy as np
    s = np.sort(values)
    if len(s) == 0:
        return None
    best = None
    for q in (0.5, 0.25, 0.75, 0.1, 0.9, 0.4, 0.6):
        i = min(int(q * (len(s) - target)), len(s) - 1) if len(s) > target else 0
        lo = s[i]
        j = min(i + target, len(s) - 1)
        hi = s[j]
        if hi == lo:  # a heavy value: the next larger value ends the window
            k = np.searchsorted(s, lo, side="right")
            if k >= len(s):
                continue
            hi = s[k]
        count = int(np.searchsorted(s, hi, side="left") - np.searchsorted(s, lo, side="left"))
        if count <= 0:
            continue
        if best is None or abs(count - target) < abs(best[2] - target):
            best = (lo, hi, count)
        if count == target:
            break
    return best


def choose_filter(input_arrow: Path, project: list[str], fraction: float = FILTER_FRACTION) -> dict | None:
    """A predicate `lo <= col < hi` on a numeric column that selects about `fraction` of the rows.
    A column whose values are sorted in file order (date/time columns, ids) is preferred (zone
    maps and row-group statistics can then skip what does not match); else the numeric column
    whose best range comes closest to the fraction. None if the table has no numeric column."""
    import numpy as np
    import pyarrow.compute as pc
    t = pa.ipc.open_file(pa.memory_map(str(input_arrow))).read_all()
    n = t.num_rows
    if n == 0:
        return None
    target = max(1, round(n * fraction))
    cands = [(f.name, _kind(f.type)) for f in t.schema if _kind(f.type)][:_MAX_CANDIDATES]
    best = None
    for name, kind in cands:
        col = t.column(name)
        if kind.startswith("timestamp"):
            col = col.cast(pa.int64())
        vals = col.drop_null().to_numpy()
        if kind == "float":
            vals = vals[np.isfinite(vals)]
        if len(vals) == 0:
            continue
        is_sorted = col.null_count == 0 and bool(np.all(vals[1:] >= vals[:-1]))
        w = _window(vals, n, target)
        if w is None:
            continue
        score = (0 if is_sorted else 1, abs(w[2] - target))
        if best is None or score < best[0]:
            best = (score, name, kind, w, is_sorted)
    if best is None:
        return None
    _, name, kind, (lo, hi, count), is_sorted = best
    lo = int(lo) if kind != "float" else float(lo)
    hi = int(hi) if kind != "float" else float(hi)
    quoted = "`" + name.replace("`", "``") + "`"
    text = f"{quoted} >= {_literal_text(kind, lo)} AND {quoted} < {_literal_text(kind, hi)}"
    others = [c for c in project if c != name]
    proj = [name] + others[:4]
    # the expected count, computed independently of the window arithmetic
    col = t.column(name)
    if kind.startswith("timestamp"):
        col = col.cast(pa.int64())
    mask = pc.and_(pc.greater_equal(col, pa.scalar(lo)), pc.less(col, pa.scalar(hi)))
    expect = int(pc.sum(pc.cast(pc.fill_null(mask, False), pa.int64())).as_py() or 0)
    return {"column": name, "kind": kind, "lo": lo, "hi": hi, "text": text, "sorted": is_sorted,
            "project": proj, "matches": expect, "fraction": expect / n}
