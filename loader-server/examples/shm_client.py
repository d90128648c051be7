"""Minimal reference client of the Weft loader server's shared-memory protocol (PROTOCOL.md).

Standard library + pyarrow (+ numpy for the zero-copy check). Not the Python shim: a small,
readable implementation of the wire protocol that the shim can follow, and a smoke test:

    python shm_client.py SOCKET [--batch-size 256] [--seed 0] [--epoch 0] [--columns a,b]
                                [--shuffle none|global|block] [--block 64x16] [--no-check]
                                [--rank 0 --world-size 1 --worker 0 --num-workers 1] [--from-batch 0]
                                [--limit N] [--token T] [--print-ids]

It reads one stream to the end, checks that every numeric column is a zero-copy view of the
shared-memory mapping, and prints batches/s and samples/s.
"""

from __future__ import annotations

import argparse
import mmap
import os
import socket
import struct
import sys
import time

import pyarrow as pa

PROTOCOL_VERSION = 1
MAGIC = b"WEFTLOAD"
HEADER = struct.Struct("<IHH")  # body length, type, flags

HELLO, OPEN_STREAM, NEXT, RELEASE, CLOSE_STREAM, HANDOFF, ADOPT, BYE = range(1, 9)
WELCOME, STREAM_OPENED, BATCH, END, ADOPTED, TIMEOUT, ERROR = 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0xFF
INLINE_SLOT = 0xFFFFFFFF
BATCH_FIXED = struct.Struct("<IIQQQQQQII")  # 64 bytes


class ServerError(Exception):
    pass


