"""Two loader-server builds side by side in one run: the numpy bound and each build's Weft loader
(``loader_bench.py``'s configurations), round-robin, so that machine noise spreads over all.

A build is a Java class path (``$WEFT_JAVA_CLASSPATH`` semantics: it must contain
``dev.weft.loader.ServeMain`` and its dependencies); ``this`` means this source tree's
``loader-server/target/classes``. Each build gets its own embedded server (the server key
includes the class path). E.g. main's server against this branch's, ``num_workers=2``::

    mkdir -p /tmp/old && git archive main loader-server/src/main | tar -x -C /tmp/old
    javac -nowarn -d /tmp/old/classes -cp "$(cat loader-server/target/weft-classpath.txt)" \\
        $(find /tmp/old/loader-server/src/main/java -name '*.java')
    .venv/bin/python python-shim/benchmarks/server_ab.py --workers 2 --repeats 5 \\
        --a "/tmp/old/classes:$(cat loader-server/target/weft-classpath.txt)" --b this
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loader_bench import BenchConfig, prepare, samples_per_second  # noqa: E402


def _use(classpath: str) -> None:
    if classpath == "this":
        os.environ.pop("WEFT_JAVA_CLASSPATH", None)
    else:
        os.environ["WEFT_JAVA_CLASSPATH"] = classpath


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--a", required=True, help="class path of build A ('this': this tree)")
    ap.add_argument("--b", default="this", help="class path of build B ('this': this tree)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-shuffle", action="store_true")
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp") / "weft-loader-bench")
    a = ap.parse_args(argv)
    data = prepare(a.data_dir, a.rows)
    shuffle = not a.no_shuffle
    bound = BenchConfig(kind="numpy", num_workers=0, shuffle=shuffle)
    weft = BenchConfig(kind="weft", num_workers=a.workers, shuffle=shuffle)
    runs: Dict[str, List[float]] = {"numpy": [], "A": [], "B": []}
    saved = os.environ.get("WEFT_JAVA_CLASSPATH")
    try:
        for r in range(a.repeats):
            runs["numpy"].append(samples_per_second(bound, data))
            order = ("A", "B") if r % 2 == 0 else ("B", "A")
            for name in order:
                _use(a.a if name == "A" else a.b)
                runs[name].append(samples_per_second(weft, data))
            print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}" for k, v in runs.items()), flush=True)
    finally:
        _use("this" if saved is None else saved)
    med = {k: statistics.median(v) for k, v in runs.items()}
    print(f"{a.rows:,} rows, batch 256, workers={a.workers}, shuffle={shuffle}, {a.repeats} rounds")
    print("| configuration | median samples/s | x bound | runs |\n| --- | ---: | ---: | --- |")
    for k, label in (("numpy", "numpy workers=0 (bound)"), ("A", f"weft workers={a.workers}, build A"),
                     ("B", f"weft workers={a.workers}, build B")):
        runs_s = ", ".join(f"{x:,.0f}" for x in runs[k])
        print(f"| {label} | {med[k]:,.0f} | {med[k] / med['numpy']:.3f} | {runs_s} |")
    ratios = [b / x for b, x in zip(runs["B"], runs["A"])]
    print(f"B/A per round: {', '.join(f'{x:.2f}' for x in ratios)}; median {statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
