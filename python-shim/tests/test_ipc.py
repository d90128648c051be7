"""transport="socket": WeftDataset over the loader server's Arrow IPC socket transport
(loader-server/PROTOCOL.md section 15): real server, real TCP sockets on 127.0.0.1, real torch.

The live tests need a loader server build with that transport (IpcLoaderService,
``ServeMain --ipc-port``); against an older build they are skipped, saying so.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
import pyarrow as pa  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

from weft import WeftError, _ipc, _server  # noqa: E402
from weft.torch import WeftDataset, WeftLoader  # noqa: E402

N, B = 2000, 50


def _server_has_ipc() -> bool:
    try:
        cp = _server.java_classpath()
    except Exception:
        return False
    return any((Path(e) / "dev" / "weft" / "loader" / "IpcLoaderService.class").is_file()
               for e in cp.split(os.pathsep))


live = pytest.mark.skipif(not _server_has_ipc(),
                          reason="the loader server build on the class path has no Arrow IPC socket transport "
                                 "(IpcLoaderService; see loader-server/PROTOCOL.md section 15)")


def ids(loader):
    return [b["id"].tolist() for b in loader]


def test_addresses_and_request_lines():
    assert _ipc.location("localhost:9") == "ipc+tcp://localhost:9"
    assert _ipc.location("ipc+tcp://h:1") == "ipc+tcp://h:1"
    with pytest.raises(ValueError):
        _ipc.location("grpc+tcp://h:1")
    with pytest.raises(ValueError):
        _ipc.location("/tmp/weft.sock")
    line = _ipc.request_line("stream", "t", {"v": 1})
    assert line.endswith(b"\n") and json.loads(line) == {"v": 1, "op": "stream", "token": "t", "ticket": {"v": 1}}
    with pytest.raises(ValueError, match="transport='socket'"):
        WeftDataset("x.weft", server="ipc+tcp://127.0.0.1:1")


def test_socket_reader_reassembles_a_stream_sent_in_odd_pieces():
    """_SocketReader (what _ipc.stream reads with): the status line and an IPC stream with tags,
    sent in pieces of every size (1 byte, across the read-ahead buffer, larger than it), read back
    whole; a stream cut short is an error, not a short epoch."""
    import random
    import threading

    batch = pa.record_batch({"x": pa.array(range(100_000), pa.int64()), "s": pa.array([str(i) for i in range(100_000)])})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema.with_metadata({"weft.num_batches": "3"})) as w:
        for j in range(3):
            tag = {"epoch": 0, "batch": j, "first_position": j, "resume_position": j + 1, "rows": batch.num_rows}
            w.write_batch(batch, custom_metadata={"weft.tag": json.dumps(tag)})
    data = b"OK\n" + sink.getvalue().to_pybytes()
    for cut in (None, len(data) // 2):
        ss = socket.create_server(("127.0.0.1", 0))

        def send(payload=data if cut is None else data[:cut]):
            c, _ = ss.accept()
            c.recv(1 << 16)
            rnd = random.Random(7)
            at = 0
            while at < len(payload):
                k = rnd.choice([1, 3, 4096, 65535, 65536, 65537, 300_000])
                c.sendall(payload[at:at + k])
                at += k
            c.close()

        t = threading.Thread(target=send)
        t.start()
        try:
            got = []
            if cut is None:
                for b in _ipc.stream(f"127.0.0.1:{ss.getsockname()[1]}", {"v": 1}):
                    got.append(b)
                assert [b.index for b in got] == [0, 1, 2]
                assert all(b.record_batch.equals(batch) for b in got)
            else:
                with pytest.raises(WeftError):
                    for b in _ipc.stream(f"127.0.0.1:{ss.getsockname()[1]}", {"v": 1}):
                        got.append(b)
        finally:
            t.join(30)
            ss.close()


def test_no_server_is_a_clear_error(weft_file):
    ds = WeftDataset(weft_file, transport="socket", server="127.0.0.1:1", batch_size=B)
    with pytest.raises(WeftError, match="127.0.0.1:1"):
        len(ds)
    with pytest.raises(WeftError, match="Arrow IPC"):
        next(iter(ds))


@live
@pytest.mark.parametrize("num_workers", [0, 2])
def test_socket_gives_the_same_batches_as_shm_and_flight(weft_file, num_workers):
    shm = WeftDataset(weft_file, batch_size=B, seed=7)
    sock = WeftDataset(weft_file, batch_size=B, seed=7, transport="socket")
    flight = WeftDataset(weft_file, batch_size=B, seed=7, transport="flight")
    assert sock.server.startswith("ipc+tcp://127.0.0.1:")
    assert len(sock) == len(shm) == N // B and sock.fingerprint == shm.fingerprint
    for ds in (shm, sock, flight):
        ds.set_epoch(2)
    a = ids(DataLoader(shm, batch_size=None))
    # no gRPC: plain fork is fine for workers
    got = list(WeftLoader(sock, num_workers=num_workers))
    assert [b["id"].tolist() for b in got] == a
    if num_workers == 0:
        assert ids(DataLoader(flight, batch_size=None, num_workers=1, multiprocessing_context="forkserver")) == a
    b = got[0]
    assert torch.equal(b["x"], b["id"].float() * 0.5) and b["emb"].shape == (B, 4)
    assert b["name"] == [f"row{i}" for i in b["id"].tolist()]
    assert torch.equal(b["seq"]["lengths"], b["id"] % 5)


@live
def test_tags_resume_and_errors(weft_file):
    loc = _server.acquire_ipc([str(weft_file)])
    host_port = loc.split("://", 1)[1]
    full = ids(DataLoader(WeftDataset(weft_file, batch_size=B, seed=3, server=host_port, transport="socket"),
                          batch_size=None))
    # the tags: batch index, positions, resume position (PROTOCOL.md section 12.2)
    ticket = {"v": 1, "batch_size": B, "seed": 3, "epoch": 0, "rank": 1, "world_size": 2}
    tags = [(b.epoch, b.index, b.first_position, b.resume_position) for b in _ipc.stream(loc, ticket)]
    assert tags == [(0, j, 1 + 2 * j * B, min(2 * B * (j + 1), N)) for j in range(N // 2 // B)]
    # resume through WeftLoader's state, with workers
    dl = WeftLoader(WeftDataset(weft_file, batch_size=B, seed=3, server=loc, transport="socket"), num_workers=2)
    got = []
    for i, b in enumerate(dl):
        got.append(b["id"].tolist())
        if i == 4:
            state = dl.state_dict()
            break
    del dl
    dl2 = WeftLoader(WeftDataset(weft_file, batch_size=B, seed=3, server=loc, transport="socket"))
    dl2.load_state_dict(state)
    assert got + ids(dl2) == full
    with pytest.raises(WeftError, match="nope"):
        next(iter(WeftDataset(weft_file, columns=["nope"], server=loc, transport="socket")))
    # a raw client: a malformed request gets one ERROR line, then the connection is closed
    host, port = host_port.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(b"{\"v\": 1, \"path\": \"/etc/passwd\"}\n")
        reply = s.makefile("rb").read()
    assert reply.startswith(b"ERROR INVALID_ARGUMENT ") and reply.count(b"\n") == 1
    # pyarrow alone reads the stream (the documented client)
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(_ipc.request_line("stream", None, {"v": 1, "batch_size": 500, "shuffle": "none"}))
        f = s.makefile("rb")
        assert f.readline() == b"OK\n"
        table = pa.ipc.open_stream(f).read_all()
    assert table.column("id").to_pylist() == list(range(N))
    # a client that hangs up mid-stream leaves the server serving
    it = _ipc.stream(loc, {"v": 1, "batch_size": 10})
    next(it)
    it.close()
    assert ids(DataLoader(WeftDataset(weft_file, batch_size=B, seed=3, server=loc, transport="socket"),
                          batch_size=None)) == full
