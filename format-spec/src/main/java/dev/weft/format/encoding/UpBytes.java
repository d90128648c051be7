package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * BytesStream scheme UP (format 4.0): each fixed-width value, viewed as rows of {@code Stride}
 * bytes, stores every byte minus the byte one row above it (PNG filter type 2); the first row is
 * stored as it is. The residuals go to the block's codec pass, which is what makes them smaller.
 *
 * <pre>
 * BytesStream(n, w) --&gt; Scheme u8 = 17, Stride VarInt (1..w), Residuals byte[n*w]
 * </pre>
 *
 * Byte {@code j} (0-based) of a value = {@code (Residual[j] + byte[j - Stride]) mod 256} if
 * {@code j >= Stride}, else {@code Residual[j]}; every value on its own (value {@code i}'s
 * residuals are bytes {@code [i*w, (i+1)*w)}). Example: the 2x2 image {@code 10 12 / 11 13}
 * (w = 4, Stride 2) has residuals {@code 0A 0C 01 01} (10, 12, 11 - 10, 13 - 12).
 *
 * <p>Why beside {@link PaethBytes}: Paeth predicts a little better (on Fashion-MNIST its
 * zstd-compressed residuals are about 3.5% smaller), but its prediction depends on the byte just
 * decoded to its left, so it decodes one byte at a time with branches (about 0.2 GB/s); UP's
 * byte depends only on the row above, so a row decodes as one vector addition (8 bytes per
 * step here, several GB/s), and a scan of image data is then bound by the codec pass. Limits:
 * none beyond the block's; one value decodes from its own w bytes, O(w). Selection: the writer
 * encodes blocks of FIXED nodes of widths other than 1, 2, 4, 8 with UP (Stride = sqrt(w) when w
 * is a square, else w, as for PAETH) when a codec follows, and keeps PAETH instead only where
 * its compressed block is at least 10% smaller than UP's.
 */
public final class UpBytes {
  public static final int UP = 17;

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

  private UpBytes() {}

  /** Encodes n values of w bytes at {@code from} of {@code src} as an UP stream with {@code stride}. */
  public static void encode(byte[] src, int from, int n, int w, int stride, MetaOutput out) {
    if (stride < 1 || stride > w) {
      throw new IllegalArgumentException("stride " + stride + " outside [1, " + w + "]");
    }
    out.u8(UP);
    Varints.write(out, stride);
    byte[] res = new byte[n * w];
    for (int i = 0; i < n; i++) {
      int base = from + i * w;
      int r = i * w;
      System.arraycopy(src, base, res, r, Math.min(stride, w));
      for (int j = stride; j < w; j++) {
        res[r + j] = (byte) (src[base + j] - src[base + j - stride]);
      }
    }
    out.bytes(res);
  }

  /**
   * Decodes n values of w bytes in place: {@code d[at, at + n*w)} holds their residuals and
   * then their bytes.
   */
  static void unfilter(byte[] d, int at, int n, int w, int stride) {
    for (int i = 0; i < n; i++) {
      int k = at + i * w + stride;
      int end = at + (i + 1) * w;
      if (stride >= 8) {
        // 8 bytes at a time: the row above ends before them, so it is decoded already
        for (; k + 8 <= end; k += 8) {
          long x = (long) LONGS.get(d, k);
          long y = (long) LONGS.get(d, k - stride);
          LONGS.set(d, k, addBytes(x, y));
        }
      }
      for (; k < end; k++) {
        d[k] += d[k - stride];
      }
    }
  }

  /**
   * Decodes n values of w bytes whose residuals lie at native address {@code src} into native
   * memory at {@code dst} (the two ranges of n*w bytes do not overlap): the scan path, which
   * decompresses a block into a scratch buffer and decodes it straight into the output.
   * Addresses must be valid for n*w bytes (not checked).
   */
  public static void unfilterInto(long src, long dst, int n, int w, int stride) {
    int first = Math.min(stride, w);
    for (int i = 0; i < n; i++) {
      long s = src + (long) i * w;
      long d = dst + (long) i * w;
      MemoryUtil.copyMemory(s, d, first);
      // row by row, so that each load of the row above reads exactly what one earlier store wrote
      // (8-byte steps across rows would straddle two stores and miss store forwarding: ~15% slower)
      for (int row = stride; row < w; row += stride) {
        int len = Math.min(stride, w - row);
        long sr = s + row;
        long dr = d + row;
        long up = dr - stride;
        int k = 0;
        for (; k + 8 <= len; k += 8) {
          MemoryUtil.putLong(dr + k, addBytes(MemoryUtil.getLong(sr + k), MemoryUtil.getLong(up + k)));
        }
        if (k + 4 <= len) {
          MemoryUtil.putInt(dr + k, addBytes4(MemoryUtil.getInt(sr + k), MemoryUtil.getInt(up + k)));
          k += 4;
        }
        for (; k < len; k++) {
          MemoryUtil.putByte(dr + k, (byte) (MemoryUtil.getByte(sr + k) + MemoryUtil.getByte(up + k)));
        }
      }
    }
  }

  /** The 4 byte-wise sums mod 256 of x and y (no carry between bytes). */
  private static int addBytes4(int x, int y) {
    int high = (int) HIGH_BITS;
    return ((x & ~high) + (y & ~high)) ^ ((x ^ y) & high);
  }

  /** The 8 byte-wise sums mod 256 of x and y (no carry between bytes). */
  private static long addBytes(long x, long y) {
    return ((x & ~HIGH_BITS) + (y & ~HIGH_BITS)) ^ ((x ^ y) & HIGH_BITS);
  }
}
