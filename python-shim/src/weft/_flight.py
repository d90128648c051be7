"""Client of the loader server's socket transport: Arrow Flight (loader-server/PROTOCOL.md, section 12).

One ``DoGet`` is one stream (one worker's share of one rank's epoch): the ticket is a JSON object
with the parameters of an ``OPEN_STREAM``; each record batch carries its tag (epoch, batch index,
first position, resume position, rows) as Flight ``app_metadata``. The batches are the same as
over shared memory. Their buffers are pyarrow's copies of what gRPC received, so tensors made from
them are views of those (no further copy) and live as long as any view does; nothing is leased.

Fork safety: a gRPC channel must not exist in a process that later forks DataLoader workers, so
:func:`dataset_info` (what ``len(ds)`` needs) runs in a short-lived child interpreter, and each
worker connects in its own ``__iter__``. gRPC's threads stay alive in a process that has read a
stream, and a child forked from it can deadlock in its first call: :func:`stream` refuses to run
in such a child with a clear error instead (``WeftLoader`` starts socket workers with the
``forkserver`` method, which avoids it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any, Dict, Iterator, Optional, Sequence, Tuple

import pyarrow as pa

from ._client import WeftError

__all__ = ["location", "make_ticket", "FlightBatch", "stream", "dataset_info", "is_socket_address"]


def is_socket_address(server: str) -> bool:
    """True for ``grpc+tcp://host:port``, ``grpc://host:port`` or ``host:port`` (not a Unix socket path)."""
    if "://" in server:
        return server.split("://", 1)[0] in ("grpc", "grpc+tcp", "grpc+tls")
    host, sep, port = server.rpartition(":")
    return bool(sep and host and port.isdigit() and "/" not in server)


def location(server: str) -> str:
    """The Flight location of ``server`` (``host:port`` becomes ``grpc+tcp://host:port``)."""
    if not is_socket_address(server):
        raise ValueError(f"not a Flight address (host:port or grpc+tcp://host:port): {server!r}")
    return server if "://" in server else f"grpc+tcp://{server}"


def make_ticket(
    *,
    epoch: int,
    seed: int,
    shuffle: str,
    batch_size: int,
    rank: int,
    world_size: int,
    worker: int,
    num_workers: int,
    drop_last: bool,
    start_batch: int = 0,
    columns: Optional[Sequence[str]] = None,
    block_size: int = 1,
    window_blocks: int = 1,
    fingerprint: Optional[str] = None,
    prefetch: Optional[int] = None,
) -> Dict[str, Any]:
    """The ticket of PROTOCOL.md section 12.1 (the parameters of an ``OPEN_STREAM``)."""
    seed &= 0xFFFFFFFFFFFFFFFF
    t: Dict[str, Any] = {
        "v": 1, "batch_size": batch_size, "seed": seed if seed < 2**53 else str(seed), "epoch": epoch,
        "shuffle": shuffle, "rank": rank, "world_size": world_size, "worker": worker,
        "num_workers": num_workers, "drop_last": drop_last, "start_batch": start_batch,
        "columns": None if columns is None else list(columns),
    }
    if shuffle == "block":
        t["block_size"], t["window_blocks"] = block_size, window_blocks
    if fingerprint:
        t["fingerprint"] = fingerprint
    if prefetch is not None:
        t["prefetch"] = prefetch
    return t


def _options(token: Optional[str], timeout_s: Optional[float] = None) -> Any:
    import pyarrow.flight as fl

    headers = [(b"authorization", b"Bearer " + token.encode())] if token else None
    return fl.FlightCallOptions(headers=headers, timeout=timeout_s)


def _error(server: str, e: BaseException) -> WeftError:
    return WeftError(f"weft loader server at {server} (Arrow Flight): {type(e).__name__}: {e}")


@dataclass(frozen=True)
class FlightBatch:
    """One batch of a Flight stream and its tag."""

    record_batch: pa.RecordBatch
    epoch: int
    index: int
    first_position: int
    resume_position: int


