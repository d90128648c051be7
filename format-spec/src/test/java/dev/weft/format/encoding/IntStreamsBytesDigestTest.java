package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.format.MetaOutput;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bytes the integer encoders write, pinned: a SHA-256 digest over the encodings of a fixed,
 * seeded corpus of streams (every shape the selection distinguishes: sorted with and without
 * repeats, runs, small and wide ranges, common divisors, outliers below and above, skewed
 * dictionary codes, 64-bit extremes), each encoded with full selection and with every scheme
 * preferred, exact and byte-aligned widths, at every cascade level, plus FOR, bit-packing and
 * the sorted-distinct values directly. The encoders' fast paths (exact division by the common
 * divisor, FOR's exceptions found while packing, byte-wide packing, sorted inputs) must choose and
 * write exactly what the general code did: the digests were taken from the encoders before those
 * paths existed (format 6.0, main at ed34b57). A change of the format's bytes changes them on
 * purpose, with FORMAT.md and the golden files.
 */
class IntStreamsBytesDigestTest {
  /** Digest of {@link #encodings()} as the encoders of ed34b57 wrote them. */
  private static final String ENCODINGS = "8ff62d957bbfc677b0a1203bf6a0c509f412e40690c864cce17f1b08519976df";
  /** Digest of {@link #packings()}. */
  private static final String PACKINGS = "e3bc72fa1a63c551e336e58ece6c852bcf874bf5e0f633466ad023ae3c7dee8e";

  @Test
  void encodingsAreUnchanged() throws Exception {
    assertEquals(ENCODINGS, encodings());
  }

  @Test
  void bitPackingIsUnchanged() throws Exception {
    assertEquals(PACKINGS, packings());
  }

