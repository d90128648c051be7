"""A newcomer's sweep: Parquet files from writers and shapes the test data lacks, run through
every `weft` command and the PyTorch loader.

Not collected by pytest (a sweep, not a test; the bugs it found have their own tests). Rerun:

    .venv/bin/python cli/src/test/python/sweep_newcomer.py [--out DIR] [--only SUBSTR] [--no-torch]

Writes into DIR (default: a new temporary directory; kept, its path printed):
  - DuckDB (`COPY ... TO (FORMAT parquet, COMPRESSION ..., ROW_GROUP_SIZE ..., PARQUET_VERSION V2)`):
    decimals of every width, HUGEINT/UHUGEINT, UUID, INTERVAL, TIME/TIMETZ, TIMESTAMP_S/MS/NS/TZ,
    ENUM, LIST/STRUCT/MAP/ARRAY, BLOB, BIT, lists of structs, null-heavy and all-null columns,
    strings of 100 KB and 3 MB, 0 rows, a hive-partitioned COPY (PARTITION_BY);
  - Hugging Face `datasets` (`Dataset.to_parquet`): ClassLabel, Sequence, Array2D/3D, Image
    (real PNG bytes), Audio-like structs, nested dicts, its `huggingface` schema metadata;
  - pandas (`DataFrame.to_parquet`): named and multi indexes, categoricals, nullable dtypes,
    tz-aware datetimes, pandas metadata;
  - pyarrow writer options: byte_stream_split, DELTA_* column encodings, data page v2,
    page index, no statistics, 1 KiB data pages, dictionary fallback to PLAIN mid-chunk,
    10,000 one-row row groups, one big row group, `write_to_dataset` with partition columns and a
    null partition, 0 rows, awkward column names (spaces, dots, commas, unicode, case twins,
    exact duplicates), every codec, legacy nested layouts, version 1.0, coerced timestamps;
  - polars (`write_parquet`: Categorical, Enum, Array, Decimal, time zones, small row groups)
    and fastparquet (INT96 times, row groups, a written index, hive `partition_on`);
  - edge values: NaN/-0.0/subnormals/extremes of every width, decimal256(76), year 1 and 9999,
    invalid UTF-8 in a string column, a table without columns.

Found and fixed (tests in test_other_writers.py, python-shim/tests/test_column_kinds.py, Java
unit tests): data pages of 0 values (pyarrow, tiny pages) failed in parquet-java; duplicate
column names gave "corrupt data"; pandas categoricals were large_string where pyarrow reads
string; schema metadata (pandas index, HF features) was missing from Arrow streams; a table
without columns gave an index error; nullable booleans broke the torch conversion (no column
named); HF Array2D/3D and nested fixed_size_lists came as Python lists; a Parquet path given to
WeftDataset or as verify's DEST was called a corrupt Weft file; --columns could not name columns
with commas or leading blanks; --where could not compare time columns; the convert summary
counted inputs that were never written.

For every file: `convert` (the whole directory in one call with --keep-going, then each file on
its own), `verify`, `inspect` (text, --json, --check), `head`, `take`, `cat --format
jsonl|csv|arrow` (the Arrow stream compared with `pyarrow.parquet.read_table` as
test_convert_matches_pyarrow does), and, unless --no-torch, one epoch through
`weft.torch.WeftDataset` with num_workers 0 and 2 (shuffled) checking every column arrives.
Prints one line per file and problem; exit status 1 if any problem was found.
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
import zlib
import struct
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import ROOT, run_weft  # noqa: E402
from test_convert_matches_pyarrow import assert_tables_match  # noqa: E402


# ----------------------------------------------------------------------------------------------
# generators: each writes files under its own folder of DIR


def png_bytes(h, w, seed):
    """A real grayscale PNG made with zlib (no PIL needed)."""
    rnd = np.random.default_rng(seed)
    img = rnd.integers(0, 256, (h, w), dtype=np.uint8)
    raw = b"".join(b"\x00" + img[r].tobytes() for r in range(h))

    def chunk(tag, data):
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


DUCK_TABLE = """
CREATE TABLE t AS SELECT
  i AS id,
  ((i%600)*1.5)::DECIMAL(4,1) AS d4,
  (i*1.5)::DECIMAL(9,2) AS d9,
  (i*1.5)::DECIMAL(18,3) AS d18,
  (i*1.5)::DECIMAL(38,10) AS d38,
  (i::HUGEINT * 1000000000000000000000::HUGEINT) AS huge,
  i::UHUGEINT AS uhuge,
  uuid_extract_version(gen_random_uuid()) AS uv,
  gen_random_uuid() AS uuid,
  to_days(i::INTEGER) + to_microseconds(i) + to_months((i%13)::INTEGER) AS intv,
  TIME '12:00:00' + to_seconds(i) AS tm,
  '12:00:00+02'::TIMETZ AS tmtz,
  TIMESTAMP '2024-01-01' + to_seconds(i) AS ts,
  (TIMESTAMP '2024-01-01' + to_seconds(i))::TIMESTAMP_NS AS ts_ns,
  (TIMESTAMP '2024-01-01' + to_seconds(i))::TIMESTAMP_MS AS ts_ms,
  (TIMESTAMP '2024-01-01' + to_seconds(i))::TIMESTAMP_S AS ts_s,
  (TIMESTAMP '2024-01-01' + to_seconds(i))::TIMESTAMPTZ AS ts_tz,
  DATE '2024-01-01' + i::INTEGER AS dt,
  (['a','b','c'])[i%3+1]::ENUM('a','b','c') AS en,
  CASE WHEN i%7=0 THEN NULL ELSE [i, i+1, NULL] END AS lst,
  {'x': i, 'y': 'str'||i} AS st,
  MAP {'k'||i: i} AS mp,
  ('blob'||i)::BLOB AS bl,
  [{'a': i, 'b': [i::VARCHAR]}] AS lst_st,
  CASE WHEN i%10=0 THEN i END AS mostly_null,
  CASE WHEN i%50=0 THEN repeat('x', 100000) ELSE 'short' END AS longstr,
  i%2=0 AS b,
  (i%100)::TINYINT AS i8, (i%200)::UTINYINT AS u8, i::USMALLINT AS u16, i::UINTEGER AS u32,
  i::UBIGINT AS u64, i::SMALLINT AS i16,
  i::FLOAT AS f32, i::DOUBLE AS f64,
  [[i,i],[i]] AS ll,
  [1.5, i]::FLOAT[2] AS arr,
  NULL::INTEGER AS allnull,
  '0101'::BIT AS bits,
  '{"a": 1}'::JSON AS js
