"""Tests of the benchmark harness's Python side, and of the whole pipeline in quick mode.

Run by bin/test after `mvn verify` (which builds benchmarks/target), in the repository's .venv:
    .venv/bin/python -m pytest -q benchmarks/python/tests
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1]))

from weftbench import prepare, pyside, report, run  # noqa: E402
from weftbench.common import BENCH_DIR, REPO, check_ids, row_ids  # noqa: E402

FLIGHTS = REPO.parent / "shared" / "testdata" / "real" / "flights-3m.parquet"


def test_row_ids_are_the_ones_java_computes():
    # the same values as BenchMainTest.rowIdsAreUniformAndTheSameAsThePythonSide
    assert list(row_ids(42, 0, 0, 5, 1000)) == [467, 541, 522, 194, 771]
    assert check_ids(42, 3, 1000) == [494, 927, 402, 0, 999, 494]


def small_table(n=3000):
    rng = np.random.default_rng(1)
    return pa.table({
        "id": pa.array(np.arange(n), pa.int64()),
        "x": pa.array(rng.standard_normal(n).astype(np.float32)),
        "s": pa.array([None if i % 17 == 0 else "v" * (i % 40) for i in range(n)], pa.large_string()),
        "ts": pa.array(np.arange(n) * 1_000_000, pa.timestamp("us")),
        "l": pa.array([list(range(i % 5)) for i in range(n)], pa.list_(pa.int64())),
        "e": pa.array([[float(i)] * 4 for i in range(n)], pa.list_(pa.float32(), 4)),
        "d": pa.array([str(i % 3) for i in range(n)]).dictionary_encode(),
    })


def test_prepare_rebatches_limits_rows_and_decodes_dictionaries(tmp_path):
    t = small_table()
    src = tmp_path / "t.parquet"
    pq.write_table(t, src, row_group_size=700)
    meta = prepare.prepare(src, tmp_path / "w", 512, 2500)
    assert meta["rows"] == 2500 and meta["columns"] == 7
    r = pa.ipc.open_file(pa.memory_map(meta["input"]))
    sizes = [r.get_batch(i).num_rows for i in range(r.num_record_batches)]
    assert sizes == [512] * 4 + [452]
    got = r.read_all()
    assert got.schema.field("d").type == pa.string()
    assert got.column("id").to_pylist() == list(range(2500))
    assert meta["project"] == ["id", "x", "s", "ts", "l", "e", "d"]
    assert prepare.project_columns([f"c{i}" for i in range(100)]) == [f"c{i}" for i in range(0, 100, 10)]


def test_the_filter_prefers_a_sorted_column_and_selects_about_one_percent(tmp_path):
    t = small_table()
    src = tmp_path / "t.parquet"
    pq.write_table(t, src)
    meta = prepare.prepare(src, tmp_path / "w", 512, None)
    f = prepare.choose_filter(Path(meta["input"]), meta["project"])
    # id (sorted) wins over x; 1% of 3,000 rows, from the middle
    assert f["column"] == "id" and f["sorted"] and f["kind"] == "int"
    assert f["matches"] == 30 and f["hi"] - f["lo"] == 30
    assert f["text"] == f"`id` >= {f['lo']} AND `id` < {f['hi']}"
    assert f["project"][0] == "id" and 2 <= len(f["project"]) <= 5


def test_the_filter_on_timestamps_and_unsorted_columns(tmp_path):
    n = 5000
    rng = np.random.default_rng(3)
    ts = pa.table({"x": pa.array(rng.standard_normal(n).astype(np.float32)),
                   "ts": pa.array(1_000_000_000_000_000 + np.arange(n) * 1_500_000, pa.timestamp("us"))})
    src = tmp_path / "ts.parquet"
    pq.write_table(ts, src)
    meta = prepare.prepare(src, tmp_path / "w", 512, None)
    f = prepare.choose_filter(Path(meta["input"]), meta["project"])
    assert f["column"] == "ts" and f["kind"] == "timestamp:us" and f["matches"] == 50
    assert f["text"].startswith("`ts` >= TIMESTAMP '2001-09-09 0") and f["text"].count(".") == 2
    # no sorted column: the float range closest to 1%, its bounds values of the column
    flo = pa.table({"x": ts.column("x"), "k": pa.array(np.arange(n) % 7, pa.int8())})
    src2 = tmp_path / "f.parquet"
    pq.write_table(flo, src2)
    meta2 = prepare.prepare(src2, tmp_path / "w2", 512, None)
    g = prepare.choose_filter(Path(meta2["input"]), meta2["project"])
    assert g["column"] == "x" and not g["sorted"] and g["matches"] == 50
    xs = set(flo.column("x").to_pylist())
    assert g["lo"] in xs and g["hi"] in xs
    assert prepare.choose_filter(Path(prepare.prepare(
        _write(tmp_path / "s.parquet", pa.table({"s": ["a", "b"]})), tmp_path / "w3", 512, None)["input"]), ["s"]) is None


def _write(path, table):
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("fmt", pyside.FORMATS)
def test_pyarrow_peers_filtered_scan_returns_the_matching_rows(tmp_path, fmt):
    t = small_table()
    src = tmp_path / "t.parquet"
    pq.write_table(t, src)
    meta = prepare.prepare(src, tmp_path / "w", 512, None)
    peer = pyside.make_peer(fmt, 512, 1000)
    target = tmp_path / peer.file_name
    peer.write(Path(meta["input"]), target)
    r = peer.open(target)
    for f in (prepare.choose_filter(Path(meta["input"]), meta["project"]),
              {"column": "ts", "kind": "timestamp:us", "lo": 100_000_000, "hi": 2_000_000_000, "project": ["ts", "s"]},
              {"column": "x", "kind": "float", "lo": -0.5, "hi": 0.25, "project": ["x", "l", "e"]}):
        want = sum(1 for v in t.column(f["column"]).cast(pa.int64() if f["kind"] != "float" else pa.float64()).to_pylist()
                   if v is not None and f["lo"] <= v < f["hi"])
        assert r.filtered_scan(f) == want > 0, f
    r.close()


@pytest.mark.parametrize("fmt", pyside.FORMATS)
def test_pyarrow_peers_take_the_rows_asked_for(tmp_path, fmt):
    t = small_table()
    src = tmp_path / "t.parquet"
    pq.write_table(t, src)
    meta = prepare.prepare(src, tmp_path / "w", 512, None)
    peer = pyside.make_peer(fmt, 512, 1000)
    target = tmp_path / peer.file_name
    peer.write(Path(meta["input"]), target)
    r = peer.open(target)
    ref = pa.ipc.open_file(pa.memory_map(meta["input"])).read_all()
    assert r.num_rows() == 3000 and r.scan(False) == 3000
    ids = [2999, 0, 5, 5, 1700, 511, 512, 1023]
    assert r.take(ids).to_pylist() == ref.take(pa.array(ids)).to_pylist()
    assert r.take([1234], ["s", "e"]).to_pylist() == ref.select(["s", "e"]).slice(1234, 1).to_pylist()
    r.close()


@pytest.mark.parametrize("fmt", pyside.FORMATS)
def test_narrow_mode_writes_once_and_skips_the_all_column_scan_and_takes(tmp_path, fmt):
    t = small_table(1000)
    src = tmp_path / "t.parquet"
    pq.write_table(t, src)
    meta = prepare.prepare(src, tmp_path / "w", 256, None)
    args = pyside.parse(["--format", fmt, "--input", meta["input"], "--dir", str(tmp_path / "w"),
                         "--out", str(tmp_path / "r.json"), "--batch-rows", "256", "--reps", "5",
                         "--rep-seconds", "0.01", "--project", "id,s", "--narrow"])
    res = pyside.run(args)
    assert res["check"]["ok"], res
    assert not res.get("errors"), res["errors"]
    assert len(res["write_s"]) == 1 and len(res["open_project_ms"]) == 5 and res["size_bytes"] > 0
    assert not {"scan_s", "scan_mt_s", "take1_rows_s", "take256_rows_s"} & set(res)
    assert res["narrow_note"] == pyside.NARROW_NOTE
    assert any(d.startswith("take (all columns)") and d.endswith("OK") for d in res["check"]["details"])


def test_quick_mode_runs_only_the_generated_wide_table_narrow():
    assert run.QUICK_WIDE["narrow"] and not run.QUICK.get("narrow") and not run.FULL.get("narrow")


def test_a_wrong_take_fails_the_check(tmp_path, monkeypatch):
    t = small_table(1000)
    src = tmp_path / "t.parquet"
    pq.write_table(t, src)
    meta = prepare.prepare(src, tmp_path / "w", 256, None)
    orig = pyside.IpcReader.take

    def off_by_one(self, ids, columns=None):
        return orig(self, [(int(i) + 1) % self.n for i in ids], columns)
    args = pyside.parse(["--format", "arrow-pyarrow", "--input", meta["input"], "--dir", str(tmp_path / "w"),
                         "--out", str(tmp_path / "r.json"), "--batch-rows", "256", "--reps", "5",
                         "--rep-seconds", "0.01", "--take1-max", "3", "--take256-max", "2", "--project", "id,s"])
    # the reference reader is an IpcReader too: break only the peer's reader
    monkeypatch.setattr(pyside.IpcPeer, "open", lambda self, target: type("R", (pyside.IpcReader,), {"take": off_by_one})(target, 256))
    res = pyside.run(args)
    assert not res["check"]["ok"]
    assert any(d.startswith("FAILED: take (all columns)") for d in res["check"]["details"])


def test_report_computes_ratios_and_targets(tmp_path):
    meta = {"rows": 1000, "arrow_bytes": 1e6, "columns": 2, "source": "x", "source_bytes": 1, "source_rows": 1000,
            "project": ["a"]}
    res = [
        {"format": "weft", "size_bytes": 5e5, "write_s": [1, 2, 3], "scan_s": [0.1] * 5,
         "take1_rows_s": [1000.0] * 5, "take256_rows_s": [5000.0] * 5, "check": {"ok": True}},
        {"format": "lance", "size_bytes": 1e6, "write_s": [2] * 5, "scan_s": [0.2] * 5,
         "take1_rows_s": [50.0] * 5, "take256_rows_s": [1000.0] * 5, "check": {"ok": True}},
    ]
    env = report.environment(["weft", "lance"], "quick", run.QUICK)
    report.write(tmp_path, env, [{"name": "d", "meta": meta, "results": res}])
    doc = json.loads((tmp_path / "results.json").read_text())
    r = doc["datasets"][0]["ratios"]["weft"]["lance"]
    assert r["take1_rows_s"] == pytest.approx(20) and r["take256_rows_s"] == pytest.approx(5)
    assert r["size_mb"] == pytest.approx(0.5) and r["scan_rows_s"] == pytest.approx(2)
    t = {x["target"]: x["met"] for x in doc["targets"]}
    assert t["take, single rows: Weft >= 10x Lance"] is True
    assert t["take, batches of 256: Weft >= 10x Lance"] is False
    md = (tmp_path / "results.md").read_text()
    assert "| lance | 1.00 |" in md and "**MISSED**" in md


def test_report_fails_a_peer_whose_filtered_scan_count_differs(tmp_path):
    meta = {"rows": 1000, "arrow_bytes": 1e6, "columns": 2, "source": "x", "source_bytes": 1, "source_rows": 1000,
            "project": ["a"], "filter": {"column": "a", "kind": "int", "lo": 1, "hi": 11, "text": "`a` >= 1 AND `a` < 11",
                                         "sorted": True, "project": ["a"], "matches": 10, "fraction": 0.01}}
    res = [{"format": "weft", "filter_s": [0.001] * 5, "filter_matches": 10, "check": {"ok": True, "details": []}},
           {"format": "lance", "filter_s": [0.004] * 5, "filter_matches": 9, "check": {"ok": True, "details": []}}]
    env = report.environment(["weft", "lance"], "quick", run.QUICK)
    report.write(tmp_path, env, [{"name": "d", "meta": meta, "results": res}])
    doc = json.loads((tmp_path / "results.json").read_text())
    weft, lance = doc["datasets"][0]["results"]
    assert weft["check"]["ok"] and not lance["check"]["ok"]
    assert "FAILED: filtered scan returned 9 rows, 10 match in the input" in lance["check"]["details"]
    assert doc["datasets"][0]["ratios"]["weft"]["lance"]["filter_rows_s"] == pytest.approx(4)
    assert weft["summary"]["filter_ms"] == pytest.approx(1) and weft["summary"]["filter_rows_s"] == pytest.approx(1e6)
    md = (tmp_path / "results.md").read_text()
    assert "Filtered scan: `` `a` >= 1 AND `a` < 11 `` selects 10 rows (1.00%); the column is sorted" in md
    assert "| filtered ms | filtered rows/s | matches |" in md


def test_quick_mode_end_to_end(tmp_path):
    """bin/weft-bench --quick on tiny inputs: the table, the JSON and the plots, every peer checked."""
    if not (BENCH_DIR / "target" / "lib").is_dir():
        if os.environ.get("WEFT_BENCH_SKIP_JAVA") == "1":
            pytest.skip("benchmarks/target not built and WEFT_BENCH_SKIP_JAVA=1")
        pytest.fail("benchmarks/target/lib is missing: run `mvn -B package -DskipTests` first (bin/test runs mvn verify)")
    data = ["recsys:1500"]
    if FLIGHTS.exists():
        data.append(str(FLIGHTS))
    out = tmp_path / "out"
    env = dict(os.environ, WEFT_BENCH_NO_BUILD="1", WEFT_BENCH_VENV=str(Path(sys.executable).parents[1]))
    proc = subprocess.run([str(BENCH_DIR / "bin" / "weft-bench"), *data, "--quick", "--max-rows", "1500",
                           "--out", str(out)], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads((out / "results.json").read_text())
    expected = set(run.expand_formats("weft,parquet,lance,arrow"))
    assert len(doc["datasets"]) == len(data)
    for d in doc["datasets"]:
        assert d["meta"]["rows"] == 1500
        assert {r["format"] for r in d["results"]} == expected
        for r in d["results"]:
            assert r["check"]["ok"], (d["name"], r["format"], r["check"], r.get("errors"))
            assert not r.get("errors"), (d["name"], r["format"], r["errors"])
            assert any("take (all columns)" in c and c.endswith("OK") for c in r["check"]["details"]), r["format"]
            assert len(r["scan_s"]) == 5 and r["summary"]["scan_rows_s"] > 0
            # the filtered scan: every peer returns as many rows as match in the input
            assert len(r["filter_s"]) == 5 and r["summary"]["filter_rows_s"] > 0, r["format"]
            assert r["filter_matches"] == d["meta"]["filter"]["matches"] > 0, (d["name"], r["format"])
            assert any(c.startswith("filtered scan") and c.endswith("OK") for c in r["check"]["details"]), r["format"]
        assert set(d["ratios"]["weft"]) == expected - {"weft", "weft-none"}
    md = (out / "results.md").read_text()
    assert "| format | size MB | write s |" in md and "## Targets of issue 8" in md
    for p in doc["plots"]:
        assert (out / p).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert {"plot-take1_rows_s.png", "plot-scan_mb_s.png", "plot-size_mb.png", "plot-filter_ms.png",
            "plot-filter_rows_s.png"} <= set(doc["plots"])
    flights = [d for d in doc["datasets"] if d["name"] == "flights-3m"]
    if flights:  # its date column is sorted: the predicate is a time range on it
        assert flights[0]["meta"]["filter"]["column"] == "date" and flights[0]["meta"]["filter"]["sorted"]


def test_scan_compare_times_weft_and_pyarrow_in_one_run(tmp_path):
    """bin/weft-bench scan on a tiny generated table: every Weft scan returns pyarrow's row count."""
    if not (BENCH_DIR / "target" / "lib").is_dir():
        if os.environ.get("WEFT_BENCH_SKIP_JAVA") == "1":
            pytest.skip("benchmarks/target not built and WEFT_BENCH_SKIP_JAVA=1")
        pytest.fail("benchmarks/target/lib is missing: run `mvn -B package -DskipTests` first (bin/test runs mvn verify)")
    env = dict(os.environ, WEFT_BENCH_NO_BUILD="1", WEFT_BENCH_VENV=str(Path(sys.executable).parents[1]))
    proc = subprocess.run([str(BENCH_DIR / "bin" / "weft-bench"), "scan", "recsys:3000", "--reps", "2",
                           "--work", str(tmp_path)], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert "recsys-3000: 3,000 rows" in out, out
    assert "weft-zstd: median" in out and "weft-none: median" in out and "x pyarrow" in out, out
    assert out.strip().splitlines()[-1].startswith("ratio weft/pyarrow"), out


def test_scan_compare_variant_files_scan_what_each_variant_wrote(tmp_path):
    """--variant NAME=CLASSES --variant-files: the variant's JVM writes its own Weft file and scans it in the same rounds."""
    if not (BENCH_DIR / "target" / "lib").is_dir():
        if os.environ.get("WEFT_BENCH_SKIP_JAVA") == "1":
            pytest.skip("benchmarks/target not built and WEFT_BENCH_SKIP_JAVA=1")
        pytest.fail("benchmarks/target/lib is missing: run `mvn -B package -DskipTests` first (bin/test runs mvn verify)")
    classes = str(BENCH_DIR / "target" / "classes")
    proc = subprocess.run([sys.executable, "-m", "weftbench.scan_compare", "recsys:3000", "--reps", "2", "--codecs", "zstd",
                           "--work", str(tmp_path), "--variant", f"same={classes}", "--variant-files"],
                          capture_output=True, text=True, cwd=BENCH_DIR / "python", timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert (tmp_path / "recsys-3000" / "weft-zstd@same.weft").is_file(), out
    assert "weft-zstd@same" in out and "weft-zstd@same: median" in out, out
