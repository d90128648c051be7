"""results.json, results.md and plot-*.png from the per-peer results of a run."""
from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from pathlib import Path

from .common import REPO, median, write_json

# key, label, unit, higher is better
METRICS = [
    ("size_mb", "file size", "MB", False),
    ("write_s", "write", "s", False),
    ("scan_rows_s", "full scan", "rows/s", True),
    ("scan_mb_s", "full scan", "MB/s", True),
    ("scan_mt_rows_s", "full scan, all threads", "rows/s", True),
    ("take1_rows_s", "take, single rows", "rows/s", True),
    ("take256_rows_s", "take, batches of 256", "rows/s", True),
    ("open_project_ms", "open + project 10 columns, 1 row", "ms", False),
    ("filter_ms", "filtered scan (about 1% of rows, up to 5 columns)", "ms", False),
    ("filter_rows_s", "filtered scan (about 1% of rows), table rows per second", "rows/s", True),
    ("write_peak_mb", "peak memory, write", "MB", False),
    ("read_peak_mb", "peak memory, scan + take", "MB", False),
]
WEFT = ("weft", "weft-none", "weft-lz4")
FILTERED = ("every peer produces the rows where `lo <= column < hi` holds, with a projection of up to 5 columns "
            "(the predicate's column first), through its library's own filtering where it has one: Weft "
            "WeftReader.scan(projection, predicate) (zone maps), pyarrow pq.read_table(filters=...) (row-group "
            "statistics), parquet-java filter2/FilterCompat (statistics, column index, records), Lance "
            "ScanOptions.filter; Arrow IPC (pyarrow and Java) reads every batch and filters. The predicate is "
            "chosen from the data: a numeric column sorted in file order if the table has one, else the numeric "
            "column whose range comes closest to 1% of the rows (shown per input). `filtered ms` is the median "
            "time of the whole scan (after three warm-up scans), `filtered rows/s` the table's rows divided by it; every peer must return "
            "as many rows as match in the input")


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _mem_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _java_version() -> str:
    try:
        out = subprocess.run([os.environ.get("JAVA", "java"), "-version"], capture_output=True, text=True, timeout=30)
        return " / ".join(l.strip() for l in out.stderr.splitlines()[:3])
    except (OSError, subprocess.SubprocessError):
        return "?"


