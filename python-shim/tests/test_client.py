"""The protocol client: zero-copy batches, slot release on garbage collection, errors."""

from __future__ import annotations

import gc

import pytest

import weft
from weft import Client, WeftError

torch = pytest.importorskip("torch")
from weft.torch import record_batch_to_tensors  # noqa: E402


@pytest.fixture(scope="module")
def sock(weft_file):
    return weft.start_server([str(weft_file)])


def test_welcome_and_schema(sock):
    with Client(sock) as c:
        assert c.num_rows == 2000
        assert c.schema.names == ["id", "x", "emb", "seq", "name"]
        assert len(c.fingerprint) == 64
        assert c.segment_path.startswith("/dev/shm/weft-")


def test_batches_are_views_of_the_ring(sock):
    with Client(sock) as c:
        s = c.open_stream(batch_size=100, seed=3, columns=["id", "emb", "name"])
        b = s.next()
        assert b is not None and b.slot is not None and b.record_batch.num_rows == 100
        t = record_batch_to_tensors(b.record_batch)
        assert c.contains_address(t["id"].data_ptr())
        assert c.contains_address(t["emb"].data_ptr()) and t["emb"].shape == (100, 4)
        assert isinstance(t["name"], list) and t["name"][0] == f"row{int(t['id'][0])}"
        # emb row i of id k is [4k, 4k+1, 4k+2, 4k+3]
        assert torch.equal(t["emb"][:, 0], (t["id"] * 4).float())
        copied = record_batch_to_tensors(b.record_batch, copy=True)
        assert not c.contains_address(copied["id"].data_ptr())
        s.close()


def test_slot_released_when_views_are_garbage_collected(sock):
    with Client(sock) as c:
        s = c.open_stream(batch_size=100, seed=1, max_in_flight=2)
        assert s.max_in_flight == 2
        a = record_batch_to_tensors(s.next().record_batch)["id"]
        b = record_batch_to_tensors(s.next().record_batch)["x"]
        # both slots are held through the tensors: the third NEXT times out with a clear error
        with pytest.raises(WeftError, match="hold 2 of 2"):
            s.next(timeout_ms=300)
        # (the TIMEOUT is not fatal) dropping one tensor releases its slot, at once
        del a
        gc.collect()
        assert len(c._pending_releases) == 0
        third = s.next(timeout_ms=5000)
        assert third is not None and len(c._pending_releases) == 0
        del b, third
        n = 3
        while s.next(timeout_ms=5000) is not None:  # each batch dropped at once
            n += 1
        assert n == 20
        s.close()


def test_unknown_column_is_a_server_error(sock):
    with Client(sock) as c:
        with pytest.raises(weft.ServerError, match="nope"):
            c.open_stream(columns=["nope"])


def test_no_server_is_a_clear_error(tmp_path):
    with pytest.raises(WeftError, match="cannot connect"):
        Client(str(tmp_path / "missing.sock"))
