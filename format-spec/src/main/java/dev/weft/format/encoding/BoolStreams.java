package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.nio.ByteBuffer;

/**
 * Streams of booleans: validity bitmaps and BOOL values, with shortcuts for the common shapes.
 *
 * <pre>
 * BoolStream(n) --&gt; Scheme u8, SchemeBody
 *   0 BITMAP   : Bits byte[ceil(n/8)]                              LSB first, like Arrow
 *   1 CONSTANT : Value u8 (0 or 1)                                 all valid / all null, all true / all false
 *   2 RUNS     : First u8 (0 or 1), NumRuns VarInt (1..n), Lengths IntStream(NumRuns)
 * </pre>
 *
 * RUNS alternates: run 0 has value First, run 1 the other value, and so on; every length is
 * &gt;= 1 and they add up to n (checked). Example: 1000 valid then 24 null values are RUNS
 * {@code 02 01 02} + lengths 1000, 24 (FOR, base 24, 10 bits).
 *
 * <p>Limits: a RUNS stream's lengths are one level deeper than the bool stream. Reading: the
 * stream is turned into an Arrow bitmap when the block is parsed (n/8 bytes). Selection:
 * CONSTANT when all bits are equal; RUNS when it is smaller than the bitmap (few long runs);
 * BITMAP otherwise (for example alternating nulls). All-valid blocks store no validity at all
 * (the block's HAS_VALIDITY flag is clear).
 */
public final class BoolStreams {
  public static final int BITMAP = 0;
  public static final int CONSTANT = 1;
  public static final int RUNS = 2;

  private BoolStreams() {}

  public static String name(int id) {
    return switch (id) {
      case BITMAP -> "BITMAP";
      case CONSTANT -> "CONSTANT";
      case RUNS -> "RUNS";
      default -> "UNKNOWN(" + id + ")";
    };
  }

  private static boolean bit(ByteBuffer b, int base, int i) {
    return (b.get(base + (i >>> 3)) & (1 << (i & 7))) != 0;
  }

  /** Encodes bits {@code [0, n)} of the LSB-first bitmap at {@code base} in {@code b}. */
  public static void encode(ByteBuffer b, int base, int n, int depth, IntStreams.Hints h, MetaOutput out) {
    encode(b, base, n, depth, h, out, -1);
  }

  /** As above; {@code force} >= 0 uses that scheme where it can encode the bits (for tests). */
  static void encode(ByteBuffer b, int base, int n, int depth, IntStreams.Hints h, MetaOutput out, int force) {
    int runs = n == 0 ? 0 : 1;
    for (int i = 1; i < n; i++) {
      if (bit(b, base, i) != bit(b, base, i - 1)) {
        runs++;
      }
    }
    boolean first = n > 0 && bit(b, base, 0);
    if (runs <= 1 && (force < 0 || force == CONSTANT)) {
      out.u8(CONSTANT).u8(first ? 1 : 0);
      return;
    }
    int bitmapBytes = (n + 7) >>> 3;
    if (depth < IntStreams.MAX_DEPTH && n > 0 && (force == RUNS || force < 0 && runs * 8L <= n)) {
      long[] lengths = new long[runs];
      int r = 0;
      for (int i = 0; i < n; i++) {
        if (i > 0 && bit(b, base, i) != bit(b, base, i - 1)) {
          r++;
        }
        lengths[r]++;
      }
      MetaOutput o = new MetaOutput(64);
      o.u8(RUNS).u8(first ? 1 : 0);
      Varints.write(o, runs);
      IntStreams.encode(lengths, runs, depth + 1, h.child(), o);
      if (o.size() < 1 + bitmapBytes || force == RUNS) {
        out.bytes(o);
        return;
      }
    }
    out.u8(BITMAP);
    for (int k = 0; k < bitmapBytes; k++) {
      int v = b.get(base + k) & 0xFF;
      if (k == bitmapBytes - 1 && (n & 7) != 0) {
        v &= (1 << (n & 7)) - 1;
      }
      out.u8(v);
    }
  }

  /** Parses a stream of {@code n} bits into a new LSB-first bitmap of {@code ceil(n/8)} bytes. */
  public static byte[] decode(EncodedInput in, int n, int depth) {
    int id = in.u8("boolean scheme");
    byte[] bits = new byte[(n + 7) >>> 3];
    switch (id) {
      case BITMAP -> {
        int at = in.skip(bits.length, "bitmap");
        in.buffer().get(at, bits);
      }
      case CONSTANT -> {
        int v = in.u8("boolean constant");
        if (v > 1) {
          throw new MalformedEncodingException("boolean constant " + v);
        }
        if (v == 1) {
          setRange(bits, 0, n);
        }
      }
      case RUNS -> {
        if (depth >= IntStreams.MAX_DEPTH) {
          throw new MalformedEncodingException("boolean runs at cascade level " + depth);
        }
        int first = in.u8("first run value");
        if (first > 1) {
          throw new MalformedEncodingException("first run value " + first);
        }
        int runs = Varints.readCount(in, "boolean run count", n);
        IntDecoder lengths = IntStreams.parse(in, runs, depth + 1);
        long at = 0;
        boolean value = first == 1;
        for (int r = 0; r < runs; r++) {
          long len = lengths.get(r);
          if (len < 1 || len > n - at) {
            throw new MalformedEncodingException("boolean run " + r + " of length " + len + " runs past " + n);
          }
          if (value) {
            setRange(bits, (int) at, (int) len);
          }
          at += len;
          value = !value;
        }
        if (at != n) {
          throw new MalformedEncodingException("boolean runs cover " + at + " of " + n + " values");
        }
      }
      default -> throw new MalformedEncodingException("unknown boolean scheme " + id);
    }
    return bits;
  }

  private static void setRange(byte[] bits, int from, int n) {
    int i = from;
    int end = from + n;
    while (i < end && (i & 7) != 0) {
      bits[i >>> 3] |= (byte) (1 << (i & 7));
      i++;
    }
    while (end - i >= 8) {
      bits[i >>> 3] = (byte) 0xFF;
      i += 8;
    }
    while (i < end) {
      bits[i >>> 3] |= (byte) (1 << (i & 7));
      i++;
    }
  }
}
