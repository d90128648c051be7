package dev.weft.format.encoding;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * SPAN and SPAN_FOLD's decoders (scan path: native memory; take path: arrays) for narrow rows ({@link SpanBytes#NARROW} bytes at most, tiling
 * each value) with the JDK's Vector API: a whole row is one 256-bit vector, the row above stays in a
 * register, and the fold is undone with byte compares and blends (about 12 vector operations a row,
 * where {@link SpanBytes}' 8-byte SWAR lanes take about 25 scalar ones each, 4 lanes to a 28-byte row).
 * On Fashion-MNIST it decodes SPAN_FOLD images about 2.3x faster than the SWAR decoder, as fast as
 * SPAN's. Same output and the same checks (and exceptions) as {@link SpanBytes#decodeInto}.
 *
 * <p>{@link SpanBytes} calls it only where {@link VectorDecoding} says it is on (and tests, which
 * run both decoders): it needs the incubator module {@code jdk.incubator.vector} in the boot layer
 * ({@code --add-modules jdk.incubator.vector}), else loading this class fails, and it is fast only
 * once C2 has compiled it (the Vector API is intrinsified by C2 alone).
 */
final class SpanVectorDecoder {
  private static final VectorSpecies<Byte> ROW = ByteVector.SPECIES_256;

  private SpanVectorDecoder() {}

  /** Bits of the widest vector this machine's JIT uses for bytes (below 256: the decoder is slow). */
  static int preferredBits() {
    return ByteVector.SPECIES_PREFERRED.vectorBitSize();
  }

  /**
   * {@link SpanBytes#decodeInto} for {@code stride <= NARROW} and {@code w % stride == 0}: the
   * spans at {@code spans}, the residuals in {@code [res, resEnd)} with {@link SpanBytes#PAD}
   * readable bytes before and after, n values of w bytes to {@code dst}.
   */
  static void decodeNarrow(long spans, long res, long resEnd, long dst, int n, int w, int stride, boolean fold) {
    int pad = SpanBytes.PAD;
    // views of the native memory (row loads reach at most 32 bytes before and after the residuals)
    long srcBase = res - pad;
    ByteBuffer src = MemoryUtil.directBuffer(srcBase, (int) (resEnd - res) + 2 * pad);
    ByteBuffer out = MemoryUtil.directBuffer(dst, n * w);
    int rows = w / stride;
    int lastWhole = n * w - ROW.length(); // rows from here on are stored byte by byte: a vector would run past dst
    long p = res;
    long k = spans;
    // locals, not static finals: C2 (JDK 17) keeps them in registers instead of loading boxed
    // constants in the loop (which made it about 40% slower)
    ByteVector zero = ByteVector.zero(ROW);
    ByteVector index = zero.addIndex(1); // 0, 1, ..., 31: each lane's byte index in the row
    for (int i = 0; i < n; i++) {
      int row = i * w;
      ByteVector up = zero;
      int start = 0;
      int end = 0;
      for (int r = 0; r < rows; r++, k += 2, row += stride) {
        int pair = SpanBytes.deltas(MemoryUtil.getShort(k), fold);
        start = (start + pair) & 0xFF;
        end = (end + (pair >> 8)) & 0xFF;
        if (((end - start) | (stride - end)) < 0) {
          throw SpanBytes.badSpan(i, r, start, end, stride);
        }
        ByteVector z = ByteVector.fromByteBuffer(ROW, src, (int) (p - start - srcBase), ByteOrder.LITTLE_ENDIAN);
        up = row(z, up, fold, start, end, zero, index);
        if (row <= lastWhole) {
          // its lanes past the row are zeros, stored into the next rows, which are stored after it
          up.intoByteBuffer(out, row, ByteOrder.LITTLE_ENDIAN);
        } else {
          for (int j = 0; j < stride; j++) {
            out.put(row + j, up.lane(j));
          }
        }
        p += end - start;
        if (p > resEnd) {
          throw SpanBytes.tooFew(resEnd - res);
        }
      }
    }
    if (p != resEnd) {
      throw SpanBytes.tooMany(p - res, resEnd - res);
    }
  }

  /**
   * {@link SpanBytes#decode(byte[], int, int, int, int, int, int, boolean, byte[], int)} for
   * narrow rows (the take path): spans at {@code s[spans]}, residuals in {@code s[res, resEnd)},
   * values to {@code d[at, at + n*w)}. Rows whose 32-byte load or store would reach past either
   * array go through a small copy.
   */
  static void decodeNarrow(byte[] s, int spans, int res, int resEnd, int n, int w, int stride, boolean fold,
      byte[] d, int at) {
    int rows = w / stride;
    int lanes = ROW.length();
    int lastWhole = at + n * w - lanes; // rows from here on are stored through edge: a vector would run past the values
    byte[] edge = new byte[lanes]; // a row's residuals near an end of s, or its bytes near the end of d
    int p = res;
    int k = spans;
    ByteVector zero = ByteVector.zero(ROW);
    ByteVector index = zero.addIndex(1);
    for (int i = 0; i < n; i++) {
      int row = at + i * w;
      ByteVector up = zero;
      int start = 0;
      int end = 0;
      for (int r = 0; r < rows; r++, k += 2, row += stride) {
        int pair = SpanBytes.deltas((short) ((s[k] & 0xFF) | s[k + 1] << 8), fold);
        start = (start + pair) & 0xFF;
        end = (end + (pair >> 8)) & 0xFF;
        if (((end - start) | (stride - end)) < 0) {
          throw SpanBytes.badSpan(i, r, start, end, stride);
        }
        int q = p - start;
        ByteVector z;
        if (q >= 0 && q <= s.length - lanes) {
          z = ByteVector.fromArray(ROW, s, q);
        } else { // the bytes outside the array are outside the span: read as 0
          java.util.Arrays.fill(edge, (byte) 0);
          int from = Math.max(q, 0);
          System.arraycopy(s, from, edge, from - q, Math.max(0, Math.min(s.length, q + lanes) - from));
          z = ByteVector.fromArray(ROW, edge, 0);
        }
        up = row(z, up, fold, start, end, zero, index);
        if (row <= lastWhole) {
          up.intoArray(d, row); // its lanes past the row: zeros, into the next rows, stored after it
        } else {
          up.intoArray(edge, 0);
          System.arraycopy(edge, 0, d, row, stride);
        }
        p += end - start;
        if (p > resEnd) {
          throw SpanBytes.tooFew(resEnd - res);
        }
      }
    }
    if (p != resEnd) {
      throw SpanBytes.tooMany(p - res, resEnd - res);
    }
  }

  /**
   * A row decoded: its stored residuals {@code z} (lane j: the residual of byte j, valid within the
   * span) under the decoded row above, zero outside {@code [start, end)}.
   */
  private static ByteVector row(ByteVector z, ByteVector up, boolean fold, int start, int end, ByteVector zero,
      ByteVector index) {
    ByteVector x = fold ? unfold(z, up, zero) : z.add(up);
    VectorMask<Byte> inSpan = index.compare(VectorOperators.GE, (byte) start)
        .and(index.compare(VectorOperators.LT, (byte) end));
    return zero.blend(x, inSpan);
  }

  /**
   * SPAN_FOLD's codes {@code z} under the decoded bytes {@code a} above, unfolded lane by lane (the
   * rule of {@link SpanBytes#unfold(int, int)}). Signed byte lanes: {@code a >= 128} is {@code a < 0};
   * {@code z <= 2m} is {@code z >>> 1 <= m - (z & 1)}, all of it in [-1, 127]. {@code zero}: a zero vector.
   */
  private static ByteVector unfold(ByteVector z, ByteVector a, ByteVector zero) {
    VectorMask<Byte> bright = a.compare(VectorOperators.LT, (byte) 0);
    ByteVector mirror = zero.blend((byte) -1, bright); // FF where a >= 128
    ByteVector m = a.lanewise(VectorOperators.XOR, mirror); // min(a, 255 - a)
    // z >>> 1 per byte: a 16-bit shift, then the bit shifted in from the next byte cleared
    ByteVector half = z.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 1).reinterpretAsBytes()
        .lanewise(VectorOperators.AND, (byte) 0x7F);
    ByteVector odd = z.lanewise(VectorOperators.AND, (byte) 1);
    VectorMask<Byte> inside = half.compare(VectorOperators.LE, m.sub(odd));
    ByteVector near = a.add(half.lanewise(VectorOperators.XOR, odd.neg())); // a + unzigzag(z)
    ByteVector far = z.lanewise(VectorOperators.XOR, mirror); // z, or 255 - z where a >= 128
    return far.blend(near, inside);
  }
}
