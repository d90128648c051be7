"""weft convert against pyarrow, the oracle.

Every file of ../shared/testdata/parquet-testing/data and ../shared/testdata/hyparquet is
converted with the real launcher (`bin/weft convert`, one call per directory, --keep-going), read
back with `bin/weft cat --format arrow` (an Arrow IPC stream) and compared with what pyarrow
reads from the same Parquet file: schema (names, types, nullability, field metadata), values,
nulls and nested structure. Files pyarrow cannot read, and encrypted files, must be refused with
one clean line and exit status 2; so must every file of parquet-testing/bad_data.

Documented differences are normalized before comparing: pyarrow's dictionary types are
compared as their value types (Weft stores decoded values), view types as their plain
counterparts (Weft 1.0 has none), and map entry fields without their names (Arrow IPC readers
rename them to "entries").
"""

import math
from decimal import Decimal
import os
import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

from conftest import TESTDATA, run_weft, short_run_opts

# Expands to a string column of more than 2 GB: refused within a 512m memory budget.
REFUSED_WITHIN_BUDGET = {"large_string_map.brotli.parquet"}
DIRS = ["parquet-testing/data", "hyparquet"]
PARALLEL = max(2, min(4, os.cpu_count() or 2))


# --------------------------------------------------------------------------------------------
# comparison helpers


def _is(predicate, t):
    f = getattr(pa.types, predicate, None)  # older pyarrow has no view types
    return f is not None and f(t)


def norm_type(t):
    if pa.types.is_dictionary(t):
        return norm_type(t.value_type)
    # Weft 1.0 has no view types: they are read as their plain counterparts
    if _is("is_string_view", t):
        return pa.string()
    if _is("is_binary_view", t):
        return pa.binary()
    if _is("is_list_view", t):
        return pa.list_(norm_field(t.value_field))
    if _is("is_large_list_view", t):
        return pa.large_list(norm_field(t.value_field))
    if pa.types.is_map(t):
        return pa.map_(norm_field(t.key_field), norm_field(t.item_field), t.keys_sorted)
    if pa.types.is_struct(t):
        return pa.struct([norm_field(f) for f in t])
    if pa.types.is_large_list(t):
        return pa.large_list(norm_field(t.value_field))
    if pa.types.is_fixed_size_list(t):
        return pa.list_(norm_field(t.value_field), t.list_size)
    if pa.types.is_list(t):
        return pa.list_(norm_field(t.value_field))
    return t


def norm_field(f):
    return pa.field(f.name, norm_type(f.type), f.nullable, f.metadata)


def norm_schema(s):
    return pa.schema([norm_field(f) for f in s])


