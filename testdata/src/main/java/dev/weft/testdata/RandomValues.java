package dev.weft.testdata;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;

/**
 * Random primitive values with a configurable share of edge cases. Package-private helper of
 * {@link RandomArrow}; all methods draw from one {@link Random} so results are reproducible.
 */
final class RandomValues {
  private static final long MILLIS_PER_DAY = 86_400_000L;
  private static final long PLAUSIBLE_SECONDS = 200L * 365 * 86_400; // +-200 years around 1970

  private static final double[] DOUBLE_EDGES = {
    0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
    Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, -Double.MIN_NORMAL,
    Double.longBitsToDouble(0x000F_FFFF_FFFF_FFFFL), Double.MAX_VALUE, -Double.MAX_VALUE, 1.0, -1.0
  };
  private static final float[] FLOAT_EDGES = {
    0.0f, -0.0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
    Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL,
    Float.intBitsToFloat(0x007F_FFFF), Float.MAX_VALUE, -Float.MAX_VALUE, 1.0f, -1.0f
  };
  /** IEEE 754 binary16 bit patterns: +-0, NaN, +-inf, subnormals, min normal, max, 1.0. */
  private static final short[] HALF_EDGES = {
    0x0000, (short) 0x8000, 0x7E00, 0x7C00, (short) 0xFC00, 0x0001, (short) 0x8001,
    0x03FF, 0x0400, 0x7BFF, (short) 0xFBFF, 0x3C00
  };
  private static final BigInteger[] POWERS_OF_TEN = new BigInteger[78];

