"""Batches on their way to a CUDA device: pinned by the DataLoader, copied asynchronously, equal on
the GPU to what the server sent, and the shared-memory slots given back once pinned.

These tests need a CUDA device and are skipped without one (CI has none); they were run on an
H200 machine (session 5) and an H100 machine (session 6; python-shim/benchmarks/results/gpu/)."""

from __future__ import annotations

import gc

import pytest

torch = pytest.importorskip("torch")
from torch.utils.data import DataLoader  # noqa: E402

from weft import _client  # noqa: E402
from weft.torch import WeftDataset, WeftLoader, to_device  # noqa: E402

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

N, B = 2000, 50


def _check_on_gpu(batch, device):
    """The row-derived columns of the test table hold on the GPU after a non-blocking copy."""
    g = {k: v.to(device, non_blocking=True) for k, v in batch.items() if isinstance(v, torch.Tensor)}
    torch.cuda.synchronize()
    ids = g["id"]
    assert ids.is_cuda
    assert torch.equal(g["x"], ids.float() * 0.5)
    assert torch.equal(g["emb"][:, 3], (ids * 4 + 3).float())
    return ids.cpu().tolist()


@pytest.mark.parametrize("num_workers", [0, 2, 4])
def test_pinned_batches_reach_the_gpu_intact(weft_file, num_workers):
    ds = WeftDataset(weft_file, batch_size=B, seed=11, columns=["id", "x", "emb"])
    seen = []
    for b in WeftLoader(ds, num_workers=num_workers, pin_memory=True):
        assert all(v.is_pinned() for v in b.values()), "pin_memory=True gave a pageable tensor"
        seen += _check_on_gpu(b, "cuda")
    assert sorted(seen) == list(range(N))


def test_unpinned_zero_copy_batches_copy_to_the_gpu(weft_file):
    # the tensors are views of the shared-memory slot (pageable): the copy is synchronous but correct
    ds = WeftDataset(weft_file, batch_size=B, seed=12, columns=["id", "x", "emb"])
    seen = []
    for b in WeftLoader(ds, num_workers=2):
        assert not b["id"].is_pinned()
        seen += _check_on_gpu(b, "cuda")
    assert sorted(seen) == list(range(N))


def test_pinning_gives_the_slots_back(weft_file):
    # the pin thread copies each batch into pinned memory; dropping the worker's zero-copy batch
    # must release its slot, so a whole epoch runs through the small ring without stalling
    ds = WeftDataset(weft_file, batch_size=B, seed=13)
    adopter = _client.adopter(ds.server)
    before = adopter.releases_sent
    loader = DataLoader(ds, batch_size=None, num_workers=2, pin_memory=True)
    for epoch in range(3):
        ds.set_epoch(epoch)
        assert sum(len(b["id"]) for b in loader) == N
    gc.collect()
    assert adopter.releases_sent - before == 3 * (N // B)


@pytest.mark.parametrize("num_workers", [0, 2, 4])
def test_device_cuda_copies_each_batch_once_from_the_locked_ring(weft_file, num_workers):
    ds = WeftDataset(weft_file, batch_size=B, seed=14)
    loader = WeftLoader(ds, num_workers=num_workers, device="cuda")
    for epoch in range(2):  # the slots go back: a second epoch runs through the same small ring
        ds.set_epoch(epoch)
        seen = []
        for b in loader:
            assert all(b[k].is_cuda for k in ("id", "x", "emb"))
            assert b["name"] == [f"row{i}" for i in b["id"].tolist()]  # strings stay on the host
            seen += _check_on_gpu(b, "cuda")
        assert sorted(seen) == list(range(N))
    m = loader._mover
    assert m.batches == 2 * (N // B)
    assert m.pinned_copies == m.batches, "the ring was not page-locked: copies were synchronous"
    # the packed columns share one device buffer: one copy per batch
    assert len({b[k].untyped_storage().data_ptr() for k in ("id", "x", "emb")}) == 1


def test_to_device_on_a_plain_dataloader_batch(weft_file):
    ds = WeftDataset(weft_file, batch_size=B, seed=15, columns=["id", "x", "emb"])
    seen = []
    for b in DataLoader(ds, batch_size=None, num_workers=2):
        g = to_device(b, "cuda")
        assert all(v.is_cuda for v in g.values())
        seen += _check_on_gpu(g, "cuda")
    assert sorted(seen) == list(range(N))