def values_equal(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    return a == b


def pylist(col):
    t = col.type
    if pa.types.is_timestamp(t) or pa.types.is_duration(t) or pa.types.is_time64(t) or pa.types.is_date64(t):
        col = col.cast(pa.int64())
    elif pa.types.is_time32(t) or pa.types.is_date32(t):
        col = col.cast(pa.int32())
    return col.to_pylist()


def first_difference(expected, got):
    for name in expected.column_names:
        if expected.column(name).equals(got.column(name)):
            continue
        e = pylist(expected.column(name))
        g = pylist(got.column(name))
        for i, (x, y) in enumerate(zip(e, g)):
            if not values_equal(x, y):
                return f"row {i}, column {name}: pyarrow {x!r:.200} != weft {y!r:.200}"
    return None


def assert_tables_match(expected, got, what):
    assert norm_schema(got.schema) == norm_schema(expected.schema), (
        f"{what}: schema differs\n pyarrow: {norm_schema(expected.schema)}\n weft:    {norm_schema(got.schema)}")
    for fe, fg in zip(expected.schema, got.schema):
        assert (fe.metadata or {}) == (fg.metadata or {}), f"{what}: metadata of {fe.name} differs"
    assert got.num_rows == expected.num_rows, f"{what}: {got.num_rows} rows, pyarrow reads {expected.num_rows}"
    if not expected.equals(got):
        diff = first_difference(expected, got)
        assert diff is None, f"{what}: {diff}"


_OPTS = {}


def weft_cat(path):
    proc = run_weft("cat", "--format", "arrow", path, timeout=120, java_opts=_OPTS.get("short"))
    assert proc.returncode == 0, f"weft cat {path} exited {proc.returncode}: {proc.stderr}"
    return ipc.open_stream(pa.py_buffer(proc.stdout)).read_all()


def pyarrow_reads(path):
    """The table pyarrow reads, or the exception it raises."""
    try:
        return pq.read_table(path), None
    except Exception as e:  # noqa: BLE001 - any failure means "pyarrow cannot read it"
        return None, e


def assert_clean_error(stderr, path):
    lines = [l for l in stderr.splitlines() if str(path) in l]
    assert lines, f"no error line names {path}:\n{stderr}"
    for line in lines:
        assert line.startswith("weft convert: "), line
    assert "Exception" not in stderr and "\tat " not in stderr, f"stack trace or exception name:\n{stderr}"


# --------------------------------------------------------------------------------------------
# conversions (one launcher call per directory)


@pytest.fixture(scope="session")
def converted(testdata, tmp_path_factory):
    """{directory: (output dir, stderr of the conversion)}."""
    out = {}
    for d in DIRS:
        dest = tmp_path_factory.mktemp(d.replace("/", "_"))
        # a fixed budget (the default, auto, grows with the machine's memory): REFUSED_WITHIN_BUDGET
        # holds for 512m on any machine
        proc = run_weft("convert", testdata / d, "-o", dest, "--keep-going", "--threads", "2", "--quiet",
                        "--memory-budget", "512m", timeout=600)
        assert proc.returncode in (0, 2), proc.stderr
        out[d] = (dest, proc.stderr)
    # the ~140 `weft cat` runs below: make JVM start-up cheaper (class-data sharing, C1 only)
    sample = next(iter(sorted(out[DIRS[0]][0].rglob("*.weft"))), None)
    _OPTS["short"] = short_run_opts(tmp_path_factory.mktemp("jvm"),
                                    ("cat", "--format", "arrow", sample) if sample else ("--version",))
    return out


def parquet_files(d):
    base = TESTDATA / d
    if not base.is_dir():
        return []
    return sorted(p.relative_to(TESTDATA).as_posix() for p in base.rglob("*.parquet"))


ALL_FILES = [f for d in DIRS for f in parquet_files(d)]


def test_every_directory_file_is_accounted_for(converted):
    for d in DIRS:
        dest, stderr = converted[d]
        for line in stderr.splitlines():
            assert line.startswith("weft convert: "), f"unexpected stderr line: {line}"


@pytest.fixture(scope="session")
def comparisons(converted):
    """Runs the per-file comparison of every file, PARALLEL at a time (one JVM per weft cat)."""

    def one(rel):
        d = next(x for x in DIRS if rel.startswith(x + "/"))
        dest, stderr = converted[d]
        src = TESTDATA / rel
        out = dest / Path(rel).relative_to(d).with_suffix(".weft")
        name = Path(rel).name
        try:
            if name in REFUSED_WITHIN_BUDGET:
                assert not out.exists(), f"{rel}: converted although it cannot fit a 512m memory budget"
                assert_clean_error(stderr, src)
                assert "memory budget" in stderr, stderr
                return rel, None
            expected, error = pyarrow_reads(src)
            if error is not None:
                assert not out.exists(), f"{rel}: pyarrow cannot read it ({error}), but weft converted it"
                assert_clean_error(stderr, src)
                return rel, None
            assert out.exists(), f"{rel}: not converted although pyarrow reads it; stderr:\n{stderr}"
            got = weft_cat(out)
            assert_tables_match(expected, got, rel)
            return rel, None
        except AssertionError as e:
            return rel, str(e)

    with ThreadPoolExecutor(PARALLEL) as pool:
        return dict(pool.map(one, ALL_FILES))


@pytest.mark.parametrize("rel", ALL_FILES)
def test_file_matches_pyarrow(rel, comparisons):
    problem = comparisons[rel]
    assert problem is None, problem


# --------------------------------------------------------------------------------------------
# refusals


def test_encrypted_files_are_refused(testdata, tmp_path):
    files = sorted(testdata.glob("parquet-testing/data/**/*.parquet.encrypted"))
    assert files, "no encrypted test files"
    t0 = time.monotonic()
    proc = run_weft("convert", *files, "-o", tmp_path / "out", "--keep-going", timeout=120)
    assert proc.returncode == 2
    for f in files:
        line = [l for l in proc.stderr.splitlines() if str(f) in l]
        assert len(line) == 1, proc.stderr
        assert "encrypted" in line[0], line[0]
    assert "Exception" not in proc.stderr and "\tat " not in proc.stderr
    assert not list((tmp_path / "out").rglob("*.weft")) if (tmp_path / "out").exists() else True
    assert time.monotonic() - t0 < 60


def test_bad_data_is_refused_quickly_and_cleanly(testdata, tmp_path):
    files = sorted((testdata / "parquet-testing/bad_data").glob("*.parquet"))
    assert files
    for f in files:
        t0 = time.monotonic()
        proc = run_weft("convert", f, "-o", tmp_path / (f.stem + ".weft"), timeout=60)
        took = time.monotonic() - t0
        expected, error = pyarrow_reads(f)
        if error is None:
            # pyarrow reads a few of them (e.g. ARROW-GH-43605); then weft must agree with it
            assert proc.returncode == 0, f"{f.name}: pyarrow reads it but weft refused: {proc.stderr}"
            assert_tables_match(expected, weft_cat(tmp_path / (f.stem + ".weft")), f.name)
            continue
        assert proc.returncode == 2, f"{f.name}: exit {proc.returncode}, stderr {proc.stderr}"
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, f"{f.name}: expected one line, got:\n{proc.stderr}"
        assert lines[0].startswith("weft convert: ") and f.name in lines[0], lines[0]
        assert "Exception" not in lines[0] and "OutOfMemory" not in lines[0], lines[0]
        assert not (tmp_path / (f.stem + ".weft")).exists()
        assert took < 30, f"{f.name}: took {took:.1f} s"


# --------------------------------------------------------------------------------------------
# types the test files lack: written here with pyarrow


def all_types_table():
    n = 300
    rng = list(range(n))
    def nulls(vals, every=7):
        return [None if i % every == 3 else v for i, v in zip(rng, vals)]
    return pa.table({
        "b": pa.array(nulls([i % 2 == 0 for i in rng]), pa.bool_()),
        "i8": pa.array(nulls([(i % 250) - 125 for i in rng]), pa.int8()),
        "u16": pa.array(nulls([i * 200 % 65536 for i in rng]), pa.uint16()),
        "u32": pa.array(nulls([i * 7_000_000 % 2**32 for i in rng]), pa.uint32()),
        "u64": pa.array(nulls([2**64 - 1 - i for i in rng]), pa.uint64()),
        "f16": pa.array(nulls([float(i) / 4 for i in rng]), pa.float32()).cast(pa.float16()),
        "f64": pa.array(nulls([float("nan") if i == 5 else i * 0.5 for i in rng]), pa.float64()),
        "d32": pa.array(nulls([19000 + i for i in rng]), pa.date32()),
        "t32": pa.array(nulls([i * 1000 for i in rng]), pa.time32("ms")),
        "t64": pa.array(nulls([i * 1_000_000 for i in rng]), pa.time64("ns")),
        "ts_tz": pa.array(nulls([1_700_000_000_000_000 + i for i in rng]), pa.timestamp("us", tz="Europe/Paris")),
        "ts_ns": pa.array(nulls([1_700_000_000_000_000_000 + i for i in rng]), pa.timestamp("ns")),
        "dur": pa.array(nulls([i * 17 for i in rng]), pa.duration("ms")),
        "dec": pa.array(nulls([Decimal(i * 12345).scaleb(-3) for i in rng]), pa.decimal128(20, 3)),
        "dec256": pa.array(nulls([Decimal(10**45 + i) for i in rng]), pa.decimal256(50, 0)),
        "s": pa.array(nulls([f"value {i}" * (i % 4) for i in rng])),
        "ls": pa.array(nulls([f"large {i}" for i in rng]), pa.large_string()),
        "bin": pa.array(nulls([bytes([i % 256]) * (i % 5) for i in rng]), pa.binary()),
        "fsb": pa.array(nulls([bytes([i % 256]) * 3 for i in rng]), pa.binary(3)),
        "dict": pa.array(nulls([f"cat{i % 5}" for i in rng])).dictionary_encode(),
        "lst": pa.array(nulls([[j for j in range(i % 4)] if i % 5 else None for i in rng]), pa.list_(pa.int32())),
        "llst": pa.array(nulls([[str(j) for j in range(i % 3)] for i in rng]), pa.large_list(pa.string())),
        # no null lists: pyarrow cannot read those back from Parquet as fixed_size_list
        "emb": pa.array([[float(i), float(i) + 1, None if i % 11 == 0 else 2.0] for i in rng],
                        pa.list_(pa.float32(), 3)),
        "st": pa.array(nulls([{"x": i, "y": None if i % 6 == 0 else f"y{i}", "z": [i, i]} for i in rng]),
                       pa.struct([("x", pa.int64()), ("y", pa.string()), ("z", pa.list_(pa.int16()))])),
        "mp": pa.array(nulls([[(f"k{j}", None if j == 1 else j) for j in range(i % 3)] for i in rng]),
                       pa.map_(pa.string(), pa.int64())),
        "js": pa.array(nulls([f'{{"k": {i}}}' for i in rng]), pa.json_(pa.utf8())),
        "uuid": pa.array(nulls([i.to_bytes(16, "big") for i in rng]), pa.uuid()),
        "nested": pa.array(nulls([[[{"a": [j, None]}] * (j % 2) for j in range(i % 3)] for i in rng]),
                           pa.list_(pa.list_(pa.struct([("a", pa.list_(pa.int64()))])))),
    })


def test_all_arrow_types_round_trip(tmp_path):
    table = all_types_table()
    src = tmp_path / "all_types.parquet"
    pq.write_table(table, src, row_group_size=128)  # three row groups
    out = tmp_path / "all_types.weft"
    proc = run_weft("convert", src, "-o", out, "--memory-budget", "64m", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert_tables_match(pq.read_table(src), weft_cat(out), "all_types.parquet")
    verify = run_weft("verify", src, out, timeout=120)
    assert verify.returncode == 0, verify.stdout.decode() + verify.stderr
    assert verify.stdout.decode().startswith("OK")


def test_hive_partitions_match_pyarrow_dataset(tmp_path):
    import pyarrow.dataset as ds
    root = tmp_path / "events"
    for year in (2023, 2024):
        for country in ("fr", "us"):
            d = root / f"year={year}" / f"country={country}"
            d.mkdir(parents=True)
            n = 50 + year % 10
            pq.write_table(pa.table({"id": list(range(n)), "v": [float(i) / 3 for i in range(n)]}),
                           d / "part-0.parquet")
    (root / "_SUCCESS").write_text("")
    out = tmp_path / "events.weft"
    proc = run_weft("convert", root, "-o", out, timeout=120)
    assert proc.returncode == 0, proc.stderr
    expected = ds.dataset(root, format="parquet", partitioning="hive").to_table()
    got = weft_cat(out)
    assert got.schema.names == ["id", "v", "year", "country"]
    assert got.schema.field("year").type == expected.schema.field("year").type == pa.int32()
    assert got.schema.field("country").type == expected.schema.field("country").type
    key = [("year", "ascending"), ("country", "ascending"), ("id", "ascending")]
    assert got.sort_by(key).equals(expected.select(got.schema.names).sort_by(key))
