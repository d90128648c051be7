"""DataLoader workers: zero copy into the training process (HANDOFF/ADOPT), WeftLoader checkpoints
that resume with any num_workers, set_epoch with persistent workers, tensor conversion."""

from __future__ import annotations

import gc

import numpy as np
import pyarrow as pa
import pytest

torch = pytest.importorskip("torch")
from torch.utils.data import DataLoader  # noqa: E402

from weft import _client  # noqa: E402
from weft.torch import WeftDataset, WeftLoader, record_batch_to_tensors  # noqa: E402

N, B = 2000, 50


def ids(loader):
    return [b["id"].tolist() for b in loader]


def flat(batches):
    return [i for b in batches for i in b]


def ring_mappings():
    """(low, high) address ranges of this process's mappings of a weft ring."""
    out = []
    with open("/proc/self/maps") as f:
        for line in f:
            if "/dev/shm/weft-" in line:
                lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
                out.append((lo, hi))
    return out


def in_ring(t, maps):
    return any(lo <= t.data_ptr() < hi for lo, hi in maps)


# ------------------------------------------------------------------ zero copy across workers
@pytest.mark.parametrize("num_workers", [2, 4])
def test_worker_batches_are_views_of_the_ring_in_the_main_process(weft_file, num_workers):
    ds = WeftDataset(weft_file, batch_size=B, seed=3)
    n = 0
    for b in DataLoader(ds, batch_size=None, num_workers=num_workers):
        maps = ring_mappings()  # of this (the main) process
        for name in ("id", "x", "emb"):
            assert in_ring(b[name], maps), f"{name} was copied on its way from the worker"
        assert torch.equal(b["x"], b["id"].float() * 0.5)
        assert torch.equal(b["emb"][:, 3], (b["id"] * 4 + 3).float())
        assert b["name"] == [f"row{i}" for i in b["id"].tolist()]
        n += 1
    assert n == N // B


def test_handoff_off_copies_like_torch(weft_file):
    ds = WeftDataset(weft_file, batch_size=B, seed=3, handoff=False)
    b = next(iter(DataLoader(ds, batch_size=None, num_workers=2)))
    assert not in_ring(b["id"], ring_mappings())  # torch moved it through its own shared memory


def test_adopted_slot_is_released_when_its_tensors_are_collected(weft_file):
    ds = WeftDataset(weft_file, batch_size=B, seed=5)
    it = iter(DataLoader(ds, batch_size=None, num_workers=2))
    b = next(it)
    adopter = _client.adopter(ds.server)
    before = adopter.releases_sent
    x = b["x"]  # one view keeps the whole slot
    del b
    gc.collect()
    assert adopter.releases_sent == before
    del x
    gc.collect()
    assert adopter.releases_sent == before + 1
    assert len(ids(it)) == N // B - 1


def test_copy_true_detaches_in_the_main_process(weft_file):
    ds = WeftDataset(weft_file, batch_size=B, seed=5, copy=True)
    for b in DataLoader(ds, batch_size=None, num_workers=2):
        assert not in_ring(b["id"], ring_mappings())
        assert torch.equal(b["x"], b["id"].float() * 0.5)


def test_pin_memory_true_works(weft_file):
    # CPU-only torch: the DataLoader turns pinning off with a warning; the batches still arrive
    ds = WeftDataset(weft_file, batch_size=B, seed=2)
    with pytest.warns(UserWarning) if not torch.cuda.is_available() else _nullcontext():
        batches = ids(DataLoader(ds, batch_size=None, num_workers=2, pin_memory=True))
    assert sorted(flat(batches)) == list(range(N))


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


# ------------------------------------------------------------------ WeftLoader checkpoints
@pytest.mark.parametrize("before,after", [(0, 2), (2, 4), (4, 0)])
def test_weftloader_resumes_with_another_num_workers(weft_file, before, after):
    ds = WeftDataset(weft_file, batch_size=B, seed=31)
    ds.set_epoch(1)
    full = ids(DataLoader(ds, batch_size=None))
    dl = WeftLoader(WeftDataset(weft_file, batch_size=B, seed=31), num_workers=before)
    dl.dataset.set_epoch(1)
    got = []
    for i, b in enumerate(dl):
        got.append(b["id"].tolist())
        if i == 6:
            state = dl.state_dict()  # the workers have prefetched more; the state does not count them
            break
    assert state["epoch"] == 1 and state["next_batch"] == 7
    del dl, b
    dl2 = WeftLoader(WeftDataset(weft_file, batch_size=B, seed=31), num_workers=after)
    dl2.load_state_dict(state)
    rest = ids(dl2)
    assert got + rest == full
    assert dl2.state_dict()["next_batch"] == N // B  # the epoch is done
    # the next iteration of the same epoch starts from its beginning
    assert ids(dl2) == full


def test_weftloader_state_before_iterating_and_bad_arguments(weft_file):
    dl = WeftLoader(WeftDataset(weft_file, batch_size=B, seed=1))
    s = dl.state_dict()
    assert (s["epoch"], s["next_batch"], s["seed"], s["batch_size"]) == (0, 0, 1, B)
    assert len(s["fingerprint"]) == 64
    with pytest.raises(ValueError, match="batch_size=None"):
        WeftLoader(WeftDataset(weft_file, batch_size=B), batch_size=4)
    with pytest.raises(TypeError):
        WeftLoader(list(range(3)))


