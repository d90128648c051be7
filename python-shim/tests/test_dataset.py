"""weft.torch.WeftDataset with a real server, real /dev/shm and torch's DataLoader."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

torch = pytest.importorskip("torch")
from torch.utils.data import DataLoader  # noqa: E402

import weft  # noqa: E402
from weft import WeftError  # noqa: E402
from weft.torch import WeftDataset  # noqa: E402

N, B = 2000, 50


def epoch_batches(ds, num_workers=0, **kw):
    return [b["id"].tolist() for b in DataLoader(ds, batch_size=None, num_workers=num_workers, **kw)]


def flat(batches):
    return [i for b in batches for i in b]


@pytest.mark.parametrize("num_workers", [0, 2, 4])
def test_exactly_once_per_epoch(weft_file, num_workers):
    ds = WeftDataset(weft_file, batch_size=B, seed=7)
    assert len(ds) == N // B
    batches = epoch_batches(ds, num_workers)
    assert len(batches) == N // B and all(len(b) == B for b in batches)
    assert sorted(flat(batches)) == list(range(N))
    assert flat(batches) != list(range(N))  # shuffled


def test_batch_sequence_does_not_depend_on_num_workers(weft_file):
    ds = WeftDataset(weft_file, batch_size=B, seed=7)
    assert epoch_batches(ds, 0) == epoch_batches(ds, 2)


def test_two_ranks_and_workers_cover_the_epoch_once(weft_file, monkeypatch):
    seen = []
    for rank in (0, 1):
        monkeypatch.setenv("RANK", str(rank))
        monkeypatch.setenv("WORLD_SIZE", "2")
        ds = WeftDataset(weft_file, batch_size=B, seed=11)
        assert len(ds) == N // 2 // B
        batches = epoch_batches(ds, num_workers=2)
        assert len(batches) == N // 2 // B
        seen.append(set(flat(batches)))
    assert not (seen[0] & seen[1])
    assert seen[0] | seen[1] == set(range(N))


def test_order_same_seed_same_order_other_epoch_other_order(weft_file):
    a = epoch_batches(WeftDataset(weft_file, batch_size=B, seed=5))
    b = epoch_batches(WeftDataset(weft_file, batch_size=B, seed=5))
    assert a == b
    c = epoch_batches(WeftDataset(weft_file, batch_size=B, seed=6))
    assert a != c
    ds = WeftDataset(weft_file, batch_size=B, seed=5)
    ds.set_epoch(1)
    e1 = epoch_batches(ds)
    assert e1 != a and sorted(flat(e1)) == list(range(N))
    ds.set_epoch(0)
    assert epoch_batches(ds) == a
    assert epoch_batches(WeftDataset(weft_file, batch_size=B, shuffle=False)) == [
        list(range(i, i + B)) for i in range(0, N, B)]


def test_resume_after_n_batches_num_workers_0(weft_file):
    full = epoch_batches(WeftDataset(weft_file, batch_size=B, seed=9))
    ds = WeftDataset(weft_file, batch_size=B, seed=9)
    ds.set_epoch(0)
    got = []
    for i, b in enumerate(DataLoader(ds, batch_size=None, num_workers=0)):
        got.append(b["id"].tolist())
        if i == 6:
            state = ds.state_dict()
            break
    assert state["next_batch"] == 7 and state["epoch"] == 0
    ds2 = WeftDataset(weft_file, batch_size=B, seed=9)
    ds2.load_state_dict(state)
    rest = epoch_batches(ds2)
    assert got + rest == full
    # the epoch after a resumed one starts from its beginning
    ds2.set_epoch(1)
    assert len(epoch_batches(ds2)) == N // B


def _ring_mappings():
    out = []
    with open("/proc/self/maps") as f:
        for line in f:
            if "/dev/shm/weft-" in line:
                lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
                out.append((lo, hi))
    return out


def test_tensors_are_views_of_shared_memory(weft_file):
    ds = WeftDataset(weft_file, batch_size=B, seed=1)
    it = iter(DataLoader(ds, batch_size=None, num_workers=0))
    b = next(it)
    maps = _ring_mappings()
    for name in ("id", "x", "emb"):
        p = b[name].data_ptr()
        assert any(lo <= p < hi for lo, hi in maps), f"{name} is not a view of the ring"
    assert b["emb"].shape == (B, 4) and b["emb"].dtype == torch.float32
    assert b["seq"]["values"].shape[0] == B
    assert torch.equal(b["seq"]["lengths"], b["id"] % 5)
    assert isinstance(b["name"], list) and len(b["name"]) == B
    del b, it
    c = next(iter(DataLoader(WeftDataset(weft_file, batch_size=B, seed=1, copy=True), batch_size=None)))
    assert not any(lo <= c["id"].data_ptr() < hi for lo, hi in _ring_mappings())


def test_workers_deliver_values(weft_file):
    for b in DataLoader(WeftDataset(weft_file, batch_size=B, seed=2), batch_size=None, num_workers=2):
        assert torch.equal(b["x"], b["id"].float() * 0.5)
        assert torch.equal(b["emb"][:, 1], (b["id"] * 4 + 1).float())


def test_server_process_gone_is_a_clear_error(weft_file):
    # a server of its own (other arguments -> another shared server), killed mid-epoch
    sock = weft.start_server([str(weft_file)], server_args=["--status-interval", "0", "--slots", "16"])
    with weft.Client(sock) as c:
        java_pid = c.server_pid
    ds = WeftDataset(weft_file, batch_size=B, seed=1, server=sock)
    it = iter(DataLoader(ds, batch_size=None, num_workers=0))
    next(it)
    os.kill(java_pid, signal.SIGKILL)
    t0 = time.monotonic()
    with pytest.raises(WeftError, match="loader server"):
        for _ in range(100):
            next(it)
    assert time.monotonic() - t0 < 10
    # with workers: the worker's error reaches the training loop
    with pytest.raises(Exception, match="weft loader server"):
        list(DataLoader(ds, batch_size=None, num_workers=2, timeout=30))


@pytest.mark.parametrize("num_workers", [0, 2])
def test_stateful_dataloader_resumes_exactly(weft_file, num_workers):
    sdl = pytest.importorskip("torchdata.stateful_dataloader")
    full = epoch_batches(WeftDataset(weft_file, batch_size=B, seed=21))
    dl = sdl.StatefulDataLoader(WeftDataset(weft_file, batch_size=B, seed=21), batch_size=None,
                                num_workers=num_workers)
    got = []
    for i, b in enumerate(dl):
        got.append(b["id"].tolist())
        if i == 8:
            state = dl.state_dict()
            break
    del dl
    dl2 = sdl.StatefulDataLoader(WeftDataset(weft_file, batch_size=B, seed=21), batch_size=None,
                                 num_workers=num_workers)
    dl2.load_state_dict(state)
    rest = [b["id"].tolist() for b in dl2]
    assert got + rest == full


def test_spawned_workers(weft_file):
    ds = WeftDataset(weft_file, batch_size=B, seed=3)
    batches = epoch_batches(ds, num_workers=2, multiprocessing_context="spawn")
    assert batches == epoch_batches(ds, 0)


# Runs in a child interpreter: after a worker is killed, torch's SIGCHLD handler stays armed in the
# process that owned the DataLoader and raises at random later points, which would break pytest.
_KILL_WORKER_SCRIPT = r"""
import os, signal, sys
import torch
from torch.utils.data import DataLoader
from weft.torch import WeftDataset

