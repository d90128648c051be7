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