  static String encodings() throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    int[] schemes = {-1, PlainInts.ID, ForBitPacked.ID, DeltaInts.ID, RunLengthInts.ID, DictionaryInts.ID};
    for (long[] v : corpus()) {
      int n = v.length;
      for (int depth = 1; depth <= IntStreams.MAX_DEPTH; depth++) {
        for (boolean align : new boolean[] {false, true}) {
          IntStreams.Hints h = new IntStreams.Hints(8, false, align, false);
          for (int preferred : schemes) {
            MetaOutput out = new MetaOutput(64);
            IntStreams.encode(v, n, depth, h, out, preferred);
            update(md, out);
          }
          MetaOutput f = new MetaOutput(64);
          ForBitPacked.encode(v, n, depth, depth < IntStreams.MAX_DEPTH, h, f);
          update(md, f);
          MetaOutput g = new MetaOutput(64);
          ForBitPacked.encode(v, n, depth, depth < IntStreams.MAX_DEPTH, h, g, false);
          update(md, g);
        }
      }
      for (int limit : new int[] {0, 1, 3, n / 8, n / 2, n}) {
        long[] d = IntStreams.distinctSorted(v, n, limit);
        md.update((byte) (d == null ? 0 : 1));
        if (d != null) {
          for (long x : d) {
            md.update(longBytes(x));
          }
        }
      }
      long[] distinct = IntStreams.distinctSorted(v, n, n);
      if (distinct != null && n > 0) {
        MetaOutput dict = new MetaOutput(64);
        DictionaryInts.encode(v, n, distinct, 1, new IntStreams.Hints(8, false, false, false), dict);
        update(md, dict);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static String packings() throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    Random rnd = new Random(77);
    for (int bits = 0; bits <= 64; bits++) {
      for (int n : new int[] {0, 1, 7, 8, 9, 63, 64, 65, 1000, 4097}) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
          // above-width bits too: the packer masks them off
          v[i] = rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextLong() >>> (64 - Math.max(1, bits));
        }
        MetaOutput out = new MetaOutput(16);
        out.u8(bits); // a stream that does not start aligned
        BitPacking.pack(v, n, bits, out);
        update(md, out);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static void update(MessageDigest md, MetaOutput out) {
    md.update(longBytes(out.size()));
    md.update(out.toByteArray());
  }

  private static byte[] longBytes(long x) {
    byte[] b = new byte[8];
    for (int k = 0; k < 8; k++) {
      b[k] = (byte) (x >>> (8 * k));
    }
    return b;
  }

  /** The seeded streams. */
  static List<long[]> corpus() {
    Random rnd = new Random(20261126);
    List<long[]> out = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (int n : new int[] {0, 1, 2, 3, 5, 63, 64, 65, 255, 256, 300, 1024, 1025, 2048, 4096}) {
        out.add(sortedRepeats(rnd, n, 60_000_000L, 978_307_260_000_000L));
        out.add(sortedRepeats(rnd, n, 1, -5));
        out.add(sortedRepeats(rnd, n, 7, Long.MIN_VALUE / 2));
        long[] runs = new long[n];
        long x = rnd.nextInt(1000);
        for (int i = 0; i < n; i++) {
          if (rnd.nextInt(9) == 0) {
            x = rnd.nextInt(1000) - 300;
          }
          runs[i] = x;
        }
        out.add(runs);
        long[] codes = new long[n];
        int distinct = 1 + rnd.nextInt(400);
        for (int i = 0; i < n; i++) {
          // skewed codes: small ones common, wide ones rare (exceptions above the base)
          double u = rnd.nextDouble();
          codes[i] = (long) (distinct * u * u * u);
        }
        out.add(codes);
        long[] outliers = new long[n];
        for (int i = 0; i < n; i++) {
          int r = rnd.nextInt(200);
          outliers[i] = r == 0 ? Long.MIN_VALUE + rnd.nextInt(5) : r == 1 ? Long.MAX_VALUE - rnd.nextInt(5)
              : r < 6 ? -rnd.nextInt(100_000) : 1_000 + rnd.nextInt(200);
        }
        out.add(outliers);
        long[] percentile = new long[n];
        for (int i = 0; i < n; i++) {
          // a few values below a dense band: a base above the minimum wins
          percentile[i] = rnd.nextInt(100) < 2 ? rnd.nextInt(10) : 5_000_000 + 12 * rnd.nextInt(1 << (3 + round * 4));
        }
        out.add(percentile);
        long[] scaled = new long[n];
        long scale = new long[] {3, 1L << 20, 1_000_000_007L, 6, 48}[rnd.nextInt(5)];
        for (int i = 0; i < n; i++) {
          scaled[i] = -777 + scale * (rnd.nextInt(1 << 12) - (1 << 11));
        }
        out.add(scaled);
        long[] wide = new long[n];
        for (int i = 0; i < n; i++) {
          wide[i] = rnd.nextInt(3) == 0 ? rnd.nextLong() : rnd.nextInt(3) == 0 ? Long.MIN_VALUE : rnd.nextInt(16);
        }
        out.add(wide);
        long[] random = new long[n];
        for (int i = 0; i < n; i++) {
          random[i] = rnd.nextLong() >> rnd.nextInt(64);
        }
        out.add(random);
        long[] lowcard = new long[n];
        long[] dict = {rnd.nextLong(), rnd.nextLong(), Long.MIN_VALUE, Long.MAX_VALUE, 0, 7};
        for (int i = 0; i < n; i++) {
          lowcard[i] = dict[rnd.nextInt(dict.length)];
        }
        out.add(lowcard);
        long[] wrap = new long[n];
        for (int i = 0; i < n; i++) {
          // distances to the minimum beyond 2^63: unsigned arithmetic throughout
          wrap[i] = (rnd.nextBoolean() ? Long.MIN_VALUE + 10 : Long.MAX_VALUE - 10) + 2L * rnd.nextInt(5);
        }
        out.add(wrap);
        long[] sortedWide = new long[n];
        long acc = -1L << 62;
        for (int i = 0; i < n; i++) {
          acc += rnd.nextInt(4) == 0 ? 0 : rnd.nextLong() >>> 8;
          sortedWide[i] = acc;
        }
        out.add(sortedWide);
        long[] almostSorted = sortedRepeats(rnd, n, 1000, 0);
        if (n > 10) {
          int a = rnd.nextInt(n);
          int b = rnd.nextInt(n);
          long t = almostSorted[a];
          almostSorted[a] = almostSorted[b];
          almostSorted[b] = t;
        }
        out.add(almostSorted);
        long[] descending = sortedRepeats(rnd, n, 5, 100);
        for (int i = 0; i < n / 2; i++) {
          long t = descending[i];
          descending[i] = descending[n - 1 - i];
          descending[n - 1 - i] = t;
        }
        out.add(descending);
      }
    }
    return out;
  }

  /** Non-decreasing values at multiples of {@code step} from {@code start}, with repeats. */
  private static long[] sortedRepeats(Random rnd, int n, long step, long start) {
    long[] v = new long[n];
    long x = start;
    for (int i = 0; i < n; i++) {
      int r = rnd.nextInt(10);
      x += r < 6 ? 0 : r < 9 ? step : step * rnd.nextInt(1000);
      v[i] = x;
    }
    return v;
  }

  /** Prints the digests of the current encoders (to pin them after a deliberate format change). */
  public static void main(String[] args) throws Exception {
    System.out.println("ENCODINGS = " + encodings());
    System.out.println("PACKINGS = " + packings());
  }
}
