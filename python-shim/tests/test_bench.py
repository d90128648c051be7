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
