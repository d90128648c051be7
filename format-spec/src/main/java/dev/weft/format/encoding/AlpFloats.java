package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.util.Arrays;

/**
 * ALP (scheme 7), adaptive lossless floating point (after Afroozeh et al., SIGMOD 2024): floats
 * that are decimals in disguise (prices, ratios, sensor readings with a fixed number of
 * decimals, whole numbers stored as floats) become integers {@code d} with
 * {@code value = d * 10^Factor / 10^Exponent}, which are then encoded as a cascaded integer
 * stream (usually FOR-bit-packed). Values that do not survive the round trip bit for bit
 * (-0.0, NaN, infinities, values with more decimals, huge values) are exceptions stored as raw
 * bit patterns.
 *
 * <pre>
 * AlpFloats --&gt; Scheme u8 = 7, Width u8 (4 = float32, 8 = float64), Exponent u8 (0..18; 0..10
 *               for float32), Factor u8 (0..Exponent), NumExceptions VarInt (0..n),
 *               Digits IntStream(n), [Positions IntStream(NumExceptions), ExceptionBits IntStream(NumExceptions)]
 * </pre>
 *
 * Value i (as its IEEE bit pattern, float32 sign-extended) is {@code ExceptionBits[k]} if
 * {@code Positions[k] == i}, else for float64 {@code (double) Digits[i] * P[Factor] / P[Exponent]}
 * and for float32 that double rounded to float, where {@code P[k]} is the double nearest
 * {@code 10^k} (exact for k &lt;= 22) and the arithmetic is IEEE 754 round-to-nearest-even.
 * Positions strictly ascend in {@code [0, n)} (checked); exception slots of Digits hold any value.
 * Example: 1.25, 0.5, 3.0, -0.0 with Exponent 2, Factor 0 are digits 125, 50, 300, (50) and one
 * exception at position 3 with bits 0x8000000000000000.
 *
 * <p>Limits: needs a level below ({@link IntStreams#MAX_DEPTH}); digits are below 2^52 in
 * magnitude. Single value: O(1) with FOR digits (plus a binary search when there are
 * exceptions). Selection: tried for float32/float64 streams; the writer samples up to 64 values
 * of the block to pick Exponent and Factor (fewest exceptions, then narrowest digits) and skips
 * ALP when more than a quarter of the sample would be exceptions.
 */
public final class AlpFloats {
  public static final int ID = 7;
  private static final double[] P = new double[19];
  private static final double LIMIT = 0x1p52;

  static {
    double p = 1;
    for (int i = 0; i < P.length; i++) {
      P[i] = p;
      p *= 10;
    }
  }

  private AlpFloats() {}

  static int maxExponent(int width) {
    return width == 4 ? 10 : 18;
  }

  /**
   * The bit pattern digits {@code d} decode to (float32 sign-extended), for exponent {@code e}
   * and factor {@code f} of a stream of {@code width}-byte floats (for readers that read the
   * digits themselves).
   */
  public static long decodeBits(long d, int width, int e, int f) {
    double x = (double) d * P[f] / P[e];
    return width == 8 ? Double.doubleToRawLongBits(x) : Float.floatToRawIntBits((float) x);
  }

  private static double value(long bits, int width) {
    return width == 8 ? Double.longBitsToDouble(bits) : Float.intBitsToFloat((int) bits);
  }

  /** Digits of {@code bits} at (e, f), or {@link Long#MIN_VALUE} if the value is an exception. */
  static long digits(long bits, int width, int e, int f) {
    double scaled = value(bits, width) * P[e] / P[f];
    if (!(Math.abs(scaled) < LIMIT)) {
      return Long.MIN_VALUE;
    }
    long d = Math.round(scaled);
    return decodeBits(d, width, e, f) == bits ? d : Long.MIN_VALUE;
  }

