"""Moving batches to a device in one copy (weft._device): the layout logic runs on the CPU here;
test_cuda.py covers the CUDA path (page-locked ring, asynchronous copy) where a GPU exists."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from weft._device import DeviceMover, pack_copy  # noqa: E402
from weft.torch import WeftDataset, WeftLoader, to_device  # noqa: E402

from test_workers import B, N, in_ring, ring_mappings  # noqa: E402


def _first_batch(weft_file, **kw):
    ds = WeftDataset(weft_file, batch_size=B, seed=4, **kw)
    it = iter(WeftLoader(ds))
    return next(it), it


def test_pack_copy_moves_a_slot_batch_in_one_piece(weft_file):
    b, _it = _first_batch(weft_file)
    maps = ring_mappings()
    assert all(in_ring(b[k], maps) for k in ("id", "x", "emb"))
    c = pack_copy(b, "cpu")
    assert list(c) == list(b)
    for k in ("id", "x", "emb"):
        assert torch.equal(c[k], b[k]) and c[k].dtype == b[k].dtype and c[k].shape == b[k].shape
        assert not in_ring(c[k], maps), f"{k} still points into the ring"
    # the fixed-width columns are views of one new buffer: one copy, not one per column
    bases = {c[k].untyped_storage().data_ptr() for k in ("id", "x", "emb")}
    assert len(bases) == 1
    assert c["name"] == b["name"]  # not a tensor: passed through


def test_pack_copy_of_separate_tensors_moves_each(weft_file):
    b = {"a": torch.arange(10), "gap": torch.zeros(1 << 20, dtype=torch.uint8)[:4], "c": torch.ones(3)}
    far = {"a": b["a"], "c": torch.ones(3)}
    for batch in (b, far):
        c = pack_copy(batch, "cpu")
        for k in batch:
            assert torch.equal(c[k], batch[k]) and c[k].data_ptr() != batch[k].data_ptr()


def test_pack_copy_keeps_non_contiguous_and_odd_offsets_right():
    base = torch.arange(64, dtype=torch.int64)
    batch = {"t": base[::2], "u": base.view(torch.uint8)[3:11], "w": base[40:48]}
    c = pack_copy(batch, "cpu")
    for k in batch:
        assert torch.equal(c[k], batch[k])


def test_cpu_device_leaves_batches_alone(weft_file):
    ds = WeftDataset(weft_file, batch_size=B, seed=6)
    plain = [b["id"].tolist() for b in WeftLoader(ds)]
    moved = []
    for b in WeftLoader(ds, device="cpu"):
        assert in_ring(b["id"], ring_mappings())  # still zero copy
        moved.append(b["id"].tolist())
    assert moved == plain and len(plain) == N // B
    b, _it = _first_batch(weft_file)
    assert to_device(b, "cpu") is b


def test_device_and_pin_memory_are_exclusive(weft_file):
    ds = WeftDataset(weft_file, batch_size=B)
    with pytest.raises(ValueError, match="device= or pin_memory"):
        WeftLoader(ds, device="cpu", pin_memory=True)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error without CUDA")
def test_cuda_device_without_cuda_is_a_clear_error(weft_file):
    with pytest.raises(RuntimeError, match="cuda.is_available"):
        DeviceMover("cuda")
    with pytest.raises(RuntimeError, match="cuda.is_available"):
        WeftLoader(WeftDataset(weft_file, batch_size=B), device="cuda")


def test_runs_of_equally_spaced_columns_are_viewed_right():
    # 5 int32 columns of 7 values, 32 bytes apart, then a float64 column and an odd-sized one
    raw = torch.zeros(512, dtype=torch.uint8)
    cols = {}
    for i in range(5):
        t = raw[i * 32:i * 32 + 28].view(torch.int32)
        t.copy_(torch.arange(7, dtype=torch.int32) * (i + 1))
        cols[f"c{i}"] = t
    f = raw[192:192 + 24].view(torch.float64)
    f.copy_(torch.tensor([0.5, -1.0, 3.25], dtype=torch.float64))
    e = raw[256:256 + 12].view(torch.float32).view(3, 1)
    e.copy_(torch.tensor([[1.0], [2.0], [3.0]]))
    batch = {**cols, "f": f, "e": e}
    c = pack_copy(batch, "cpu")
    for k in batch:
        assert torch.equal(c[k], batch[k]) and c[k].shape == batch[k].shape, k
    raw.zero_()  # the copies do not alias the source
    assert c["c4"].tolist() == [0, 5, 10, 15, 20, 25, 30]


@pytest.mark.parametrize("kw", [{"transport": "socket"}, {"handoff": False}])
def test_worker_batches_that_torch_copies_come_packed_in_one_buffer(weft_file, kw):
    # torch moves each tensor of a worker's batch through a shared-memory segment of its own; the
    # worker packs the columns into one, and the training process gets views of it
    from torch.utils.data import DataLoader

    ref = WeftDataset(weft_file, batch_size=B, seed=8)
    want = [b["id"].tolist() for b in DataLoader(ref, batch_size=None)]
    ds = WeftDataset(weft_file, batch_size=B, seed=8, **kw)
    got = []
    for b in WeftLoader(ds, num_workers=2):
        assert not in_ring(b["id"], ring_mappings())
        assert len({b[k].untyped_storage().data_ptr() for k in ("id", "x", "emb")}) == 1
        assert torch.equal(b["x"], b["id"].float() * 0.5)
        assert torch.equal(b["emb"][:, 3], (b["id"] * 4 + 3).float())
        assert b["name"] == [f"row{i}" for i in b["id"].tolist()]
        assert torch.equal(b["seq"]["lengths"], b["id"] % 5)
        got.append(b["id"].tolist())
    assert got == want
