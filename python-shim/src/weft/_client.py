"""Client of the Weft loader server's shared-memory protocol (loader-server/PROTOCOL.md, version 1).

One :class:`Client` is one control connection (a Unix domain socket) plus one shared mapping of
the server's ring file. :meth:`Stream.next` returns :class:`Batch` objects whose
``pyarrow.RecordBatch`` is a **zero-copy view of a ring slot**.

Slot lifetime (the policy of this package): a slot is released when the batch's buffers are
garbage-collected. Every Arrow buffer of a batch is a slice of one ``pyarrow.foreign_buffer``
whose ``base`` is a :class:`_Lease`; numpy arrays and torch tensors made from the columns keep
that buffer alive. When the last view is dropped, the lease's finalizer queues
``RELEASE(slot, generation)`` and sends the queue at once if it can take the send lock without
waiting; otherwise (the finalizer runs in the middle of another send, possibly on the same
thread) the holder of the lock sends it right after its own frame. So two frames never
interleave and a release is never left waiting for the next request (which matters when another
process waits for the slot: DataLoader workers, section 7 of PROTOCOL.md).

Handing a batch to another process (DataLoader workers): :meth:`Stream.next_handle` returns a
:class:`SlotHandle` and sends ``HANDOFF`` (the worker builds no views); the receiving process
calls :func:`adopt_handle`, which ``ADOPT``s the slot on that process's own connection (one per
server per process, :func:`adopter`) and maps it — the batch is never copied or pickled.

A stream lets the client hold ``max_in_flight`` slots at once (4 by default here); a training
loop that keeps more batches alive than that gets a :class:`WeftError` after the ``NEXT``
timeout instead of a hang (the client first runs ``gc.collect()`` and retries once).
"""

from __future__ import annotations

import gc
import mmap
import os
import socket
import struct
import threading
import weakref
from collections import deque
from dataclasses import dataclass
from typing import Callable, Deque, Dict, List, NamedTuple, Optional, Sequence, Tuple, TypeVar

import pyarrow as pa

__all__ = ["Client", "Stream", "Batch", "RawBatch", "SlotHandle", "WeftError", "ServerError", "SHUFFLE_MODES", "adopter",
           "adopt_handle", "adopt_and_view"]

PROTOCOL_VERSION = 1
MAGIC = b"WEFTLOAD"
_HEADER = struct.Struct("<IHH")  # body length, type, flags
HELLO, OPEN_STREAM, NEXT, RELEASE, CLOSE_STREAM, HANDOFF, ADOPT, BYE = range(1, 9)
WELCOME, STREAM_OPENED, BATCH, END, ADOPTED, TIMEOUT, ERROR = 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0xFF
INLINE_SLOT = 0xFFFFFFFF
_BATCH_FIXED = struct.Struct("<IIQQQQQQII")  # 64 bytes
_OPEN_FIXED = struct.Struct("<QQQIIIIIBBHIIHH")  # 60 bytes, then 32-byte fingerprint
_SLOT = struct.Struct("<IIQ")

SHUFFLE_MODES = {"none": 0, "global": 1, "block": 2}
T = TypeVar("T")


class WeftError(RuntimeError):
    """A failure talking to the loader server (connection lost, timeout, protocol violation)."""


