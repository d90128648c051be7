"""The loader benchmark stays importable and runs (tiny data; no timing asserts)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import loader_bench  # noqa: E402


def test_samples_per_second_for_each_kind(tmp_path):
    data = loader_bench.prepare(tmp_path, rows=3000)
    assert data.weft.is_file() and data.rows == 3000
    for cfg in (loader_bench.BenchConfig("numpy", 0), loader_bench.BenchConfig("torch", 0),
                loader_bench.BenchConfig("weft", 0), loader_bench.BenchConfig("weft", 2, shuffle=False)):
        assert loader_bench.samples_per_second(cfg, data) > 0, cfg
    results = loader_bench.run([loader_bench.BenchConfig("numpy", 0, batch_size=500)], data, repeats=1)
    assert "numpy workers=0" in loader_bench.report(results)
    with pytest.raises(ValueError):
        loader_bench.samples_per_second(loader_bench.BenchConfig("numpy", 2), data)


def test_peers_return_the_rows_asked_for(tmp_path):
    """The per-row peers (pyarrow random access into Parquet, Hugging Face datasets) read the
    right rows, and run in the benchmark loop."""
    import numpy as np
    import pyarrow.parquet as pq

    data = loader_bench.prepare(tmp_path, rows=3000)
    columns = ["f0", "c3", "embedding", "label"]
    table = pq.read_table(data.parquet, columns=columns)
    ids = [5, 2999, 0, 1700, 5]
    got = loader_bench._ParquetRows(data.parquet, columns)[ids]
    for name in ("f0", "c3", "label"):
        np.testing.assert_array_equal(got[name].numpy(), table.column(name).to_numpy()[ids])
    emb = table.column("embedding").combine_chunks().flatten().to_numpy().reshape(-1, 64)
    np.testing.assert_array_equal(got["embedding"].numpy(), emb[ids])

    pytest.importorskip("datasets")
    hf = loader_bench._hf_dataset(data, columns)
    assert float(hf[1700]["f0"]) == pytest.approx(float(table.column("f0")[1700].as_py()))
    assert list(hf[2999]["embedding"].shape) == [64]
    for kind in ("hf", "parquet"):
        cfg = loader_bench.BenchConfig(kind, 0, batch_size=100, columns=columns, max_batches=3)
        assert loader_bench.samples_per_second(cfg, data) > 0, cfg


def test_server_ab_runs_both_builds(tmp_path, capsys):
    import server_ab

    assert server_ab.main(["--a", "this", "--b", "this", "--workers", "0", "--repeats", "1", "--rows", "3000",
                           "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "build A" in out and "build B" in out and "B/A per round" in out
