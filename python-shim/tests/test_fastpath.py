"""The fast slot -> tensors path (weft._fastpath) gives exactly the general path's tensors; the
pipelined stream, deferred releases and the overlapped ADOPT keep the protocol's guarantees."""

from __future__ import annotations

import gc
import pickle

import numpy as np
import pyarrow as pa
import pytest

import weft
from weft import _client

torch = pytest.importorskip("torch")
from weft._fastpath import Decoder, parse_record_batch_metadata  # noqa: E402
from weft.torch import (WeftDataset, WeftLoader, _Convert, _HandedOff, _SlotConverter,  # noqa: E402
                        record_batch_to_tensors)

ROWS = 37


def _message(rb: pa.RecordBatch) -> np.ndarray:
    """The batch's encapsulated IPC message in a 64-byte aligned array (as in a ring slot)."""
    data = rb.serialize().to_pybytes()
    raw = np.zeros(len(data) + 64, np.uint8)
    start = (-raw.ctypes.data) % 64
    msg = raw[start:start + len(data)]
    msg[:] = np.frombuffer(data, np.uint8)
    return msg


def _general(rb: pa.RecordBatch, columns):
    t = record_batch_to_tensors(rb)
    return {name: t[name] for _, name in columns}


def _assert_same(fast, ref):
    assert list(fast) == list(ref)
    for k, r in ref.items():
        f = fast[k]
        if isinstance(r, torch.Tensor):
            assert isinstance(f, torch.Tensor) and f.dtype == r.dtype and f.shape == r.shape, k
            assert torch.equal(f, r) or (f.is_floating_point() and torch.equal(f.isnan(), r.isnan())
                                         and torch.equal(f.nan_to_num(), r.nan_to_num())), k
        elif isinstance(r, dict):
            assert list(f) == list(r) and all(torch.equal(f[x], r[x]) for x in r), k
        else:
            assert f == r, k


def _numbers_batch(rows: int = ROWS) -> pa.RecordBatch:
    rng = np.random.default_rng(7)
    cols = {}
    for dt in ("int8", "int16", "int32", "int64", "uint8", "float16", "float32", "float64"):
        cols[f"a_{dt}"] = pa.array((rng.standard_normal(rows) * 50).astype(dt))
    for i in range(5):  # a run of equally spaced columns of one dtype
        cols[f"run{i}"] = pa.array(rng.standard_normal(rows).astype(np.float32))
    cols["emb"] = pa.FixedSizeListArray.from_arrays(pa.array(np.arange(rows * 3, dtype=np.float32)), 3)
    cols["pair"] = pa.FixedSizeListArray.from_arrays(pa.array(np.arange(rows * 2, dtype=np.int64)), 2)
    return pa.record_batch(cols)


def test_parse_metadata_of_a_pyarrow_message():
    rb = _numbers_batch()
    msg = _message(rb)
    meta_len = int(msg[4:8].view(np.int32)[0])
    rows, nodes, buffers, body = parse_record_batch_metadata(msg[8:8 + meta_len].tobytes())
    assert rows == ROWS and len(nodes) == 13 + 4 and len(buffers) == 13 * 2 + 2 * 3
    assert 8 + meta_len + body == len(msg)


def test_fast_path_equals_general_path_for_numbers():
    rb = _numbers_batch()
    msg = _message(rb)
    dec = Decoder(rb.schema)
    fast = dec.decode(msg, ROWS, _general)
    ref = record_batch_to_tensors(pa.ipc.read_record_batch(pa.ipc.read_message(pa.py_buffer(msg)), rb.schema))
    _assert_same(fast, ref)
    plan = dec.plan(msg)
    assert plan is not None and plan.general == []  # all columns on the fast path
    assert any(run[4] == 5 for run in plan.runs)  # run0..run4 are one strided view
    lo, hi = msg.ctypes.data, msg.ctypes.data + len(msg)
    assert all(lo <= t.data_ptr() < hi for t in fast.values())  # views, no copy


