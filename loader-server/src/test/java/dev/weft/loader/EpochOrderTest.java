package dev.weft.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Epoch orders: bijection, determinism, dependence on seed/epoch/data, mixing, block shuffle. */
class EpochOrderTest {
  static final DatasetFingerprint FP = DatasetFingerprint.ofHex("00".repeat(31) + "01");
  static final DatasetFingerprint FP2 = DatasetFingerprint.ofHex("00".repeat(31) + "02");

  /** Asserts that {@code order} hits every row of [0, n) exactly once; returns the rows. */
  static long[] assertBijection(EpochOrder order) {
    long n = order.size();
    BitSet seen = new BitSet((int) n);
    long[] rows = new long[(int) n];
    for (int p = 0; p < n; p++) {
      long r = order.at(p);
      assertTrue(r >= 0 && r < n, order + ": position " + p + " gives row " + r + " outside [0, " + n + ")");
      assertFalse(seen.get((int) r), order + ": row " + r + " appears twice (again at position " + p + ")");
      seen.set((int) r);
      rows[p] = r;
    }
    assertEquals(n, seen.cardinality());
    assertThrows(IndexOutOfBoundsException.class, () -> order.at(n));
    assertThrows(IndexOutOfBoundsException.class, () -> order.at(-1));
    return rows;
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 2, 3, 4, 5, 7, 8, 13, 31, 97, 127, 128, 129, 1000, 1024, 1025, 4099, 65536,
      65537, 1_000_000})
  void globalShuffleIsABijection(long n) {
    long[] rows = assertBijection(EpochOrder.create(n, FP, ShuffleOptions.global(7), 3));
    if (n >= 8) {
      assertFalse(isIdentity(rows), "a shuffle of " + n + " rows should not be the identity");
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 2, 5, 64, 97, 1000, 1023, 65537})
  void noShuffleIsTheIdentity(long n) {
    assertTrue(isIdentity(assertBijection(EpochOrder.create(n, FP, ShuffleOptions.none(), 5))));
  }

  @Test
  void blockShuffleIsABijection() {
    long[] sizes = {0, 1, 2, 7, 16, 17, 100, 1000, 4097, 65536, 100_003};
    int[][] geometries = {{1, 1}, {2, 1}, {4, 3}, {16, 4}, {7, 5}, {64, 8}, {1000, 2}, {100_000, 3}};
    for (long n : sizes) {
      for (int[] g : geometries) {
        assertBijection(EpochOrder.create(n, FP, ShuffleOptions.block(11, g[0], g[1]), 2));
      }
    }
  }

  @Test
  void deterministicAcrossInstancesAndDependsOnSeedEpochAndData() {
    long n = 100_000;
    long[] a = rows(EpochOrder.create(n, FP, ShuffleOptions.global(42), 1));
    long[] b = rows(EpochOrder.create(n, DatasetFingerprint.ofHex(FP.hex()), ShuffleOptions.global(42), 1));
    assertTrue(Arrays.equals(a, b), "same (seed, epoch, fingerprint) must give the same order");
    long[][] others = {
        rows(EpochOrder.create(n, FP, ShuffleOptions.global(42), 2)),
        rows(EpochOrder.create(n, FP, ShuffleOptions.global(43), 1)),
        rows(EpochOrder.create(n, FP2, ShuffleOptions.global(42), 1)),
        rows(EpochOrder.create(n, FP, ShuffleOptions.block(42, 8, 4), 1)),
    };
    for (long[] o : others) {
      // two independent uniform permutations agree at about 1 position
      assertTrue(agreements(a, o) < 20, "orders should be unrelated, agree at " + agreements(a, o));
    }
    // block shuffles are deterministic too
    assertTrue(Arrays.equals(rows(EpochOrder.create(n, FP, ShuffleOptions.block(5, 16, 4), 9)),
        rows(EpochOrder.create(n, FP, ShuffleOptions.block(5, 16, 4), 9))));
  }

  @Test
  void globalShuffleLooksUniform() {
    int n = 1_000_000;
    for (long epoch = 0; epoch < 3; epoch++) {
      long[] rows = rows(EpochOrder.create(n, FP, ShuffleOptions.global(123), epoch));
      int fixed = 0;
      double displacement = 0;
      double step = 0;
      long firstHalfBelowHalf = 0;
      for (int p = 0; p < n; p++) {
        fixed += rows[p] == p ? 1 : 0;
        displacement += Math.abs(rows[p] - p);
        if (p > 0) {
          step += Math.abs(rows[p] - rows[p - 1]);
        }
        if (p < n / 2 && rows[p] < n / 2) {
          firstHalfBelowHalf++;
        }
      }
      // uniform permutation: fixed points ~ Poisson(1); E|pi(p) - p| = E|pi(p+1) - pi(p)| ~ n/3;
      // rows of the first half landing in the first half ~ n/4 +- sqrt(n)/4
      assertTrue(fixed <= 10, "fixed points: " + fixed);
      assertEquals(1.0 / 3, displacement / n / n, 0.003, "mean displacement / n");
      assertEquals(1.0 / 3, step / (n - 1) / n, 0.003, "mean step between neighbours / n");
      assertEquals(n / 4.0, firstHalfBelowHalf, 5 * Math.sqrt(n) / 4, "rows staying in their half");
    }
  }

  @Test
  void blockShuffleKeepsRunsTogetherWithinWindows() {
    int bs = 16;
    int wb = 4;
    // n divisible by bs*wb: window k is exactly positions [k*bs*wb, (k+1)*bs*wb) and holds wb whole runs
    checkWindows(64 * 100, bs, wb, true);
    // uneven sizes: a short run somewhere and a short last window; every run's rows still lie in
    // one window (a span shorter than bs*wb) and each window holds at most wb runs
    for (int n : new int[] {64 * 100 + 5, 1000, 17, 3}) {
      checkWindows(n, bs, wb, false);
    }
  }

  private static void checkWindows(int n, int bs, int wb, boolean exact) {
    EpochOrder order = EpochOrder.create(n, FP, ShuffleOptions.block(99, bs, wb), 4);
    long[] rows = assertBijection(order);
    int runs = (n + bs - 1) / bs;
    int[] minPos = new int[runs];
    int[] maxPos = new int[runs];
    Arrays.fill(minPos, Integer.MAX_VALUE);
    for (int p = 0; p < n; p++) {
      int run = (int) (rows[p] / bs);
      minPos[run] = Math.min(minPos[run], p);
      maxPos[run] = Math.max(maxPos[run], p);
    }
    boolean anySpread = false;
    for (int r = 0; r < runs; r++) {
      assertTrue(maxPos[r] - minPos[r] < bs * wb, "run " + r + " spans positions " + minPos[r] + ".." + maxPos[r]);
      anySpread |= maxPos[r] - minPos[r] >= bs;
    }
    if (n >= bs * wb) {
      assertTrue(anySpread, "rows should be shuffled across the runs of a window");
    }
    if (exact) {
      int window = bs * wb;
      for (int w = 0; w < n / window; w++) {
        java.util.Set<Long> runsInWindow = new java.util.HashSet<>();
        for (int p = w * window; p < (w + 1) * window; p++) {
          runsInWindow.add(rows[p] / bs);
        }
        assertEquals(wb, runsInWindow.size(), "window " + w + " holds whole runs");
      }
    }
    // the runs themselves are shuffled: the first window is not just runs 0..wb-1
    if (runs >= 4 * wb) {
      long[] firstRuns = Arrays.stream(rows, 0, Math.min(n, bs * wb)).map(r -> r / bs).distinct().sorted().toArray();
      assertNotEquals(Arrays.toString(java.util.stream.LongStream.range(0, firstRuns.length).toArray()),
          Arrays.toString(firstRuns));
    }
  }

  @Test
  void invalidOptionsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> ShuffleOptions.block(1, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> ShuffleOptions.block(1, 4, 0));
    assertThrows(IllegalArgumentException.class, () -> EpochOrder.create(-1, FP, ShuffleOptions.none(), 0));
  }

  @Test
  void largeDomainsWork() {
    long n = (1L << 40) + 12345;
    EpochOrder o = EpochOrder.create(n, FP, ShuffleOptions.global(1), 0);
    EpochOrder b = EpochOrder.create(n, FP, ShuffleOptions.block(1, 1 << 12, 64), 0);
    for (long p : new long[] {0, 1, n / 2, n - 1}) {
      assertTrue(o.at(p) >= 0 && o.at(p) < n);
      assertTrue(b.at(p) >= 0 && b.at(p) < n);
    }
  }

  @Test
  void feistelInvertsAndTweaksGiveDifferentPermutations() {
    Feistel f = new Feistel(77);
    for (long n : new long[] {1, 2, 3, 10, 1000, 65537}) {
      for (long x = 0; x < Math.min(n, 2000); x++) {
        assertEquals(x, f.invert(f.permute(x, n, 5), n, 5));
      }
    }
    int same = 0;
    for (long x = 0; x < 10_000; x++) {
      same += f.permute(x, 10_000, 1) == f.permute(x, 10_000, 2) ? 1 : 0;
    }
    assertTrue(same < 20, "tweaks 1 and 2 agree at " + same + " of 10000");
  }

  private static long[] rows(EpochOrder o) {
    long[] r = new long[(int) o.size()];
    for (int p = 0; p < r.length; p++) {
      r[p] = o.at(p);
    }
    return r;
  }

  private static int agreements(long[] a, long[] b) {
    int k = 0;
    for (int i = 0; i < a.length; i++) {
      k += a[i] == b[i] ? 1 : 0;
    }
    return k;
  }

  private static boolean isIdentity(long[] rows) {
    for (int i = 0; i < rows.length; i++) {
      if (rows[i] != i) {
        return false;
      }
    }
    return true;
  }
}
