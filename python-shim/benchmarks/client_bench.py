"""The Python client's own cost per batch, independent of how fast the loader server is.

Two parts (the synthetic recsys table of ``loader_bench.py``: 32 float32 + 16 int64 columns, a
float32[64] embedding and an int8 label, batch 256):

* ``decode``: one slot held, turned into the dict of tensors over and over (µs per batch): the
  fast path (``weft._fastpath`` through ``weft.torch._SlotConverter``) and the general path
  (pyarrow RecordBatch -> ``record_batch_to_tensors``, what every batch took before the fast path);
* ``loop``: a real ``WeftLoader`` loop that only touches the tensors, ``num_workers`` 0 and 2. The
  socket of every client is wrapped to time its ``recv_into`` (waiting for the server) and count
  the syscalls; in the training process the time spent turning handed-off slots into tensors
  (``weft.torch._adopt_to_tensors``, which includes waiting for ``ADOPTED``) is timed too. Per
  batch: wall time, time blocked on the server, time touching, and the rest = **the client's
  own cost** (plus, with workers, torch's DataLoader machinery and waiting for the workers in
  the training process). On a busy machine the wall-clock split is noisy (a descheduled process
  counts anywhere); the **CPU time** of the training process per batch (``time.process_time``:
  the client's work plus touching, never the waits) and of the DataLoader workers
  (``RUSAGE_CHILDREN`` once they exited, their start-up included) are the robust numbers.

Run it (the embedded server starts from the built jars; ``--profile`` adds cProfile's top
functions of the workers=0 loop)::

    .venv/bin/python python-shim/benchmarks/client_bench.py [--rows 200000] [--repeats 3] [--profile]

``WEFT_CLIENT_BENCH_SRC=DIR`` runs it against another copy of the package (e.g. an older commit's
``python-shim/src``, with ``WEFT_JAVA_CLASSPATH`` set), for before/after comparisons; the decode
part needs the fast path and is skipped when the package has none.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

if os.environ.get("WEFT_CLIENT_BENCH_SRC"):
    sys.path.insert(0, os.environ["WEFT_CLIENT_BENCH_SRC"])
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyarrow as pa  # noqa: E402
import torch  # noqa: E402

import weft  # noqa: E402
import weft.torch as wt  # noqa: E402
from weft import _client  # noqa: E402
from loader_bench import DEFAULT_COLUMNS, prepare  # noqa: E402


def _per_call_us(f: Callable[[], Any], seconds: float = 1.0) -> float:
    f()
    n, t0 = 0, time.perf_counter()
    while True:
        for _ in range(50):
            f()
        n += 50
        dt = time.perf_counter() - t0
        if dt >= seconds:
            return dt / n * 1e6


def decode_us(sock: str) -> Optional[Dict[str, float]]:
    """µs per batch of the fast and the general slot -> tensors conversion, on one held slot."""
    if not hasattr(wt, "_SlotConverter"):
        return None
    with _client.Client(sock) as c:
        s = c.open_stream(shuffle="none", columns=DEFAULT_COLUMNS)
        r = s.next_raw()
        assert r is not None and r.inline is None
        lease = c.lease(r.slot, r.generation, r.offset, r.length)
        conv = wt._SlotConverter(s.schema, wt._Convert(False, 0, None, "pad"))

        def fast() -> Any:
            return conv(lease, r.rows)

        def general() -> Any:
            buf = pa.foreign_buffer(c.base_address + r.offset, r.length, base=lease)
            return wt.record_batch_to_tensors(pa.ipc.read_record_batch(pa.ipc.read_message(buf), s.schema))

        out = {"fast": _per_call_us(fast), "general": _per_call_us(general)}
        del lease
        s.close()
    return out


class _TimedSocket:
    """A socket whose ``recv_into`` is timed and whose syscalls are counted."""

    stats = {"recv_s": 0.0, "recvs": 0, "sends": 0}

    def __init__(self, sock: Any) -> None:
        self._sock = sock

    def recv_into(self, *a: Any) -> int:
        t0 = time.perf_counter()
        try:
            return self._sock.recv_into(*a)
        finally:
            _TimedSocket.stats["recv_s"] += time.perf_counter() - t0
            _TimedSocket.stats["recvs"] += 1

    def sendall(self, data: Any) -> None:
        _TimedSocket.stats["sends"] += 1
        self._sock.sendall(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _instrument() -> None:
    init = _client.Client.__init__

    def timed_init(self: Any, *a: Any, **k: Any) -> None:
        init(self, *a, **k)
        self.sock = _TimedSocket(self.sock)

    _client.Client.__init__ = timed_init  # type: ignore[method-assign]
    global _adopt
    _adopt = wt._adopt_to_tensors
    wt._adopt_to_tensors = _timed_adopt  # unpickling looks it up by name (a module-level function)


_adopt: Callable[..., Any] = lambda *a: None


def _timed_adopt(*a: Any) -> Any:
    t0 = time.perf_counter()
    try:
        return _adopt(*a)
    finally:
        _TimedSocket.stats["adopt_s"] = _TimedSocket.stats.get("adopt_s", 0.0) + time.perf_counter() - t0


def loop_us(weft_path: Path, num_workers: int, profile: bool = False) -> Dict[str, float]:
    """One epoch of a WeftLoader loop that touches the tensors: µs per batch of each part."""
    ds = wt.WeftDataset(weft_path, columns=DEFAULT_COLUMNS, batch_size=256, shuffle=True, seed=0)
    loader = wt.WeftLoader(ds, num_workers=num_workers)
    st = _TimedSocket.stats
    for k in list(st):
        st[k] = 0 if k in ("recvs", "sends") else 0.0
    touch_s, batches, t0, cpu0 = 0.0, 0, 0.0, 0.0
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    prof = cProfile.Profile() if profile else None
    for b in loader:
        if batches == 0:  # steady state: timed from the first batch, as loader_bench.py
            for k in list(st):
                st[k] = 0 if k in ("recvs", "sends") else 0.0
            t0 = time.perf_counter()
            cpu0 = time.process_time()
            if prof:
                prof.enable()
        else:
            t1 = time.perf_counter()
            acc = 0.0
            for v in b.values():
                acc += float(v.reshape(-1)[0])
            touch_s += time.perf_counter() - t1
        batches += 1
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    del b, loader  # (non-persistent workers have exited: their CPU time is in RUSAGE_CHILDREN)
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_cpu = (children1.ru_utime + children1.ru_stime) - (children0.ru_utime + children0.ru_stime)
    if prof:
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(18)
        print(out.getvalue())
    n = batches - 1
    r = {"wall": wall, "server_wait": st["recv_s"], "touch": touch_s, "adopt": st.get("adopt_s", 0.0),
         "cpu": cpu, "workers_cpu": workers_cpu}
    res = {k: v / n * 1e6 for k, v in r.items()}
    res["client"] = res["wall"] - res["server_wait"] - res["touch"]
    res["recvs"] = st["recvs"] / n
    res["sends"] = st["sends"] / n
    res["samples_per_s"] = n * 256 / wall
    return res


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp") / "weft-loader-bench")
    ap.add_argument("--workers", type=int, nargs="*", default=[0, 2])
    ap.add_argument("--profile", action="store_true", help="cProfile the workers=0 loop (last repeat)")
    a = ap.parse_args(argv)
    data = prepare(a.data_dir, a.rows)
    sock = weft.start_server([str(data.weft)])
    print(f"weft package: {Path(weft.__file__).parent}")
    dec: List[Dict[str, float]] = []
    for _ in range(a.repeats):
        d = decode_us(sock)
        if d:
            dec.append(d)
    if dec:
        print("decode one held slot into the dict of tensors (µs per batch, median of "
              f"{len(dec)}): fast {statistics.median(d['fast'] for d in dec):.1f}, "
              f"general {statistics.median(d['general'] for d in dec):.1f}")
    _instrument()
    print("| loop | samples/s | wall µs/batch | server wait | touch | client (rest) | of which adopt | "
          "CPU µs/batch, training process | CPU µs/batch, workers | recv+send syscalls/batch (training process) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for w in a.workers:
        runs = [loop_us(data.weft, w, a.profile and w == 0 and i == a.repeats - 1) for i in range(a.repeats)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"| workers={w} | {med['samples_per_s']:,.0f} | {med['wall']:.0f} | {med['server_wait']:.0f} | "
              f"{med['touch']:.0f} | {med['client']:.0f} | {med['adopt']:.0f} | {med['cpu']:.0f} | "
              f"{med['workers_cpu']:.0f} | "
              f"{med['recvs']:.1f} + {med['sends']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
