"""Times reading one Flight stream of a Weft loader server with pyarrow.flight.

Usage: flight_bench.py LOCATION TICKET_JSON MAX_BATCHES
Prints RESULT <batches> <rows> <bytes> <seconds>, bytes = the record batches' buffer sizes.
FlightTransportBenchmark runs it.

``flight_bench.py --raw HOST PORT``: the raw TCP peer of FlightCeilingBenchmark, reads a plain
socket until EOF into one reused buffer and prints RESULT 0 0 <bytes> <seconds>.

``flight_bench.py --ipc HOST PORT REQUEST_JSON MAX_BATCHES``: reads one stream of the Arrow IPC
socket transport (PROTOCOL.md section 15) with ``pyarrow.ipc.open_stream`` over the socket's
file (as the python-shim does), tags from each message's custom metadata; prints RESULT as above.

``flight_bench.py --shim HOST PORT REQUEST_JSON MAX_BATCHES``: the same stream read by the Python
shim's client (``weft._ipc.stream``, what ``transport="socket"`` uses; python-shim/src on the path).

``$WEFT_FLIGHT_GRPC_OPTIONS``: a JSON list of [name, value] gRPC channel arguments for the
client (pyarrow's ``generic_options``), e.g. ``[["grpc.http2.max_frame_size", 16777215]]``.
"""
import json
import os
import socket
import sys
import time

import pyarrow.flight as fl


def main(location, ticket, limit):
    opts = [tuple(o) for o in json.loads(os.environ.get("WEFT_FLIGHT_GRPC_OPTIONS") or "[]")]
    client = fl.FlightClient(location, generic_options=opts) if opts else fl.connect(location)
    reader = client.do_get(fl.Ticket(ticket.encode()))
    batches = rows = nbytes = 0
    t0 = time.perf_counter()
    for chunk in reader:
        batches += 1
        rows += chunk.data.num_rows
        nbytes += chunk.data.nbytes
        if batches >= limit:
            break
    seconds = time.perf_counter() - t0
    reader.cancel()
    print(f"RESULT {batches} {rows} {nbytes} {seconds}")


def raw(host, port):
    s = socket.create_connection((host, port))
    buf = bytearray(4 << 20)
    view = memoryview(buf)
    got = 0
    t0 = None
    while True:
        k = s.recv_into(view)
        if t0 is None:
            t0 = time.perf_counter()
        if not k:
            break
        got += k
    print(f"RESULT 0 0 {got} {time.perf_counter() - t0}")


def ipc(host, port, request, limit):
    import pyarrow as pa

    s = socket.create_connection((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(request.encode() + b"\n")
    f = s.makefile("rb", buffering=1 << 16)
    status = f.readline(65536)
    if status != b"OK\n":
        raise SystemExit(f"server answered {status!r}")
    reader = pa.ipc.open_stream(f)
    batches = rows = nbytes = 0
    t0 = time.perf_counter()
    while batches < limit:
        try:
            batch, meta = reader.read_next_batch_with_custom_metadata()
        except StopIteration:
            break
        json.loads(meta[b"weft.tag"])
        batches += 1
        rows += batch.num_rows
        nbytes += batch.nbytes
    seconds = time.perf_counter() - t0
    s.close()
    print(f"RESULT {batches} {rows} {nbytes} {seconds}")


def shim(host, port, request, limit):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..",
                                    "python-shim", "src"))
    from weft import _ipc

    ticket = json.loads(request)["ticket"]
    batches = rows = nbytes = 0
    it = _ipc.stream(f"ipc+tcp://{host}:{port}", ticket)
    t0 = time.perf_counter()
    for b in it:
        batches += 1
        rows += b.record_batch.num_rows
        nbytes += b.record_batch.nbytes
        if batches >= limit:
            break
    seconds = time.perf_counter() - t0
    it.close()
    print(f"RESULT {batches} {rows} {nbytes} {seconds}")


if __name__ == "__main__":
    if sys.argv[1] == "--shim":
        shim(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
    elif sys.argv[1] == "--ipc":
        ipc(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
    elif sys.argv[1] == "--raw":
        raw(sys.argv[2], int(sys.argv[3]))
    else:
        main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