  static {
    POWERS_OF_TEN[0] = BigInteger.ONE;
    for (int i = 1; i < POWERS_OF_TEN.length; i++) {
      POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1].multiply(BigInteger.TEN);
    }
  }

  private final Random rnd;
  private final RandomArrow.Options options;

  RandomValues(Random rnd, RandomArrow.Options options) {
    this.rnd = rnd;
    this.options = options;
  }

  /** Whether the next slot of a field with the given nullability is null. */
  boolean nextIsNull(boolean nullable) {
    return nullable && rnd.nextDouble() < options.nullProbability();
  }

  private boolean edge() {
    return rnd.nextDouble() < options.edgeCaseProbability();
  }

  boolean bool() {
    return rnd.nextBoolean();
  }

  /** A value that fits a signed integer of {@code bits} bits (8, 16, 32 or 64). */
  long signed(int bits) {
    long min = bits == 64 ? Long.MIN_VALUE : -(1L << (bits - 1));
    long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
    if (edge()) {
      long[] edges = {min, max, 0, -1, 1, min + 1, max - 1};
      return edges[rnd.nextInt(edges.length)];
    }
    return rnd.nextBoolean() ? rnd.nextInt(201) - 100 : rnd.nextLong() >> (64 - bits);
  }

  /** The bit pattern of an unsigned integer of {@code bits} bits, in the low bits of a long. */
  long unsigned(int bits) {
    long mask = bits == 64 ? -1L : (1L << bits) - 1;
    if (edge()) {
      long[] edges = {0, 1, mask, mask >>> 1, (mask >>> 1) + 1};
      return edges[rnd.nextInt(edges.length)] & mask;
    }
    return rnd.nextBoolean() ? rnd.nextInt(201) : rnd.nextLong() & mask;
  }

  double float64() {
    if (edge()) {
      return DOUBLE_EDGES[rnd.nextInt(DOUBLE_EDGES.length)];
    }
    switch (rnd.nextInt(4)) {
      case 0:
        return rnd.nextGaussian() * 1000;
      case 1:
        return rnd.nextInt(2001) - 1000;
      case 2: // subnormal
        return Double.longBitsToDouble((rnd.nextLong() & 0x800F_FFFF_FFFF_FFFFL));
      default: // any bit pattern; NaNs canonicalised
        double d = Double.longBitsToDouble(rnd.nextLong());
        return Double.isNaN(d) ? Double.NaN : d;
    }
  }

  float float32() {
    if (edge()) {
      return FLOAT_EDGES[rnd.nextInt(FLOAT_EDGES.length)];
    }
    switch (rnd.nextInt(4)) {
      case 0:
        return (float) (rnd.nextGaussian() * 1000);
      case 1:
        return rnd.nextInt(2001) - 1000;
      case 2:
        return Float.intBitsToFloat(rnd.nextInt() & 0x807F_FFFF);
      default:
        float f = Float.intBitsToFloat(rnd.nextInt());
        return Float.isNaN(f) ? Float.NaN : f;
    }
  }

  /** Bit pattern of an IEEE 754 half-precision float; NaNs are canonical (0x7E00). */
  short float16Bits() {
    if (edge()) {
      return HALF_EDGES[rnd.nextInt(HALF_EDGES.length)];
    }
    short bits = (short) rnd.nextInt(1 << 16);
    boolean nan = (bits & 0x7C00) == 0x7C00 && (bits & 0x03FF) != 0;
    return nan ? (short) 0x7E00 : bits;
  }

  /** A decimal with at most {@code precision} digits and the given scale. */
  BigDecimal decimal(int precision, int scale) {
    BigInteger unscaled;
    if (edge()) {
      BigInteger max = POWERS_OF_TEN[precision].subtract(BigInteger.ONE);
      BigInteger[] edges = {BigInteger.ZERO, max, max.negate(), BigInteger.ONE, BigInteger.ONE.negate()};
      unscaled = edges[rnd.nextInt(edges.length)];
    } else {
      BigInteger bound = POWERS_OF_TEN[1 + rnd.nextInt(precision)];
      unscaled = new BigInteger(bound.bitLength() + 16, rnd).mod(bound);
      if (rnd.nextBoolean()) {
        unscaled = unscaled.negate();
      }
    }
    return new BigDecimal(unscaled, scale);
  }

  /** Days since the epoch (date32). */
  int dateDays() {
    if (edge()) {
      int[] edges = {0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE};
      return edges[rnd.nextInt(edges.length)];
    }
    return rnd.nextInt(200_001) - 100_000;
  }

  /** Milliseconds since the epoch that are a whole number of days (date64). */
  long dateMillis() {
    if (edge()) {
      long[] days = {0, -1, 1, Long.MIN_VALUE / MILLIS_PER_DAY, Long.MAX_VALUE / MILLIS_PER_DAY};
      return days[rnd.nextInt(days.length)] * MILLIS_PER_DAY;
    }
    return (rnd.nextInt(200_001) - 100_000) * MILLIS_PER_DAY;
  }

  /** A time of day in [0, unitsPerDay), as required for time32/time64. */
  long timeOfDay(long unitsPerDay) {
    if (edge()) {
      return rnd.nextBoolean() ? 0 : unitsPerDay - 1;
    }
    return rnd.nextLong(unitsPerDay);
  }

  /** A timestamp in the given unit (units per second); edges are the extremes of int64. */
  long timestamp(long unitsPerSecond) {
    if (edge()) {
      long[] edges = {0, -1, 1, Long.MIN_VALUE, Long.MAX_VALUE};
      return edges[rnd.nextInt(edges.length)];
    }
    long seconds = rnd.nextLong(2 * PLAUSIBLE_SECONDS + 1) - PLAUSIBLE_SECONDS;
    return seconds * unitsPerSecond + rnd.nextLong(unitsPerSecond);
  }

  /** Length of a list or map value. */
  int listLength() {
    int max = options.maxListLength();
    if (edge()) {
      return rnd.nextBoolean() ? 0 : max;
    }
    return rnd.nextInt(max + 1);
  }

  private int variableLength() {
    if (options.hugeProbability() > 0 && rnd.nextDouble() < options.hugeProbability()) {
      return options.hugeValueBytes();
    }
    int max = options.maxStringBytes();
    if (edge()) {
      return rnd.nextBoolean() ? 0 : max;
    }
    return rnd.nextInt(max + 1);
  }

  /** Random bytes of a random (possibly empty, possibly huge) length. */
  byte[] binary() {
    return bytes(variableLength());
  }

  /** Exactly {@code length} random bytes; sometimes all zero or all 0xFF. */
  byte[] bytes(int length) {
    byte[] b = new byte[length];
    if (edge()) {
      java.util.Arrays.fill(b, rnd.nextBoolean() ? (byte) 0 : (byte) 0xFF);
    } else {
      rnd.nextBytes(b);
    }
    return b;
  }

  /** Valid UTF-8 of a random (possibly empty, possibly huge) length with 1- to 4-byte characters. */
  byte[] utf8() {
    return Utf8Generator.generate(rnd, variableLength());
  }
}
