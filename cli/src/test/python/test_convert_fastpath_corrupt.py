"""The Parquet reader's fast path for flat columns (FlatColumnReader) on corrupt pages: bytes
flipped in the data pages of uncompressed files that pyarrow wrote (v1 and v2 data pages,
dictionary and plain values, nulls), each converted by `bin/weft convert` with the fast path and
without it (-Dweft.parquet.fastPath=false, parquet-java's column reader). Every run must end in
exit status 0 or 2 with at most one error line (no crash, hang or stack trace), and where both
paths convert a file they must give the same values.
"""

import random

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

from conftest import run_weft

VARIANTS = 6


def _table(rnd, n=2000):
    return pa.table({
        "i": pa.array([rnd.randint(-5, 100) if rnd.random() > 0.1 else None for _ in range(n)], pa.int64()),
        "d": pa.array([rnd.random() for _ in range(n)]),
        "s": pa.array([rnd.choice(["ATL", "SFO", "JFK", None, "ORD"]) for _ in range(n)]),
        "p": pa.array([str(rnd.random()) for _ in range(n)]),
        "k": pa.array([rnd.randint(0, 1 << 20) for _ in range(n)], pa.int32()),
    })


def _read(path):
    proc = run_weft("cat", path, "--format", "arrow", check=True)
    return ipc.open_stream(proc.stdout).read_all()


@pytest.mark.parametrize("page_version", ["1.0", "2.0"])
def test_corrupt_pages_fail_cleanly_and_both_paths_agree(tmp_path, page_version):
    rnd = random.Random(20261126 + (page_version == "2.0"))
    base = tmp_path / "base.parquet"
    pq.write_table(_table(rnd), base, compression="none", data_page_size=2048, data_page_version=page_version,
                   use_dictionary=["i", "s", "k"] if page_version == "1.0" else True)
    data = base.read_bytes()
    end = len(data) - pq.ParquetFile(base).metadata.serialized_size - 8  # flips stay out of the footer
    agreed = 0
    for k in range(VARIANTS):
        damaged = bytearray(data)
        for _ in range(rnd.randint(1, 3)):
            at = rnd.randrange(4, end)
            damaged[at] ^= (1 << rnd.randrange(8)) if rnd.random() < 0.6 else rnd.randrange(1, 256)
        src = tmp_path / f"damaged{k}.parquet"
        src.write_bytes(bytes(damaged))
        outcomes = []
        for opts, name in ((None, "fast"), ("-Dweft.parquet.fastPath=false", "slow")):
            dst = tmp_path / f"damaged{k}.{name}.weft"
            proc = run_weft("convert", src, "-o", dst, timeout=120, java_opts=opts)
            # the launcher's one-time "building the CLI" notice (after a rebuild of the sources) is not
            # the command's output
            lines = [line for line in proc.stderr.splitlines()
                     if line.strip() and not line.startswith("weft: building the CLI")]
            assert proc.returncode in (0, 2), f"{src} ({name}): exit {proc.returncode}: {proc.stderr}"
            assert len(lines) <= 1, f"{src} ({name}): {proc.stderr}"
            outcomes.append(dst if proc.returncode == 0 else None)
        fast, slow = outcomes
        if fast is not None and slow is not None:
            assert _read(fast).equals(_read(slow)), f"{src}: the two paths read different values"
            agreed += 1
    assert agreed >= 1
