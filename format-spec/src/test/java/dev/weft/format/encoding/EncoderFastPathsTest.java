package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.MetaOutput;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The integer encoders' fast paths against the general ways they replace (the bytes of whole
 * encodings are pinned by {@link IntStreamsBytesDigestTest}): exact division by FOR's common
 * divisor, exceptions found while packing, byte-wide packing, and sorted inputs' distinct values
 * and dictionary codes.
 */
class EncoderFastPathsTest {
  private static final long[] EDGES = {0, 1, 2, 3, 5, 6, 7, 8, 60_000_000L, 1_000_000_007L, 1L << 20, 1L << 62,
      Long.MAX_VALUE, Long.MIN_VALUE, -1, -2, -3, Long.MIN_VALUE + 1, -60_000_000L, 3L << 61};

  @Test
  void divisibilityByMultiplyEqualsTheRemainder() {
    Random rnd = new Random(5);
    for (int round = 0; round < 400; round++) {
      long scale = round < EDGES.length ? EDGES[round] : rnd.nextLong() >>> rnd.nextInt(64);
      if (scale == 0) {
        continue;
      }
      int shift = Long.numberOfTrailingZeros(scale);
      long odd = scale >>> shift;
      long inverse = ForBitPacked.oddInverse(odd);
      assertEquals(1L, odd * inverse, "inverse of " + odd);
      long limit = Long.divideUnsigned(-1L, odd);
      for (int k = 0; k < 300; k++) {
        long d = switch (k % 5) {
          case 0 -> scale * (rnd.nextLong() >>> rnd.nextInt(64)); // a multiple (mod 2^64)
          case 1 -> k / 5 < EDGES.length ? EDGES[k / 5] : rnd.nextLong();
          case 2 -> Long.divideUnsigned(-1L, scale) * scale; // the largest multiple
          case 3 -> scale * (rnd.nextInt(1000)) + rnd.nextInt(3);
          default -> rnd.nextLong();
        };
        boolean divides = Long.remainderUnsigned(d, scale) == 0;
        assertEquals(divides, ForBitPacked.divides(d, shift, inverse, limit), d + " by " + scale);
        if (divides) {
          assertEquals(Long.divideUnsigned(d, scale), (d >>> shift) * inverse, d + " / " + scale);
        }
      }
    }
  }