# The pid of the process that opened a Flight client here, if any; a forked child inherits it.
_grpc_user_pid: Optional[int] = None


def _check_not_forked_from_grpc_user() -> None:
    global _grpc_user_pid
    if _grpc_user_pid is not None and _grpc_user_pid != os.getpid():
        raise WeftError(
            f"process {os.getpid()} was forked from process {_grpc_user_pid} after that one had read "
            "from the weft loader server over the socket transport (Arrow Flight/gRPC), whose threads "
            "make a forked child hang: start DataLoader workers with "
            "multiprocessing_context='forkserver' or 'spawn' (weft.torch.WeftLoader does so for "
            "transport='socket'), or read over the socket only in worker processes")
    _grpc_user_pid = os.getpid()


def stream(server: str, ticket: Dict[str, Any], token: Optional[str] = None,
           timeout_s: Optional[float] = None) -> Iterator[FlightBatch]:
    """``DoGet`` of one ticket; yields the batches with their tags. Errors become :class:`WeftError`."""
    import pyarrow.flight as fl

    _check_not_forked_from_grpc_user()
    try:
        client = fl.connect(location(server))
    except (fl.FlightError, pa.ArrowException, OSError) as e:
        raise _error(server, e) from e
    try:
        opts = _options(token, timeout_s)
        try:
            reader = client.do_get(fl.Ticket(json.dumps(ticket).encode()), opts)
            while True:
                try:
                    chunk = reader.read_chunk()
                except StopIteration:
                    return
                if chunk.data is None:
                    continue
                tag = json.loads(chunk.app_metadata.to_pybytes()) if chunk.app_metadata is not None else {}
                yield FlightBatch(chunk.data, int(tag.get("epoch", ticket.get("epoch", 0))), int(tag.get("batch", -1)),
                                  int(tag.get("first_position", -1)), int(tag.get("resume_position", -1)))
        except (fl.FlightError, pa.ArrowException, OSError) as e:
            raise _error(server, e) from e
    finally:
        client.close()


_INFO_SCRIPT = r"""
import json, sys
import pyarrow.flight as fl
server, token = sys.argv[1], sys.argv[2]
opts = fl.FlightCallOptions(headers=[(b"authorization", b"Bearer " + token.encode())]) if token else fl.FlightCallOptions()
c = fl.connect(server)
try:
    info = c.get_flight_info(fl.FlightDescriptor.for_command(json.dumps({"v": 1}).encode()), opts)
    md = {k.decode(): v.decode() for k, v in (info.schema.metadata or {}).items()}
    print(json.dumps({"num_rows": int(md.get("weft.num_rows", info.total_records)),
                      "fingerprint": md.get("weft.fingerprint"),
                      "schema": info.schema.serialize().to_pybytes().hex()}))
except fl.FlightError as e:
    print(f"{type(e).__name__}: {e}", file=sys.stderr)
    sys.exit(3)
finally:
    c.close()
"""


def dataset_info(server: str, token: Optional[str] = None, timeout_s: float = 60) -> Tuple[int, str, pa.Schema]:
    """(rows, fingerprint, schema) of the served dataset, asked in a child interpreter so that this
    process never holds a gRPC channel before it forks (see the module docstring)."""
    r = subprocess.run([sys.executable, "-c", _INFO_SCRIPT, location(server), token or ""],
                       capture_output=True, text=True, timeout=timeout_s, stdin=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)})
    if r.returncode != 0:
        raise WeftError(f"cannot reach the weft loader server at {server} (Arrow Flight): "
                        f"{(r.stderr or r.stdout).strip()[-2000:]}")
    d = json.loads(r.stdout)
    return d["num_rows"], d["fingerprint"], pa.ipc.read_schema(pa.py_buffer(bytes.fromhex(d["schema"])))

