"""The Python side of the Arrow IPC socket transport alone (loader-server/PROTOCOL.md section 15):
how fast, and at what CPU cost, a client reads a stream of record batches off a loopback socket.

A sender process writes ``OK\\n`` and a prebuilt Arrow IPC stream (10 float64/int64 columns,
``--rows`` rows per batch, each message tagged in its custom metadata as the server does) to a
socket ``--batches`` times over; the client reads it in this process one of two ways, in
interleaved rounds:

* ``makefile``: ``pyarrow.ipc.open_stream(sock.makefile("rb", buffering=1 << 16))``: what
  ``weft._ipc`` did before (and what PROTOCOL.md shows for plain pyarrow);
* ``shim``: ``weft._ipc.stream`` (``_SocketReader``: bodies received straight into buffers of
  pyarrow's memory pool).

Prints MB/s (wall) and the client's CPU seconds per GB (``time.process_time``: steadier on a busy
machine than wall time), medians over ``--repeats``.

    python python-shim/benchmarks/ipc_client_bench.py [--rows 65536] [--batches 80] [--repeats 7]
"""
import argparse
import json
import multiprocessing as mp
import os
import socket
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402

from weft import _ipc  # noqa: E402


def _stream_bytes(rows: int, batches: int) -> bytes:
    rng = np.random.default_rng(1)
    cols = {f"f{i}": rng.random(rows) for i in range(5)}
    cols.update({f"i{i}": rng.integers(0, 1 << 40, rows) for i in range(5)})
    batch = pa.record_batch(cols)
    sink = pa.BufferOutputStream()
    schema = batch.schema.with_metadata({"weft.num_batches": str(batches)})
    with pa.ipc.new_stream(sink, schema) as w:
        for j in range(batches):
            tag = {"epoch": 0, "batch": j, "first_position": j * rows, "resume_position": (j + 1) * rows,
                   "rows": rows}
            w.write_batch(batch, custom_metadata={"weft.tag": json.dumps(tag)})
    return sink.getvalue().to_pybytes()


def _sender(port_q, data: bytes, rounds: int) -> None:
    ss = socket.create_server(("127.0.0.1", 0))
    port_q.put(ss.getsockname()[1])
    for _ in range(rounds):
        c, _ = ss.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = b""
        while not buf.endswith(b"\n"):
            buf += c.recv(65536)
        c.sendall(b"OK\n")
        c.sendall(data)
        c.close()


def _read_makefile(port: int) -> int:
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(_ipc.request_line("stream", None, {"v": 1}))
    f = s.makefile("rb", buffering=1 << 16)
    assert f.readline(65536) == b"OK\n"
    reader = pa.ipc.open_stream(f)
    n = 0
    while True:
        try:
            batch, meta = reader.read_next_batch_with_custom_metadata()
        except StopIteration:
            break
        json.loads(meta[b"weft.tag"])
        n += batch.nbytes
    f.close()
    s.close()
    return n


def _read_shim(port: int) -> int:
    return sum(b.record_batch.nbytes for b in _ipc.stream(f"ipc+tcp://127.0.0.1:{port}", {"v": 1}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=65536)
    ap.add_argument("--batches", type=int, default=80)
    ap.add_argument("--repeats", type=int, default=7)
    a = ap.parse_args()
    data = _stream_bytes(a.rows, a.batches)
    kinds = {"makefile (before)": _read_makefile, "shim _SocketReader (after)": _read_shim}
    q = mp.Queue()
    sender = mp.Process(target=_sender, args=(q, data, (a.repeats + 1) * len(kinds)), daemon=True)
    sender.start()
    port = q.get()
    results = {k: ([], []) for k in kinds}
    for r in range(a.repeats + 1):  # round 0 warms up
        for name, fn in kinds.items():
            w0, c0 = time.perf_counter(), time.process_time()
            n = fn(port)
            w, c = time.perf_counter() - w0, time.process_time() - c0
            if r:
                results[name][0].append(n / w / 1e6)
                results[name][1].append(c / (n / 1e9))
    sender.join(10)
    print(f"{a.batches} batches of {a.rows} rows ({len(data) / a.batches / 1024:.0f} KiB), pyarrow {pa.__version__}, "
          f"{os.cpu_count()} cores, medians of {a.repeats} interleaved rounds")
    for name, (mb, cpu) in results.items():
        print(f"  {name:28s} {statistics.median(mb):7.0f} MB/s (runs {[round(x) for x in sorted(mb)]}); "
              f"client CPU {statistics.median(cpu):.3f} s/GB (runs {[round(x, 3) for x in sorted(cpu)]})")


if __name__ == "__main__":
    main()