  /**
   * Encodes float bit patterns {@code v[0, n)} of {@code width} bytes.
   *
   * @return false (writing nothing) if ALP does not suit these values
   */
  public static boolean encode(long[] v, int n, int width, int depth, IntStreams.Hints h, MetaOutput out) {
    if ((width != 4 && width != 8) || n == 0 || depth >= IntStreams.MAX_DEPTH) {
      return false;
    }
    int samples = Math.min(n, 64);
    int bestE = -1;
    int bestF = 0;
    long bestCost = Long.MAX_VALUE;
    for (int e = 0; e <= maxExponent(width); e++) {
      for (int f = 0; f <= e; f++) {
        int exc = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int s = 0; s < samples; s++) {
          long d = digits(v[(int) ((long) s * n / samples)], width, e, f);
          if (d == Long.MIN_VALUE) {
            exc++;
          } else {
            min = Math.min(min, d);
            max = Math.max(max, d);
          }
        }
        int bits = min > max ? 0 : BitPacking.bitsFor(max - min);
        long cost = (long) samples * bits + exc * (8L * width + 16);
        if (exc * 4 <= samples && cost < bestCost) {
          bestCost = cost;
          bestE = e;
          bestF = f;
        }
      }
    }
    if (bestE < 0) {
      return false;
    }
    long[] d = new long[n];
    int[] pos = new int[n];
    int m = 0;
    long prev = 0;
    boolean seen = false;
    for (int i = 0; i < n; i++) {
      long x = digits(v[i], width, bestE, bestF);
      if (x == Long.MIN_VALUE) {
        pos[m++] = i;
      } else {
        if (!seen) {
          Arrays.fill(d, 0, i, x); // earlier exception slots take the first digits
          seen = true;
        }
        prev = x;
      }
      d[i] = seen ? prev : 0;
    }
    if (m * 2 > n) {
      return false;
    }
    out.u8(ID).u8(width).u8(bestE).u8(bestF);
    Varints.write(out, m);
    IntStreams.encode(d, n, depth + 1, h.child(), out);
    if (m > 0) {
      long[] positions = new long[m];
      long[] values = new long[m];
      for (int k = 0; k < m; k++) {
        positions[k] = pos[k];
        values[k] = v[pos[k]];
      }
      IntStreams.encode(positions, m, depth + 1, h.child(), out);
      IntStreams.encode(values, m, depth + 1, h.child(), out);
    }
    return true;
  }

  static Decoder decode(EncodedInput in, int n, int depth) {
    if (depth >= IntStreams.MAX_DEPTH) {
      throw new MalformedEncodingException("ALP at cascade level " + depth);
    }
    int width = in.u8("ALP width");
    if (width != 4 && width != 8) {
      throw new MalformedEncodingException("ALP width " + width);
    }
    int e = in.u8("ALP exponent");
    int f = in.u8("ALP factor");
    if (e > maxExponent(width) || f > e) {
      throw new MalformedEncodingException("ALP exponent " + e + " and factor " + f);
    }
    int m = Varints.readCount(in, "ALP exception count", n);
    IntDecoder digits = IntStreams.parse(in, n, depth + 1);
    int[] positions = null;
    IntDecoder values = null;
    if (m > 0) {
      IntDecoder pos = IntStreams.parse(in, m, depth + 1);
      values = IntStreams.parse(in, m, depth + 1);
      positions = PatchPositions.read(pos, m, n, "ALP exception");
    }
    return new Decoder(width, e, f, digits, positions, values, n);
  }

  public record Decoder(int width, int exponent, int factor, IntDecoder digits, int[] exceptionPositions,
      IntDecoder exceptionValues, int size) implements IntDecoder {
    private long exceptionBits(int k) {
      long b = exceptionValues.get(k);
      return width == 8 ? b : (long) (int) b;
    }

    @Override
    public long get(int i) {
      if (exceptionPositions != null) {
        int k = Arrays.binarySearch(exceptionPositions, i);
        if (k >= 0) {
          return exceptionBits(k);
        }
      }
      return decodeBits(digits.get(i), width, exponent, factor);
    }

    @Override
    public void decode(int from, int n, long[] dst, int off) {
      digits.decode(from, n, dst, off);
      double pf = P[factor];
      double pe = P[exponent];
      if (width == 8) {
        for (int k = off; k < off + n; k++) {
          dst[k] = Double.doubleToRawLongBits((double) dst[k] * pf / pe);
        }
      } else {
        for (int k = off; k < off + n; k++) {
          dst[k] = Float.floatToRawIntBits((float) ((double) dst[k] * pf / pe));
        }
      }
      if (exceptionPositions != null) {
        int k = Arrays.binarySearch(exceptionPositions, from);
        if (k < 0) {
          k = -k - 1;
        }
        for (; k < exceptionPositions.length && exceptionPositions[k] < from + n; k++) {
          dst[off + exceptionPositions[k] - from] = exceptionBits(k);
        }
      }
    }

    @Override
    public long retainedBytes() {
      return digits.retainedBytes() + (exceptionPositions == null ? 0
          : 4L * exceptionPositions.length + exceptionValues.retainedBytes());
    }
  }
}