FROM range({n}) t(i)
"""


def gen_duckdb(d):
    import duckdb
    d.mkdir()
    con = duckdb.connect()
    con.execute("SET threads=1")
    con.execute(DUCK_TABLE.replace("{n}", "5000"))
    for comp in ("zstd", "snappy", "gzip", "uncompressed", "lz4", "brotli"):
        con.execute(f"COPY t TO '{d}/duck_{comp}.parquet' (FORMAT parquet, COMPRESSION {comp}, ROW_GROUP_SIZE 2048)")
    con.execute(f"COPY t TO '{d}/duck_v2.parquet' (FORMAT parquet, PARQUET_VERSION V2, ROW_GROUP_SIZE 2048)")
    con.execute(f"COPY (SELECT * FROM t LIMIT 0) TO '{d}/duck_empty.parquet' (FORMAT parquet)")
    con.execute(f"COPY (SELECT id, repeat(chr(65 + (id % 26)::INTEGER), 3000000) AS s FROM range(3) t(id)) "
                f"TO '{d}/duck_3mb_strings.parquet' (FORMAT parquet)")
    con.execute(f"COPY (SELECT i AS id, CASE WHEN i % 1000 = 0 THEN i::VARCHAR END AS s, "
                f"CASE WHEN i % 997 = 0 THEN [{{'k': i, 'v': [i]}}] END AS ls FROM range(200000) t(i)) "
                f"TO '{d}/duck_null_heavy.parquet' (FORMAT parquet, ROW_GROUP_SIZE 100000)")
    con.execute(f"COPY (SELECT i AS id, (i % 3)::VARCHAR AS part, i % 2 AS p2 FROM range(100) t(i)) "
                f"TO '{d}/duck_hive' (FORMAT parquet, PARTITION_BY (part, p2))")
    con.execute(f"COPY (SELECT i AS id, [[{{'a': [i, NULL]}}], NULL, []] AS deep, "
                f"MAP {{'x': [1,2], 'y': NULL}} AS m_l, {{'s': {{'t': {{'u': i}}}}}} AS nest3 FROM range(3000) t(i)) "
                f"TO '{d}/duck_deep_nested.parquet' (FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION V2)")


def gen_hf(d):
    import datasets
    from datasets import Array2D, Array3D, ClassLabel, Features, Sequence, Value
    d.mkdir()
    n = 300
    rnd = np.random.default_rng(7)
    feats = Features({
        "text": Value("string"),
        "label": ClassLabel(names=["neg", "neu", "pos"]),
        "tokens": Sequence(Value("int32")),
        "scores": Sequence(Value("float32"), length=4),
        "mat": Array2D(shape=(3, 4), dtype="float32"),
        "vol": Array3D(shape=(2, 2, 3), dtype="int16"),
        "meta": {"src": Value("string"), "n": Value("int64")},
        "audio": {"bytes": Value("binary"), "path": Value("string"), "sampling_rate": Value("int32")},
        "tags": Sequence(Value("string")),
    })
    data = {
        "text": [f"review number {i}" + " lorem" * (i % 17) for i in range(n)],
        "label": [i % 3 for i in range(n)],
        "tokens": [list(range(i % 12)) for i in range(n)],
        "scores": [[float(i), 0.5, -1.0, 2.0] for i in range(n)],
        "mat": [rnd.random((3, 4)).astype("float32").tolist() for _ in range(n)],
        "vol": [rnd.integers(-100, 100, (2, 2, 3)).tolist() for _ in range(n)],
        "meta": [{"src": "web" if i % 2 else None, "n": i} for i in range(n)],
        "audio": [{"bytes": rnd.integers(0, 256, 64, dtype=np.uint8).tobytes(), "path": f"clip{i}.wav",
                   "sampling_rate": 16000} for i in range(n)],
        "tags": [[f"t{j}" for j in range(i % 3)] for i in range(n)],
    }
    ds = datasets.Dataset.from_dict(data, features=feats)
    ds.to_parquet(str(d / "hf_features.parquet"))
    # images: the Image feature stores struct<bytes: binary, path: string>
    imgs = datasets.Dataset.from_dict(
        {"image": [{"bytes": png_bytes(28, 28, i), "path": None} for i in range(200)],
         "label": [i % 10 for i in range(200)]},
        features=Features({"image": datasets.Image(), "label": ClassLabel(num_classes=10)}))
    imgs.to_parquet(str(d / "hf_images.parquet"))
    aud = datasets.Dataset.from_dict({"audio": [{"array": rnd.random(160).tolist(), "sampling_rate": 16000}
                                                for _ in range(20)]})
    aud.to_parquet(str(d / "hf_audio_array.parquet"))
    ds.select(range(0)).to_parquet(str(d / "hf_empty.parquet"))


def gen_pandas(d):
    import pandas as pd
    d.mkdir()
    n = 500
    df = pd.DataFrame({
        "cat": pd.Categorical([["red", "green", "blue"][i % 3] for i in range(n)]),
        "cat_int": pd.Categorical([i % 4 for i in range(n)]),
        "nullable_int": pd.array([None if i % 5 == 0 else i for i in range(n)], dtype="Int64"),
        "nullable_bool": pd.array([None if i % 4 == 0 else i % 2 == 0 for i in range(n)], dtype="boolean"),
        "s": pd.array([None if i % 6 == 0 else f"s{i}" for i in range(n)], dtype="string"),
        "when": pd.date_range("2024-03-30", periods=n, freq="h", tz="Europe/Berlin"),
        "naive": pd.date_range("2024-01-01", periods=n, freq="min"),
        "delta": pd.to_timedelta(np.arange(n), unit="s"),
        "f": np.linspace(0, 1, n),
        "obj_mixed_none": [None if i % 3 else f"o{i}" for i in range(n)],
    })
    df.to_parquet(d / "pandas_range_index.parquet")
    df.index = pd.Index([f"row{i}" for i in range(n)], name="key")
    df.to_parquet(d / "pandas_named_index.parquet")
    df.index = pd.MultiIndex.from_arrays([np.arange(n) % 7, [f"k{i}" for i in range(n)]], names=["a", None])
    df.to_parquet(d / "pandas_multi_index.parquet")
    df.reset_index(drop=True).iloc[0:0].to_parquet(d / "pandas_empty.parquet")


def base_table(n=5000, seed=1):
    rnd = np.random.default_rng(seed)
    return pa.table({
        "i32": pa.array(rnd.integers(-1000, 1000, n).astype(np.int32)),
        "i64": pa.array(np.cumsum(rnd.integers(0, 10, n))),
        "f32": pa.array(rnd.random(n).astype(np.float32)),
        "f64": pa.array(rnd.normal(size=n)),
        "s": pa.array([f"str-{i % 97}-{'x' * (i % 13)}" for i in range(n)]),
        "b": pa.array([bytes([i % 256]) * (i % 9) for i in range(n)], pa.binary()),
        "fsb": pa.array([i.to_bytes(4, "little") for i in range(n)], pa.binary(4)),
        "nul": pa.array([None if i % 3 else i for i in range(n)], pa.int64()),
        "dec": pa.array([Decimal(i).scaleb(-2) for i in range(n)], pa.decimal128(12, 2)),
        "ts": pa.array(np.arange(n, dtype=np.int64) * 1_000_000, pa.timestamp("us")),
        "lst": pa.array([list(range(i % 5)) for i in range(n)], pa.list_(pa.int32())),
        "f16": pa.array(rnd.random(n).astype(np.float16)),
    })


def gen_pyarrow_options(d):
    d.mkdir()
    t = base_table()
    pq.write_table(t, d / "bss.parquet", use_dictionary=False,
                   use_byte_stream_split=["f32", "f64", "i32", "i64", "fsb", "f16", "dec"])
    pq.write_table(t, d / "delta.parquet", use_dictionary=False,
                   column_encoding={"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED",
                                    "s": "DELTA_BYTE_ARRAY", "b": "DELTA_LENGTH_BYTE_ARRAY",
                                    "ts": "DELTA_BINARY_PACKED", "nul": "DELTA_BINARY_PACKED",
                                    "lst": "DELTA_BINARY_PACKED", "fsb": "DELTA_BYTE_ARRAY"})
    pq.write_table(t, d / "delta_v2.parquet", use_dictionary=False, data_page_version="2.0",
                   compression="zstd", data_page_size=1024,
                   column_encoding={"i32": "DELTA_BINARY_PACKED", "s": "DELTA_BYTE_ARRAY",
                                    "b": "DELTA_LENGTH_BYTE_ARRAY"})
    pq.write_table(t, d / "page_v2.parquet", data_page_version="2.0")
    pq.write_table(t, d / "page_v2_uncompressed.parquet", data_page_version="2.0", compression="none")
    pq.write_table(t, d / "page_index.parquet", write_page_index=True, data_page_size=4096)
    pq.write_table(t, d / "no_stats.parquet", write_statistics=False)
    pq.write_table(t, d / "tiny_pages.parquet", data_page_size=1, write_batch_size=1)
    # dictionary fallback: the dictionary page limit is reached mid-chunk, the rest is PLAIN
    big = pa.table({"s": pa.array([f"unique-value-{i:08d}" for i in range(50000)]),
                    "i": pa.array(np.arange(50000) * 7919 % 100003)})
    pq.write_table(big, d / "dict_fallback.parquet", dictionary_pagesize_limit=4096, data_page_size=8192)
    pq.write_table(big, d / "dict_fallback_v2.parquet", dictionary_pagesize_limit=4096, data_page_size=8192,
                   data_page_version="2.0")
    small = base_table(10000, seed=3)
    pq.write_table(small, d / "rg_1row_x10000.parquet", row_group_size=1)
    pq.write_table(base_table(300000, seed=4), d / "one_big_rg.parquet", row_group_size=10**9)
    pq.write_table(t.slice(0, 0), d / "zero_rows.parquet")
    pq.write_table(pa.table({"x": pa.array([], pa.int64())}), d / "zero_rows_one_col.parquet")
    pq.write_table(pa.table({"a b": [1, 2], "c.d": [3, 4], "ünï©ødé 名前": ["x", "y"], "e,f": [5, 6],
                             "Case": [1, 2], "case": [3, 4], "": [7, 8], " lead": [0, 1], "quote\"d": [1, 1]}),
                   d / "awkward_names.parquet")
    pq.write_table(pa.Table.from_arrays([pa.array([1, 2]), pa.array(["a", "b"])], names=["dup", "dup"]),
                   d / "duplicate_names.parquet")
    for codec in ("snappy", "gzip", "brotli", "lz4", "zstd", "none"):
        pq.write_table(t, d / f"codec_{codec}.parquet", compression=codec)
    pq.write_table(t, d / "zstd_level22.parquet", compression="zstd", compression_level=22)
    pq.write_table(t, d / "v1_format.parquet", version="1.0")
    pq.write_table(t, d / "legacy_nested.parquet", use_compliant_nested_type=False)
    pq.write_table(t, d / "coerce_ms.parquet", coerce_timestamps="ms", allow_truncated_timestamps=True)
    pq.write_table(t, d / "spark_flavor.parquet", flavor="spark", use_deprecated_int96_timestamps=True)
    pq.write_table(t, d / "decimal_as_int.parquet", store_decimal_as_integer=True)
    pq.write_table(t, d / "no_dict.parquet", use_dictionary=False)
    pq.write_table(t, d / "sorted_cols.parquet", sorting_columns=[pq.SortingColumn(1)])
    try:
        pq.write_table(t, d / "cdc.parquet", use_content_defined_chunking=True)
    except TypeError:
        pass
    nested = pa.table({
        "lol": pa.array([[[i, None], None, []] if i % 4 else None for i in range(2000)],
                        pa.list_(pa.list_(pa.int64()))),
        "los": pa.array([[{"a": i, "b": None}] * (i % 3) for i in range(2000)],
                        pa.list_(pa.struct([("a", pa.int32()), ("b", pa.string())]))),
        "map_nested": pa.array([[("k", [i])] for i in range(2000)], pa.map_(pa.string(), pa.list_(pa.int64()))),
        "fsl": pa.array([[float(i)] * 8 for i in range(2000)], pa.list_(pa.float32(), 8)),
        "big_fsl": pa.array([np.full(784, i % 256, np.uint8) for i in range(2000)], pa.list_(pa.uint8(), 784)),
        "struct_all_null": pa.array([None] * 2000, pa.struct([("z", pa.int8())])),
        "null_type": pa.nulls(2000),
        "bool_mixed": pa.array([None if i % 3 == 0 else i % 2 == 0 for i in range(2000)]),
        "dict_s": pa.array([f"c{i % 4}" for i in range(2000)]).dictionary_encode(),
        "large_bin": pa.array([b"x" * (i % 50) for i in range(2000)], pa.large_binary()),
    })
    for v in ("1.0", "2.0"):
        pq.write_table(nested, d / f"nested_page{v}.parquet", data_page_version=v, row_group_size=700,
                       data_page_size=2048)
    # hive-style datasets with pyarrow's own writer
    part = pa.table({"v": list(range(60)), "year": [2020 + i % 3 for i in range(60)],
                     "city": [None if i % 5 == 0 else ["NYC", "São Paulo", "a/b"][i % 3] for i in range(60)]})
    pq.write_to_dataset(part, d / "hive_pa", partition_cols=["year", "city"])


def gen_polars(d):
    import datetime as dt

    import polars as pl
    d.mkdir()
    n = 3000
    df = pl.DataFrame({
        "i": pl.Series(range(n), dtype=pl.Int64),
        "u8": pl.Series([i % 200 for i in range(n)], dtype=pl.UInt8),
        "f": pl.Series([i / 7 for i in range(n)], dtype=pl.Float32),
        "s": [None if i % 9 == 0 else f"text {i}" for i in range(n)],
        "cat": pl.Series([["x", "y", "z"][i % 3] for i in range(n)], dtype=pl.Categorical),
        "enum": pl.Series([["lo", "hi"][i % 2] for i in range(n)], dtype=pl.Enum(["lo", "hi"])),
        "dec": pl.Series([f"{i}.25" for i in range(n)]).str.to_decimal(scale=2),
        "d": [dt.date(2024, 1, 1) + dt.timedelta(days=i % 400) for i in range(n)],
        "t": [dt.datetime(2024, 1, 1) + dt.timedelta(seconds=i) for i in range(n)],
        "tz": pl.Series([dt.datetime(2024, 1, 1) + dt.timedelta(minutes=i) for i in range(n)]).dt.replace_time_zone("Asia/Tokyo"),
        "dur": pl.Series([dt.timedelta(milliseconds=i) for i in range(n)]),
        "tm": [dt.time(i % 24, i % 60) for i in range(n)],
        "lst": [list(range(i % 4)) for i in range(n)],
        "arr": pl.Series([[float(i), 1.0, 2.0] for i in range(n)], dtype=pl.Array(pl.Float64, 3)),
        "st": [{"a": i, "b": str(i)} for i in range(n)],
        "bin": [bytes([i % 256]) * 3 for i in range(n)],
        "b": [None if i % 7 == 0 else i % 2 == 0 for i in range(n)],
        "nul": pl.Series([None] * n, dtype=pl.Null),
    })
    df.write_parquet(d / "polars_default.parquet")
    df.write_parquet(d / "polars_small_rg.parquet", row_group_size=500, compression="lz4", statistics=False)
    df.write_parquet(d / "polars_uncompressed.parquet", compression="uncompressed", data_page_size=1024)
    df.head(0).write_parquet(d / "polars_empty.parquet")


def gen_fastparquet(d):
    import fastparquet
    import pandas as pd
    d.mkdir()
    n = 2000
    df = pd.DataFrame({
        "i": np.arange(n, dtype=np.int64),
        "i32": np.arange(n, dtype=np.int32) * -3,
        "u16": (np.arange(n) % 60000).astype(np.uint16),
        "f": np.linspace(-1, 1, n),
        "s": [None if i % 5 == 0 else f"s{i % 50}" for i in range(n)],
        "cat": pd.Categorical([["a", "b", "c"][i % 3] for i in range(n)]),
        "when": pd.date_range("2020-01-01", periods=n, freq="s"),
        "when_tz": pd.date_range("2020-01-01", periods=n, freq="s", tz="US/Eastern"),
        "flag": [i % 3 == 0 for i in range(n)],
        "nint": pd.array([None if i % 4 == 0 else i for i in range(n)], dtype="Int32"),
        "b": [bytes([i % 256]) * 2 for i in range(n)],
    })
    fastparquet.write(str(d / "fp_default.parquet"), df)
    fastparquet.write(str(d / "fp_times_int96.parquet"), df, times="int96", compression="GZIP")
    fastparquet.write(str(d / "fp_rowgroups.parquet"), df, row_group_offsets=300, compression="ZSTD",
                      object_encoding={"s": "utf8", "b": "bytes"}, has_nulls=True)
    fastparquet.write(str(d / "fp_no_index.parquet"), df.set_index("i"), write_index=True, stats=False)
    fastparquet.write(str(d / "fp_hive"), df[["i", "s", "cat"]], partition_on=["cat"], file_scheme="hive")


def gen_edge(d):
    import datetime as dt
    d.mkdir()
    b = pa.array([b"ok", b"\xff\xfe bad", b"\xc3", None, "\u00e9".encode()], pa.binary())
    bad = pa.Array.from_buffers(pa.string(), len(b), b.buffers(), null_count=b.null_count)
    pq.write_table(pa.table({"s": bad, "i": list(range(5))}), d / "invalid_utf8.parquet")
    f = [0.0, -0.0, float("nan"), float("inf"), float("-inf"), 5e-324, 1.7976931348623157e308, None]
    pq.write_table(pa.table({
        "f64": pa.array(f, pa.float64()), "f32": pa.array(f, pa.float32()),
        "i64": pa.array([-2**63, 2**63 - 1, 0, -1, 1, None, 7, 8], pa.int64()),
        "u64": pa.array([0, 2**64 - 1, 2**63, 1, None, 5, 6, 7], pa.uint64()),
        "d38": pa.array([Decimal("-" + "9" * 38), Decimal("9" * 38)] + [Decimal(i) for i in range(6)],
                        pa.decimal128(38, 0)),
        "d76": pa.array([Decimal("-" + "9" * 76), Decimal("9" * 76)] + [None] * 6, pa.decimal256(76, 0)),
        "ts": pa.array([dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59, 999999)] + [None] * 6,
                       pa.timestamp("us")),
        "d32": pa.array([-719162, 2932896, 0, -1, None, 1, 2, 3], pa.date32()),
    }), d / "extremes.parquet")
    pq.write_table(pa.table({"ts": pa.array([dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31), None],
                                            pa.timestamp("us"))}),
                   d / "int96_old_dates.parquet", use_deprecated_int96_timestamps=True)
    pq.write_table(pa.table({}), d / "no_columns.parquet")  # refused: "has no columns"
    # pyarrow cannot read its own null fixed_size_list<fixed_size_list>; Weft reads it (expected
    # "PROBLEM ... converted although pyarrow cannot read it")
    pq.write_table(pa.table({
        "m": pa.array([[("a", None), ("b", 1)], None, []], pa.map_(pa.string(), pa.int64())),
        "ls": pa.array([[{"x": None}], [None], None], pa.large_list(pa.struct([("x", pa.int8())]))),
        "dict_null": pa.array(["a", None, "a"]).dictionary_encode(),
        "nested_fsl": pa.array([[[1, 2], [3, 4]], [[5, 6], [7, 8]], None], pa.list_(pa.list_(pa.int8(), 2), 2)),
    }), d / "misc_nested.parquet")


GENERATORS = {"duckdb": gen_duckdb, "hf": gen_hf, "pandas": gen_pandas, "pyarrow": gen_pyarrow_options,
              "polars": gen_polars, "fastparquet": gen_fastparquet, "edge": gen_edge}


# ----------------------------------------------------------------------------------------------
# checks


class Report:
    def __init__(self):
        self.problems = []
        self.ok = []

    def bad(self, what, msg):
        msg = msg.strip()
        self.problems.append((what, msg))
        print(f"PROBLEM {what}: {msg[:1500]}", flush=True)

    def good(self, what):
        self.ok.append(what)
        print(f"ok      {what}", flush=True)


def clean_error(stderr):
    lines = [l for l in stderr.splitlines() if l.strip() and not l.startswith("weft: building")]
    return len(lines) <= 1 and "\tat " not in stderr and "Exception" not in stderr


def weft(*args, timeout=300):
    return run_weft(*args, timeout=timeout)


# outcomes that are intended, not problems: file name -> why
EXPECTED = {
    "no_columns.parquet": "refused: a file without columns",
    "duplicate_names.parquet": "refused: duplicate column name",
    "misc_nested.parquet": "pyarrow cannot read its own null fixed_size_list<fixed_size_list>; Weft reads it",
}


def check_file(src, out, rep):
    name = str(src)
    if src.name in EXPECTED:
        rep.good(f"{name} ({EXPECTED[src.name]})")
        return
    try:
        expected = pq.read_table(src)
    except Exception as e:  # noqa: BLE001
        expected, perr = None, e
    if expected is None:
        if out.exists():
            rep.bad(name, f"converted although pyarrow cannot read it ({perr})")
        return
    if not out.exists():
        rep.bad(name, "not converted although pyarrow reads it")
        return
    cat = weft("cat", "--format", "arrow", out)
    if cat.returncode != 0:
        rep.bad(name, f"cat --format arrow exit {cat.returncode}: {cat.stderr}")
        return
    got = ipc.open_stream(pa.py_buffer(cat.stdout)).read_all()
    try:
        assert_tables_match(expected, got, name)
    except AssertionError as e:
        rep.bad(name, f"arrow differs from pyarrow: {e}")
    v = weft("verify", src, out)
    if v.returncode != 0 or not v.stdout.decode().startswith("OK"):
        rep.bad(name, f"verify exit {v.returncode}: {v.stdout.decode()[:800]} {v.stderr}")
    for args in (("inspect",), ("inspect", "--json"), ("inspect", "--check")):
        p = weft(*args, out)
        if p.returncode != 0 or not clean_error(p.stderr):
            rep.bad(name, f"{' '.join(args)} exit {p.returncode}: {p.stderr}")
        elif args[-1] == "--json":
            try:
                json.loads(p.stdout)
            except ValueError as e:
                rep.bad(name, f"inspect --json is not JSON: {e}")
    n = expected.num_rows
    rows = sorted({0, n // 2, n - 1}) if n else []
    for fmt in ("table", "jsonl", "csv"):
        p = weft("head", out, "-n", "5", "--format", fmt)
        if p.returncode != 0 or not clean_error(p.stderr):
            rep.bad(name, f"head --format {fmt} exit {p.returncode}: {p.stderr}")
        if rows:
            p = weft("take", out, "--rows", ",".join(map(str, rows)), "--format", fmt)
            if p.returncode != 0 or not clean_error(p.stderr):
                rep.bad(name, f"take --format {fmt} exit {p.returncode}: {p.stderr}")
    for fmt in ("jsonl", "csv"):
        p = weft("cat", out, "--format", fmt)
        if p.returncode != 0 or not clean_error(p.stderr):
            rep.bad(name, f"cat --format {fmt} exit {p.returncode}: {p.stderr}")
            continue
        lines = p.stdout.decode("utf-8").splitlines()
        want = n + (1 if fmt == "csv" else 0)
        if fmt == "jsonl":
            try:
                recs = [json.loads(l) for l in lines]
                if len(recs) != n:
                    rep.bad(name, f"cat jsonl: {len(recs)} lines for {n} rows")
                elif n and list(recs[0].keys()) != expected.column_names:
                    rep.bad(name, f"cat jsonl keys {list(recs[0].keys())} != {expected.column_names}")
            except ValueError as e:
                rep.bad(name, f"cat jsonl is not JSON: {e}")
        elif fmt == "csv":
            import csv
            csv.field_size_limit(sys.maxsize)
            recs = list(csv.reader(io.StringIO(p.stdout.decode("utf-8"))))
            if len(recs) != want:
                rep.bad(name, f"cat csv: {len(recs)} records for {n} rows + header")
    rep.good(name)


def check_torch(out, rep):
    """One shuffled epoch with num_workers 0 and 2: every column arrives, as a tensor or a list."""
    import torch
    import weft.torch as wt
    name = f"torch {out}"
    meta = pq.read_schema if False else None  # noqa: F841
    code = f"""