# ------------------------------------------------------------------ persistent workers
def test_set_epoch_reaches_persistent_workers(weft_file):
    ds = WeftDataset(weft_file, batch_size=B, seed=13)
    dl = DataLoader(ds, batch_size=None, num_workers=2, persistent_workers=True)
    ds.set_epoch(1)
    e1 = ids(dl)
    workers = [w.pid for w in dl._iterator._workers]
    ds.set_epoch(2)
    e2 = ids(dl)
    assert [w.pid for w in dl._iterator._workers] == workers  # the same processes
    assert e1 != e2 and sorted(flat(e1)) == sorted(flat(e2)) == list(range(N))
    fresh = WeftDataset(weft_file, batch_size=B, seed=13)
    for epoch, seen in ((1, e1), (2, e2)):
        fresh.set_epoch(epoch)
        assert ids(DataLoader(fresh, batch_size=None)) == seen
    del dl


def test_weftloader_resume_with_persistent_workers(weft_file):
    ds = WeftDataset(weft_file, batch_size=B, seed=17)
    full = ids(DataLoader(ds, batch_size=None))
    dl = WeftLoader(WeftDataset(weft_file, batch_size=B, seed=17), num_workers=2, persistent_workers=True)
    dl.load_state_dict({"epoch": 0, "next_batch": 5, "seed": 17, "batch_size": B})
    assert ids(dl) == full[5:]
    dl.dataset.set_epoch(0)
    assert ids(dl) == full  # a finished resumed epoch starts from the beginning next time
    del dl


# ------------------------------------------------------------------ conversion
def _lists_batch():
    seq = pa.array([[1, 2, 3], [], [4], [5, 6, 7, 8, 9]], type=pa.list_(pa.int32()))
    emb = pa.FixedSizeListArray.from_arrays(pa.array(np.arange(12, dtype=np.float32)), 3)
    return pa.record_batch({"seq": seq, "emb": emb, "s": pa.array(["a", "b", None, "d"]),
                            "flag": pa.array([True, False, True, True])})


def test_list_columns_padded_truncated_or_flat():
    rb = _lists_batch()
    t = record_batch_to_tensors(rb)
    assert t["seq"]["values"].tolist() == [[1, 2, 3, 0, 0], [0] * 5, [4, 0, 0, 0, 0], [5, 6, 7, 8, 9]]
    assert t["seq"]["lengths"].tolist() == [3, 0, 1, 5] and t["seq"]["lengths"].dtype == torch.int64
    assert t["emb"].shape == (4, 3) and t["emb"][1].tolist() == [3, 4, 5]
    assert t["s"] == ["a", "b", None, "d"] and t["flag"].tolist() == [True, False, True, True]
    p = record_batch_to_tensors(rb, pad_to=2, pad_value=-1)
    assert p["seq"]["values"].tolist() == [[1, 2], [-1, -1], [4, -1], [5, 6]]
    assert p["seq"]["lengths"].tolist() == [2, 0, 1, 2]
    w = record_batch_to_tensors(rb, pad_to=6)
    assert w["seq"]["values"].shape == (4, 6)
    o = record_batch_to_tensors(rb, lists="offsets")
    assert o["seq"]["values"].tolist() == list(range(1, 10)) and o["seq"]["offsets"].tolist() == [0, 3, 3, 4, 9]
    # a slice (offsets not starting at 0) is rebased
    o2 = record_batch_to_tensors(rb.slice(2, 2), lists="offsets")
    assert o2["seq"]["values"].tolist() == [4, 5, 6, 7, 8, 9] and o2["seq"]["offsets"].tolist() == [0, 1, 6]
    with pytest.raises(ValueError, match="lists"):
        record_batch_to_tensors(rb, lists="ragged")


def test_list_options_through_the_loader_zero_copy_offsets(weft_file):
    ds = WeftDataset(weft_file, columns=["id", "seq"], batch_size=B, seed=8, lists="offsets")
    b = next(iter(DataLoader(ds, batch_size=None, num_workers=2)))
    maps = ring_mappings()
    assert in_ring(b["seq"]["values"], maps) and in_ring(b["seq"]["offsets"], maps)
    lengths = b["seq"]["offsets"].diff()
    assert torch.equal(lengths, (b["id"] % 5).to(lengths.dtype))
    ds = WeftDataset(weft_file, columns=["id", "seq"], batch_size=B, seed=8, pad_to=4)
    b = next(iter(DataLoader(ds, batch_size=None)))
    assert b["seq"]["values"].shape == (B, 4) and torch.equal(b["seq"]["lengths"], b["id"] % 5)


def test_weftloader_break_adopts_and_releases_what_workers_queued(weft_file):
    ds = WeftDataset(weft_file, batch_size=B, seed=19)
    adopter = _client.adopter(ds.server)
    dl = WeftLoader(ds, num_workers=2)
    adopted0 = adopter.adopted
    for i, b in enumerate(dl):
        if i == 2:
            break
    del b
    gc.collect()
    # 3 batches received; what the workers had queued was adopted too, and everything released
    assert adopter.adopted >= adopted0 + 3
    assert adopter.releases_sent == adopter.adopted  # nothing adopted is still held
    assert len(ids(dl)) == N // B  # a new iteration starts the epoch again (resume: load_state_dict)
