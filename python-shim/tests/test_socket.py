"""transport="flight": WeftDataset over the loader server's Arrow Flight transport (PROTOCOL.md 12);
transport="socket" (Arrow IPC over TCP, section 15) is tested in test_ipc.py.

The live tests need a loader server build with the Flight transport (FlightLoaderService,
``ServeMain --port``); against an older build they are skipped, saying so.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("pyarrow.flight")
from torch.utils.data import DataLoader  # noqa: E402

import weft  # noqa: E402
from weft import WeftError, _flight, _server  # noqa: E402
from weft.torch import WeftDataset, WeftLoader  # noqa: E402

N, B = 2000, 50


def _server_has_flight() -> bool:
    try:
        cp = _server.java_classpath()
    except Exception:
        return False
    for entry in cp.split(os.pathsep):
        p = Path(entry)
        if (p / "dev" / "weft" / "loader" / "FlightLoaderService.class").is_file():
            return True
    return False


live = pytest.mark.skipif(not _server_has_flight(),
                          reason="the loader server build on the class path has no Flight transport "
                                 "(FlightLoaderService; see loader-server/PROTOCOL.md section 12)")


def ids(loader):
    return [b["id"].tolist() for b in loader]


def test_addresses_and_tickets():
    assert _flight.is_socket_address("127.0.0.1:8815") and _flight.is_socket_address("grpc+tcp://h:1")
    assert not _flight.is_socket_address("/tmp/weft-1.sock")
    assert _flight.location("localhost:9") == "grpc+tcp://localhost:9"
    t = _flight.make_ticket(epoch=3, seed=-1, shuffle="block", batch_size=64, rank=1, world_size=2, worker=0,
                            num_workers=2, drop_last=False, start_batch=5, columns=["a"], block_size=8,
                            window_blocks=4, fingerprint="ab" * 32)
    assert t == {"v": 1, "batch_size": 64, "seed": str(2**64 - 1), "epoch": 3, "shuffle": "block", "rank": 1,
                 "world_size": 2, "worker": 0, "num_workers": 2, "drop_last": False, "start_batch": 5,
                 "columns": ["a"], "block_size": 8, "window_blocks": 4, "fingerprint": "ab" * 32}


def test_network_address_needs_the_socket_transport(weft_file):
    with pytest.raises(ValueError, match="transport='socket'"):
        WeftDataset(weft_file, server="127.0.0.1:8815")
    with pytest.raises(ValueError, match="transport"):
        WeftDataset(weft_file, transport="carrier-pigeon")


def test_no_flight_server_is_a_clear_error(weft_file):
    ds = WeftDataset(weft_file, transport="flight", server="127.0.0.1:1", batch_size=B)
    with pytest.raises(WeftError, match="127.0.0.1:1"):
        len(ds)
    with pytest.raises(WeftError, match="Arrow Flight"):
        next(iter(ds))


@live
@pytest.mark.parametrize("num_workers", [0, 2])
def test_socket_gives_the_same_batches_as_shm(weft_file, num_workers):
    shm = WeftDataset(weft_file, batch_size=B, seed=7)
    sock = WeftDataset(weft_file, batch_size=B, seed=7, transport="flight")
    assert sock.server.startswith("grpc+tcp://127.0.0.1:")
    assert len(sock) == len(shm) == N // B and sock.fingerprint == shm.fingerprint
    for ds in (shm, sock):
        ds.set_epoch(2)
    a = ids(DataLoader(shm, batch_size=None))
    # gRPC is not fork-safe and this process has used it: workers start from a fork server
    got = list(DataLoader(sock, batch_size=None, num_workers=num_workers,
                          multiprocessing_context="forkserver" if num_workers else None))
    assert [b["id"].tolist() for b in got] == a
    b = got[0]
    assert torch.equal(b["x"], b["id"].float() * 0.5) and b["emb"].shape == (B, 4)
    assert b["name"] == [f"row{i}" for i in b["id"].tolist()]
    assert torch.equal(b["seq"]["lengths"], b["id"] % 5)


@live
def test_socket_explicit_server_resume_and_errors(weft_file):
    loc = _server.acquire_flight([str(weft_file)])
    host_port = loc.split("://", 1)[1]
    full = ids(DataLoader(WeftDataset(weft_file, batch_size=B, seed=3, server=host_port, transport="flight"),
                          batch_size=None))
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
        next(iter(WeftDataset(weft_file, columns=["nope"], server=loc, transport="flight")))
    assert weft.read_table  # the notebook helpers stay on shared memory


@live
def test_forked_worker_of_a_grpc_user_is_a_clear_error_not_a_hang(weft_file):
    sock = WeftDataset(weft_file, batch_size=B, seed=1, transport="flight")
    next(iter(sock))  # this process now has gRPC threads
    dl = DataLoader(sock, batch_size=None, num_workers=1, multiprocessing_context="fork", timeout=60)
    with pytest.raises(WeftError, match="forkserver"):
        next(iter(dl))
