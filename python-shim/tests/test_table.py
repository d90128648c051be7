"""weft.read_table and weft.convert."""

from __future__ import annotations

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import weft
from conftest import make_table


def test_read_table_equals_the_source(weft_file):
    src = make_table()
    t = weft.read_table(weft_file, batch_rows=300)  # 7 batches, the last one trimmed
    assert t.equals(src)
    p = weft.read_table(weft_file, columns=["name", "id"], where=pc.field("id") < 10)
    assert p.column_names == ["name", "id"] and p.column("id").to_pylist() == list(range(10))


def test_convert(tmp_path):
    pq.write_table(make_table(100), tmp_path / "s.parquet")
    weft.convert(tmp_path / "s.parquet", tmp_path / "s.weft")
    with pytest.raises(RuntimeError, match="weft convert failed"):
        weft.convert(tmp_path / "missing.parquet", tmp_path / "m.weft")


def test_read_table_pushes_a_text_predicate_down(weft_file, tmp_path):
    src = make_table()
    t = weft.read_table(weft_file, columns=["name", "id"], where="id < 10 AND id != 3")
    expected = src.select(["name", "id"]).filter((pc.field("id") < 10) & (pc.field("id") != 3))
    assert t.equals(expected)
    # a directory: its .weft files in path order, each filtered
    d = tmp_path / "ds"
    d.mkdir()
    for name in ("b.weft", "a.weft"):
        (d / name).symlink_to(weft_file)
    both = weft.read_table(d, columns=["id"], where="id IN (1, 2)")
    assert both.column("id").to_pylist() == [1, 2, 1, 2]
    with pytest.raises(ValueError, match="nope"):
        weft.read_table(weft_file, where="nope = 1")


def test_read_table_keeps_the_schema_metadata(tmp_path):
    # pandas writes its index and dtypes into the schema metadata; the loader server's stream
    # once dropped it, so to_pandas() lost the index (the text-predicate path kept it)
    import pandas as pd
    import pyarrow as pa

    df = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}, index=pd.Index([10, 20, 30], name="idx"))
    t = pa.Table.from_pandas(df)
    t = t.replace_schema_metadata({**t.schema.metadata, b"source": b"test"})
    pq.write_table(t, tmp_path / "md.parquet")
    weft.convert(tmp_path / "md.parquet", tmp_path / "md.weft")
    for where in (None, "a >= 1"):
        r = weft.read_table(tmp_path / "md.weft", where=where)
        assert r.schema.metadata[b"source"] == b"test", where
        assert r.schema.metadata[b"pandas"] == t.schema.metadata[b"pandas"], where
        pd.testing.assert_frame_equal(r.to_pandas(), df)
    projected = weft.read_table(tmp_path / "md.weft", columns=["b"])
    assert projected.schema.metadata[b"source"] == b"test"
    assert projected.column_names == ["b"]