class ServerError(WeftError):
    """An ``ERROR`` reply; the server has closed the connection."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"weft loader server error {code}: {message}")
        self.code = code
        self.server_message = message


class _Lease:
    """Owner of one leased slot; its finalizer queues the RELEASE (see the module docstring).

    It also exposes the slot's message bytes through ``__array_interface__`` (a writable uint8
    array of ``length`` bytes at ``address``), so ``numpy.asarray(lease)`` is a zero-copy view
    whose base is the lease: views made from it keep the slot leased."""

    __slots__ = ("client", "slot", "generation", "shm", "armed", "__array_interface__", "__weakref__")

    def __init__(self, client: "Client", slot: int, generation: int, shm: pa.Buffer,
                 address: int = 0, length: int = 0) -> None:
        self.client = client
        self.slot = slot
        self.generation = generation
        self.shm = shm  # keeps the mapping alive as long as a view of the slot exists
        self.armed = True  # False: not (yet) this connection's to release (an ADOPT in flight)
        self.__array_interface__ = {"data": (address, False), "shape": (length,), "typestr": "|u1", "version": 3}

    def __del__(self) -> None:
        try:
            if not self.armed:
                return
            c = self.client
            c._pending_releases.append((self.slot, self.generation))
            if c.eager_release or c._blocked:
                c._try_flush()
        except Exception:  # interpreter shutdown, or the connection is gone (its slots are reclaimed)
            pass


class RawBatch(NamedTuple):
    """A ``BATCH`` reply as numbers (PROTOCOL.md section 3): what :meth:`Stream.next_raw` returns.
    ``inline`` holds the message bytes of an inline batch (``slot`` is then ``INLINE_SLOT``)."""

    slot: int
    generation: int
    offset: int
    length: int
    epoch: int
    index: int
    first_position: int
    rows: int
    inline: Optional[bytes]


@dataclass(frozen=True)
class Batch:
    """One batch of a stream: the record batch and its tag (epoch, rank batch index, first position)."""

    record_batch: pa.RecordBatch
    epoch: int
    index: int
    first_position: int
    slot: Optional[int]
    """The ring slot it lives in, or None for an inline (copied) batch."""


@dataclass(frozen=True)
class SlotHandle:
    """A batch handed off by one process (a DataLoader worker) for another to adopt: a few
    numbers and the stream's schema, small to pickle (PROTOCOL.md section 7). ``inline`` holds the
    message bytes of an inline batch (one too large for a slot: nothing is leased then)."""

    server: str
    token: Optional[str]
    slot: int
    generation: int
    offset: int
    length: int
    epoch: int
    index: int
    first_position: int
    rows: int
    schema: bytes
    """The stream's schema as an Arrow IPC Schema message."""
    inline: Optional[bytes] = None


