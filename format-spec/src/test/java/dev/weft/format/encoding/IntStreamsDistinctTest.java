package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link IntStreams#distinctSorted}: the sorted distinct values, or null past the limit, on any values. */
class IntStreamsDistinctTest {
  /** The definition: sort everything, drop repeats. */
  private static long[] bySorting(long[] v, int n, int limit) {
    long[] s = Arrays.copyOf(v, n);
    Arrays.sort(s);
    int d = n == 0 ? 0 : 1;
    for (int i = 1; i < n; i++) {
      if (s[i] != s[i - 1]) {
        s[d++] = s[i];
      }
    }
    return d > limit ? null : Arrays.copyOf(s, d);
  }

  @Test
  void sameAsSortingEverything() {
    Random rnd = new Random(EncodingConformanceTest.SEED);
    for (int round = 0; round < 3000; round++) {
      int n = rnd.nextInt(5000);
      int distinct = 1 + rnd.nextInt(round % 3 == 0 ? 5000 : 300);
      long[] pool = new long[distinct];
      for (int i = 0; i < distinct; i++) {
        pool[i] = switch (rnd.nextInt(4)) {
          case 0 -> rnd.nextLong(); // wide: not the small-range path
          case 1 -> rnd.nextInt(3) - 1; // 0 and its neighbours
          case 2 -> Long.MIN_VALUE + rnd.nextInt(3);
          default -> 1_700_000_000_000_000L + 60_000_000L * rnd.nextInt(1000);
        };
      }
      long[] v = new long[n + rnd.nextInt(3)]; // values past n are ignored
      for (int i = 0; i < v.length; i++) {
        v[i] = pool[rnd.nextInt(distinct)];
      }
      int limit = rnd.nextBoolean() ? n / 2 : n;
      long[] want = bySorting(v, n, limit);
      long[] got = IntStreams.distinctSorted(v, n, limit);
      long[] byHash = IntStreams.distinctByHash(v, n, limit);
      String what = "round " + round + ", n " + n + ", limit " + limit;
      if (want == null) {
        assertNull(byHash, what);
      } else {
        assertArrayEquals(want, byHash, what);
      }
      if (got != null) { // the sample may refuse early: only then may the two differ
        assertArrayEquals(want, got, what);
      }
    }
  }
}
