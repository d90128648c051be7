"""Client of the loader server's plain socket transport: Arrow IPC streams over TCP
(loader-server/PROTOCOL.md, section 15).

One TCP connection is one stream (one worker's share of one rank's epoch): the client sends one
request line (JSON: the token and a ticket as Flight's, section 12.1), the server answers ``OK``
(or ``ERROR CODE message`` and closes), then sends a standard Arrow IPC stream that
``pyarrow.ipc.open_stream`` reads: the schema, one record batch per batch, each tagged (epoch,
batch index, first position, resume position, rows) in its message's custom metadata
(``weft.tag``), and the end-of-stream marker. The batches are the same as over shared memory and
Flight. Their buffers are pyarrow's, read from the socket (no further copy): tensors made from
them are views that live as long as any view does; nothing is leased.

No gRPC: unlike Flight, this client is fork-safe, and :func:`dataset_info` asks in-process.
"""

from __future__ import annotations

import json
import socket
from typing import Any, Dict, Iterator, Optional, Tuple

import pyarrow as pa

from ._client import WeftError
from ._flight import FlightBatch

__all__ = ["is_ipc_address", "location", "stream", "dataset_info", "request_line"]

SCHEME = "ipc+tcp://"
# The server's limit on a request line (a 1 MiB ticket and a little more)
MAX_REQUEST_LINE = (1 << 20) + 4096
_MAX_STATUS_LINE = 64 * 1024
_CONNECT_TIMEOUT_S = 30.0


def is_ipc_address(server: str) -> bool:
    """True for ``ipc+tcp://host:port``."""
    return server.startswith(SCHEME)


def location(server: str) -> str:
    """The IPC location of ``server`` (``host:port`` becomes ``ipc+tcp://host:port``)."""
    if "://" in server:
        if not is_ipc_address(server):
            raise ValueError(f"not an Arrow IPC socket address (host:port or ipc+tcp://host:port): {server!r}")
        return server
    host, sep, port = server.rpartition(":")
    if not (sep and host and port.isdigit()):
        raise ValueError(f"not an Arrow IPC socket address (host:port or ipc+tcp://host:port): {server!r}")
    return SCHEME + server


def _host_port(server: str) -> Tuple[str, int]:
    rest = location(server)[len(SCHEME):]
    host, _, port = rest.rpartition(":")
    return host.strip("[]"), int(port)


def request_line(op: str, token: Optional[str], ticket: Optional[Dict[str, Any]] = None) -> bytes:
    """The request line of section 15.1 (newline included)."""
    r: Dict[str, Any] = {"v": 1, "op": op}
    if token:
        r["token"] = token
    if ticket is not None:
        r["ticket"] = ticket
    line = json.dumps(r, separators=(",", ":")).encode() + b"\n"
    if len(line) > MAX_REQUEST_LINE:
        raise WeftError(f"the request is {len(line)} bytes, more than the server's {MAX_REQUEST_LINE}")
    return line


def _error(server: str, e: BaseException) -> WeftError:
    return WeftError(f"weft loader server at {server} (Arrow IPC socket transport): {type(e).__name__}: {e}")


class _SocketReader:
    """The socket as the file ``pyarrow.ipc.open_stream`` reads, without the copies of
    ``socket.makefile``: pyarrow asks for each message's metadata and body with ``read_buffer(n)``
    (and for the 4-byte length prefixes with ``read``); a body is received straight into a buffer of
    pyarrow's memory pool (``recv_into``), which the record batch then owns, so there is one copy,
    the kernel's, into memory the pool hands out again (a new ``bytes`` per message, as a buffered
    file makes, is fresh memory whose pages fault in on every batch). Small reads come from a 64 KiB
    read-ahead buffer. The batches' buffers are views of those pool buffers, as before."""

    _AHEAD = 1 << 16
    closed = False

    def __init__(self, sock: socket.socket) -> None:
        self._s = sock
        self._buf = bytearray(self._AHEAD)
        self._view = memoryview(self._buf)
        self._lo = 0
        self._hi = 0

    def readable(self) -> bool:
        return True

    def _fill(self) -> bool:
        """Refills the read-ahead buffer (it must be empty); False at EOF."""
        self._lo = 0
        self._hi = self._s.recv_into(self._view, self._AHEAD)
        return self._hi > 0

    def readline(self, limit: int) -> bytes:
        out = bytearray()
        while len(out) < limit:
            if self._lo == self._hi and not self._fill():
                break
            end = self._buf.find(b"\n", self._lo, self._hi)
            stop = self._hi if end < 0 else end + 1
            stop = min(stop, self._lo + limit - len(out))
            out += self._view[self._lo:stop]
            self._lo = stop
            if end >= 0 and stop == end + 1:
                break
        return bytes(out)

    def _read_into(self, dst: memoryview) -> int:
        n = len(dst)
        got = min(n, self._hi - self._lo)
        if got:
            dst[:got] = self._view[self._lo:self._lo + got]
            self._lo += got
        while got < n:
            if n - got >= self._AHEAD:  # large: straight into the destination
                k = self._s.recv_into(dst[got:], n - got)
                if not k:
                    break
                got += k
            else:
                if not self._fill():
                    break
                k = min(n - got, self._hi)
                dst[got:got + k] = self._view[:k]
                self._lo = k
                got += k
        return got

    def read_buffer(self, n: int) -> pa.Buffer:
        if n <= 0:
            return pa.py_buffer(b"")
        out = pa.allocate_buffer(n)
        got = self._read_into(memoryview(out).cast("B"))
        return out if got == n else out.slice(0, got)

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            raise ValueError("reading a socket to its end is not supported")
        b = bytearray(n)
        got = self._read_into(memoryview(b))
        return bytes(b[:got]) if got < n else bytes(b)

    def close(self) -> None:
        self.closed = True


