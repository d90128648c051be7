package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * BytesStream schemes SPAN (format 5.0) and SPAN_FOLD (6.0, below): images on a zero
 * background; one encoder and one set of decoders for both. Each fixed-width value,
 * viewed as rows of {@code Stride} bytes, stores per row the span {@code [Start, End)} outside of
 * which the row's bytes are zero, and only the bytes inside it, as UP residuals (the byte minus the
 * byte one row above, as {@link UpBytes}). The spans are delta-coded against the row above.
 *
 * <pre>
 * BytesStream(n, w) --&gt; Scheme u8 = 18 | 19, Stride VarInt (1..min(w, 255)),
 *                       Spans (DeltaStart u8, DeltaEnd u8)^(n*R), Residuals byte[sum of (End - Start)]
 * (scheme 19, SPAN_FOLD: DeltaStart and DeltaEnd zigzag-coded, Residuals folded; see below)
 * R = ceil(w / Stride) rows per value; row r holds L(r) = min(Stride, w - r*Stride) bytes
 * </pre>
 *
 * For value {@code i}, row {@code r} (spans in value order, then row order): {@code Start(r) =
 * (Start(r-1) + DeltaStart) mod 256} and {@code End(r) = (End(r-1) + DeltaEnd) mod 256}, with
 * {@code Start(-1) = End(-1) = 0} at every value's first row; {@code Start <= End <= L(r)}
 * (checked). Byte {@code j} of the row is 0 outside {@code [Start, End)}, else {@code (Residual +
 * above(j)) mod 256}, where {@code above(j)} is byte j of the decoded row above (0 in row 0) and
 * the residuals are consumed in order. The residuals fill the stream exactly (checked). Example:
 * the 2x2 image {@code 00 07 / 00 09} (w = 4, Stride 2) has spans {@code [1,2), [1,2)}, coded
 * {@code 01 02 00 00}, and residuals {@code 07 02}: the stream is {@code 12 02 01 02 00 00 07 02}.
 *
 * <p>Why: on Fashion-MNIST half the bytes are a zero background. With UP alone they are zero
 * residuals between the object's, which zstd codes as many short matches; here they cost two span
 * bytes per row, and zstd sees mostly the object's residuals: the column compresses to about 0.85x
 * of Parquet with zstd instead of 0.94x, and zstd decodes the residuals in about 0.65x the time
 * (fewer bytes and sequences). Decoding stays simple: per row and 8-byte lane, one load of
 * residuals (shifted by Start), a byte-wise addition of the row above and a mask (on Fashion-MNIST
 * about 13 ms per 47 MB against UP's 8-10 ms, repaid by the 15 ms saved in zstd). One value decodes
 * from its own spans and residuals; reaching value i within a block needs the residual lengths of
 * the values before it (a sum over the block's spans, as the block is decoded whole). Selection:
 * the writer tries SPAN beside UP for FIXED values of widths other than 1, 2, 4, 8 with Stride
 * ({@link PaethBytes#stride}) at most 255 when a codec follows, and keeps the smaller after the
 * codec.
 *
 * <p><b>SPAN_FOLD (format 6.0)</b> is the same stream with scheme byte 19, its span deltas
 * zigzag-coded and its residuals folded. Zigzag: a delta {@code d} (mod 256, read as signed,
 * -128..127) is stored as {@code (d << 1) ^ (d >> 7)}: 0, -1, 1, -2, 2 ... become 0, 1, 2, 3, 4
 * ...; it decodes as {@code (z >>> 1) ^ -(z & 1)}. Fold: a byte {@code x} under the byte {@code a}
 * above it (0 in the first row) differs from it by {@code r = x - a}, an integer in
 * {@code [-a, 255 - a]}; with {@code m = min(a, 255 - a)}, it is stored as the zigzag code of r
 * where {@code |r| <= m} (codes 0..2m), else as {@code m + |r|} (codes 2m+1..255, the longer side
 * alone). Decoding: {@code x = a + unzigzag(z)} if {@code z <= 2m}, else {@code x = z} if
 * {@code a < 128}, else {@code 255 - z}. A byte over a 0 (the first row, a span's new left or right
 * part) is thus stored as itself; a byte that differs little from the one above as a small code of
 * either sign. Example: the image above is {@code 13 02 02 04 00 00 07 04} (deltas 1 2 0 0 zigzagged;
 * residual 7 over 0 stored as 7, 9 over 7 as the zigzag of 2).
 *
 * <p>Why: SPAN's residuals mod 256 put -1 and 1 at the far apart bytes FF and 01, and a byte over a
 * zero and small differences in one alphabet. Zigzag of those residual bytes alone is a fixed
 * permutation of the 256 byte values, which changes nothing for zstd's order-0 entropy coding;
 * the fold depends on the byte above, so the small differences of either sign become the same few
 * small codes while a byte over a zero stays itself, and the span deltas zigzagged share those
 * codes. On Fashion-MNIST the image column is 1.3% smaller than under SPAN (the file 0.845x of
 * Parquet with zstd instead of 0.855x). The price: the fold depends on the decoded row above, so it
 * is undone lane by lane with it ({@link #unfold}: a SWAR compare and selects of 8 bytes, no
 * branch, about 25 operations against SPAN's 7), and with these SWAR lanes the images decode about
 * 2.5x slower than SPAN's (about 32 against 13 ms per 60,000 28x28 images, one core). Where the
 * JDK's Vector API is on ({@link VectorDecoding}: the loader server, the benchmarks), narrow rows
 * decode a row per 256-bit vector ({@link SpanVectorDecoder}), SPAN_FOLD as fast as SPAN (about 12
 * ms). Limits as SPAN. Selection: the writer tries SPAN_FOLD in place of SPAN (beside UP, keeping
 * the smaller after the codec) unless its option {@code foldedSpans(false)} ({@code weft convert
 * --favor speed}) asks for SPAN.
 */
public final class SpanBytes {
  public static final int SPAN = 18;
  /** SPAN with zigzag-coded span deltas and folded residuals (format 6.0). */
  public static final int SPAN_FOLD = 19;
  /** The largest stride: span bounds are bytes. */
  public static final int MAX_STRIDE = 255;
  /**
   * Bytes a fast decoder may read before the residuals and after the stream's last byte (a row
   * reads whole 8-byte lanes starting {@code Start} bytes before its residuals).
   */
  public static final int PAD = 272;

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080_8080_8080_8080L;
  private static final long LOW_BITS = 0x0101_0101_0101_0101L;
  private static final long ONES = 0xFF;
  /** {@code GE[a + 8]}: the bytes of a lane whose index is at least a, for a in [-8, 8]. */
  private static final long[] GE = new long[17];

  static {
    for (int a = -8; a <= 8; a++) {
      GE[a + 8] = a <= 0 ? -1L : a >= 8 ? 0 : -1L << (8 * a);
    }
  }

  private SpanBytes() {}

  /** Whether SPAN can store values of width {@code w} with {@code stride}. */
  public static boolean applies(int w, int stride) {
    return stride >= 1 && stride <= Math.min(w, MAX_STRIDE);
  }

  /** Encodes n values of w bytes at {@code from} of {@code src} as a SPAN stream with {@code stride}. */
  public static void encode(byte[] src, int from, int n, int w, int stride, MetaOutput out) {
    encode(src, from, n, w, stride, false, out);
  }

  /**
   * Encodes n values of w bytes at {@code from} of {@code src} as a SPAN stream with
   * {@code stride}, or (if {@code fold}) a SPAN_FOLD one.
   */
  public static void encode(byte[] src, int from, int n, int w, int stride, boolean fold, MetaOutput out) {
    if (!applies(w, stride)) {
      throw new IllegalArgumentException("stride " + stride + " outside [1, " + Math.min(w, MAX_STRIDE) + "]");
    }
    int rows = rows(w, stride);
    byte[] spans = new byte[2 * n * rows];
    byte[] res = new byte[n * w];
    int p = 0;
    for (int i = 0; i < n; i++) {
      int base = from + i * w;
      int prevStart = 0;
      int prevEnd = 0;
      for (int r = 0; r < rows; r++) {
        int rowAt = base + r * stride;
        int len = Math.min(stride, w - r * stride);
        int start = 0;
        int end = 0;
        for (int j = len - 1; j >= 0; j--) {
          if (src[rowAt + j] != 0) {
            end = j + 1;
            break;
          }
        }
        if (end > 0) {
          while (src[rowAt + start] == 0) {
            start++;
          }
        } else {
          start = Math.min(prevStart, len); // an empty row: keep the start, so that the deltas stay small
          end = start;
        }
        int k = 2 * (i * rows + r);
        spans[k] = fold ? zigzag(start - prevStart) : (byte) (start - prevStart);
        spans[k + 1] = fold ? zigzag(end - prevEnd) : (byte) (end - prevEnd);
        prevStart = start;
        prevEnd = end;
        for (int j = start; j < end; j++) {
          int above = r == 0 ? 0 : src[rowAt + j - stride] & 0xFF;
          res[p++] = fold ? FOLDED[above << 8 | (src[rowAt + j] & 0xFF)] : (byte) (src[rowAt + j] - above);
        }
      }
    }
    out.u8(fold ? SPAN_FOLD : SPAN);
    Varints.write(out, stride);
    out.bytes(spans);
    out.bytes(java.util.Arrays.copyOf(res, p));
  }

  /** The zigzag code of {@code d} taken mod 256 as a signed byte: 0, -1, 1, -2 ... to 0, 1, 2, 3 ... */
  static byte zigzag(int d) {
    byte b = (byte) d;
    return (byte) ((b << 1) ^ (b >> 7));
  }

  /** {@link #folded} of every byte x under every byte a, at {@code a << 8 | x} (64 KiB: the encoder's lookup). */
  private static final byte[] FOLDED = new byte[1 << 16];

  static {
    for (int a = 0; a < 256; a++) {
      for (int x = 0; x < 256; x++) {
        FOLDED[a << 8 | x] = folded(x, a);
      }
    }
  }

  /** SPAN_FOLD's code of byte {@code x} (0..255) under byte {@code above} (0..255); see the class comment. */
  static byte folded(int x, int above) {
    int r = x - above;
    int m = Math.min(above, 255 - above);
    int abs = Math.abs(r);
    return (byte) (abs <= m ? (r >= 0 ? 2 * r : -2 * r - 1) : m + abs);
  }

  /** The byte that {@link #folded} coded as {@code z} (0..255) under {@code above} (0..255). */
  static int unfold(int z, int above) {
    int m = Math.min(above, 255 - above);
    if (z <= 2 * m) {
      return (above + ((z >>> 1) ^ -(z & 1))) & 0xFF;
    }
    return above < 128 ? z : 255 - z;
  }

  /**
   * {@link #unfold(int, int)} of the 8 bytes of {@code z} under the 8 of {@code above}, each on its
   * own: m = min(a, 255 - a) is a mirrored where its top bit is set; {@code z <= 2m} is
   * {@code (z >>> 1) + (z & 1) <= m}, both sides at most 128, so one subtraction per lane compares all
   * 8 bytes without a borrow between them.
   */
  static long unfold(long z, long above) {
    long half = (z >>> 1) & ~HIGH_BITS;
    long odd = z & LOW_BITS;
    long mirror = ((above & HIGH_BITS) >>> 7) * ONES; // FF where a >= 128
    long m = above ^ mirror; // min(a, 255 - a), at most 127
    long inside = (((((m | HIGH_BITS) - (half + odd)) & HIGH_BITS) >>> 7) * ONES); // FF where z <= 2m
    long near = addBytes(above, half ^ (odd * ONES)); // a + unzigzag(z)
    long far = z ^ mirror; // z, or 255 - z where a >= 128
    return far ^ ((near ^ far) & inside);
  }

  /** A lane of 8 stored residuals under the 8 decoded bytes above, decoded (before the span's mask). */
  private static long lane(long z, long above, boolean fold) {
    return fold ? unfold(z, above) : addBytes(z, above);
  }

  /** A span pair (DeltaStart in the low byte, DeltaEnd in the next), as stored, decoded: each byte in 0..255. */
  static int deltas(short pair, boolean fold) {
    int z = pair & 0xFFFF;
    return fold ? ((z >>> 1) & 0x7F7F) ^ ((z & 0x0101) * 0xFF) : z;
  }

  static int rows(int w, int stride) {
    return (w + stride - 1) / stride;
  }

  /**
   * Decodes n values of w bytes of a SPAN or (if {@code fold}) SPAN_FOLD stream from native memory
   * into native memory at {@code dst} (n*w bytes, not overlapping the source): the n*R spans at {@code spans}, the residuals in
   * {@code [res, resEnd)}, which they must use exactly. {@link #PAD} bytes before {@code res} and
   * after {@code resEnd} must be readable (not checked): a row reads whole 8-byte lanes from
   * {@code Start} bytes before its residuals on.
   *
   * @throws MalformedEncodingException if a span lies outside its row or the spans call for other
   *     than {@code resEnd - res} residual bytes (then {@code dst} holds garbage)
   */
  public static void decodeInto(long spans, long res, long resEnd, long dst, int n, int w, int stride,
      boolean fold) {
    decodeInto(spans, res, resEnd, dst, n, w, stride, fold, VectorDecoding.ENABLED);
  }

  /**
   * {@link #decodeInto(long, long, long, long, int, int, int, boolean)} with narrow rows decoded by
   * {@link SpanVectorDecoder} if {@code vector} (which needs {@link VectorDecoding#AVAILABLE}), else
   * by the SWAR loops below; tests run both.
   */
  static void decodeInto(long spans, long res, long resEnd, long dst, int n, int w, int stride, boolean fold,
      boolean vector) {
    if (stride <= NARROW && w % stride == 0) {
      if (vector) {
        SpanVectorDecoder.decodeNarrow(spans, res, resEnd, dst, n, w, stride, fold);
      } else {
        decodeNarrow(spans, res, resEnd, dst, n, w, stride, fold);
      }
      return;
    }
    int rows = rows(w, stride);
    long p = res;
    long k = spans;
    for (int i = 0; i < n; i++) {
      long d = dst + (long) i * w;
      int start = 0;
      int end = 0;
      for (int r = 0; r < rows; r++, k += 2) {
        int pair = deltas(MemoryUtil.getShort(k), fold);
        start = (start + pair) & 0xFF;
        end = (end + (pair >> 8)) & 0xFF;
        int len = Math.min(stride, w - r * stride);
        if (((end - start) | (len - end)) < 0) {
          throw badSpan(i, r, start, end, len);
        }
        long q = p - start; // the residual of row byte j is at q + j
        long row = d + (long) r * stride;
        long above = row - stride;
        int j = 0;
        for (; j + 8 <= len; j += 8) {
          long up = r == 0 ? 0 : MemoryUtil.getLong(above + j);
          MemoryUtil.putLong(row + j, lane(MemoryUtil.getLong(q + j), up, fold) & mask(start - j, end - j));
        }
        for (; j < len; j++) {
          byte v = j >= start && j < end
              ? residual(MemoryUtil.getByte(q + j), r == 0 ? 0 : MemoryUtil.getByte(above + j), fold) : 0;
          MemoryUtil.putByte(row + j, v);
        }
        p += end - start;
        if (p > resEnd) {
          throw tooFew(resEnd - res);
        }
      }
    }
    if (p != resEnd) {
      throw tooMany(p - res, resEnd - res);
    }
  }

  /** Rows of at most this many bytes (4 lanes of 8) that tile the value decode lane by lane, the row above in registers. */
  static final int NARROW = 32;

  /**
   * Per narrow stride, the masks of a row with span {@code [start, end)}: its 4 lanes at
   * {@code [(start * 33 + end) * 4 + k]}, cut to the row's bytes. One table lookup per lane (a
   * few KiB per stride, of which an image set touches a few hot lines) is about 20% cheaper than
   * composing each mask. Made on first use; a race makes equal tables.
   */
  private static final long[][] NARROW_MASKS = new long[NARROW + 1][];

  private static long[] narrowMasks(int stride) {
    long[] m = NARROW_MASKS[stride];
    if (m == null) {
      m = new long[(stride + 1) * 33 * 4];
      for (int start = 0; start <= stride; start++) {
        for (int end = start; end <= stride; end++) {
          for (int k = 0; k < 4; k++) {
            int inRow = stride - 8 * k; // bytes of the row in lane k
            long rowBytes = inRow >= 8 ? -1L : inRow <= 0 ? 0 : (1L << (8 * inRow)) - 1;
            m[(start * 33 + end) * 4 + k] = mask(start - 8 * k, end - 8 * k) & rowBytes;
          }
        }
      }
      NARROW_MASKS[stride] = m;
    }
    return m;
  }

  /**
   * {@link #decodeInto} for rows of at most {@link #NARROW} bytes that tile each value (e.g. 28x28
   * or 32x32 grey images): each row as up to 4 lanes, the row above kept in registers, the last
   * lane stored with only the row's bytes. SPAN and SPAN_FOLD have a loop each: one loop with the
   * scheme as a flag made SPAN about 25% slower (the JIT does not split the loop on it).
   */
  private static void decodeNarrow(long spans, long res, long resEnd, long dst, int n, int w, int stride,
      boolean fold) {
    if (fold) {
      decodeNarrowFold(spans, res, resEnd, dst, n, w, stride);
      return;
    }
    long[] masks = narrowMasks(stride);
    int rows = w / stride;
    int lanes = (stride + 7) >>> 3;
    int tail = stride - 8 * (lanes - 1); // bytes of the last lane, 1..8
    long p = res;
    long k = spans;
    for (int i = 0; i < n; i++) {
      long row = dst + (long) i * w;
      long u0 = 0;
      long u1 = 0;
      long u2 = 0;
      long u3 = 0;
      int start = 0;
      int end = 0;
      for (int r = 0; r < rows; r++, k += 2, row += stride) {
        short pair = MemoryUtil.getShort(k);
        start = (start + pair) & 0xFF;
        end = (end + (pair >> 8)) & 0xFF;
        if (((end - start) | (stride - end)) < 0) {
          throw badSpan(i, r, start, end, stride);
        }
        long q = p - start; // reads up to 32 bytes from q: within PAD past the residuals
        int m = (start * 33 + end) * 4;
        u0 = addBytes(MemoryUtil.getLong(q), u0) & masks[m];
        if (lanes > 1) {
          u1 = addBytes(MemoryUtil.getLong(q + 8), u1) & masks[m + 1];
          if (lanes > 2) {
            u2 = addBytes(MemoryUtil.getLong(q + 16), u2) & masks[m + 2];
            if (lanes > 3) {
              u3 = addBytes(MemoryUtil.getLong(q + 24), u3) & masks[m + 3];
            }
          }
        }
        putRow(row, lanes, tail, u0, u1, u2, u3);
        p += end - start;
        if (p > resEnd) {
          throw tooFew(resEnd - res);
        }
      }
    }
    if (p != resEnd) {
      throw tooMany(p - res, resEnd - res);
    }
  }

  /** {@link #decodeNarrow} for SPAN_FOLD: zigzag span deltas, each lane {@link #unfold unfolded} under the row above. */
  private static void decodeNarrowFold(long spans, long res, long resEnd, long dst, int n, int w, int stride) {
    long[] masks = narrowMasks(stride);
    int rows = w / stride;
    int lanes = (stride + 7) >>> 3;
    int tail = stride - 8 * (lanes - 1);
    long p = res;
    long k = spans;
    for (int i = 0; i < n; i++) {
      long row = dst + (long) i * w;
      long u0 = 0;
      long u1 = 0;
      long u2 = 0;
      long u3 = 0;
      int start = 0;
      int end = 0;
      for (int r = 0; r < rows; r++, k += 2, row += stride) {
        int pair = deltas(MemoryUtil.getShort(k), true);
        start = (start + pair) & 0xFF;
        end = (end + (pair >> 8)) & 0xFF;
        if (((end - start) | (stride - end)) < 0) {
          throw badSpan(i, r, start, end, stride);
        }
        long q = p - start;
        int m = (start * 33 + end) * 4;
        u0 = unfold(MemoryUtil.getLong(q), u0) & masks[m];
        if (lanes > 1) {
          u1 = unfold(MemoryUtil.getLong(q + 8), u1) & masks[m + 1];
          if (lanes > 2) {
            u2 = unfold(MemoryUtil.getLong(q + 16), u2) & masks[m + 2];
            if (lanes > 3) {
              u3 = unfold(MemoryUtil.getLong(q + 24), u3) & masks[m + 3];
            }
          }
        }
        putRow(row, lanes, tail, u0, u1, u2, u3);
        p += end - start;
        if (p > resEnd) {
          throw tooFew(resEnd - res);
        }
      }
    }
    if (p != resEnd) {
      throw tooMany(p - res, resEnd - res);
    }
  }

  /** Stores a narrow row of {@code lanes} lanes, the last one's {@code tail} bytes only. */
  private static void putRow(long row, int lanes, int tail, long u0, long u1, long u2, long u3) {
    long last = 8L * (lanes - 1);
    switch (lanes) {
      case 1 -> putTail(row, u0, tail);
      case 2 -> {
        MemoryUtil.putLong(row, u0);
        putTail(row + last, u1, tail);
      }
      case 3 -> {
        MemoryUtil.putLong(row, u0);
        MemoryUtil.putLong(row + 8, u1);
        putTail(row + last, u2, tail);
      }
      default -> {
        MemoryUtil.putLong(row, u0);
        MemoryUtil.putLong(row + 8, u1);
        MemoryUtil.putLong(row + 16, u2);
        putTail(row + last, u3, tail);
      }
    }
  }

  /** Stores the low {@code t} (1..8) bytes of {@code v} at {@code a}. */
  private static void putTail(long a, long v, int t) {
    if (t == 8) {
      MemoryUtil.putLong(a, v);
      return;
    }
    if ((t & 4) != 0) {
      MemoryUtil.putInt(a, (int) v);
      a += 4;
      v >>>= 32;
    }
    if ((t & 2) != 0) {
      MemoryUtil.putShort(a, (short) v);
      a += 2;
      v >>>= 16;
    }
    if ((t & 1) != 0) {
      MemoryUtil.putByte(a, (byte) v);
    }
  }

  /**
   * As {@link #decodeInto} on heap arrays: spans at {@code s[spans]}, residuals in
   * {@code s[res, resEnd)}, values to {@code d[at, at + n*w)}. Lanes that would reach past
   * either end of {@code s} are read byte by byte.
   */
  static void decode(byte[] s, int spans, int res, int resEnd, int n, int w, int stride, boolean fold, byte[] d,
      int at) {
    decode(s, spans, res, resEnd, n, w, stride, fold, d, at, VectorDecoding.ENABLED);
  }

  /** {@link #decode(byte[], int, int, int, int, int, int, boolean, byte[], int)} with narrow rows by {@link SpanVectorDecoder} if {@code vector}. */
  static void decode(byte[] s, int spans, int res, int resEnd, int n, int w, int stride, boolean fold, byte[] d,
      int at, boolean vector) {
    if (stride <= NARROW && w % stride == 0) {
      if (vector) {
        SpanVectorDecoder.decodeNarrow(s, spans, res, resEnd, n, w, stride, fold, d, at);
      } else {
        decodeNarrow(s, spans, res, resEnd, n, w, stride, fold, d, at);
      }
      return;
    }
    int rows = rows(w, stride);
    int p = res;
    int k = spans;
    for (int i = 0; i < n; i++) {
      int v0 = at + i * w;
      int start = 0;
      int end = 0;
      for (int r = 0; r < rows; r++, k += 2) {
        int pair = deltas((short) SHORTS.get(s, k), fold);
        start = (start + pair) & 0xFF;
        end = (end + (pair >> 8)) & 0xFF;
        int len = Math.min(stride, w - r * stride);
        if (((end - start) | (len - end)) < 0) {
          throw badSpan(i, r, start, end, len);
        }
        if (p + (end - start) > resEnd) { // before the reads: the byte loop below reads s[q + j] unchecked
          throw tooFew(resEnd - res);
        }
        int q = p - start;
        int row = v0 + r * stride;
        int j = 0;
        for (; j + 8 <= len; j += 8) {
          long up = r == 0 ? 0 : (long) LONGS.get(d, row - stride + j);
          int from = q + j;
          // near the array's ends, the lane's bytes outside it are outside the span: read as 0
          long x = from >= 0 && from <= s.length - 8 ? (long) LONGS.get(s, from) : gather(s, from);
          LONGS.set(d, row + j, lane(x, up, fold) & mask(start - j, end - j));
        }
        for (; j < len; j++) {
          d[row + j] = j >= start && j < end ? residual(s[q + j], r == 0 ? 0 : d[row - stride + j], fold) : 0;
        }
        p += end - start;
      }
    }
    if (p != resEnd) {
      throw tooMany(p - res, resEnd - res);
    }
  }

  /** {@link #decode(byte[], int, int, int, int, int, int, boolean, byte[], int)} for narrow rows, as {@link #decodeNarrow(long, long, long, long, int, int, int, boolean)}. */
  private static void decodeNarrow(byte[] s, int spans, int res, int resEnd, int n, int w, int stride,
      boolean fold, byte[] d, int at) {
    if (fold) {
      decodeNarrowFold(s, spans, res, resEnd, n, w, stride, d, at);
      return;
    }
    long[] masks = narrowMasks(stride);
    int rows = w / stride;
    int lanes = (stride + 7) >>> 3;
    int tail = stride - 8 * (lanes - 1);
    int p = res;
    int k = spans;
    for (int i = 0; i < n; i++) {
      int row = at + i * w;
      long u0 = 0;
      long u1 = 0;
      long u2 = 0;
      long u3 = 0;
      int start = 0;
      int end = 0;
      for (int r = 0; r < rows; r++, k += 2, row += stride) {
        int pair = deltas((short) SHORTS.get(s, k), false);
        start = (start + pair) & 0xFF;
        end = (end + (pair >> 8)) & 0xFF;
        if (((end - start) | (stride - end)) < 0) {
          throw badSpan(i, r, start, end, stride);
        }
        int q = p - start;
        int m = (start * 33 + end) * 4;
        boolean inside = q >= 0 && q <= s.length - 8 * lanes; // else the bytes outside the array are outside the span
        u0 = addBytes(inside ? (long) LONGS.get(s, q) : gather(s, q), u0) & masks[m];
        if (lanes > 1) {
          u1 = addBytes(inside ? (long) LONGS.get(s, q + 8) : gather(s, q + 8), u1) & masks[m + 1];
          if (lanes > 2) {
            u2 = addBytes(inside ? (long) LONGS.get(s, q + 16) : gather(s, q + 16), u2) & masks[m + 2];
            if (lanes > 3) {
              u3 = addBytes(inside ? (long) LONGS.get(s, q + 24) : gather(s, q + 24), u3) & masks[m + 3];
            }
          }
        }
        putRow(d, row, lanes, tail, u0, u1, u2, u3);
        p += end - start;
        if (p > resEnd) {
          throw tooFew(resEnd - res);
        }
      }
    }
    if (p != resEnd) {
      throw tooMany(p - res, resEnd - res);
    }
  }

  /**
   * {@link #decodeNarrow(byte[], int, int, int, int, int, int, boolean, byte[], int)} for SPAN_FOLD
   * (a loop of its own, as on the scan path).
   */
  private static void decodeNarrowFold(byte[] s, int spans, int res, int resEnd, int n, int w, int stride, byte[] d,
      int at) {
    long[] masks = narrowMasks(stride);
    int rows = w / stride;
    int lanes = (stride + 7) >>> 3;
    int tail = stride - 8 * (lanes - 1);
    int p = res;
    int k = spans;
    for (int i = 0; i < n; i++) {
      int row = at + i * w;
      long u0 = 0;
      long u1 = 0;
      long u2 = 0;
      long u3 = 0;
      int start = 0;
      int end = 0;
      for (int r = 0; r < rows; r++, k += 2, row += stride) {
        int pair = deltas((short) SHORTS.get(s, k), true);
        start = (start + pair) & 0xFF;
        end = (end + (pair >> 8)) & 0xFF;
        if (((end - start) | (stride - end)) < 0) {
          throw badSpan(i, r, start, end, stride);
        }
        int q = p - start;
        int m = (start * 33 + end) * 4;
        boolean inside = q >= 0 && q <= s.length - 8 * lanes; // else the bytes outside the array are outside the span
        u0 = unfold(inside ? (long) LONGS.get(s, q) : gather(s, q), u0) & masks[m];
        if (lanes > 1) {
          u1 = unfold(inside ? (long) LONGS.get(s, q + 8) : gather(s, q + 8), u1) & masks[m + 1];
          if (lanes > 2) {
            u2 = unfold(inside ? (long) LONGS.get(s, q + 16) : gather(s, q + 16), u2) & masks[m + 2];
            if (lanes > 3) {
              u3 = unfold(inside ? (long) LONGS.get(s, q + 24) : gather(s, q + 24), u3) & masks[m + 3];
            }
          }
        }
        putRow(d, row, lanes, tail, u0, u1, u2, u3);
        p += end - start;
        if (p > resEnd) {
          throw tooFew(resEnd - res);
        }
      }
    }
    if (p != resEnd) {
      throw tooMany(p - res, resEnd - res);
    }
  }

  /** Stores a narrow row of {@code lanes} lanes at {@code d[row]}, the last one's {@code tail} bytes only. */
  private static void putRow(byte[] d, int row, int lanes, int tail, long u0, long u1, long u2, long u3) {
    int last = 8 * (lanes - 1);
    switch (lanes) {
      case 1 -> putTail(d, row, u0, tail);
      case 2 -> {
        LONGS.set(d, row, u0);
        putTail(d, row + last, u1, tail);
      }
      case 3 -> {
        LONGS.set(d, row, u0);
        LONGS.set(d, row + 8, u1);
        putTail(d, row + last, u2, tail);
      }
      default -> {
        LONGS.set(d, row, u0);
        LONGS.set(d, row + 8, u1);
        LONGS.set(d, row + 16, u2);
        putTail(d, row + last, u3, tail);
      }
    }
  }

  private static void putTail(byte[] d, int a, long v, int t) {
    if (t == 8) {
      LONGS.set(d, a, v);
      return;
    }
    if ((t & 4) != 0) {
      INTS.set(d, a, (int) v);
      a += 4;
      v >>>= 32;
    }
    if ((t & 2) != 0) {
      SHORTS.set(d, a, (short) v);
      a += 2;
      v >>>= 16;
    }
    if ((t & 1) != 0) {
      d[a] = (byte) v;
    }
  }

  /** The 8 bytes at {@code from} of {@code s} as a little-endian long, 0 where outside the array. */
  private static long gather(byte[] s, int from) {
    long x = 0;
    for (int b = 0; b < 8; b++) {
      int at = from + b;
      if (at >= 0 && at < s.length) {
        x |= (s[at] & 0xFFL) << (8 * b);
      }
    }
    return x;
  }

  static MalformedEncodingException badSpan(int value, int row, int start, int end, int len) {
    return new MalformedEncodingException("SPAN row " + row + " of value " + value + ": span [" + start + ", " + end
        + ") outside [0, " + len + "]");
  }

  static MalformedEncodingException tooFew(long have) {
    return new MalformedEncodingException("SPAN spans call for more than the " + have + " residual bytes left");
  }

  static MalformedEncodingException tooMany(long used, long have) {
    return new MalformedEncodingException("SPAN spans use " + used + " residual bytes of " + have);
  }

  /** The bytes b of a lane with {@code from <= b < to}. */
  private static long mask(int from, int to) {
    return GE[Math.max(-8, Math.min(8, from)) + 8] & ~GE[Math.max(-8, Math.min(8, to)) + 8];
  }

  /** One stored residual under the decoded byte above, decoded. */
  private static byte residual(byte z, byte above, boolean fold) {
    return (byte) (fold ? unfold(z & 0xFF, above & 0xFF) : z + above);
  }

  /** The 8 byte-wise sums mod 256 of x and y (no carry between bytes). */
  private static long addBytes(long x, long y) {
    return ((x & ~HIGH_BITS) + (y & ~HIGH_BITS)) ^ ((x ^ y) & HIGH_BITS);
  }

  /**
   * A stream's parts: the stride, whether it is SPAN_FOLD, where its spans and residuals lie
   * (buffer indexes), and where it ends.
   */
  record Parsed(int stride, boolean fold, int spans, int residuals, int end) {}

  /**
   * Parses the body of a SPAN or (if {@code fold}) SPAN_FOLD stream of n values of w bytes
   * (after its scheme byte). Its residuals
   * run to the end of {@code in} (a SPAN stream is the Values of a FIXED block, its last stream);
   * the decoders check that the spans use exactly those bytes. Leaves {@code in} at its end.
   */
  static Parsed parse(EncodedInput in, int n, int w, boolean fold) {
    long s = Varints.read(in, "SPAN stride");
    if (s < 1 || s > Math.min(w, MAX_STRIDE)) {
      throw new MalformedEncodingException("SPAN stride " + Long.toUnsignedString(s) + " outside [1, "
          + Math.min(w, MAX_STRIDE) + "]");
    }
    int stride = (int) s;
    int spans = in.skip(2L * n * rows(w, stride), "SPAN spans");
    int res = in.skip(in.remaining(), "SPAN residuals");
    return new Parsed(stride, fold, spans, res, in.position());
  }

  /**
   * Decodes a parsed stream whose bytes lie in {@code b} into {@code d[at, at + n*w)}: where they
   * lie in a heap buffer, else through a heap copy.
   */
  static void decode(ByteBuffer b, Parsed p, int n, int w, byte[] d, int at) {
    if (b.hasArray()) {
      int o = b.arrayOffset();
      decode(b.array(), o + p.spans, o + p.residuals, o + p.end, n, w, p.stride, p.fold, d, at);
      return;
    }
    int length = p.end - p.spans;
    byte[] s = new byte[length];
    b.get(p.spans, s, 0, length);
    decode(s, 0, p.residuals - p.spans, length, n, w, p.stride, p.fold, d, at);
  }
}
