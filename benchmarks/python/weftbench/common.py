"""Shared helpers: paths, the Java command line, row ids identical to the Java side, memory."""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import threading
import time
from pathlib import Path

import numpy as np

BENCH_DIR = Path(__file__).resolve().parents[2]          # benchmarks/
REPO = BENCH_DIR.parent
JVM_FLAGS = ["--add-opens=java.base/java.nio=ALL-UNNAMED"]


def _vector_flags() -> list[str]:
    """The Vector API module where the JDK has it, as the loader server runs (format-spec's
    VectorDecoding; WEFT_VECTOR=0 leaves it out, for an A/B)."""
    if os.environ.get("WEFT_VECTOR") == "0":
        return []
    java = os.environ.get("JAVA", "java")
    real = os.path.realpath(java if os.sep in java else (shutil.which(java) or java))
    try:
        text = (Path(real).parent.parent / "release").read_text(errors="replace")
    except OSError:
        return []
    mods = next((ln.split("=", 1)[1].strip('"').split() for ln in text.splitlines() if ln.startswith("MODULES=")), [])
    return ["--add-modules=jdk.incubator.vector"] if "jdk.incubator.vector" in mods else []


JVM_FLAGS += _vector_flags()

M64 = (1 << 64) - 1
C1 = 0x9E3779B97F4A7C15
C2 = 0xBF58476D1CE4E5B9
C3 = 0x94D049BB133111EB


def java_classpath() -> str:
    # WEFT_BENCH_TARGET: a copy of benchmarks/target to run from (e.g. while a build runs)
    target = Path(os.environ.get("WEFT_BENCH_TARGET", BENCH_DIR / "target"))
    jar = target / "weft-benchmarks-0.1.0-SNAPSHOT.jar"
    classes = target / "classes"
    first = str(jar) if jar.exists() else str(classes)
    return first + os.pathsep + str(target / "lib" / "*")


def java_cmd(main: str, args: list[str], heap: str = "4g") -> list[str]:
    java = os.environ.get("JAVA", "java")
    return [java, *JVM_FLAGS, f"-Xmx{heap}", "-cp", java_classpath(), main, *args]


def row_ids(seed: int, rep: int, start: int, count: int, n: int) -> np.ndarray:
    """Row ids start..start+count-1 of repetition rep, as BenchMain.rowId computes them."""
    i = np.arange(start, start + count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        base = np.uint64(((seed * C1) + ((rep + 2) * C2)) & M64)
        z = base + i * np.uint64(C3)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(C2)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(C3)
        z = z ^ (z >> np.uint64(31))
    signed = z.view(np.int64)
    return np.mod(signed, np.int64(n)).astype(np.int64)


def check_ids(seed: int, k: int, n: int) -> list[int]:
    """The ids BenchMain.checkTake uses: k seeded ids, then 0, n-1 and a duplicate."""
    ids = [int(x) for x in row_ids(seed ^ 0x5EED, 0, 0, k, n)]
    return ids + [0, n - 1, ids[0]]


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def rss_anon() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return -1


class MemorySampler:
    """Peak RssAnon (heap and native allocations, not mapped file pages) above a baseline."""

    def __init__(self):
        self.peak = 0
        self.baseline = 0
        self._stop = False
        self._t = threading.Thread(target=self._loop, daemon=True)
        self._t.start()

    def _loop(self):
        while not self._stop:
            v = rss_anon()
            if v > self.peak:
                self.peak = v
            time.sleep(0.004)

    def start_phase(self):
        self.baseline = rss_anon()
        self.peak = self.baseline

    def peak_above_baseline(self) -> int:
        v = rss_anon()
        self.peak = max(self.peak, v)
        return -1 if self.baseline < 0 else max(0, self.peak - self.baseline)

    def close(self):
        self._stop = True


def timed_reps(warmups: int, reps: int, fn) -> list[float]:
    for w in range(warmups):
        fn(-1 - w)
    out = []
    for r in range(reps):
        t0 = time.perf_counter()
        fn(r)
        out.append(time.perf_counter() - t0)
    return out


def rate(reps: int, min_ops: int, max_ops: int, seconds: float, op) -> list[float]:
    """Rows/s per repetition (after a warm-up repetition), as Measure.rate does in Java."""
    out = []
    for rep in range(-1, reps):
        limit = seconds / 2 if rep < 0 else seconds
        t0 = time.perf_counter()
        rows = 0
        i = 0
        while i < max_ops:
            rows += op(rep, i)
            i += 1
            if i >= min_ops and time.perf_counter() - t0 >= limit:
                break
        el = time.perf_counter() - t0
        if rep >= 0:
            out.append(rows / el)
    return out


def path_size(p: Path) -> int:
    if p.is_file():
        return p.stat().st_size
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())


def page_cache_resident(p: Path) -> float | None:
    """Fraction of the file's (or directory's files') bytes in the page cache, via fincore."""
    files = [p] if p.is_file() else [f for f in p.rglob("*") if f.is_file()]
    if not files:
        return None
    try:
        out = subprocess.run(["fincore", "--bytes", "--noheadings", "--raw", "-o", "RES,SIZE", *map(str, files)],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    res = size = 0
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2:
            res += int(parts[0])
            size += int(parts[1])
    return min(1.0, res / size) if size else None


def write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, indent=2) + "\n")