def _open(server: str, line: bytes, timeout_s: Optional[float]) -> Tuple[socket.socket, Any]:
    """Connects, sends the request line, reads the status line; returns the socket and its file,
    positioned at the Arrow IPC stream."""
    host, port = _host_port(server)
    try:
        s = socket.create_connection((host, port), timeout=_CONNECT_TIMEOUT_S)
    except OSError as e:
        raise _error(server, e) from e
    try:
        s.settimeout(timeout_s)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(line)
        f = _SocketReader(s)
        status = f.readline(_MAX_STATUS_LINE)
        if status.startswith(b"ERROR "):
            code, _, message = status[6:].decode("utf-8", "replace").strip().partition(" ")
            raise WeftError(f"weft loader server at {server} refused the request: {code}: {message}")
        if status != b"OK\n":
            raise WeftError(f"not a weft loader server (Arrow IPC socket transport) at {server}: "
                            f"it answered {status[:80]!r}")
        return s, f
    except OSError as e:
        s.close()
        raise _error(server, e) from e
    except BaseException:
        s.close()
        raise


def stream(server: str, ticket: Dict[str, Any], token: Optional[str] = None,
           timeout_s: Optional[float] = None) -> Iterator[FlightBatch]:
    """One stream; yields the batches with their tags. Errors become :class:`WeftError`; a
    stream that ends before the batch count its schema announced is an error, never a short epoch."""
    s, f = _open(server, request_line("stream", token, ticket), timeout_s)
    try:
        try:
            reader = pa.ipc.open_stream(f)
            md = reader.schema.metadata or {}
            expected = int(md.get(b"weft.num_batches", b"-1"))
            got = 0
            while True:
                try:
                    batch, meta = reader.read_next_batch_with_custom_metadata()
                except StopIteration:
                    break
                raw = meta.get(b"weft.tag") if meta is not None else None
                if raw is None:
                    raise WeftError(f"weft loader server at {server}: a batch came without its tag (weft.tag)")
                tag = json.loads(raw)
                got += 1
                yield FlightBatch(batch, int(tag["epoch"]), int(tag["batch"]), int(tag["first_position"]),
                                  int(tag["resume_position"]))
        except (pa.ArrowException, OSError, ValueError) as e:
            raise _error(server, e) from e
        if 0 <= expected != got:
            raise WeftError(f"weft loader server at {server}: the stream ended after {got} of {expected} batches "
                            "(the server failed or went away)")
    finally:
        f.close()
        s.close()


def dataset_info(server: str, token: Optional[str] = None, timeout_s: float = 60) -> Tuple[int, str, pa.Schema]:
    """(rows, fingerprint, schema) of the served dataset (the ``describe`` request)."""
    s, f = _open(server, request_line("describe", token), timeout_s)
    try:
        try:
            schema = pa.ipc.open_stream(f).schema
        except (pa.ArrowException, OSError) as e:
            raise _error(server, e) from e
    finally:
        f.close()
        s.close()
    md = {k.decode(): v.decode() for k, v in (schema.metadata or {}).items()}
    if "weft.num_rows" not in md or "weft.fingerprint" not in md:
        raise WeftError(f"not a weft loader server at {server}: its schema lacks weft.num_rows / weft.fingerprint")
    return int(md["weft.num_rows"]), md["weft.fingerprint"], schema.remove_metadata()