def weft_commit() -> str:
    """The repository's HEAD commit, read from .git without running git."""
    g = REPO / ".git"
    try:
        head = (g / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            f = g / ref
            if f.exists():
                return f.read_text().strip()[:12] + f" ({ref.split('/')[-1]})"
            packed = g / "packed-refs"
            if packed.exists():
                for line in packed.read_text().splitlines():
                    if line.endswith(" " + ref):
                        return line.split()[0][:12] + f" ({ref.split('/')[-1]})"
            return ref
        return head[:12]
    except OSError:
        return "?"


def environment(formats, mode, params) -> dict:
    import numpy
    import pyarrow
    try:
        import matplotlib
        mpl = matplotlib.__version__
    except ImportError:
        mpl = None
    return {
        "mode": mode,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "formats": formats,
        "params": params,
        "machine": {"cpu": _cpu(), "cores": os.cpu_count(), "memory_gb": _mem_gb(),
                    "os": f"{platform.system()} {platform.release()}", "load_start": loadavg()},
        "java": _java_version(),
        "python": platform.python_version(),
        "libraries": {"pyarrow": pyarrow.__version__, "numpy": numpy.__version__, "matplotlib": mpl},
        "weft_commit": weft_commit(),
    }


def summarize(r: dict, meta: dict) -> dict:
    """Medians of the raw repetitions, in the units of METRICS."""
    s = {}
    if r.get("size_bytes") is not None:
        s["size_mb"] = r["size_bytes"] / 1e6
    s["write_s"] = median(r.get("write_s", []))
    rows = meta["rows"]
    scan = median(r.get("scan_s", []))
    if scan:
        s["scan_s"] = scan
        s["scan_rows_s"] = rows / scan
        s["scan_mb_s"] = meta["arrow_bytes"] / 1e6 / scan
    mt = median(r.get("scan_mt_s", []))
    if mt:
        s["scan_mt_rows_s"] = rows / mt
    s["take1_rows_s"] = median(r.get("take1_rows_s", []))
    s["take256_rows_s"] = median(r.get("take256_rows_s", []))
    s["open_project_ms"] = median(r.get("open_project_ms", []))
    filt = median(r.get("filter_s", []))
    if filt:
        s["filter_ms"] = filt * 1000
        s["filter_rows_s"] = rows / filt
        s["filter_matches"] = r.get("filter_matches")
    for k in ("write_peak", "read_peak"):
        v = r.get(k + "_bytes")
        s[k + "_mb"] = v / 1e6 if v is not None and v >= 0 else None
    return {k: v for k, v in s.items() if v is not None}


def ratios(results: list[dict], weft: str) -> dict:
    """Weft/peer for every metric and peer: {peer: {metric: ratio}}."""
    by = {r["format"]: r for r in results}
    if weft not in by:
        return {}
    w = by[weft]["summary"]
    out = {}
    for r in results:
        if r["format"] == weft or r["format"] in WEFT:
            continue
        row = {}
        for key, *_ in METRICS:
            a = w.get(key)
            b = r["summary"].get(key)
            if key == "scan_mt_rows_s":
                a = w.get("scan_rows_s")  # Weft scans on one thread
            if a is not None and b:
                row[key] = a / b
        out[r["format"]] = row
    return out


TARGETS = [
    # (metric, peer, op, bound, text)
    ("take1_rows_s", "lance", ">=", 10, "take, single rows: Weft >= 10x Lance"),
    ("take256_rows_s", "lance", ">=", 10, "take, batches of 256: Weft >= 10x Lance"),
    ("take1_rows_s", "arrow-pyarrow", ">=", 1, "take, single rows: Weft >= 1x uncompressed Arrow IPC (mmap, pyarrow)"),
    ("take256_rows_s", "arrow-pyarrow", ">=", 1, "take, batches of 256: Weft >= 1x uncompressed Arrow IPC (mmap, pyarrow)"),
    ("take1_rows_s", "parquet-pyarrow", ">=", 100, "take, single rows: Weft >= 100x pyarrow Parquet"),
    ("take256_rows_s", "parquet-pyarrow", ">=", 100, "take, batches of 256: Weft >= 100x pyarrow Parquet"),
    ("scan_rows_s", "parquet-pyarrow", ">=", 1, "full scan: Weft >= 1x pyarrow Parquet, one thread"),
    ("scan_mt_rows_s", "parquet-pyarrow", ">=", 1, "full scan: Weft >= 1x pyarrow Parquet, all threads"),
    ("scan_rows_s", "parquet-java", ">=", 2, "full scan: Weft >= 2x parquet-java"),
    ("size_mb", "parquet-pyarrow", "<=", 1, "file size: Weft <= 1x Parquet zstd"),
]


def targets(datasets: list[dict], weft: str) -> list[dict]:
    out = []
    for metric, peer, op, bound, text in TARGETS:
        for d in datasets:
            v = d["ratios"].get(weft, {}).get(peer, {}).get(metric)
            if v is None:
                continue
            met = v >= bound if op == ">=" else v <= bound
            out.append({"target": text, "dataset": d["name"], "weft": weft, "ratio": v, "met": met})
    return out


def fmt_num(v, unit="") -> str:
    if v is None:
        return "-"
    if unit in ("rows/s", "MB/s") or abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def fmt_ratio(v) -> str:
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:,.0f}x"
    if v >= 10:
        return f"{v:.1f}x"
    return f"{v:.2f}x"


