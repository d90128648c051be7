"""Parquet shapes from writers and options the shared test data lacks (found by
sweep_newcomer.py): each file is built here, converted with the real launcher and compared with
what pyarrow reads (through `weft cat --format arrow`), or must be refused with one clear line.
"""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import run_weft
from test_convert_matches_pyarrow import assert_tables_match, weft_cat


def convert_and_match(src, tmp_path, *extra):
    out = tmp_path / (src.stem + ".weft")
    proc = run_weft("convert", src, "-o", out, "--quiet", *extra, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert_tables_match(pq.read_table(src), weft_cat(out), src.name)
    verify = run_weft("verify", src, out, timeout=120)
    assert verify.returncode == 0 and verify.stdout.decode().startswith("OK"), verify.stdout.decode() + verify.stderr
    return out


@pytest.mark.parametrize("page_version", ["1.0", "2.0"])
def test_empty_data_pages_are_skipped(tmp_path, page_version):
    # pyarrow writes a data page of 0 values into this list column (tiny pages, one value per
    # write batch, dictionary encoded); parquet-java's column reader failed on it with "Reading
    # past RLE/BitPacking stream", pyarrow skips it
    t = pa.table({"lst": pa.array([list(range(i % 5)) for i in range(40)], pa.list_(pa.int32())),
                  "s": pa.array([None if i % 4 == 0 else f"v{i % 3}" for i in range(40)]),
                  "i": pa.array(range(40), pa.int64())})
    src = tmp_path / "tiny_pages.parquet"
    pq.write_table(t, src, data_page_size=1, write_batch_size=1, data_page_version=page_version)
    convert_and_match(src, tmp_path)


def test_duplicate_column_names_are_refused_clearly(tmp_path):
    src = tmp_path / "dup.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array([1, 2]), pa.array(["a", "b"])], names=["dup", "dup"]), src)
    nested = tmp_path / "dup_nested.parquet"
    pq.write_table(pa.table({"s": pa.StructArray.from_arrays([pa.array([1]), pa.array([2])], names=["x", "x"])}),
                   nested)
    for f, name in ((src, "'dup'"), (nested, "'s.x'")):
        proc = run_weft("convert", f, "-o", tmp_path / (f.stem + ".weft"), timeout=60)
        assert proc.returncode == 2, proc.stderr
        # (the launcher's one-time "building the CLI" notice after a source change is not the command's)
        lines = [l for l in proc.stderr.strip().splitlines() if not l.startswith("weft: building the CLI")]
        assert len(lines) == 1 and str(f) in lines[0] and f"duplicate column name {name}" in lines[0], proc.stderr
        assert not (tmp_path / (f.stem + ".weft")).exists()


def test_names_differing_in_case_and_awkward_names_convert(tmp_path):
    src = tmp_path / "names.parquet"
    pq.write_table(pa.table({"a b": [1, 2], "c.d": [3, 4], "ünï©ødé 名前": ["x", "y"], "e,f": [5, 6],
                             "Case": [1, 2], "case": [3, 4], "": [7, 8], "quote\"d": [1, 1], " lead": [0, 1]}), src)
    out = convert_and_match(src, tmp_path)
    proc = run_weft("head", out, "--columns", "c.d,Case,ünï©ødé 名前", "--format", "jsonl", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().splitlines()[0] == '{"c.d": 3, "Case": 1, "ünï©ødé 名前": "x"}'
    # a name with a comma in double quotes; a name with a leading blank as it is
    proc = run_weft("head", out, "--columns", '"e,f", lead', "--format", "jsonl", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().splitlines()[0] == '{"e,f": 5, " lead": 0}'
    sub = tmp_path / "sub.weft"
    proc = run_weft("convert", src, "-o", sub, "--columns", '"e,f",a b', "--quiet", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert weft_cat(sub).column_names == ["e,f", "a b"]
    proc = run_weft("convert", src, "-o", tmp_path / "x.weft", "--columns", "CASE", timeout=60)
    assert proc.returncode == 2
    assert "no column named 'CASE' (did you mean 'Case'? 9 columns: 'a b', c.d," in proc.stderr, proc.stderr


def test_pandas_categoricals_read_as_pyarrow_reads_them(tmp_path):
    pd = pytest.importorskip("pandas")
    n = 50
    df = pd.DataFrame({"cat": pd.Categorical([["red", "green", "blue"][i % 3] for i in range(n)]),
                       "cat_int": pd.Categorical([i % 4 for i in range(n)]),
                       "s": pd.array([None if i % 6 == 0 else f"s{i}" for i in range(n)], dtype="string")},
                      index=pd.Index([f"row{i}" for i in range(n)], name="key"))
    src = tmp_path / "pandas.parquet"
    df.to_parquet(src)
    # pandas stores the categorical as dictionary<values=large_string> in ARROW:schema; Arrow C++
    # restores no large type under a dictionary: pyarrow reads dictionary<string>, Weft string
    assert pq.read_schema(src).field("cat").type.value_type == pa.string()
    out = convert_and_match(src, tmp_path)
    got = weft_cat(out)
    assert got.schema.field("cat").type == pa.string()
    # the Arrow stream carries the schema metadata (pandas' index and dtypes), as pyarrow's read does
    assert got.schema.metadata == pq.read_table(src).schema.metadata
    back = got.to_pandas()
    assert back.index.name == "key" and list(back.index[:2]) == ["row0", "row1"]
    assert str(back["s"].dtype) == str(df["s"].dtype) and back["s"].isna().sum() == df["s"].isna().sum()
    # a projection keeps it too; JSON Lines and CSV have no place for it
    proj = run_weft("head", out, "-n", "3", "--columns", "cat,key", "--format", "arrow", timeout=60)
    assert proj.returncode == 0, proj.stderr
    assert b"pandas" in pa.ipc.open_stream(proj.stdout).schema.metadata


def test_a_table_without_columns_is_refused_clearly(tmp_path):
    src = tmp_path / "nocols.parquet"
    pq.write_table(pa.table({}), src)
    proc = run_weft("convert", src, "-o", tmp_path / "nocols.weft", timeout=60)
    assert proc.returncode == 2
    lines = [l for l in proc.stderr.strip().splitlines() if not l.startswith("weft: building the CLI")]
    assert lines == [f"weft convert: {src}: has no columns (0 rows): nothing to convert"], proc.stderr


def test_extreme_values_and_invalid_utf8_round_trip(tmp_path):
    import datetime as dt
    from decimal import Decimal
    f = [0.0, -0.0, float("nan"), float("inf"), float("-inf"), 5e-324, 1.7976931348623157e308, None]
    t = pa.table({
        "f64": pa.array(f, pa.float64()), "f32": pa.array(f, pa.float32()),
        "i64": pa.array([-2**63, 2**63 - 1, 0, -1, 1, None, 7, 8], pa.int64()),
        "u64": pa.array([0, 2**64 - 1, 2**63, 1, None, 5, 6, 7], pa.uint64()),
        "d38": pa.array([Decimal("-" + "9" * 38), Decimal("9" * 38)] + [Decimal(i) for i in range(6)], pa.decimal128(38, 0)),
        "d76": pa.array([Decimal("-" + "9" * 76), Decimal("9" * 76)] + [None] * 6, pa.decimal256(76, 0)),
        "ts": pa.array([dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59, 999999)] + [None] * 6,
                       pa.timestamp("us")),
        "d32": pa.array([-719162, 2932896, 0, -1, None, 1, 2, 3], pa.date32()),
    })
    src = tmp_path / "extremes.parquet"
    pq.write_table(t, src, row_group_size=5)
    convert_and_match(src, tmp_path)
    b = pa.array([b"ok", b"\xff\xfe bad", b"\xc3", None], pa.binary())
    bad = pa.Array.from_buffers(pa.string(), len(b), b.buffers(), null_count=b.null_count)
    src = tmp_path / "invalid_utf8.parquet"
    pq.write_table(pa.table({"s": bad}), src)
    out = convert_and_match(src, tmp_path)  # the bytes, unchanged, in the Arrow stream
    for fmt in ("jsonl", "csv", "table"):
        proc = run_weft("cat", out, "--format", fmt, timeout=60)
        assert proc.returncode == 0 and "\ufffd bad" in proc.stdout.decode("utf-8"), (fmt, proc.stderr)


def test_arrow_ipc_inputs_say_how_to_get_parquet(tmp_path):
    # what a Hugging Face `datasets` user has after save_to_disk (an Arrow stream) or Feather gives
    import pyarrow.feather as feather
    t = pa.table({"a": [1, 2, 3]})
    saved = tmp_path / "saved"
    saved.mkdir()
    with pa.ipc.new_stream(saved / "data-00000-of-00001.arrow", t.schema) as w:
        w.write_table(t)
    feather.write_feather(t, tmp_path / "t.feather")
    cases = [(saved / "data-00000-of-00001.arrow", "it is an Arrow IPC stream: weft convert reads Parquet"),
             (tmp_path / "t.feather", "it is an Arrow IPC file: weft convert reads Parquet"),
             (saved, "no Parquet files (*.parquet, *.parq, *.pq) in this directory or below it; it holds Arrow IPC files")]
    for src, expected in cases:
        proc = run_weft("convert", src, "-o", tmp_path / "out.weft", timeout=60)
        assert proc.returncode == 2
        lines = [l for l in proc.stderr.strip().splitlines() if not l.startswith("weft: building the CLI")]
        assert len(lines) == 1 and expected in lines[0] and "Dataset.to_parquet" in lines[0], proc.stderr


def test_a_corrupt_page_header_names_its_row_group(tmp_path):
    import numpy as np
    t = pa.table({"x": np.arange(20000), "y": np.random.default_rng(0).random(20000)})
    src = tmp_path / "broken.parquet"
    pq.write_table(t, src, row_group_size=5000)
    data = bytearray(src.read_bytes())
    at = pq.ParquetFile(src).metadata.row_group(2).column(1).data_page_offset
    data[at:at + 200] = b"\x55" * 200  # the page header and the start of its page
    src.write_bytes(bytes(data))
    proc = run_weft("convert", src, "-o", tmp_path / "broken.weft", timeout=60)
    assert proc.returncode == 2
    lines = [l for l in proc.stderr.strip().splitlines() if not l.startswith("weft: building the CLI")]
    # was "in row group 1: Socket is closed by peer." (parquet-java's Thrift transport, the wrong group)
    assert lines == [f"weft convert: {src}: corrupt or unsupported Parquet data in row group 2: a page header does"
                     " not decode (corrupt or truncated column chunk)"], proc.stderr


def test_decoder_failures_in_delta_pages_are_plain_words(tmp_path):
    # DELTA_BINARY_PACKED pages (DuckDB's and pyarrow's v2 files) are decoded by parquet-java,
    # whose decoders meet corrupt bytes with index or end-of-data errors: the line says which
    # column and row group, in words, and no Java class name
    import random
    t = pa.table({"d": pa.array([None if i % 3 == 0 else i * 7 for i in range(20000)], pa.int64())})
    src = tmp_path / "delta.parquet"
    pq.write_table(t, src, compression="none", use_dictionary=False, data_page_version="2.0",
                   column_encoding={"d": "DELTA_BINARY_PACKED"}, row_group_size=10000)
    base = src.read_bytes()
    md = pq.ParquetFile(src).metadata
    rnd = random.Random(3)
    seen = set()
    for k in range(12):
        data = bytearray(base)
        at = md.row_group(k % 2).column(0).data_page_offset + rnd.randrange(20, 120)
        for i in range(at, at + rnd.choice([1, 4, 16])):
            data[i] ^= rnd.randrange(1, 256)
        bad = tmp_path / f"bad{k}.parquet"
        bad.write_bytes(bytes(data))
        proc = run_weft("convert", bad, "-o", tmp_path / f"bad{k}.weft", timeout=60)
        assert proc.returncode in (0, 2), proc.stderr
        lines = [l for l in proc.stderr.strip().splitlines() if l and not l.startswith("weft: building the CLI")]
        assert len(lines) <= 1, proc.stderr
        if lines:
            assert "Exception" not in lines[0] and "\tat " not in proc.stderr, lines[0]
            assert lines[0].startswith(f"weft convert: {bad}: corrupt"), lines[0]
            seen.add(lines[0].split(": ", 2)[2])
    assert seen, "no variant failed: the flips missed the pages"