class Client:
    """One control connection to a loader server plus the mapping of its ring.

    Not thread-safe for concurrent requests; releases queued by finalizers from any thread are
    fine. Use as a context manager or call :meth:`close`.
    """

    def __init__(self, socket_path: str, token: Optional[str] = None, timeout_s: float = 90.0,
                 eager_release: bool = True) -> None:
        self.socket_path = socket_path
        self.token = token
        self.eager_release = eager_release
        """True: a dropped batch's RELEASE is sent at once (needed when another process may wait
        for the slot: adopters). False: it rides on this connection's next request, and is sent
        before the client blocks waiting for a reply (a stream's own connection: one syscall less
        per batch, and never a deadlock, since the only waiter is this connection's own NEXT)."""
        self._blocked = False  # True while waiting for a reply (a finalizer then flushes at once)
        self.hold_limit = 0
        """With ``eager_release=False``: queued releases are sent before blocking for a reply only
        when the connection holds at least this many slots (as the server counts them): set it to
        the stream's max in flight so that a pipelined NEXT that could wait for a slot never waits
        for a release still queued here. 0: always."""
        self.leases_made = 0  # leases made by lease(); minus releases_sent = slots held
        self._rbuf = bytearray(1 << 16)  # received bytes [_rpos, _rend) not parsed yet
        self._rpos = 0
        self._rend = 0
        self._pending_releases: Deque[Tuple[int, int]] = deque()
        self._lock = threading.Lock()  # one frame at a time on the socket
        self._request_lock = threading.RLock()  # one request/reply exchange at a time (adopter)
        self._closed = False
        self.releases_sent = 0  # RELEASE frames sent (taken for sending) so far
        self.adopted = 0  # slots adopted so far
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout_s)
        try:
            self.sock.connect(socket_path)
        except OSError as e:
            self.sock.close()
            raise WeftError(
                f"cannot connect to the weft loader server at {socket_path}: {e} (is the server running?)"
            ) from e
        tok = (token or "").encode()
        self._send(HELLO, MAGIC + struct.pack("<HHI", PROTOCOL_VERSION, 0, os.getpid()) + struct.pack("<H", len(tok)) + tok)
        body = self._expect(WELCOME)
        _version, _, self.server_pid, self.num_rows = struct.unpack_from("<HHIQ", body, 0)
        self.fingerprint: str = body[16:48].hex()
        _max_request, segments = struct.unpack_from("<II", body, 48)
        if segments != 1:
            raise WeftError(f"unsupported segment count {segments}")
        pos = 56
        (n,) = struct.unpack_from("<H", body, pos)
        self.segment_path = body[pos + 2 : pos + 2 + n].decode()
        pos += 2 + n
        self.file_size, self.slot_count, self.slot_header, self.slot_size, self.first_slot = struct.unpack_from(
            "<QIIQQ", body, pos
        )
        pos += 32
        (n,) = struct.unpack_from("<I", body, pos)
        self.schema: pa.Schema = pa.ipc.read_schema(pa.py_buffer(body[pos + 4 : pos + 4 + n]))
        fd = os.open(self.segment_path, os.O_RDWR)
        try:
            mm = mmap.mmap(fd, self.file_size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        finally:
            os.close(fd)
        self._mmap = mm
        # One pyarrow view of the whole ring; each batch is a foreign buffer over a part of it.
        self.shm: pa.Buffer = pa.py_buffer(mm)
        self.base_address: int = self.shm.address
        self.pinned: object = None
        """Set by :mod:`weft._device` once the ring is registered with CUDA (page-locked)."""
        _live_clients.add(self)

    # ----------------------------------------------------------------- framing
    def _send(self, type_: int, body: bytes = b"", before: bytes = b"") -> None:
        """Sends one frame (after ``before``, whole frames), preceded by the queued RELEASEs."""
        if self._closed:
            raise WeftError("the weft client is closed")
        frame = before + _HEADER.pack(len(body), type_, 0) + body
        try:
            with self._lock:
                self.sock.sendall(self._take_releases() + frame)
        except OSError as e:
            raise self._lost(e) from e
        self._try_flush()  # releases queued by a finalizer while we held the lock

    def _send_frames(self, frames: bytes) -> None:
        """Sends whole frames (e.g. a HANDOFF), preceded by the queued RELEASEs."""
        if self._closed:
            raise WeftError("the weft client is closed")
        try:
            with self._lock:
                self.sock.sendall(self._take_releases() + frames)
        except OSError as e:
            raise self._lost(e) from e
        self._try_flush()

    def _take_releases(self) -> bytes:
        frames = []
        while True:
            try:
                slot, gen = self._pending_releases.popleft()
            except IndexError:
                return b"".join(frames)
            frames.append(_HEADER.pack(_SLOT.size, RELEASE, 0) + _SLOT.pack(slot, 0, gen))
            self.releases_sent += 1

    def _try_flush(self) -> None:
        """Sends queued releases unless another send is in progress (whose holder sends them after)."""
        while self._pending_releases and not self._closed:
            if not self._lock.acquire(blocking=False):
                return
            try:
                data = self._take_releases()
                if data:
                    self.sock.sendall(data)
            finally:
                self._lock.release()

    def _lost(self, e: BaseException) -> WeftError:
        return WeftError(
            f"lost the connection to the weft loader server at {self.socket_path} "
            f"(server pid {getattr(self, 'server_pid', '?')}; did the server process exit?): {e}"
        )

    def _fill(self, need: int) -> None:
        """Receives until at least ``need`` unparsed bytes are buffered (as many as the socket has,
        so that a frame, or several pipelined ones, usually take one ``recv``)."""
        buf = self._rbuf
        if self._rpos + need > len(buf):  # make room: move the unparsed bytes to the front
            rest = self._rend - self._rpos
            if need > len(buf):
                nb = bytearray(max(need, 2 * len(buf)))
                nb[:rest] = buf[self._rpos:self._rend]
                self._rbuf = buf = nb
            else:
                buf[:rest] = buf[self._rpos:self._rend]
            self._rpos, self._rend = 0, rest
        view = memoryview(buf)
        try:
            if self._must_flush():
                self.flush_releases()
            self._blocked = True  # from now on a finalizer (of another thread) flushes itself
            if self._must_flush():  # queued by such a finalizer just before
                self.flush_releases()
            while self._rend - self._rpos < need:
                try:
                    k = self.sock.recv_into(view[self._rend:])
                except socket.timeout as e:
                    raise WeftError(f"no reply from the weft loader server at {self.socket_path} in time") from e
                except OSError as e:
                    raise self._lost(e) from e
                if k == 0:
                    raise self._lost(EOFError("the server closed the connection"))
                self._rend += k
        finally:
            self._blocked = False
            view.release()

    def _must_flush(self) -> bool:
        """Whether the queued releases must go out before blocking for a reply (``hold_limit``)."""
        return bool(self._pending_releases) and (
            self.eager_release or self.leases_made - self.releases_sent >= self.hold_limit)

    def _recv(self) -> Tuple[int, bytes]:
        """The next frame: (type, body); an ERROR raises :class:`ServerError`."""
        if self._rend - self._rpos < 8:
            self._fill(8)
        length, type_, _ = _HEADER.unpack_from(self._rbuf, self._rpos)
        end = self._rpos + 8 + length
        if end > self._rend:
            self._fill(8 + length)
            end = self._rpos + 8 + length
        body = bytes(self._rbuf[self._rpos + 8:end])
        if end == self._rend:
            self._rpos = self._rend = 0
        else:
            self._rpos = end
        if type_ == ERROR:
            code, _, n = struct.unpack_from("<HHI", body, 0)
            raise ServerError(code, body[8 : 8 + n].decode(errors="replace"))
        return type_, body

    def _expect(self, *types: int) -> bytes:
        t, body = self._recv()
        if t not in types:
            raise WeftError(f"unexpected reply type {t:#x} from the weft loader server")
        return body

    def flush_releases(self) -> None:
        """Sends the RELEASEs queued by finalizers of dropped batches (waiting for the send lock)."""
        if self._closed:
            return
        try:
            with self._lock:
                data = self._take_releases()
                if data:
                    self.sock.sendall(data)
        except OSError as e:
            raise self._lost(e) from e
        self._try_flush()  # queued by a finalizer while we held the lock

    def handoff(self, slot: int, generation: int) -> None:
        """``HANDOFF``: gives up this connection's lease of a slot so another process can adopt it."""
        self._send(HANDOFF, _SLOT.pack(slot, 0, generation))

    def adopt(self, slot: int, generation: int) -> None:
        """``ADOPT`` a slot another connection handed off; returns once the server answered."""
        with self._request_lock:
            self._send(ADOPT, _SLOT.pack(slot, 0, generation))
            self.adopt_reply(slot, generation)

    def adopt_reply(self, slot: int, generation: int) -> None:
        """Waits for the ``ADOPTED`` of an ``ADOPT`` sent earlier (``_send(ADOPT, ...)``, under
        ``_request_lock``): lets the caller prepare the views while the server answers."""
        body = self._expect(ADOPTED)
        got_slot, _, got_gen = _SLOT.unpack_from(body, 0)
        if (got_slot, got_gen) != (slot, generation):
            raise WeftError(f"ADOPTED slot {got_slot}/{got_gen}, asked for {slot}/{generation}")
        self.adopted += 1

    def lease(self, slot: int, generation: int, offset: int, length: int) -> _Lease:
        """The lease of a slot this connection holds (or is adopting), whose message lies at
        ``[offset, offset + length)`` of the ring: ``numpy.asarray(lease)`` views the message;
        the slot is released when the lease and every view of it are garbage-collected."""
        lease = _Lease(self, slot, generation, self.shm, self.base_address + offset, length)
        self.leases_made += 1
        if not (self.first_slot <= offset and offset + length <= self.file_size):
            raise WeftError(f"slot message [{offset}, {offset + length}) lies outside the ring")
        return lease

    def check_generation(self, slot: int, generation: int) -> None:
        """Raises unless ring slot ``slot`` holds ``generation`` (a stale handle)."""
        (gen_now,) = struct.unpack_from("<Q", self._mmap, self.first_slot + slot * self.slot_size)
        if gen_now != generation:
            raise WeftError(f"ring slot {slot} holds generation {gen_now}, expected {generation} (stale handle)")

    def view_slot(self, slot: int, generation: int, offset: int, length: int) -> pa.Buffer:
        """A zero-copy buffer over a slot this connection holds; its lease releases the slot when
        the buffer and every view of it are garbage-collected."""
        lease = self.lease(slot, generation, offset, length)  # releases the slot even if we raise below
        self.check_generation(slot, generation)
        return pa.foreign_buffer(self.base_address + offset, length, base=lease)

    # ---------------------------------------------------------------- requests
    def open_stream(
        self,
        *,
        epoch: int = 0,
        seed: int = 0,
        shuffle: str = "global",
        batch_size: int = 256,
        rank: int = 0,
        world_size: int = 1,
        worker: int = 0,
        num_workers: int = 1,
        drop_last: bool = True,
        start_batch: int = 0,
        columns: Optional[Sequence[str]] = None,
        max_in_flight: int = 4,
        prefetch: Optional[int] = None,
        pipeline: bool = False,
        block_size: int = 1,
        window_blocks: int = 1,
        fingerprint: Optional[str] = None,
    ) -> "Stream":
        """Opens one stream: worker ``worker`` of ``num_workers`` of rank ``rank`` of ``world_size``
        for epoch ``epoch``, starting at the rank's batch ``start_batch`` (PROTOCOL.md section 4).
        ``pipeline``: see :class:`Stream`."""
        if shuffle not in SHUFFLE_MODES:
            raise ValueError(f"shuffle must be one of {sorted(SHUFFLE_MODES)}, not {shuffle!r}")
        body = _OPEN_FIXED.pack(
            epoch, seed & 0xFFFFFFFFFFFFFFFF, start_batch, batch_size, rank, world_size, worker, num_workers,
            SHUFFLE_MODES[shuffle], 0 if drop_last else 1, max_in_flight, block_size, window_blocks,
            0xFFFF if prefetch is None else prefetch, 0,
        )
        body += bytes.fromhex(fingerprint) if fingerprint else bytes(32)
        if columns is None:
            body += struct.pack("<I", 0xFFFFFFFF)
        else:
            body += struct.pack("<I", len(columns))
            for c in columns:
                b = c.encode()
                body += struct.pack("<H", len(b)) + b
        self.flush_releases()
        self._send(OPEN_STREAM, body)
        b = self._expect(STREAM_OPENED)
        sid, in_flight, _pre, per_rank, n = struct.unpack_from("<IHHQQ", b, 0)
        (k,) = struct.unpack_from("<I", b, 24)
        schema_ipc = b[28 : 28 + k]
        schema = pa.ipc.read_schema(pa.py_buffer(schema_ipc))
        return Stream(self, sid, schema, per_rank, n, in_flight, schema_ipc, pipeline)

    def close(self) -> None:
        """Sends pending releases and BYE and closes the socket. The mapping stays alive as long as
        views of it exist (their slots are reclaimed by the server, so do not read them after)."""
        if self._closed:
            return
        try:
            self.flush_releases()
            self._send(BYE)
        except WeftError:
            pass
        self._closed = True
        self.sock.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def contains_address(self, address: int) -> bool:
        """True when ``address`` lies inside this client's mapping of the ring (zero-copy check)."""
        return self.base_address <= address < self.base_address + self.file_size


class Stream:
    """One stream of batches (PROTOCOL.md section 4); iterate it or call :meth:`next`.

    With ``pipeline=True`` (:meth:`Client.open_stream`) the ``NEXT`` for the following batch is
    sent as soon as a batch arrives (PROTOCOL.md section 1 allows pipelining), so the server's
    answer travels while the client works on the batch instead of after. :meth:`close` then reads
    (and releases) the answer still outstanding; closing the client instead discards it."""

    def __init__(self, client: Client, sid: int, schema: pa.Schema, batches_per_rank: int,
                 num_batches: int, max_in_flight: int, schema_ipc: Optional[bytes] = None,
                 pipeline: bool = False) -> None:
        self.client = client
        self.id = sid
        self.schema = schema
        self.batches_per_rank = batches_per_rank
        self.num_batches = num_batches
        self.max_in_flight = max_in_flight
        self.pipeline = pipeline
        self._ended = False
        self._schema_ipc: Optional[bytes] = schema_ipc
        self._outstanding = False  # a NEXT was sent whose reply is not read yet
        self._next_frame = _HEADER.pack(8, NEXT, 0) + struct.pack("<II", sid, 0)

    @property
    def schema_ipc(self) -> bytes:
        """The stream's schema as an Arrow IPC Schema message (as ``STREAM_OPENED`` carried it)."""
        if self._schema_ipc is None:
            self._schema_ipc = self.schema.serialize().to_pybytes()
        return self._schema_ipc

    def next_raw(self, timeout_ms: int = 0, before: bytes = b"") -> Optional[RawBatch]:
        """The next ``BATCH`` reply as numbers, or None at END: nothing is mapped or leased on the
        Python side (the caller makes the lease: :meth:`Client.lease`). ``before``: whole frames
        to send ahead of the next pipelined ``NEXT`` (e.g. a ``HANDOFF`` of the previous batch)."""
        if self._ended:
            return None
        c = self.client
        for attempt in (0, 1):
            if not self._outstanding or attempt:
                c._send(NEXT, struct.pack("<II", self.id, timeout_ms))
                self._outstanding = True
            type_, body = c._recv()
            self._outstanding = False
            if type_ == TIMEOUT:
                held, mif = struct.unpack_from("<HH", body, 4)
                if attempt == 0:
                    gc.collect()  # views in reference cycles
                    continue
                raise WeftError(
                    f"NEXT timed out: the batches of this stream hold {held} of {mif} slots; drop "
                    f"references to old batches (or pass copy=True) so that their slots are released"
                )
            break
        if type_ == END:
            self._ended = True
            return None
        if type_ != BATCH:
            raise WeftError(f"unexpected reply type {type_:#x} to NEXT")
        (_sid, slot, gen, offset, length, epoch, index, first, rows, _seg) = _BATCH_FIXED.unpack_from(body, 0)
        inline = body[_BATCH_FIXED.size:] if slot == INLINE_SLOT else None
        if self.pipeline and timeout_ms == 0:
            c._send(NEXT, struct.pack("<II", self.id, 0), before)
            self._outstanding = True
        elif before:
            c._send_frames(before)
        return RawBatch(slot, gen, offset, length, epoch, index, first, rows, inline)

    def next(self, timeout_ms: int = 0) -> Optional[Batch]:
        """The next batch, or None at the end of the stream."""
        r = self.next_raw(timeout_ms)
        if r is None:
            return None
        c = self.client
        if r.inline is not None:
            buf = pa.py_buffer(r.inline)
            lease_slot: Optional[int] = None
        else:
            lease = c.lease(r.slot, r.generation, r.offset, r.length)
            buf = pa.foreign_buffer(c.base_address + r.offset, r.length, base=lease)
            del lease
            lease_slot = r.slot
        rb = pa.ipc.read_record_batch(pa.ipc.read_message(buf), self.schema)
        if rb.num_rows != r.rows:
            raise WeftError(f"batch has {rb.num_rows} rows, the server said {r.rows}")
        return Batch(rb, r.epoch, r.index, r.first_position, lease_slot)

    def next_handle(self, timeout_ms: int = 0) -> Optional[SlotHandle]:
        """The next batch as a :class:`SlotHandle` for another process, or None at the end.

        The slot is handed off (``HANDOFF``) before this returns: this process must not read it,
        and the adopter must ``ADOPT`` it within the server's handoff timeout (60 s by default)."""
        r = self.next_raw_handoff(timeout_ms)
        if r is None:
            return None
        c = self.client
        return SlotHandle(c.socket_path, c.token, r.slot, r.generation, r.offset, r.length, r.epoch, r.index,
                          r.first_position, r.rows, self.schema_ipc, r.inline)

    def next_raw_handoff(self, timeout_ms: int = 0) -> Optional[RawBatch]:
        """:meth:`next_raw`, then ``HANDOFF`` of the slot (in the same write as the pipelined
        ``NEXT``): the batch is another process's to ``ADOPT``."""
        if self._ended:
            return None
        # the HANDOFF must name the slot, which only the reply tells: receive, then send both
        pipeline, self.pipeline = self.pipeline, False
        try:
            r = self.next_raw(timeout_ms)
        finally:
            self.pipeline = pipeline
        if r is None:
            return None
        handoff = b"" if r.inline is not None else (_HEADER.pack(_SLOT.size, HANDOFF, 0)
                                                    + _SLOT.pack(r.slot, 0, r.generation))
        if pipeline and timeout_ms == 0:
            self.client._send(NEXT, struct.pack("<II", self.id, 0), handoff)
            self._outstanding = True
        elif handoff:
            self.client._send_frames(handoff)
        return r

    def __iter__(self):  # type: ignore[no-untyped-def]
        while True:
            b = self.next()
            if b is None:
                return
            yield b

    def close(self) -> None:
        """Closes the stream on the server (no reply); held slots stay leased until dropped. A
        pipelined ``NEXT``'s outstanding reply is read first (a batch in it is released at once)."""
        c = self.client
        if c._closed:
            return
        try:
            if self._outstanding:
                self._outstanding = False
                type_, body = c._recv()
                if type_ == BATCH:
                    slot, gen = struct.unpack_from("<IQ", body, 4)
                    if slot != INLINE_SLOT:
                        c._pending_releases.append((slot, gen))
            c._send(CLOSE_STREAM, struct.pack("<I", self.id))
        except WeftError:
            pass


def batches_per_rank(num_rows: int, batch_size: int, world_size: int, drop_last: bool) -> int:
    """Batches each rank gets per epoch (PROTOCOL.md section 4)."""
    if drop_last:
        return (num_rows // world_size) // batch_size
    return -(-(-(-num_rows // world_size)) // batch_size)


def columns_list(columns: Optional[Sequence[str]]) -> Optional[List[str]]:
    return None if columns is None else list(columns)


# ----------------------------------------------------------------------- adopting handles
_adopters: Dict[Tuple[str, Optional[str]], Client] = {}
_adopters_lock = threading.Lock()
_schemas: Dict[bytes, pa.Schema] = {}


def _forget_adopters_after_fork() -> None:
    # A forked child must not use its parent's connections: drop them without a BYE (closing the
    # child's copy of the socket does not end the parent's connection).
    for c in _adopters.values():
        c._closed = True
        c._pending_releases.clear()
        try:
            c.sock.close()
        except OSError:
            pass
    _adopters.clear()
    global _adopters_lock
    _adopters_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_adopters_after_fork)


_live_clients: "weakref.WeakSet[Client]" = weakref.WeakSet()


def ring_containing(address: int) -> Optional[Client]:
    """The live client of this process whose ring mapping holds ``address`` (a tensor's data
    pointer), or None: how :mod:`weft._device` finds the ring to page-lock for a batch."""
    for c in list(_live_clients):
        if c.contains_address(address):
            return c
    return None


def adopter(server: str, token: Optional[str] = None) -> Client:
    """This process's connection for adopting handed-off slots of ``server`` (made on first use,
    kept for the life of the process; its slots are reclaimed when the process exits)."""
    key = (server, token)
    with _adopters_lock:
        c = _adopters.get(key)
        if c is None or c._closed:
            c = Client(server, token)
            _adopters[key] = c
        return c


def _schema_of(ipc: bytes) -> pa.Schema:
    s = _schemas.get(ipc)
    if s is None:
        s = pa.ipc.read_schema(pa.py_buffer(ipc))
        if len(_schemas) < 64:
            _schemas[ipc] = s
    return s


def adopt_handle(h: SlotHandle) -> Batch:
    """Adopts a handed-off slot on this process's :func:`adopter` connection and returns the batch
    as zero-copy views of this process's mapping of the ring (released when they are GC'd)."""
    schema = _schema_of(h.schema)
    if h.inline is not None:
        buf = pa.py_buffer(h.inline)
        slot: Optional[int] = None
    else:
        c = adopter(h.server, h.token)
        try:
            c.adopt(h.slot, h.generation)
        except ServerError:
            _forget_adopter(c, h.server, h.token)
            raise
        buf = c.view_slot(h.slot, h.generation, h.offset, h.length)
        slot = h.slot
    rb = pa.ipc.read_record_batch(pa.ipc.read_message(buf), schema)
    if rb.num_rows != h.rows:
        raise WeftError(f"batch has {rb.num_rows} rows, the server said {h.rows}")
    return Batch(rb, h.epoch, h.index, h.first_position, slot)


def _forget_adopter(c: Client, server: str, token: Optional[str]) -> None:
    with _adopters_lock:  # the server closed that connection; the next adoption reconnects
        if _adopters.get((server, token)) is c:
            del _adopters[(server, token)]


def adopt_and_view(server: str, token: Optional[str], slot: int, generation: int, offset: int, length: int,
                   prepare: Callable[[_Lease], T]) -> T:
    """Adopts a handed-off slot on this process's :func:`adopter` connection and returns
    ``prepare(lease)`` (views of the slot through ``numpy.asarray(lease)``; the slot is released
    when the lease and every view of it are collected).

    ``prepare`` runs while the ``ADOPT`` travels (it may read the message, which is stable since
    the worker's ``HANDOFF`` if the adoption succeeds); its result is returned only after the
    server's ``ADOPTED`` and a check of the slot's generation, so a failed adoption raises and
    no view of a slot this process does not hold escapes."""
    c = adopter(server, token)
    try:
        with c._request_lock:
            c._send(ADOPT, _SLOT.pack(slot, 0, generation))
            lease = _Lease(c, slot, generation, c.shm, c.base_address + offset, length)
            lease.armed = False  # no RELEASE may overtake the ADOPT
            error: Optional[BaseException] = None
            result: Optional[T] = None
            try:
                if not (c.first_slot <= offset and offset + length <= c.file_size):
                    raise WeftError(f"slot message [{offset}, {offset + length}) lies outside the ring")
                result = prepare(lease)
            except Exception as e:  # noqa: BLE001 - raised after the reply is read
                error = e
            c.adopt_reply(slot, generation)
            c.leases_made += 1
            lease.armed = True
        del lease
        c.check_generation(slot, generation)
    except ServerError:
        _forget_adopter(c, server, token)
        raise
    if error is not None:
        raise error
    return result  # type: ignore[return-value]