def markdown(env: dict, datasets: list[dict], plots: list[str]) -> str:
    L = []
    m = env["machine"]
    L.append(f"# weft-bench results ({env['mode']} mode)\n")
    L.append(f"- date: {env['date']}; total {env.get('total_s', '?')} s")
    L.append(f"- machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, {m['os']}; "
             f"load average {m['load_start']} at start, {m.get('load_end', '?')} at end (shared machine: medians)")
    L.append(f"- JVM: {env['java']}")
    libs = {}
    for d in datasets:
        for r in d["results"]:
            if r.get("library"):
                libs[r["format"]] = r["library"]
    L.append(f"- Python {env['python']}; " + ", ".join(f"{k} {v}" for k, v in env["libraries"].items() if v))
    L.append("- libraries per format: " + "; ".join(f"{k}: {v}" for k, v in libs.items()))
    builds = {r.get("weft_build") for d in datasets for r in d["results"] if r.get("weft_build")}
    L.append(f"- Weft: repository commit {env['weft_commit']} (the working tree may hold uncommitted changes); "
             f"classes from {', '.join(sorted(builds)) or '?'}")
    p = env["params"]
    L.append(f"- method: each peer runs in a process of its own; every measurement has a warm-up, then the median "
             f"of {p['reps']} repetitions ({p['write_reps']} for writes); takes: uniformly random row ids (seeded, the "
             f"same ids for every format), each repetition runs up to {p['take1_max']} single-row takes or "
             f"{p['take256_max']} takes of 256 rows, or {p['rep_seconds']} s; all columns unless said otherwise")
    L.append("- page cache: warm (every file is written, or read in a warm-up, right before it is measured; "
             "no cache is dropped). Fraction of each file in the page cache after its run: see results.json "
             "(`page_cache_resident_after`)")
    L.append("- scan MB/s counts the Arrow data of the whole table (the same number for every format); "
             "parquet-java decodes every value but builds no Arrow vectors")
    L.append("- peak memory: peak anonymous resident memory (heap and native, not mapped file pages) above the "
             "process's level before the phase, sampled every 4 ms")
    L.append(f"- filtered scan: {FILTERED}\n")

    for d in datasets:
        meta = d["meta"]
        L.append(f"## {d['name']}\n")
        L.append(f"{meta['rows']:,} rows, {meta['columns']:,} columns, {meta['arrow_bytes'] / 1e6:,.1f} MB of Arrow "
                 f"data; source {meta['source']} ({meta['source_bytes'] / 1e6:,.1f} MB, {meta['source_rows']:,} rows). "
                 f"Projection for open + project: {', '.join(meta['project'][:10])}.\n")
        fl = meta.get("filter")
        if fl:
            L.append(f"Filtered scan: `` {fl['text']} `` selects {fl['matches']:,} rows ({fl['fraction']:.2%}); "
                     + ("the column is sorted in file order; " if fl["sorted"] else "the column is not sorted; ")
                     + f"projection {', '.join(fl['project'])}.\n")
        cols = ["format", "size MB", "write s", "scan rows/s", "scan MB/s", "scan (threads) rows/s",
                "take 1 rows/s", "take 256 rows/s", "open+project ms", "write peak MB", "read peak MB",
                "filtered ms", "filtered rows/s", "matches", "check"]
        keys = ["size_mb", "write_s", "scan_rows_s", "scan_mb_s", "scan_mt_rows_s", "take1_rows_s",
                "take256_rows_s", "open_project_ms", "write_peak_mb", "read_peak_mb", "filter_ms", "filter_rows_s",
                "filter_matches"]
        units = ["", "", "rows/s", "MB/s", "rows/s", "rows/s", "rows/s", "", "", "", "", "rows/s", "rows/s"]
        L.append("| " + " | ".join(cols) + " |")
        L.append("|" + "---|" * len(cols))
        for r in d["results"]:
            s = r.get("summary", {})
            check = "OK" if r.get("check", {}).get("ok") else "**FAILED**"
            if r.get("errors"):
                check += f" ({len(r['errors'])} error{'s' if len(r['errors']) > 1 else ''})"
            L.append(f"| {r['format']} | " + " | ".join(fmt_num(s.get(k), u) for k, u in zip(keys, units))
                     + f" | {check} |")
        L.append("")
        for weft, rt in d["ratios"].items():
            if not rt:
                continue
            L.append(f"Ratios {weft}/peer (higher is better for rates, lower for size, time and memory):\n")
            rk = ["size_mb", "write_s", "scan_rows_s", "scan_mt_rows_s", "take1_rows_s", "take256_rows_s",
                  "open_project_ms", "read_peak_mb", "filter_rows_s"]
            L.append("| peer | size | write time | scan | scan vs threads | take 1 | take 256 | open+project time "
                     "| read peak mem | filtered scan |")
            L.append("|---|---|---|---|---|---|---|---|---|---|")
            for peer, row in rt.items():
                L.append(f"| {peer} | " + " | ".join(fmt_ratio(row.get(k)) for k in rk) + " |")
            L.append("")
        notes = []
        for r in d["results"]:
            for c in r.get("check", {}).get("details", []):
                notes.append(f"- {r['format']}: {c}")
            for e in r.get("errors", []):
                notes.append(f"- {r['format']}: ERROR: " + e.splitlines()[0][:300])
            if r.get("weft_writer_peak_bytes") is not None:
                notes.append(f"- {r['format']}: the writer's own buffers peaked at "
                             f"{r['weft_writer_peak_bytes'] / 1e6:.1f} MB (WeftWriter.peakMemory)")
            if r.get("filter_method"):
                notes.append(f"- {r['format']}: filtered scan: {r['filter_method']}")
            for k in ("write_note", "take_note", "filter_note", "narrow_note"):
                if r.get(k):
                    notes.append(f"- {r['format']}: {r[k]}")
        L.append("<details><summary>checks and notes</summary>\n")
        L.extend(notes)
        L.append("\n</details>\n")

    L.append("## Summary: ratios Weft/peer on every input\n")
    L.append("Rates (scan, take): higher is better. Size, times and memory: lower is better. "
             "`scan vs threads` compares Weft's one-thread scan with pyarrow's multi-threaded one.\n")
    names = [d["name"] for d in datasets]
    sk = [("take1_rows_s", "take 1"), ("take256_rows_s", "take 256"), ("scan_rows_s", "scan"),
          ("scan_mt_rows_s", "scan vs threads"), ("size_mb", "size"), ("write_s", "write time"),
          ("open_project_ms", "open+project time"), ("read_peak_mb", "read peak mem"),
          ("filter_rows_s", "filtered scan")]
    for w in WEFT:
        peers = []
        for d in datasets:
            for peer in d["ratios"].get(w, {}):
                if peer not in peers:
                    peers.append(peer)
        if not peers:
            continue
        L.append(f"**{w}**/peer:\n")
        L.append("| metric | peer | " + " | ".join(names) + " |")
        L.append("|---|---|" + "---|" * len(names))
        for key, label in sk:
            for peer in peers:
                vals = [d["ratios"].get(w, {}).get(peer, {}).get(key) for d in datasets]
                if all(v is None for v in vals):
                    continue
                L.append(f"| {label} | {peer} | " + " | ".join(fmt_ratio(v) for v in vals) + " |")
        L.append("")

    L.append("## Targets of issue 8\n")
    L.append("| target | dataset | Weft variant | measured ratio | |")
    L.append("|---|---|---|---|---|")
    for w in WEFT:
        for t in targets(datasets, w):
            L.append(f"| {t['target']} | {t['dataset']} | {t['weft']} | {fmt_ratio(t['ratio'])} | "
                     f"{'met' if t['met'] else '**MISSED**'} |")
    L.append("")
    L.append("## Options per format\n")
    seen = set()
    for d in datasets:
        for r in d["results"]:
            if r["format"] not in seen and r.get("options"):
                seen.add(r["format"])
                L.append(f"- {r['format']} ({r.get('library', '?')}): {r['options']}")
    L.append("")
    if plots:
        L.append("## Plots\n")
        for pth in plots:
            L.append(f"![{pth}]({pth})")
        L.append("")
    return "\n".join(L)