import sys, torch, weft.torch as wt
ds = wt.WeftDataset({str(out)!r}, batch_size=64, shuffle=True, drop_last=False)
for k in (0, 2):
    loader = wt.WeftLoader(ds, num_workers=k, timeout=60 if k else 0)
    rows, kinds = 0, {{}}
    for batch in loader:
        for c, v in batch.items():
            kinds[c] = type(v).__name__ + (str(tuple(v.shape)) if torch.is_tensor(v) else '')
        first = next(iter(batch.values()))
        rows += first.shape[0] if torch.is_tensor(first) else len(first) if isinstance(first, list) else len(first['lengths'] if 'lengths' in first else first['offsets']) - ('offsets' in first)
    print(k, rows, kinds)
"""
    try:
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=300, cwd=ROOT)
    except subprocess.TimeoutExpired:
        rep.bad(name, "timed out (hang?)")
        return
    if p.returncode != 0:
        rep.bad(name, f"exit {p.returncode}: {p.stderr.decode()[-2500:]}")
    else:
        rep.good(f"{name}: {p.stdout.decode().strip()}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    ap.add_argument("--only", default="")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--torch-only", action="store_true", help="only the PyTorch pass over converted files")
    ap.add_argument("--gen", default=",".join(GENERATORS))
    args = ap.parse_args()
    base = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="weft-sweep-"))
    src = base / "src"
    src.mkdir(parents=True, exist_ok=True)
    rep = Report()
    for g in args.gen.split(","):
        if not (src / g).exists():  # generated once; delete the folder to make it again
            t0 = time.time()
            try:
                GENERATORS[g](src / g)
            except Exception:  # noqa: BLE001
                rep.bad(f"generator {g}", traceback.format_exc())
            print(f"generated {g} in {time.time() - t0:.1f} s", flush=True)
    dest = base / "weft"
    gens = args.gen.split(",")
    files = sorted(f for g in gens for f in (src / g).rglob("*.parquet") if args.only in str(f)
                   and "hive" not in str(f.relative_to(src)))
    if args.torch_only:
        for f in files:
            out = dest / f.relative_to(src).with_suffix(".weft")
            if out.exists():
                check_torch(out, rep)
        print(f"\n{len(rep.ok)} ok, {len(rep.problems)} problems")
        return 1 if rep.problems else 0
    for g in gens:
        p = weft("convert", src / g, "-o", dest / g, "--keep-going", "--overwrite", "--quiet", timeout=900)
        for line in p.stderr.splitlines():
            if line.strip():
                print("convert:", line)
        if not clean_error(p.stderr.split("\n", 1)[0]) or "\tat " in p.stderr:
            rep.bad(f"convert {g}", p.stderr)
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda f: check_file(f, dest / f.relative_to(src).with_suffix(".weft"), rep), files))
    if not args.no_torch:
        for f in files:
            out = dest / f.relative_to(src).with_suffix(".weft")
            if out.exists():
                check_torch(out, rep)
    print(f"\n{len(rep.ok)} ok, {len(rep.problems)} problems; files in {base}")
    for what, msg in rep.problems:
        print(f"- {what}: {msg.splitlines()[0][:300] if msg else ''}")
    return 1 if rep.problems else 0


if __name__ == "__main__":
    sys.exit(main())
