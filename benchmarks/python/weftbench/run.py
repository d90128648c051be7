"""The benchmark driver behind benchmarks/bin/weft-bench.

    weft-bench DATA... [--formats weft,parquet,lance,arrow] [--quick] [--out DIR]

DATA is a Parquet file, or one of the generated tables `recsys`, `wide`, `text` (optionally
`recsys:ROWS`), which are generated into the work directory first. For each input it prepares a
common uncompressed Arrow IPC input (pyarrow), then runs every peer in a process of its own (the
pyarrow peers with this Python, the Java peers with dev.weft.bench.BenchMain), and writes
results.md, results.json and plot-*.png into DIR.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import gen, prepare, report
from .common import java_cmd, page_cache_resident, path_size

GROUPS = {
    "weft": ["weft", "weft-none"],
    "parquet": ["parquet-pyarrow", "parquet-java"],
    "lance": ["lance"],
    "arrow": ["arrow-pyarrow", "arrow-pyarrow-zstd", "arrow-java", "arrow-java-zstd"],
}
PYTHON_FORMATS = ("parquet-pyarrow", "arrow-pyarrow", "arrow-pyarrow-zstd")
JAVA_FORMATS = ("weft", "weft-none", "weft-lz4", "lance", "arrow-java", "arrow-java-zstd", "parquet-java")
ORDER = ["weft", "weft-none", "weft-lz4", "parquet-pyarrow", "parquet-java", "lance",
         "arrow-pyarrow", "arrow-pyarrow-zstd", "arrow-java", "arrow-java-zstd"]

QUICK = dict(max_rows=20_000, wide_rows=1_000, reps=5, write_reps=5, rep_seconds=0.15, take1_max=200,
             take256_max=10, timeout=240)
FULL = dict(max_rows=None, wide_rows=10_000, reps=5, write_reps=5, rep_seconds=1.0, take1_max=2000,
            take256_max=100, timeout=1800)
# Quick mode on the generated wide table: every all-column operation there costs seconds in every
# format (10,000 columns), which took the quick run of `wide` alone to about 12 minutes. Its point
# is file size and open + project 10 of 10,000 columns: those and the take checks run as usual;
# the table is written once without warm-up, and the all-column scan and takes (BenchMain/pyside
# --narrow) and the filtered scan are skipped.
QUICK_WIDE = dict(narrow=True)


def expand_formats(spec: str) -> list[str]:
    out = ["weft"]  # every ratio is Weft/peer: Weft always runs
    for tok in [t.strip() for t in spec.split(",") if t.strip()]:
        names = GROUPS.get(tok, [tok])
        for n in names:
            if n not in PYTHON_FORMATS and n not in JAVA_FORMATS:
                raise SystemExit(f"weft-bench: unknown format {tok!r} (groups: {', '.join(GROUPS)}; "
                                 f"single formats: {', '.join(ORDER)})")
            if n not in out:
                out.append(n)
    if "parquet-java" in out and "parquet-pyarrow" not in out:
        out.append("parquet-pyarrow")  # parquet-java reads the file pyarrow writes
    return sorted(out, key=ORDER.index)


def resolve_input(token: str, work: Path, p: dict, seed: int) -> tuple[str, Path]:
    """A Parquet path, or a generated table: recsys|wide|text[:ROWS]."""
    kind, _, rows = token.partition(":")
    if kind in gen.DEFAULT_ROWS and not Path(token).exists():
        if rows:
            n = int(rows.replace("_", "").replace(",", ""))
        elif kind == "wide":
            n = p["wide_rows"]
        else:
            n = p["max_rows"] or gen.DEFAULT_ROWS[kind]
        name = f"{kind}-{n}"
        path = work / "generated" / f"{name}.parquet"
        if not path.exists():
            print(f"weft-bench: generating {kind} ({n:,} rows) -> {path}", flush=True)
            gen.generate(kind, n, path, seed)
        return name, path
    path = Path(token)
    if not path.is_file():
        raise SystemExit(f"weft-bench: no such file {token} (and not one of recsys, wide, text)")
    return path.name.removesuffix(".parquet"), path


def run_peer(fmt: str, meta: dict, d: Path, p: dict, seed: int, log) -> dict:
    out = d / f"result-{fmt}.json"
    out.unlink(missing_ok=True)
    common = ["--format", fmt, "--input", meta["input"], "--dir", str(d), "--out", str(out),
              "--batch-rows", str(meta["batch_rows"]), "--reps", str(p["reps"]),
              "--write-reps", str(p["write_reps"]), "--rep-seconds", str(p["rep_seconds"]),
              "--take1-max", str(p["take1_max"]), "--take256-max", str(p["take256_max"]),
              "--project", ",".join(meta["project"]), "--seed", str(seed)]
    if p.get("narrow"):
        common.append("--narrow")
    f = meta.get("filter")
    if f:
        common += ["--filter-column", f["column"], "--filter-kind", f["kind"], "--filter-lo", str(f["lo"]),
                   "--filter-hi", str(f["hi"]), "--filter-text", f["text"], "--filter-project", ",".join(f["project"]),
                   "--filter-expect", str(f["matches"])]
    if fmt in PYTHON_FORMATS:
        cmd = [sys.executable, "-m", "weftbench.pyside", *common]
    else:
        cmd = java_cmd("dev.weft.bench.BenchMain", common)
    t0 = time.time()
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=p["timeout"], env=env)
        rc, err = proc.returncode, proc.stderr
    except subprocess.TimeoutExpired as e:
        rc, err = "timeout", (e.stderr or b"").decode(errors="replace") if isinstance(e.stderr, bytes) else str(e.stderr)
    wall = time.time() - t0
    if out.exists():
        res = json.loads(out.read_text())
    else:
        res = {"format": fmt, "check": {"ok": False, "details": []},
               "errors": [f"exited with status {rc} and no result; stderr: {(err or '')[-2000:]}"]}
    if rc not in (0, 1):
        res.setdefault("errors", []).append(f"process exit status {rc}: {(err or '')[-1500:]}")
    res["wall_s"] = round(wall, 1)
    f = Path(res.get("file", ""))
    if res.get("file") and f.exists():
        res["page_cache_resident_after"] = page_cache_resident(f)
    status = "ok" if res.get("check", {}).get("ok") else "CHECK FAILED"
    log(f"  {fmt:20s} {wall:6.1f} s  {status}" + (f"  errors: {len(res.get('errors', []))}" if res.get("errors") else ""))
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="weft-bench", description="Weft vs Parquet, Lance and Arrow IPC, side by side.")
    ap.add_argument("data", nargs="+", help="Parquet files, or recsys|wide|text[:ROWS] to generate")
    ap.add_argument("--formats", default="weft,parquet,lance,arrow",
                    help="groups (weft, parquet, lance, arrow) or single formats, comma-separated")
    ap.add_argument("--quick", action="store_true", help=f"first {QUICK['max_rows']:,} rows of each input, short repetitions")
    ap.add_argument("--out", default="benchmarks/out", help="where results.md/.json and plots go")
    ap.add_argument("--work", help="scratch directory for the files (default OUT/work)")
    ap.add_argument("--max-rows", type=int, help="use only the first N rows of each input")
    ap.add_argument("--reps", type=int, help="measured repetitions (default 5; warm-up first)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--keep-files", action="store_true", help="keep the written files in the work directory")
    a = ap.parse_args(argv)

    p = dict(QUICK if a.quick else FULL)
    if a.max_rows:
        p["max_rows"] = a.max_rows
    if a.reps:
        p["reps"] = p["write_reps"] = max(1, a.reps)
    formats = expand_formats(a.formats)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(a.work) if a.work else out / "work"
    work.mkdir(parents=True, exist_ok=True)
    logf = open(out / "run.log", "w")

    def log(msg):
        print(msg, flush=True)
        logf.write(msg + "\n")
        logf.flush()

    started = time.time()
    env = report.environment(formats, "quick" if a.quick else "full", p)
    log(f"weft-bench: {env['mode']} mode, formats {', '.join(formats)}; machine: {env['machine']['cpu']} "
        f"x{env['machine']['cores']}, load {env['machine']['load_start']}")
    datasets = []
    ok = True
    for token in a.data:
        name, path = resolve_input(token, work, p, a.seed)
        d = work / name
        log(f"== {name}: preparing {path}")
        t0 = time.time()
        meta = prepare.prepare(path, d, 16384, p["max_rows"])
        meta["name"] = name
        generated_wide = token.partition(":")[0] == "wide" and not Path(token).exists()
        dp = dict(p, **QUICK_WIDE) if a.quick and generated_wide else p
        # narrow: no filtered scan either (Lance's alone takes minutes over 10,000 columns)
        meta["filter"] = None if dp.get("narrow") else prepare.choose_filter(Path(meta["input"]), meta["project"])
        meta["prepare_s"] = round(time.time() - t0, 1)
        log(f"   {meta['rows']:,} rows, {meta['columns']:,} columns, {meta['arrow_bytes'] / 1e6:.1f} MB of Arrow data "
            f"({meta['prepare_s']} s)")
        if meta["filter"]:
            fl = meta["filter"]
            log(f"   filtered scan: {fl['text']} ({fl['matches']:,} rows, {fl['fraction']:.2%}"
                f"{', sorted column' if fl['sorted'] else ''}); projection {', '.join(fl['project'])}")
        if dp.get("narrow"):
            log("   quick mode on a wide table: written once; no all-column scan, takes or filtered scan")
        results = []
        for fmt in formats:
            results.append(run_peer(fmt, meta, d, dp, a.seed, log))
        ok &= all(r.get("check", {}).get("ok") for r in results)
        datasets.append({"name": name, "meta": meta, "results": results})
        if not a.keep_files:
            for f in d.iterdir():
                if f.name not in ("meta.json",) and not f.name.startswith("result-"):
                    shutil.rmtree(f) if f.is_dir() else f.unlink()
    env["machine"]["load_end"] = report.loadavg()
    env["total_s"] = round(time.time() - started, 1)
    paths = report.write(out, env, datasets)
    # the report cross-checks the peers (e.g. the filtered scans' row counts)
    ok &= all(r.get("check", {}).get("ok") for d in datasets for r in d["results"])
    log(f"weft-bench: done in {env['total_s']} s: " + ", ".join(str(x) for x in paths))
    if not ok:
        log("weft-bench: FAILED: some peer's results are wrong or missing (see the check column in results.md)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