def plot(out: Path, datasets: list[dict]) -> list[str]:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    names = [d["name"] for d in datasets]
    formats = []
    for d in datasets:
        for r in d["results"]:
            if r["format"] not in formats:
                formats.append(r["format"])
    files = []
    for key, label, unit, higher in METRICS:
        vals = {f: [] for f in formats}
        anyv = False
        for d in datasets:
            by = {r["format"]: r.get("summary", {}) for r in d["results"]}
            for f in formats:
                v = by.get(f, {}).get(key)
                vals[f].append(v if v is not None else 0)
                anyv |= v is not None and v > 0
        if not anyv:
            continue
        fig, ax = plt.subplots(figsize=(max(6, 1.2 + 1.6 * len(names) * max(1, len(formats)) / 4), 4.2))
        width = 0.8 / max(1, len(formats))
        cmap = plt.get_cmap("tab10")
        for i, f in enumerate(formats):
            xs = [j + (i - (len(formats) - 1) / 2) * width for j in range(len(names))]
            ax.bar(xs, vals[f], width, label=f, color=cmap(i % 10),
                   edgecolor="black" if f in WEFT else None, linewidth=1.2 if f in WEFT else 0)
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names)
        ax.set_ylabel(unit)
        positive = [v for f in formats for v in vals[f] if v > 0]
        if positive and max(positive) / max(min(positive), 1e-12) > 50:
            ax.set_yscale("log")
        ax.set_title(f"{label} ({'higher' if higher else 'lower'} is better)")
        ax.legend(fontsize=7, ncol=2)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        fn = f"plot-{key}.png"
        fig.savefig(out / fn, dpi=90)
        plt.close(fig)
        files.append(fn)
    return files