  @Test
  void patchedPackingEqualsFindingExceptionsThenPacking() {
    Random rnd = new Random(11);
    for (int bits = 0; bits <= 64; bits++) {
      for (int round = 0; round < 12; round++) {
        int n = new int[] {0, 1, 7, 8, 9, 64, 100, 1000, 4096}[rnd.nextInt(9)];
        long qBase = switch (round % 4) {
          case 0 -> 0;
          case 1 -> rnd.nextInt(100);
          case 2 -> rnd.nextLong();
          default -> Long.MIN_VALUE + rnd.nextInt(3);
        };
        long[] q = new long[n];
        for (int i = 0; i < n; i++) {
          int r = rnd.nextInt(10);
          long fit = bits == 0 ? 0 : rnd.nextLong() >>> (64 - bits);
          q[i] = r < 7 ? qBase + fit : r == 7 ? qBase - 1 - rnd.nextInt(5) : r == 8 ? rnd.nextLong() : qBase;
        }
        // the general way: the exceptions first (as FOR found them before), then plain packing
        long maxP = bits == 64 ? -1L : (1L << bits) - 1;
        long[] packed = new long[n];
        int[] expected = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
          long p = q[i] - qBase;
          if (Long.compareUnsigned(q[i], qBase) < 0 || Long.compareUnsigned(p, maxP) > 0) {
            expected[m++] = i;
          } else {
            packed[i] = p;
          }
        }
        MetaOutput want = new MetaOutput(8).u8(1);
        BitPacking.pack(packed, n, bits, want);
        MetaOutput got = new MetaOutput(8).u8(1);
        int[] pos = new int[m];
        assertEquals(m, BitPacking.packPatched(q, n, bits, qBase, pos, got), bits + " bits, base " + qBase);
        assertArrayEquals(Arrays.copyOf(expected, m), pos);
        assertArrayEquals(want.toByteArray(), got.toByteArray(), bits + " bits, base " + qBase);
        if (m > 0) {
          int width = bits;
          int fewer = m - 1;
          assertThrows(IllegalStateException.class,
              () -> BitPacking.packPatched(q, n, width, qBase, new int[fewer], new MetaOutput(8)));
        }
      }
    }
  }

  @Test
  void byteWidePackingEqualsBitByBitPacking() {
    Random rnd = new Random(3);
    for (int bits : new int[] {8, 16}) {
      for (int n : new int[] {0, 1, 2, 3, 8, 9, 1001}) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
          v[i] = rnd.nextLong(); // bits above the width are masked off
        }
        MetaOutput out = new MetaOutput(4).u8(0xAB);
        BitPacking.pack(v, n, bits, out);
        byte[] want = new byte[1 + (n * bits + 7) / 8];
        want[0] = (byte) 0xAB;
        for (long k = 0; k < (long) n * bits; k++) {
          long bit = v[(int) (k / bits)] >>> (k % bits) & 1;
          want[1 + (int) (k / 8)] |= (byte) (bit << (k % 8));
        }
        assertArrayEquals(want, out.toByteArray(), bits + " bits, " + n + " values");
      }
    }
  }

  @Test
  void whatIsKnownOfTheValuesChangesNoByte() {
    int[] schemes = {-1, PlainInts.ID, ForBitPacked.ID, DeltaInts.ID, RunLengthInts.ID, DictionaryInts.ID};
    for (long[] v : IntStreamsBytesDigestTest.corpus()) {
      int n = v.length;
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (long x : v) {
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
      int[] counts = null;
      if (n > 0 && min >= 0 && max < 1 << 20) {
        counts = new int[(int) max + 1 + 5]; // longer than needed, as the writer's
        for (long x : v) {
          counts[(int) x]++;
        }
      }
      for (IntStreams.Known known : new IntStreams.Known[] {new IntStreams.Known(min, max, null),
          new IntStreams.Known(min, max, counts)}) {
        for (boolean align : new boolean[] {false, true}) {
          IntStreams.Hints h = new IntStreams.Hints(8, false, align, false);
          for (int preferred : schemes) {
            MetaOutput want = new MetaOutput(64);
            IntStreams.encode(v, n, 2, h, want, preferred);
            MetaOutput got = new MetaOutput(64);
            IntStreams.encode(v, n, 2, h, got, preferred, known);
            assertArrayEquals(want.toByteArray(), got.toByteArray(), n + " values, scheme " + preferred);
          }
          if (counts != null) {
            MetaOutput want = new MetaOutput(64);
            SharedDictionary.encodeCodes(true, v, n, align, want, ForBitPacked.ID);
            MetaOutput got = new MetaOutput(64);
            SharedDictionary.encodeCodes(true, v, n, align, got, ForBitPacked.ID, known);
            assertArrayEquals(want.toByteArray(), got.toByteArray());
          }
        }
      }
    }
  }

  @Test
  void bothWidthsAtOnceEqualEachWidthAlone() {
    for (long[] v : IntStreamsBytesDigestTest.corpus()) {
      for (int depth = 1; depth <= IntStreams.MAX_DEPTH; depth++) {
        MetaOutput exact = new MetaOutput(64).u8(7); // appended after what is there
        MetaOutput aligned = new MetaOutput(64).u8(7);
        IntStreams.encodeBothWidths(v, v.length, depth, exact, aligned);
        for (boolean align : new boolean[] {false, true}) {
          MetaOutput want = new MetaOutput(64).u8(7);
          IntStreams.encode(v, v.length, depth, new IntStreams.Hints(8, false, align, false), want);
          assertArrayEquals(want.toByteArray(), (align ? aligned : exact).toByteArray(),
              v.length + " values at level " + depth + (align ? ", aligned" : ", exact"));
        }
      }
    }
  }

  @Test
  void sortedValuesDistinctAndCodesEqualTheGeneralWays() {
    Random rnd = new Random(8);
    for (int round = 0; round < 200; round++) {
      int n = 1 + rnd.nextInt(3000);
      long[] v = new long[n];
      long x = rnd.nextLong() >> 2;
      long step = 1 + (rnd.nextLong() >>> (20 + rnd.nextInt(44))); // no overflow: the values ascend
      for (int i = 0; i < n; i++) {
        x += rnd.nextInt(3) == 0 ? step * (1 + rnd.nextInt(3)) : 0;
        v[i] = x;
      }
      boolean unsorted = round % 3 == 0 && n > 1;
      if (unsorted) {
        int a = rnd.nextInt(n - 1);
        v[a] = v[n - 1] + 1; // descends right after a
      }
      long[] hashed = IntStreams.distinctByHash(v, n, n);
      int limit = round % 4 == 1 ? rnd.nextInt(hashed.length + 1) : n;
      long[] d = IntStreams.distinctSorted(v, n, limit);
      if (hashed.length > limit) {
        assertNull(d);
      } else if (d != null) {
        assertArrayEquals(hashed, d);
      }
      int runs = RunLengthInts.runs(v, n);
      assertEquals(unsorted ? -1 : runs, IntStreams.sortedRuns(v, n));
      long[] codes = new long[n];
      boolean walked = DictionaryInts.sortedCodes(v, n, hashed, codes);
      assertEquals(!unsorted, walked);
      if (walked) {
        for (int i = 0; i < n; i++) {
          assertEquals(Arrays.binarySearch(hashed, v[i]), codes[i]);
        }
      }
    }
    assertFalse(DictionaryInts.sortedCodes(new long[] {5, 9}, 2, new long[] {5}, new long[2]));
    assertTrue(DictionaryInts.sortedCodes(new long[] {5, 5, 9}, 3, new long[] {5, 9}, new long[3]));
  }
}
