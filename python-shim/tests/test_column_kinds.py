"""Columns as other writers make them (pandas nullable dtypes, Hugging Face `datasets` ArrayND
features, nested fixed-size lists), through `record_batch_to_tensors` and a real loader server."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch

import weft.torch as wt
from conftest import convert

HF_2D = {b"ARROW:extension:name": b"datasets.features.features.Array2DExtensionType",
         b"ARROW:extension:metadata": json.dumps([[3, 4], "float32"]).encode()}


def _batch() -> pa.RecordBatch:
    n = 6
    mat = pa.array([(np.arange(12, dtype=np.float32).reshape(3, 4) + i).tolist() for i in range(n)],
                   pa.list_(pa.list_(pa.float32())))
    fsl = pa.array([[[i, 2], [3, 4], [5, 6]] for i in range(n)], pa.list_(pa.list_(pa.int16(), 2), 3))
    return pa.record_batch(
        [pa.array([True, None, False, True, None, False]), mat, fsl, mat,
         pa.array([1, None, 3, 4, 5, 6], pa.int64())],
        schema=pa.schema([pa.field("flag", pa.bool_()), pa.field("mat", mat.type, metadata=HF_2D),
                          pa.field("fsl", fsl.type), pa.field("ragged", mat.type), pa.field("n", pa.int64())]))


def test_nullable_booleans_become_float_with_nan():
    # pandas' "boolean" dtype with NA: numpy made an object array that torch.from_numpy refused
    out = wt.record_batch_to_tensors(_batch())
    flag = out["flag"]
    assert flag.dtype == torch.float64
    assert flag[0] == 1 and flag[2] == 0 and torch.isnan(flag[1]) and torch.isnan(flag[4])


def test_declared_and_fixed_shapes_become_nd_tensors():
    rb = _batch().slice(1)  # a slice: the views must start at the right row
    out = wt.record_batch_to_tensors(rb)
    assert out["mat"].shape == (5, 3, 4) and out["mat"].dtype == torch.float32
    assert torch.equal(out["mat"][0], torch.arange(12, dtype=torch.float32).reshape(3, 4) + 1)
    assert out["fsl"].shape == (5, 3, 2) and out["fsl"].dtype == torch.int16
    assert out["fsl"][:, 0, 0].tolist() == [1, 2, 3, 4, 5]
    # the same nested lists without a declared shape stay Python lists (their shape may vary)
    assert isinstance(out["ragged"], list) and out["ragged"][0][0] == [1.0, 2.0, 3.0, 4.0]


def test_registered_hf_extension_types_become_nd_tensors_too():
    # with `datasets` imported, pyarrow reads the column as HF's Array2DExtensionType, not as
    # nested lists with field metadata
    features = pytest.importorskip("datasets.features.features")
    storage = _batch().column(1)
    ext = pa.ExtensionArray.from_storage(features.Array2DExtensionType((3, 4), "float32"), storage)
    out = wt.record_batch_to_tensors(pa.record_batch([ext], names=["mat"]).slice(2))
    assert out["mat"].shape == (4, 3, 4)
    assert torch.equal(out["mat"][0], torch.arange(12, dtype=torch.float32).reshape(3, 4) + 2)


def test_declared_shape_that_the_data_breaks_falls_back_to_lists():
    bad = pa.array([[[1.0] * 4] * 3, [[1.0] * 5, [1.0] * 4, [1.0] * 3]], pa.list_(pa.list_(pa.float32())))
    rb = pa.record_batch([bad], schema=pa.schema([pa.field("mat", bad.type, metadata=HF_2D)]))
    assert isinstance(wt.record_batch_to_tensors(rb)["mat"], list)


def test_invalid_utf8_in_a_string_column_becomes_replacement_characters():
    b = pa.array([b"ok", b"\xff\xfe bad", None], pa.binary())
    for string_type in (pa.string(), pa.large_string()):
        binary = b.cast(pa.large_binary()) if string_type == pa.large_string() else b
        bad = pa.Array.from_buffers(string_type, len(b), binary.buffers(), null_count=b.null_count)
        out = wt.record_batch_to_tensors(pa.record_batch([bad], names=["s"]))
        assert out["s"] == ["ok", "\ufffd\ufffd bad", None]


def test_a_conversion_failure_names_the_column(monkeypatch):
    def boom(*a, **k):
        raise ValueError("no way")

    monkeypatch.setattr(wt, "_column_to_torch", boom)
    with pytest.raises(TypeError, match=r"column 'flag' of type bool cannot be converted for torch: no way"):
        wt.record_batch_to_tensors(_batch())


@pytest.mark.parametrize("num_workers", [0, 2])
def test_other_writers_columns_through_the_loader(tmp_path, num_workers):
    pd = pytest.importorskip("pandas")
    n = 300
    df = pd.DataFrame({
        "flag": pd.array([None if i % 4 == 0 else i % 2 == 0 for i in range(n)], dtype="boolean"),
        "count": pd.array([None if i % 5 == 0 else i for i in range(n)], dtype="Int64"),
        "cat": pd.Categorical([["red", "green", "blue"][i % 3] for i in range(n)]),
    }, index=pd.Index([f"row{i}" for i in range(n)], name="key"))
    table = pa.Table.from_pandas(df)
    mat = pa.array([np.full((3, 4), i, np.float32).tolist() for i in range(n)], pa.list_(pa.list_(pa.float32())))
    table = table.append_column(pa.field("mat", mat.type, metadata=HF_2D), mat)
    pq.write_table(table, tmp_path / "t.parquet")
    convert(tmp_path / "t.parquet", tmp_path / "t.weft")
    ds = wt.WeftDataset(tmp_path / "t.weft", batch_size=60, shuffle=True)  # 5 whole batches
    seen = 0
    for batch in wt.WeftLoader(ds, num_workers=num_workers, timeout=120 if num_workers else 0):
        flag, count, mat_t = batch["flag"], batch["count"], batch["mat"]
        assert flag.dtype == torch.float64 and count.dtype == torch.float64
        assert mat_t.shape == (len(batch["key"]), 3, 4)
        rows = [int(k[3:]) for k in batch["key"]]
        for j, r in enumerate(rows):
            assert (torch.isnan(flag[j]) if r % 4 == 0 else flag[j] == (r % 2 == 0))
            assert (torch.isnan(count[j]) if r % 5 == 0 else count[j] == r)
            assert torch.all(mat_t[j] == r)
        assert batch["cat"] == [["red", "green", "blue"][r % 3] for r in rows]
        seen += len(rows)
    assert seen == n  # (drop_last=False would pad the last batch with rows from the start)


def test_parquet_given_where_weft_belongs_says_convert_first(tmp_path):
    pq.write_table(pa.table({"a": [1, 2]}), tmp_path / "t.parquet")
    with pytest.raises(ValueError, match=r"t\.parquet is a Parquet file, not a Weft file \(convert it first"):
        wt.WeftDataset(tmp_path / "t.parquet")
    with pytest.raises(ValueError, match=r"holds Parquet files and no \.weft files \(convert it first"):
        wt.WeftDataset(tmp_path)


def test_server_start_errors_keep_the_error_line_without_jvm_noise(tmp_path):
    from weft._server import _start_error_text
    err = ("WARNING: Using incubator modules: jdk.incubator.vector\nSLF4J(W): No SLF4J providers were found.\n"
           "error: cannot open the dataset: schema mismatch\n")
    assert _start_error_text(err) == "error: cannot open the dataset: schema mismatch"
