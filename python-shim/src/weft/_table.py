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
    where: Union[str, pc.Expression, None] = None,
    *,
    server: Optional[str] = None,
    batch_rows: int = 65536,
) -> pa.Table:
    """Reads a Weft dataset (a file, a directory, or a list) into memory as a ``pyarrow.Table``
    in file order, through the (shared, embedded) loader server.

    ``where`` filters rows, either as text in Weft's predicate language (e.g.
    ``"label = 1 AND price >= 3.5 AND city IN ('NYC','SFO')"``, see ``bin/weft cat --help``),
    pushed down to the reader so that zone maps and bloom filters skip what cannot match (read
    through ``bin/weft cat --where``, file by file), or as a ``pyarrow.compute`` expression (e.g.
    ``pc.field("label") == 3``) applied to the table after reading. The table owns its memory
    (copied out of the shared ring batch by batch)."""
    paths: List[str] = [os.fspath(path)] if isinstance(path, (str, os.PathLike)) else [os.fspath(p) for p in path]
    if isinstance(where, str):
        return _read_where(paths, columns, where)
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


def _weft_files(paths: Sequence[str]) -> List[str]:
    """The dataset's files in the loader server's order: each path in turn, a directory as the
    ``*.weft`` files below it sorted by path."""
    out: List[str] = []
    for p in paths:
        if os.path.isdir(p):
            found = [os.path.join(d, f) for d, _, fs in os.walk(p) for f in fs if f.endswith(".weft")]
            out += sorted(found)
        else:
            out.append(p)
    return out


def _read_where(paths: Sequence[str], columns: Optional[Sequence[str]], where: str) -> pa.Table:
    """``weft cat FILE --where WHERE --format arrow`` for each file, concatenated."""
    tables = []
    for f in _weft_files(paths):
        cmd = [str(_server.repo_root() / "bin" / "weft"), "cat", f, "--where", where, "--format", "arrow"]
        if columns is not None:
            cmd += ["--columns", ",".join(columns)]
        env = {**os.environ, "WEFT_MVN_FLAGS": os.environ.get("WEFT_MVN_FLAGS", "-o")}
        r = subprocess.run(cmd, capture_output=True, env=env)
        if r.returncode != 0:
            msg = r.stderr.decode(errors="replace").strip()
            raise ValueError(f"weft.read_table({f!r}, where={where!r}): {msg}")
        tables.append(pa.ipc.open_stream(r.stdout).read_all())
    if not tables:
        raise ValueError(f"weft.read_table: no .weft files in {list(paths)}")
    return pa.concat_tables(tables)


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
