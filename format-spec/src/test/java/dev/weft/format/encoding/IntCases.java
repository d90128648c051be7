package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/** Adversarial integer (and float bit-pattern) inputs and the checks shared by the integer encodings. */
final class IntCases {
  private IntCases() {}

  /** Values as held in a stream of {@code width}-byte values: sign-extended. */
  static long[] narrow(long[] v, int width) {
    long[] out = new long[v.length];
    int unused = 64 - 8 * width;
    for (int i = 0; i < v.length; i++) {
      out[i] = (v[i] << unused) >> unused;
    }
    return out;
  }

  static List<EncodingConformanceTest.Input<long[]>> integers(int width) {
    Random rnd = new Random(EncodingConformanceTest.SEED + width);
    int n = 3000;
    List<EncodingConformanceTest.Input<long[]>> out = new ArrayList<>();
    long min = width == 8 ? Long.MIN_VALUE : -(1L << (8 * width - 1));
    long max = width == 8 ? Long.MAX_VALUE : (1L << (8 * width - 1)) - 1;
    out.add(in("empty", new long[0], width));
    out.add(in("one value", new long[] {rnd.nextLong()}, width));
    long[] equal = new long[n];
    Arrays.fill(equal, 12345);
    out.add(in("all equal", equal, width));
    long[] distinct = new long[n];
    for (int i = 0; i < n; i++) {
      distinct[i] = rnd.nextLong();
    }
    out.add(in("all distinct", distinct, width));
    long[] sorted = new long[n];
    long[] reversed = new long[n];
    long acc = min / 2;
    for (int i = 0; i < n; i++) {
      acc += rnd.nextInt(7);
      sorted[i] = acc;
      reversed[n - 1 - i] = acc;
    }
    out.add(in("sorted", sorted, width));
    out.add(in("reverse sorted", reversed, width));
    long[] extremes = new long[n];
    for (int i = 0; i < n; i++) {
      extremes[i] = switch (i % 4) {
        case 0 -> min;
        case 1 -> max;
        case 2 -> 0;
        default -> -1;
      };
    }
    out.add(in("min and max of the type", extremes, width));
    long[] alternating = new long[n];
    for (int i = 0; i < n; i++) {
      alternating[i] = i % 2 == 0 ? min : max;
    }
    out.add(in("alternating min/max", alternating, width));
    long[] runs = new long[n];
    for (int i = 0; i < n; i++) {
      runs[i] = (i / (1 + i % 37 / 5)) % 11 * 1000;
    }
    out.add(in("runs", runs, width));
    long[] lowcard = new long[n];
    long[] dict = {rnd.nextLong(), rnd.nextLong(), min, max, 7};
    for (int i = 0; i < n; i++) {
      lowcard[i] = dict[rnd.nextInt(dict.length)];
    }
    out.add(in("low cardinality", lowcard, width));
    long[] outliers = new long[n];
    for (int i = 0; i < n; i++) {
      outliers[i] = rnd.nextInt(300) == 0 ? (rnd.nextBoolean() ? max : min) : rnd.nextInt(50) - 10;
    }
    out.add(in("outliers", outliers, width));
    long[] steps = new long[n];
    for (int i = 0; i < n; i++) {
      steps[i] = 978_307_260_000_000L + 60_000_000L * (i / 4 + rnd.nextInt(3));
    }
    out.add(in("timestamps at minute steps", steps, width));
    return out;
  }

  static List<EncodingConformanceTest.Input<long[]>> floatBits(int width) {
    List<EncodingConformanceTest.Input<long[]>> out = new ArrayList<>();
    Random rnd = new Random(EncodingConformanceTest.SEED - width);
    int n = 2000;
    long[] special = new long[n];
    long[] smooth = new long[n];
    long[] lowcard = new long[n];
    for (int i = 0; i < n; i++) {
      double d = switch (i % 10) {
        case 0 -> Double.NaN;
        case 1 -> -0.0;
        case 2 -> 0.0;
        case 3 -> Double.MIN_VALUE;
        case 4 -> Double.POSITIVE_INFINITY;
        case 5 -> Double.NEGATIVE_INFINITY;
        case 6 -> Double.MAX_VALUE;
        case 7 -> -Double.MIN_NORMAL / 3;
        default -> rnd.nextGaussian();
      };
      double sm = 100 + Math.sin(i / 30.0) * 3 + rnd.nextInt(100) / 100.0;
      double lc = new double[] {0.5, 1.25, -0.0, Double.NaN}[rnd.nextInt(4)];
      if (width == 4) {
        special[i] = Float.floatToRawIntBits((float) d);
        smooth[i] = Float.floatToRawIntBits((float) sm);
        lowcard[i] = Float.floatToRawIntBits((float) lc);
      } else {
        special[i] = Double.doubleToRawLongBits(d);
        smooth[i] = Double.doubleToRawLongBits(sm);
        lowcard[i] = Double.doubleToRawLongBits(lc);
      }
    }
    special[n - 1] = width == 4 ? 0x7FC0_1234 : 0x7FF8_0000_0000_1234L; // a NaN with payload
    long[] prices = new long[n];
    long[] whole = new long[n];
    long[] ratios = new long[n];
    for (int i = 0; i < n; i++) {
      double p = (rnd.nextInt(100_000) - 20_000) / 100.0;
      double w = Math.floor(Math.exp(rnd.nextGaussian() * 3));
      double r = rnd.nextInt(1001) / 1000.0;
      if (i % 97 == 0) {
        p = i % 2 == 0 ? -0.0 : Math.PI; // exceptions
      }
      prices[i] = width == 4 ? Float.floatToRawIntBits((float) p) : Double.doubleToRawLongBits(p);
      whole[i] = width == 4 ? Float.floatToRawIntBits((float) w) : Double.doubleToRawLongBits(w);
      ratios[i] = width == 4 ? Float.floatToRawIntBits((float) r) : Double.doubleToRawLongBits(r);
    }
    out.add(in("decimal prices with exceptions", prices, width));
    out.add(in("whole numbers as floats", whole, width));
    out.add(in("ratios in thousandths", ratios, width));
    out.add(in("NaN, +-0, subnormals, +-infinity, extremes", special, width));
    out.add(in("smooth floats", smooth, width));
    out.add(in("low-cardinality floats", lowcard, width));
    return out;
  }