def check_filter_counts(d: dict) -> None:
    """Every peer's filtered scan must return as many rows as match in the input (each peer checks
    that itself; this also catches a peer run without the expected count)."""
    fl = d["meta"].get("filter")
    if not fl:
        return
    for r in d["results"]:
        got = r.get("filter_matches")
        if got is not None and got != fl["matches"]:
            chk = r.setdefault("check", {"ok": True, "details": []})
            msg = f"FAILED: filtered scan returned {got} rows, {fl['matches']} match in the input"
            if msg not in chk.setdefault("details", []):
                chk["details"].append(msg)
            chk["ok"] = False


def write(out: Path, env: dict, datasets: list[dict]) -> list[Path]:
    for d in datasets:
        check_filter_counts(d)
        for r in d["results"]:
            r["summary"] = summarize(r, d["meta"])
        d["ratios"] = {w: ratios(d["results"], w) for w in WEFT if any(r["format"] == w for r in d["results"])}
    plots = plot(out, datasets)
    doc = {"environment": env, "filtered_scan": FILTERED, "datasets": datasets,
           "targets": [t for w in WEFT for t in targets(datasets, w)], "plots": plots}
    write_json(out / "results.json", doc)
    (out / "results.md").write_text(markdown(env, datasets, plots))
    return [out / "results.md", out / "results.json"] + [out / p for p in plots]


def main(argv=None) -> int:
    """Re-writes the report of a finished run from its results.json: python -m weftbench.report DIR."""
    import sys
    out = Path((argv or sys.argv[1:])[0])
    doc = json.loads((out / "results.json").read_text())
    write(out, doc["environment"], doc["datasets"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
