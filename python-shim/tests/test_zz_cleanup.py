"""Runs last (file order): releasing the servers stops them and leaves /dev/shm clean."""

from __future__ import annotations

import time

from conftest import SHM_AT_START, shm_files
from weft import _server


def test_dev_shm_left_clean():
    for key in list(_server._acquired):
        _server.release(key)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and shm_files() - SHM_AT_START:
        time.sleep(0.2)
    assert shm_files() - SHM_AT_START == set()
    assert not list(_server.state_dir().glob("*.json"))