class KillsItsWorker(WeftDataset):
    def __iter__(self):
        for i, b in enumerate(super().__iter__()):
            if i == 2 and torch.utils.data.get_worker_info().id == 1:
                os.kill(os.getpid(), signal.SIGKILL)
            yield b

try:
    list(DataLoader(KillsItsWorker(sys.argv[1], batch_size=int(sys.argv[2]), seed=4),
                    batch_size=None, num_workers=2, timeout=30))  # torch checks its workers every 5 s
except (RuntimeError, ConnectionError) as e:
    # torch reports the dead worker; if the worker died while handing a batch over, torch's
    # own fd transfer fails first with a connection reset
    print("ERROR:", type(e).__name__, e, flush=True)
    sys.exit(3)
print("no error", flush=True)
"""


def test_killed_worker_is_a_clear_error_and_the_server_serves_on(weft_file, tmp_path):
    script = tmp_path / "kill_worker.py"
    script.write_text(_KILL_WORKER_SCRIPT)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, str(script), str(weft_file), str(B)], capture_output=True,
                       text=True, timeout=120, env=env, stdin=subprocess.DEVNULL)
    assert r.returncode == 3, r.stdout + r.stderr
    assert re.search(r"DataLoader worker .*(killed|exited unexpectedly)|ConnectionResetError", r.stdout), \
        r.stdout + r.stderr
    assert time.monotonic() - t0 < 60
    # the dead worker's slots were reclaimed: a full epoch still works
    assert sorted(flat(epoch_batches(WeftDataset(weft_file, batch_size=B, seed=4), 2))) == list(range(N))
