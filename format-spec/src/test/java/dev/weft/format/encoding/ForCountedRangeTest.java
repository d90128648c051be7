package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.weft.format.MetaOutput;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ForBitPacked} chooses its base, width and exceptions for small value ranges from counts
 * per distinct value instead of bit-width histograms: the bytes must be exactly those of the
 * histogram way, for skewed codes, outliers on either side, common factors, negative values,
 * ranges at the counting limit and both width modes.
 */
class ForCountedRangeTest {
  private static long[] values(SplittableRandom rnd, int n, int shape) {
    long[] v = new long[n];
    long offset = rnd.nextInt(3) == 0 ? -rnd.nextInt(1_000_000) : rnd.nextInt(1000);
    long scale = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(60) : 1;
    int range = switch (shape % 4) {
      case 0 -> 1 + rnd.nextInt(300);
      case 1 -> 1 + rnd.nextInt(5000);
      case 2 -> (int) (2L * n + 1024) + rnd.nextInt(3) - 1; // at the limit
      default -> 1 + rnd.nextInt(64);
    };
    for (int i = 0; i < n; i++) {
      // skewed: small values common (as frequency-ordered codes), some outliers on both sides
      double u = rnd.nextDouble();
      long x = (long) (range * u * u * u);
      if (rnd.nextInt(50) == 0) {
        x = rnd.nextInt(range + 1);
      }
      v[i] = offset + scale * x;
    }
    if (shape % 5 == 0) {
      v[rnd.nextInt(n)] = offset - scale * rnd.nextInt(range + 1); // a low outlier
    }
    return v;
  }

  /** The candidate bases come from the lowest values of the strided sample: the sorted sample's prefix. */
  @Test
  void lowestOfSampleIsTheSortedSamplesPrefix() {
    SplittableRandom rnd = new SplittableRandom(3);
    for (int t = 0; t < 2000; t++) {
      int n = 1 + rnd.nextInt(t % 5 == 0 ? 5000 : 400);
      long[] v = new long[n];
      int distinct = 1 + rnd.nextInt(t % 2 == 0 ? 8 : 100_000);
      for (int i = 0; i < n; i++) {
        v[i] = rnd.nextInt(distinct) - distinct / 2 + (rnd.nextInt(100) == 0 ? Long.MIN_VALUE / 3 : 0);
      }
      int size = Math.min(n, 256);
      int k = 1 + rnd.nextInt(size);
      long[] sorted = new long[size];
      for (int i = 0; i < size; i++) {
        sorted[i] = v[(int) ((long) i * n / size)];
      }
      java.util.Arrays.sort(sorted);
      assertArrayEquals(java.util.Arrays.copyOf(sorted, k), ForBitPacked.lowestOfSample(v, n, size, k), "case " + t);
    }
  }

  @Test
  void countedChoiceEqualsHistogramChoice() {
    SplittableRandom rnd = new SplittableRandom(17);
    for (int k = 0; k < 3000; k++) {
      int n = 64 + rnd.nextInt(k % 7 == 0 ? 20_000 : 5000);
      long[] v = values(rnd, n, k);
      for (boolean align : new boolean[] {false, true}) {
        IntStreams.Hints h = new IntStreams.Hints(8, false, align, false);
        for (int depth = 1; depth <= 2; depth++) {
          MetaOutput counted = new MetaOutput(64);
          ForBitPacked.encode(v, n, depth, true, h, counted, true);
          MetaOutput histograms = new MetaOutput(64);
          ForBitPacked.encode(v, n, depth, true, h, histograms, false);
          assertArrayEquals(histograms.toByteArray(), counted.toByteArray(),
              "case " + k + " (n " + n + ", align " + align + ", depth " + depth + ")");
        }
      }
    }
  }
}