def test_nulls_booleans_lists_strings_fall_back_to_the_general_path():
    rows = ROWS
    ints = np.arange(rows, dtype=np.int64)
    rb = pa.record_batch({
        "id": pa.array(ints),
        "with_nulls": pa.array([None if i % 3 == 0 else i for i in range(rows)], pa.int32()),
        "float_nulls": pa.array([None if i % 4 == 0 else i * 0.5 for i in range(rows)], pa.float32()),
        "flag": pa.array([i % 2 == 0 for i in range(rows)]),
        "seq": pa.array([list(range(i % 4)) for i in range(rows)], pa.list_(pa.int32())),
        "name": pa.array([f"r{i}" for i in range(rows)]),
        "emb_nulls": pa.FixedSizeListArray.from_arrays(pa.array(np.arange(rows * 2, dtype=np.float32)), 2,
                                                       mask=pa.array([i == 1 for i in range(rows)])),
        "x": pa.array(ints.astype(np.float64)),
    })
    msg = _message(rb)
    dec = Decoder(rb.schema)
    fast = dec.decode(msg, rows, _general)
    _assert_same(fast, record_batch_to_tensors(pa.ipc.read_record_batch(pa.ipc.read_message(pa.py_buffer(msg)),
                                                                        rb.schema)))
    plan = dec.plan(msg)
    assert [n for _, n in plan.general] == ["with_nulls", "float_nulls", "flag", "seq", "name", "emb_nulls"]
    # the same schema without nulls in this batch: another layout, another plan, all right too
    rb2 = pa.record_batch({k: (rb.column(k).fill_null(0) if k in ("with_nulls", "float_nulls") else rb.column(k))
                           for k in rb.schema.names}, schema=rb.schema)
    msg2 = _message(rb2)
    _assert_same(dec.decode(msg2, rows, _general),
                 record_batch_to_tensors(pa.ipc.read_record_batch(pa.ipc.read_message(pa.py_buffer(msg2)),
                                                                  rb.schema)))
    assert len(dec._plans) == 2


def test_plan_is_cached_per_layout():
    rb = _numbers_batch()
    dec = Decoder(rb.schema)
    for seed in range(5):  # other values, same layout
        rng = np.random.default_rng(seed)
        b = pa.record_batch([pa.array(rng.permutation(c.to_numpy(zero_copy_only=False))) if c.type.num_fields == 0
                             else c for c in rb.columns], schema=rb.schema)
        msg = _message(b)
        _assert_same(dec.decode(msg, ROWS, _general),
                     record_batch_to_tensors(pa.ipc.read_record_batch(pa.ipc.read_message(pa.py_buffer(msg)),
                                                                      rb.schema)))
    assert len(dec._plans) == 1


