"""Runs last (file order): releasing the servers stops them and leaves /dev/shm clean."""

from __future__ import annotations

import time

from conftest import SHM_AT_START, shm_files
from weft import _server


def _ours(names, java_pids):
    # ring files are /dev/shm/weft-<server pid>-<hex>.ring; other projects' tests on this host may
    # have servers of their own running meanwhile, so only this session's servers count
    return {n for n in names if n.split("-")[1] in java_pids}


def test_dev_shm_left_clean():
    keys = list(_server._acquired)
    java_pids = set()
    for key in keys:
        state = _server._read(_server.state_dir() / f"{key}.json") or {}
        if state.get("java"):
            java_pids.add(str(state["java"]))
    assert java_pids, "no server of this session found"
    for key in keys:
        _server.release(key)

    def states():
        return [k for k in keys if (_server.state_dir() / f"{k}.json").exists()]

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (_ours(shm_files() - SHM_AT_START, java_pids) or states()):
        time.sleep(0.2)
    assert _ours(shm_files() - SHM_AT_START, java_pids) == set()
    assert states() == []
