"""Notebook helpers without a DataLoader: :func:`read_table` (over the loader server) and
:func:`convert` (over the CLI, ``bin/weft convert``)."""

from __future__ import annotations

import os
import subprocess
from typing import Any, List, Optional, Sequence, Union

import pyarrow as pa
import pyarrow.compute as pc

from . import _server
from ._client import Client

__all__ = ["read_table", "convert"]

PathLike = Union[str, "os.PathLike[str]"]


def read_table(
    path: Union[PathLike, Sequence[PathLike]],
    columns: Optional[Sequence[str]] = None,
    where: Optional[pc.Expression] = None,
    *,
    server: Optional[str] = None,
    batch_rows: int = 65536,
) -> pa.Table:
    """Reads a Weft dataset (a file, a directory, or a list) into memory as a ``pyarrow.Table``
    in file order, through the (shared, embedded) loader server.

    ``where`` is a ``pyarrow.compute`` expression applied to the result (e.g.
    ``pc.field("label") == 3``); it is not pushed down to the reader yet. The table owns its
    memory (copied out of the shared ring batch by batch)."""
    paths: List[str] = [os.fspath(path)] if isinstance(path, (str, os.PathLike)) else [os.fspath(p) for p in path]
    sock = server if server is not None else _server.acquire(paths)
    parts: List[pa.RecordBatch] = []
    with Client(sock) as c:
        n = c.num_rows
        s = c.open_stream(shuffle="none", batch_size=max(1, min(batch_rows, n or 1)), drop_last=False,
                          columns=None if columns is None else list(columns))
        schema = s.schema
        while True:
            b = s.next()
            if b is None:
                break
            rb = b.record_batch
            keep = min(rb.num_rows, n - b.first_position)  # the last batch wraps around: trim it
            if keep > 0:
                # own copy, so the slot is released at once
                parts.append(pa.ipc.read_record_batch(rb.slice(0, keep).serialize(), schema))
            del b, rb
        s.close()
    table = pa.Table.from_batches(parts, schema=schema)
    if where is not None:
        table = table.filter(where)
    return table


def convert(src: Union[PathLike, Sequence[PathLike]], dst: PathLike, *args: str, **options: Any) -> None:
    """Converts Parquet/Arrow input to a Weft file with ``bin/weft convert SRC... -o DST``.

    Keyword options become CLI flags: ``compression="zstd"`` -> ``--compression zstd``,
    ``overwrite=True`` -> ``--overwrite`` (see ``bin/weft convert --help``). Raises
    ``RuntimeError`` with the CLI's message when it fails."""
    srcs = [os.fspath(src)] if isinstance(src, (str, os.PathLike)) else [os.fspath(s) for s in src]
    cmd = [str(_server.repo_root() / "bin" / "weft"), "convert", *srcs, "-o", os.fspath(dst), *args]
    for k, v in options.items():
        flag = "--" + k.replace("_", "-")
        if v is True:
            cmd.append(flag)
        elif v not in (False, None):
            cmd += [flag, str(v)]
    env = {**os.environ, "WEFT_MVN_FLAGS": os.environ.get("WEFT_MVN_FLAGS", "-o")}
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"weft convert failed (exit {r.returncode}): {r.stderr.strip() or r.stdout.strip()}")