def test_malformed_or_wrong_rows_message_is_an_error_not_a_crash():
    rb = _numbers_batch()
    msg = _message(rb)
    dec = Decoder(rb.schema)
    with pytest.raises(weft.WeftError, match="rows"):
        dec.decode(msg, ROWS + 1, _general)  # the server said another row count
    with pytest.raises(Exception):
        dec.decode(msg[: len(msg) // 2], ROWS, _general)  # truncated: the body does not fit
    garbage = msg.copy()
    garbage[8:40] = 0xAB
    with pytest.raises(Exception):
        dec.decode(garbage, ROWS, _general)


@pytest.fixture(scope="module")
def sock(weft_file):
    return weft.start_server([str(weft_file)])


def test_fast_path_on_the_ring_equals_general_path_and_is_zero_copy(sock):
    with _client.Client(sock) as c:
        s = c.open_stream(batch_size=64, seed=1)
        for copy in (False, True):
            r = s.next_raw()
            conv = _SlotConverter(s.schema, _Convert(copy, 0, None, "pad"))
            lease = c.lease(r.slot, r.generation, r.offset, r.length)
            fast = conv(lease, r.rows)
            buf = pa.foreign_buffer(c.base_address + r.offset, r.length, base=lease)
            ref = record_batch_to_tensors(pa.ipc.read_record_batch(pa.ipc.read_message(buf), s.schema), copy=copy)
            _assert_same(fast, ref)
            assert list(fast) == ["id", "x", "emb", "seq", "name"]
            for k in ("id", "x", "emb"):
                assert c.contains_address(fast[k].data_ptr()) != copy
                assert copy or fast[k].data_ptr() == ref[k].data_ptr()
            assert fast["emb"].shape == (64, 4)
            del lease, buf, ref, fast
        s.close()


def test_pipelined_stream_gives_the_same_batches_and_close_releases_the_outstanding_one(sock):
    def ids(pipeline):
        with _client.Client(sock) as c:
            s = c.open_stream(batch_size=100, seed=9, pipeline=pipeline, columns=["id"])
            out = []
            while True:
                b = s.next()
                if b is None:
                    return out
                out.append(b.record_batch.column(0).to_pylist())

    assert ids(True) == ids(False)
    with _client.Client(sock) as c:
        s = c.open_stream(batch_size=100, seed=9, pipeline=True, max_in_flight=2)
        b = s.next()
        assert s._outstanding  # the next NEXT went out with this batch
        del b
        gc.collect()
        s.close()  # reads the pipelined reply and releases its slot
        assert not s._outstanding
        c.flush_releases()
        assert c.releases_sent == c.leases_made + 1  # both batches came back
        s2 = c.open_stream(batch_size=100, seed=9, columns=["id"])  # the connection is in step
        assert s2.next().record_batch.num_rows == 100
        s2.close()


def test_deferred_releases_never_starve_a_pipelined_next(sock):
    with _client.Client(sock, eager_release=False) as c:
        s = c.open_stream(batch_size=100, seed=2, pipeline=True, max_in_flight=2)
        c.hold_limit = s.max_in_flight
        conv = _SlotConverter(s.schema, _Convert(False, 0, None, "pad"))

        def nxt():
            r = s.next_raw()
            return conv(c.lease(r.slot, r.generation, r.offset, r.length), r.rows)

        a, b = nxt(), nxt()  # both slots held: the pipelined NEXT waits for one
        sent = c.releases_sent
        del a
        gc.collect()
        assert c.releases_sent == sent  # deferred...
        third = nxt()  # ...and sent before blocking, since the connection held its limit
        assert c.releases_sent == sent + 1 and third["id"].shape == (100,)
        del b, third
        n = 3
        while True:  # each batch dropped at once: its release rides on the next NEXT
            r = s.next_raw()
            if r is None:
                break
            c.lease(r.slot, r.generation, r.offset, r.length)
            n += 1
        assert n == 20


def test_adoption_builds_the_views_while_the_adopt_travels(weft_file):
    ds = WeftDataset(weft_file, batch_size=100, seed=4)
    with _client.Client(ds.server) as worker:
        s = worker.open_stream(batch_size=100, seed=4, pipeline=True)
        r = s.next_raw_handoff()
        h = _HandedOff(worker.socket_path, None, r, s.schema_ipc, _Convert(False, 0, None, "pad"))
        adopter = _client.adopter(ds.server)
        adopted, released = adopter.adopted, adopter.releases_sent
        b = pickle.loads(pickle.dumps(h))  # what the training process does with a worker's item
        assert isinstance(b, dict) and adopter.adopted == adopted + 1
        assert adopter.contains_address(b["id"].data_ptr()) and adopter.contains_address(b["emb"].data_ptr())
        assert torch.equal(b["emb"][:, 0], (b["id"] * 4).float())
        del b
        gc.collect()
        assert adopter.releases_sent == released + 1
        # adopting the same slot again fails cleanly (ExceptionWrapper), and sends no RELEASE
        again = pickle.loads(pickle.dumps(h))
        assert type(again).__name__ == "ExceptionWrapper" and "ADOPT" in again.exc_msg
        assert _client.adopter(ds.server) is not adopter  # that connection was dropped; a new one
        s.close()


def test_weftloader_without_workers_skips_torchs_iterator_and_gives_the_same_batches(weft_file):
    ds = WeftDataset(weft_file, batch_size=100, seed=6)
    plain = [b["id"].tolist() for b in torch.utils.data.DataLoader(ds, batch_size=None)]
    loader = WeftLoader(ds)
    assert loader.collate_fn.__name__ == "_identity"
    assert [b["id"].tolist() for b in loader] == plain
    assert loader.state_dict()["next_batch"] == len(plain)


def test_dates_times_and_timestamps_are_integer_tensors_of_their_stored_values():
    rows = ROWS
    base = np.arange(rows, dtype=np.int64) * 1_000_003
    cols = {
        "ts_ns_tz": pa.array(base, pa.timestamp("ns", tz="Europe/Paris")),
        "ts_ms": pa.array(base, pa.timestamp("ms")),
        "day": pa.array(base.astype(np.int32) % 40_000, pa.date32()),
        "day64": pa.array(base * 86_400_000, pa.date64()),
        "t32": pa.array((base % 86_400).astype(np.int32), pa.time32("s")),
        "t64": pa.array(base, pa.time64("us")),
        "dur": pa.array(base, pa.duration("ms")),
        "ts_nulls": pa.array([None if i % 5 == 0 else int(i) for i in range(rows)], pa.timestamp("s")),
        "ts_pair": pa.FixedSizeListArray.from_arrays(pa.array(np.arange(rows * 2), pa.timestamp("us")), 2),
        "ts_list": pa.array([list(range(i % 3)) for i in range(rows)], pa.list_(pa.timestamp("s"))),
    }
    rb = pa.record_batch(cols)
    msg = _message(rb)
    dec = Decoder(rb.schema)
    fast = dec.decode(msg, rows, _general)
    ref = record_batch_to_tensors(pa.ipc.read_record_batch(pa.ipc.read_message(pa.py_buffer(msg)), rb.schema))
    _assert_same(fast, ref)
    assert fast["ts_ns_tz"].dtype == torch.int64 and fast["ts_ns_tz"].tolist() == base.tolist()  # UTC values
    assert fast["day"].dtype == torch.int32 and fast["t32"].dtype == torch.int32
    assert fast["day64"].tolist() == (base * 86_400_000).tolist() and fast["dur"].tolist() == base.tolist()
    assert fast["ts_pair"].shape == (rows, 2) and fast["ts_pair"].flatten().tolist() == list(range(rows * 2))
    assert fast["ts_list"]["lengths"].tolist() == [i % 3 for i in range(rows)]
    nulls = fast["ts_nulls"]  # nulls as with integer columns: NaN in a float64 copy
    assert nulls.dtype == torch.float64 and torch.isnan(nulls[0]) and nulls[1].item() == 1.0
    plan = dec.plan(msg)
    assert [n for _, n in plan.general] == ["ts_nulls", "ts_list"]  # the others are views at offsets
    lo, hi = msg.ctypes.data, msg.ctypes.data + len(msg)
    assert all(lo <= fast[k].data_ptr() < hi for k in ("ts_ns_tz", "day", "t64", "dur", "ts_pair"))


def test_fixed_size_binary_is_a_uint8_matrix_view():
    rows = ROWS
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, (rows, 784), dtype=np.uint8)  # 28x28 images, as Fashion-MNIST stores them
    cols = {
        "image": pa.FixedSizeBinaryArray.from_buffers(pa.binary(784), rows, [None, pa.py_buffer(pixels.tobytes())]),
        "label": pa.array(rng.integers(0, 10, rows, dtype=np.int8)),
        "hash_nulls": pa.array([None if i % 4 == 0 else bytes([i]) * 16 for i in range(rows)], pa.binary(16)),
    }
    rb = pa.record_batch(cols)
    msg = _message(rb)
    dec = Decoder(rb.schema)
    fast = dec.decode(msg, rows, _general)
    ref = record_batch_to_tensors(pa.ipc.read_record_batch(pa.ipc.read_message(pa.py_buffer(msg)), rb.schema))
    _assert_same(fast, ref)
    img = fast["image"]
    assert img.dtype == torch.uint8 and img.shape == (rows, 784) and torch.equal(img, torch.from_numpy(pixels))
    lo, hi = msg.ctypes.data, msg.ctypes.data + len(msg)
    assert lo <= img.data_ptr() < hi  # a view of the message, no copy
    assert fast["hash_nulls"][0] is None and fast["hash_nulls"][1] == b"\x01" * 16  # nulls: Python values
    assert [n for _, n in dec.plan(msg).general] == ["hash_nulls"]
    sliced = record_batch_to_tensors(rb.slice(5, 7))  # a sliced array starts at its offset
    assert torch.equal(sliced["image"], torch.from_numpy(pixels[5:12]))