  private static EncodingConformanceTest.Input<long[]> in(String name, long[] v, int width) {
    return new EncodingConformanceTest.Input<>(name + " (" + v.length + " values of " + width + " bytes)", narrow(v, width));
  }

  /** Parses a stream and checks all values, single values and random ranges. */
  static void check(long[] expected, EncodedInput in, int expectedScheme, Random rnd) {
    int start = in.position();
    int scheme = in.buffer().get(in.position()) & 0xFF;
    IntDecoder d = IntStreams.parse(in, expected.length, 1);
    if (expectedScheme >= 0) {
      assertEquals(IntStreams.name(expectedScheme), IntStreams.name(scheme), "scheme");
    }
    assertEquals(expected.length, d.size());
    assertArrayEquals(expected, d.decodeAll(), "all values");
    checkCopyTo(expected, d, IntStreams.parse(directCopy(in.buffer(), start), expected.length, 1), rnd);
    for (int k = 0; k < Math.min(200, expected.length); k++) {
      int i = rnd.nextInt(expected.length);
      assertEquals(expected[i], d.get(i), "value " + i);
    }
    for (int k = 0; k < 30 && expected.length > 0; k++) {
      int from = rnd.nextInt(expected.length);
      int len = rnd.nextInt(expected.length - from + 1);
      long[] got = new long[len + 2];
      d.decode(from, len, got, 1);
      assertArrayEquals(Arrays.copyOfRange(expected, from, from + len), Arrays.copyOfRange(got, 1, len + 1),
          "range " + from + "+" + len);
    }
  }

  /** Parses and reads every value of a possibly corrupt stream. */
  static void readAll(int n, EncodedInput in) {
    int at = in.position();
    IntDecoder d = IntStreams.parse(in, n, 1);
    d.decodeAll();
    for (int i = 0; i < n; i += 97) {
      d.get(i);
    }
    try (BufferAllocator a = new RootAllocator(); ArrowBuf buf = a.buffer(8L * n + 8)) {
      d.copyTo(0, n, 8, buf, 0);
      // the same stream read from direct memory (as from a mapped file)
      IntDecoder direct = IntStreams.parse(directCopy(in.buffer(), at), n, 1);
      direct.copyTo(0, n, 8, buf, 0);
    }
  }

  /** A parser at {@code at} of a direct copy of {@code b}. */
  static EncodedInput directCopy(ByteBuffer b, int at) {
    ByteBuffer d = ByteBuffer.allocateDirect(b.limit()).order(ByteOrder.LITTLE_ENDIAN);
    d.put(b.duplicate().position(0).limit(b.limit())).clear();
    return new EncodedInput(d, at, d.limit());
  }

  /**
   * Checks {@link IntDecoder#copyTo} (the scan path into Arrow memory) against the expected
   * values at every output width, for the whole stream and random ranges, with the stream read
   * from heap and from direct memory.
   */
  static void checkCopyTo(long[] expected, IntDecoder heap, IntDecoder direct, Random rnd) {
    int n = expected.length;
    try (BufferAllocator a = new RootAllocator(); ArrowBuf buf = a.buffer(8L * n + 24)) {
      for (IntDecoder d : new IntDecoder[] {heap, direct}) {
        for (int width : new int[] {1, 2, 4, 8}) {
          for (int k = 0; k < 6; k++) {
            int from = k == 0 ? 0 : rnd.nextInt(n + 1);
            int len = k == 0 ? n : rnd.nextInt(n - from + 1);
            long off = k % 3; // unaligned destinations too
            buf.setZero(0, buf.capacity());
            d.copyTo(from, len, width, buf, off);
            for (int i = 0; i < len; i++) {
              long got = switch (width) {
                case 8 -> buf.getLong(off + 8L * i);
                case 4 -> buf.getInt(off + 4L * i);
                case 2 -> buf.getShort(off + 2L * i);
                default -> buf.getByte(off + i);
              };
              int unused = 64 - 8 * width;
              assertEquals((expected[from + i] << unused) >> unused, got,
                  "copyTo width " + width + " range " + from + "+" + len + " value " + i
                  + (d == direct ? " (direct)" : " (heap)"));
            }
            assertEquals(0, buf.getByte(off + (long) len * width), "copyTo wrote past its range");
          }
        }
      }
      assertThrows(IndexOutOfBoundsException.class, () -> heap.copyTo(0, n + 1, 1, buf, 0));
      assertThrows(IndexOutOfBoundsException.class, () -> heap.copyTo(0, n, 8, buf, buf.capacity() - 8L * n + 1));
    }
  }

  static final IntStreams.Hints HINTS = IntStreams.Hints.integers(8);
}
