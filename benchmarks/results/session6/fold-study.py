"""Session 6 study: zigzag and fold codes for SPAN's span deltas and residuals on Fashion-MNIST.

Models SPAN's stream per block of 83 images (spans of each image row, then the UP residuals
inside the spans) and compresses each block with zstd level 3, min match 7 (the writer's
residual codec). Needs numpy, pyarrow and zstandard:  python fold-study.py
"""
import numpy as np
import pyarrow.parquet as pq
import zstandard as zs

t = pq.read_table('/work/shared/testdata/real/fashion-mnist-train.parquet')
img = np.frombuffer(t.column('image').combine_chunks().buffers()[1], dtype=np.uint8).reshape(-1, 28, 28).astype(np.int16)
N = len(img)
PER = 65536 // 784
nz = img != 0
any_ = nz.any(2)
start = np.where(any_, nz.argmax(2), 0)
end = np.where(any_, 28 - nz[:, :, ::-1].argmax(2), 0)
up = np.zeros_like(img)
up[:, 1:] = img[:, :-1]
cols = np.arange(28)
inside = (cols[None, None, :] >= start[:, :, None]) & (cols[None, None, :] < end[:, :, None])
ds = np.diff(np.concatenate([np.zeros((N, 1), int), start], 1), axis=1) % 256
de = np.diff(np.concatenate([np.zeros((N, 1), int), end], 1), axis=1) % 256
spans = np.stack([ds, de], 2).astype(np.uint8).reshape(N, -1)


def zz(a):
    """Zigzag of a byte mod 256 read as signed: 0, -1, 1, -2 ... -> 0, 1, 2, 3 ... (invertible)."""
    a = a.astype(np.int16) % 256
    a = np.where(a >= 128, a - 256, a)
    return (np.where(a >= 0, 2 * a, -2 * a - 1) % 256).astype(np.uint8)


r = img - up  # the true difference, in [-up, 255 - up]
m = np.minimum(up, 255 - up)
codes = {
    'SPAN (5.0): residuals mod 256': (spans, (r % 256).astype(np.uint8)),
    # the brief's model: zigzag of the integer difference, then mod 256. NOT invertible: r and
    # r + 128 (both >= 0) give the same byte (1 and 129 -> 2), so it drops information
    'lossy: zigzag(r) mod 256, spans zigzagged': (zz(spans),
                                                  (np.where(r >= 0, 2 * r, -2 * r - 1) % 256).astype(np.uint8)),
    'zigzag of residual mod 256 (a byte permutation), spans zigzagged': (zz(spans), zz(r)),
    'zigzag except under a zero byte, spans zigzagged': (zz(spans), np.where(up == 0, r % 256, zz(r)).astype(np.uint8)),
    'SPAN_FOLD (6.0): fold, spans zigzagged': (zz(spans), np.where(np.abs(r) <= m, np.where(r >= 0, 2 * r, -2 * r - 1),
                                                                     m + np.abs(r)).astype(np.uint8)),
}
c = zs.ZstdCompressor(compression_params=zs.ZstdCompressionParameters.from_level(3, min_match=7))
base = None
for name, (sp, res) in codes.items():
    tot = sum(len(c.compress(sp[b:b + PER].tobytes() + res[b:b + PER][inside[b:b + PER]].tobytes()))
              for b in range(0, N, PER))
    base = base or tot
    print(f'{name}: {tot:,} B ({tot - base:+,})', flush=True)