class Client:
    def __init__(self, path: str, token: str | None = None):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        tok = (token or "").encode()
        self._send(HELLO, MAGIC + struct.pack("<HHI", PROTOCOL_VERSION, 0, os.getpid()) + struct.pack("<H", len(tok)) + tok)
        body = self._expect(WELCOME)
        version, _, self.server_pid, self.num_rows = struct.unpack_from("<HHIQ", body, 0)
        self.fingerprint = body[16:48].hex()
        _max_request, segments = struct.unpack_from("<II", body, 48)
        assert segments == 1
        pos = 56
        (n,) = struct.unpack_from("<H", body, pos)
        self.segment_path = body[pos + 2 : pos + 2 + n].decode()
        pos += 2 + n
        self.file_size, self.slot_count, self.slot_header, self.slot_size, self.first_slot = struct.unpack_from(
            "<QIIQQ", body, pos)
        pos += 32
        (n,) = struct.unpack_from("<I", body, pos)
        self.schema = pa.ipc.read_schema(pa.py_buffer(body[pos + 4 : pos + 4 + n]))
        # map the whole segment once; slots are views into it
        fd = os.open(self.segment_path, os.O_RDWR)
        try:
            self.mm = mmap.mmap(fd, self.file_size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        finally:
            os.close(fd)
        self.shm = pa.py_buffer(self.mm)

    # --- framing ---
    def _send(self, type_: int, body: bytes = b"") -> None:
        self.sock.sendall(HEADER.pack(len(body), type_, 0) + body)

    def _recv_exact(self, n: int) -> bytes:
        buf = bytearray(n)
        view = memoryview(buf)
        got = 0
        while got < n:
            k = self.sock.recv_into(view[got:], n - got)
            if k == 0:
                raise ConnectionError("server closed the connection")
            got += k
        return bytes(buf)

    def _recv(self) -> tuple[int, bytes]:
        length, type_, _ = HEADER.unpack(self._recv_exact(HEADER.size))
        body = self._recv_exact(length) if length else b""
        if type_ == ERROR:
            code, _, n = struct.unpack_from("<HHI", body, 0)
            raise ServerError(f"[{code}] {body[8:8 + n].decode(errors='replace')}")
        return type_, body

    def _expect(self, *types: int) -> bytes:
        t, body = self._recv()
        if t not in types:
            raise ConnectionError(f"unexpected reply type {t:#x}")
        return body if len(types) == 1 else (t, body)

    # --- requests ---
    def open_stream(self, *, epoch=0, seed=0, shuffle=1, batch_size=256, rank=0, world_size=1, worker=0,
                    num_workers=1, pad=False, from_batch=0, columns=None, max_in_flight=0, prefetch=0xFFFF,
                    block_size=1, window_blocks=1, fingerprint: str | None = None):
        body = struct.pack("<QQQIIIIIBBHIIHH", epoch, seed, from_batch, batch_size, rank, world_size, worker,
                           num_workers, shuffle, 1 if pad else 0, max_in_flight, block_size, window_blocks,
                           prefetch, 0)
        body += bytes.fromhex(fingerprint) if fingerprint else bytes(32)
        if columns is None:
            body += struct.pack("<I", 0xFFFFFFFF)
        else:
            body += struct.pack("<I", len(columns))
            for c in columns:
                b = c.encode()
                body += struct.pack("<H", len(b)) + b
        self._send(OPEN_STREAM, body)
        b = self._expect(STREAM_OPENED)
        sid, in_flight, pre, per_rank, n = struct.unpack_from("<IHHQQ", b, 0)
        (k,) = struct.unpack_from("<I", b, 24)
        schema = pa.ipc.read_schema(pa.py_buffer(b[28:28 + k]))
        return Stream(self, sid, schema, n, in_flight)

    def release(self, slot: int, generation: int) -> None:
        self._send(RELEASE, struct.pack("<IIQ", slot, 0, generation))

    def close(self) -> None:
        try:
            self._send(BYE)
        except OSError:
            pass
        self.sock.close()
        # self.mm.close() fails while arrays still point into it (BufferError); drop them first


class Stream:
    def __init__(self, client: Client, sid: int, schema: pa.Schema, num_batches: int, max_in_flight: int):
        self.client, self.id, self.schema, self.num_batches, self.max_in_flight = (
            client, sid, schema, num_batches, max_in_flight)

    def next(self, timeout_ms: int = 0):
        """Returns (record_batch, (slot, generation), (epoch, batch_index, first_position)) or None at the end."""
        c = self.client
        c._send(NEXT, struct.pack("<II", self.id, timeout_ms))
        t, body = c._expect(BATCH, END, TIMEOUT)
        if t == END:
            return None
        if t == TIMEOUT:
            raise TimeoutError(body[10:].decode(errors="replace"))
        (sid, slot, gen, offset, length, epoch, index, first, rows, _) = BATCH_FIXED.unpack_from(body, 0)
        if slot == INLINE_SLOT:
            buf = pa.py_buffer(body[BATCH_FIXED.size:])
        else:
            buf = c.shm.slice(offset, length)  # zero copy: a view of the mapping
        msg = pa.ipc.read_message(buf)
        rb = pa.ipc.read_record_batch(msg, self.schema)
        assert rb.num_rows == rows
        return rb, (None if slot == INLINE_SLOT else (slot, gen)), (epoch, index, first)

    def close(self) -> None:
        self.client._send(CLOSE_STREAM, struct.pack("<I", self.id))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shuffle", choices=["none", "global", "block"], default="global")
    ap.add_argument("--block", default="64x16", help="block shuffle geometry: rows per block x blocks per window")
    ap.add_argument("--no-check", action="store_true", help="skip the per-column zero-copy check (timing)")
    ap.add_argument("--epoch", type=int, default=0)
    ap.add_argument("--columns")
    ap.add_argument("--rank", type=int, default=0)
    ap.add_argument("--world-size", type=int, default=1)
    ap.add_argument("--worker", type=int, default=0)
    ap.add_argument("--num-workers", type=int, default=1)
    ap.add_argument("--from-batch", type=int, default=0)
    ap.add_argument("--limit", type=int, default=-1)
    ap.add_argument("--token")
    ap.add_argument("--print-ids", action="store_true")
    a = ap.parse_args()
    import numpy as np

    c = Client(a.socket, a.token)
    print(f"server pid {c.server_pid}, {c.num_rows} rows, fingerprint {c.fingerprint[:16]}…, "
          f"ring {c.segment_path} ({c.slot_count} x {c.slot_size})", file=sys.stderr)
    block_size, window = (int(v) for v in a.block.split("x"))
    mode = {"none": 0, "global": 1, "block": 2}[a.shuffle]
    s = c.open_stream(epoch=a.epoch, seed=a.seed, shuffle=mode, block_size=block_size if mode == 2 else 1,
                      window_blocks=window if mode == 2 else 1, batch_size=a.batch_size, rank=a.rank, world_size=a.world_size,
                      worker=a.worker, num_workers=a.num_workers, from_batch=a.from_batch,
                      columns=a.columns.split(",") if a.columns else None)
    base = np.frombuffer(c.shm, dtype=np.uint8).ctypes.data
    batches = samples = zero_copy = 0
    t0 = time.perf_counter()
    while a.limit < 0 or batches < a.limit:
        got = s.next()
        if got is None:
            break
        rb, lease, tag = got
        for col in ([] if a.no_check else rb.columns):
            if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
                arr = col.to_numpy(zero_copy_only=True)
                if lease is not None and base <= arr.ctypes.data < base + c.file_size:
                    zero_copy += 1
                elif lease is not None:
                    raise AssertionError(f"column {col} is not a view of the shared memory")
        if a.print_ids and "id" in rb.schema.names:
            print(tag[1], " ".join(str(v) for v in rb.column("id").to_pylist()))
        batches += 1
        samples += rb.num_rows
        del rb, got
        if lease is not None:
            c.release(*lease)
    dt = time.perf_counter() - t0
    s.close()
    c.close()
    print(f"{batches} batches, {samples} samples in {dt:.3f} s: {batches / dt:.0f} batches/s, "
          f"{samples / dt:.0f} samples/s; {zero_copy} numeric columns checked zero-copy", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
