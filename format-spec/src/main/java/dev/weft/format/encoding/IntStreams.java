package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.util.Arrays;

/**
 * The grammar of an integer stream, the unit every Weft encoding produces and consumes, and the
 * writer's choice among the schemes.
 *
 * <pre>
 * IntStream(n) --&gt; Scheme u8, SchemeBody
 *   0 PLAIN             {@link PlainInts}
 *   1 CONSTANT          {@link ConstantInts}
 *   2 FOR               {@link ForBitPacked}      (frame of reference, scale, bit-packing, exceptions)
 *   3 DELTA             {@link DeltaInts}         (cascades: deltas)
 *   4 RLE               {@link RunLengthInts}     (cascades: run values, run lengths)
 *   5 DICTIONARY        {@link DictionaryInts}    (cascades: entries, codes)
 *   6 BYTE_STREAM_SPLIT {@link ByteStreamSplit}   (cascades: one stream per byte)
 *   7 ALP               {@link AlpFloats}         (cascades: digits, exception positions and bits)
 * </pre>
 *
 * The number of values {@code n} is never stored in the stream: it comes from the context
 * (the block's element count, or a count in the parent scheme). A scheme's body may hold child
 * streams (cascading); the top stream of a block is at level 1 and a stream at level
 * {@link #MAX_DEPTH} may not have children, so a value is at most three decodings away. Streams
 * are not aligned and carry no length: a parser learns each one's extent from its header.
 *
 * <p><b>Selection</b> (BtrBlocks-style, but exact). A Weft mini-block holds at most a few
 * thousand values, so the block itself is the sample: the writer computes the block's
 * statistics (minimum, maximum, runs, distinct values, delta range), encodes only the schemes
 * those statistics allow, each cascading recursively into its child streams, and keeps the
 * smallest. CONSTANT wins outright when all values are equal. The writer runs this full
 * selection only on sampled blocks of a column; its other blocks pass the scheme the samples chose
 * as {@code preferred} ({@link #encode(long[], int, int, Hints, MetaOutput, int)}), which encodes
 * once (child streams are still selected in full).
 */
public final class IntStreams {
  /** Deepest cascade level; a stream at this level has no child streams. */
  public static final int MAX_DEPTH = 3;

  private IntStreams() {}

  /**
   * What the writer knows about a stream.
   *
   * @param width byte width of the values (1, 2, 4, 8): PLAIN uses it for floating values
   * @param floating whether the values are IEEE floats (bit patterns): FOR and DELTA are skipped,
   *     BYTE_STREAM_SPLIT and ALP are tried
   * @param alignWidths whether bit widths are rounded up to whole bytes, which a following
   *     zstd pass compresses better
   * @param splitFloats unused since byte-stream-split cascades; kept for callers
   */
  public record Hints(int width, boolean floating, boolean alignWidths, boolean splitFloats) {
    /** Hints for a child stream (codes, lengths, positions): 64-bit integers. */
    public Hints child() {
      return new Hints(8, false, alignWidths, false);
    }

    public static Hints integers(int width) {
      return new Hints(width, false, false, false);
    }
  }

  /** The name of a scheme id, for statistics and messages. */
  public static String name(int id) {
    return switch (id) {
      case PlainInts.ID -> "PLAIN";
      case ConstantInts.ID -> "CONSTANT";
      case ForBitPacked.ID -> "FOR";
      case DeltaInts.ID -> "DELTA";
      case RunLengthInts.ID -> "RLE";
      case DictionaryInts.ID -> "DICTIONARY";
      case ByteStreamSplit.ID -> "BYTE_STREAM_SPLIT";
      case AlpFloats.ID -> "ALP";
      case SharedDictionary.INT_ID -> "SHARED_DICTIONARY";
      default -> "UNKNOWN(" + id + ")";
    };
  }

  /** Parses a stream of {@code n} values at cascade level {@code depth} (1 = top). */
  public static IntDecoder parse(EncodedInput in, int n, int depth) {
    if (depth > MAX_DEPTH) {
      throw new MalformedEncodingException("cascade deeper than " + MAX_DEPTH + " levels");
    }
    int id = in.u8("integer scheme");
    return switch (id) {
      case PlainInts.ID -> PlainInts.decode(in, n);
      case ConstantInts.ID -> ConstantInts.decode(in, n);
      case ForBitPacked.ID -> ForBitPacked.decode(in, n, depth);
      case DeltaInts.ID -> DeltaInts.decode(in, n, depth);
      case RunLengthInts.ID -> RunLengthInts.decode(in, n, depth);
      case DictionaryInts.ID -> DictionaryInts.decode(in, n, depth);
      case ByteStreamSplit.ID -> ByteStreamSplit.decode(in, n, depth);
      case AlpFloats.ID -> AlpFloats.decode(in, n, depth);
      default -> throw new MalformedEncodingException("unknown integer scheme " + id);
    };
  }

  /** Encodes {@code v[0, n)} at cascade level {@code depth} with the smallest allowed scheme. */
  public static void encode(long[] v, int n, int depth, Hints h, MetaOutput out) {
    encode(v, n, depth, h, out, -1);
  }

  /**
   * As {@link #encode(long[], int, int, Hints, MetaOutput)}, but tries scheme {@code preferred}
   * alone first (the writer's choice for an earlier block of the same column): if it suits these
   * values it is written without trying the others (its child streams are still selected);
   * otherwise, or if {@code preferred < 0}, every allowed scheme is tried. CONSTANT always wins
   * when all values are equal.
   */
  public static void encode(long[] v, int n, int depth, Hints h, MetaOutput out, int preferred) {
    if (n == 0) {
      PlainInts.encode(v, 0, 1, out);
      return;
    }
    long min = v[0];
    long max = v[0];
    long dmin = Long.MAX_VALUE;
    long dmax = Long.MIN_VALUE;
    // the delta range matters only to DELTA: a preferred other scheme skips it unless it fails
    boolean deltas = preferred < 0 || preferred == DeltaInts.ID;
    // the runs, where RLE may be tried, are counted in the same pass (-1: not counted)
    int runs = -1;
    if (preferred == RunLengthInts.ID) {
      runs = 1;
      long prev = min;
      for (int i = 1; i < n; i++) {
        long x = v[i];
        min = Math.min(min, x);
        max = Math.max(max, x);
        if (x != prev) {
          runs++;
          prev = x;
        }
      }
    } else if (deltas) {
      FirstPass p = FirstPass.of(v, n);
      min = p.min;
      max = p.max;
      dmin = p.dmin;
      dmax = p.dmax;
      runs = p.runs;
    } else {
      for (int i = 1; i < n; i++) {
        long x = v[i];
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
    }
    encode(v, n, depth, h, out, preferred, min, max, deltas, dmin, dmax, runs, null);
  }

  /**
   * What a caller that produced the values knows of them (a shared dictionary's codes, found while
   * mapping value ids to codes): their minimum and maximum and, where not null, {@code counts[k]}
   * = how many values equal k, for values in {@code [0, counts.length)} (then every value is).
   */
  public record Known(long min, long max, int[] counts) {}

  /**
   * As {@link #encode(long[], int, int, Hints, MetaOutput, int)}, given what is {@link Known} of
   * the values; the same bytes. Where the preferred scheme needs more statistics (DELTA, RLE, full
   * selection) they are computed as usual.
   */
  public static void encode(long[] v, int n, int depth, Hints h, MetaOutput out, int preferred, Known known) {
    if (n == 0 || preferred < 0 || preferred == DeltaInts.ID || preferred == RunLengthInts.ID) {
      encode(v, n, depth, h, out, preferred);
      return;
    }
    encode(v, n, depth, h, out, preferred, known.min(), known.max(), false, Long.MAX_VALUE, Long.MIN_VALUE, -1,
        known.counts());
  }

  /**
   * The selection from the first pass's statistics: the minimum and maximum, and where
   * {@code deltas} the range of the differences (else computed if needed), and the number of
   * runs where counted (else -1).
   */
  private static void encode(long[] v, int n, int depth, Hints h, MetaOutput out, int preferred, long min, long max,
      boolean deltas, long dmin, long dmax, int runs, int[] counts) {
    if (min == max) {
      ConstantInts.encode(min, out);
      return;
    }
    boolean cascade = depth < MAX_DEPTH;
    int rangeBits = BitPacking.bitsFor(max - min);
    if (preferred >= 0 && encodePreferred(v, n, depth, h, out, preferred, min, max, rangeBits,
        deltas ? BitPacking.bitsFor(dmax - dmin) : 0, runs, counts)) {
      return;
    }
    if (!deltas) {
      for (int i = 1; i < n; i++) {
        long d = v[i] - v[i - 1];
        dmin = Math.min(dmin, d);
        dmax = Math.max(dmax, d);
      }
    }
    MetaOutput best = new MetaOutput(64);
    if (h.floating()) {
      PlainInts.encode(v, n, h.width(), best);
    } else {
      ForBitPacked.encode(v, n, depth, cascade, h, best, min, max);
      if (best.size() > 2 + (long) n * PlainInts.widthFor(min, max)) {
        best = new MetaOutput(64);
        PlainInts.encode(v, n, PlainInts.widthFor(min, max), best);
      }
    }
    if (!cascade) {
      out.bytes(best);
      return;
    }
    if (h.floating() && h.width() > 1) {
      best = smaller(best, o -> ByteStreamSplit.encode(v, n, h.width(), depth, h, o));
      if (h.width() >= 4) {
        MetaOutput alp = new MetaOutput(64);
        if (AlpFloats.encode(v, n, h.width(), depth, h, alp) && alp.size() < best.size()) {
          best = alp;
        }
      }
    }
    if (!h.floating() && n >= 3 && BitPacking.bitsFor(dmax - dmin) + 2 < rangeBits) {
      best = smaller(best, o -> DeltaInts.encode(v, n, depth, h, o));
    }
    int runCount = runs >= 0 ? runs : RunLengthInts.runs(v, n);
    if (runCount * 2L <= n) {
      best = smaller(best, o -> RunLengthInts.encode(v, n, runCount, depth, h, o));
    }
    long[] distinct = distinctSorted(v, n, n / 2, min, max);
    if (distinct != null && (h.floating() || BitPacking.bitsFor(distinct.length - 1) + 1 < rangeBits)) {
      best = smaller(best, o -> DictionaryInts.encode(v, n, distinct, depth, h, o));
    }
    out.bytes(best);
  }

  /**
   * Full selection of integer (not floating) values with exact and with byte-aligned bit widths
   * at once: {@code exact} receives what {@link #encode(long[], int, int, Hints, MetaOutput)}
   * writes with {@code alignWidths} false, {@code aligned} what it writes with it true (the same
   * bytes each). The writer compares both for sampled blocks; what does not depend on the widths
   * (the statistics, the distinct values, the deltas, runs and codes the cascades encode) is
   * computed once instead of twice. Each candidate is chosen as the two selections choose it.
   */
  public static void encodeBothWidths(long[] v, int n, int depth, MetaOutput exact, MetaOutput aligned) {
    if (n == 0) {
      PlainInts.encode(v, 0, 1, exact);
      PlainInts.encode(v, 0, 1, aligned);
      return;
    }
    FirstPass p = FirstPass.of(v, n);
    long min = p.min;
    long max = p.max;
    long dmin = p.dmin;
    long dmax = p.dmax;
    int runs = p.runs;
    if (min == max) {
      ConstantInts.encode(min, exact);
      ConstantInts.encode(min, aligned);
      return;
    }
    boolean cascade = depth < MAX_DEPTH;
    int rangeBits = BitPacking.bitsFor(max - min);
    Hints hx = new Hints(8, false, false, false);
    Hints ha = new Hints(8, false, true, false);
    MetaOutput bx = forOrPlain(v, n, depth, cascade, hx, min, max);
    MetaOutput ba = forOrPlain(v, n, depth, cascade, ha, min, max);
    if (cascade) {
      if (n >= 3 && BitPacking.bitsFor(dmax - dmin) + 2 < rangeBits) {
        long[] d = DeltaInts.deltas(v, n);
        MetaOutput cx = new MetaOutput(Math.max(64, bx.size()));
        MetaOutput ca = new MetaOutput(Math.max(64, ba.size()));
        cx.u8(DeltaInts.ID);
        Varints.writeZigZag(cx, v[0]);
        ca.u8(DeltaInts.ID);
        Varints.writeZigZag(ca, v[0]);
        encodeBothWidths(d, n - 1, depth + 1, cx, ca);
        bx = cx.size() < bx.size() ? cx : bx;
        ba = ca.size() < ba.size() ? ca : ba;
      }
      if (runs * 2L <= n) {
        long[] values = new long[runs];
        long[] lengths = new long[runs];
        RunLengthInts.split(v, n, values, lengths);
        MetaOutput cx = new MetaOutput(Math.max(64, bx.size()));
        MetaOutput ca = new MetaOutput(Math.max(64, ba.size()));
        cx.u8(RunLengthInts.ID);
        Varints.write(cx, runs);
        ca.u8(RunLengthInts.ID);
        Varints.write(ca, runs);
        encodeBothWidths(values, runs, depth + 1, cx, ca);
        encodeBothWidths(lengths, runs, depth + 1, cx, ca);
        bx = cx.size() < bx.size() ? cx : bx;
        ba = ca.size() < ba.size() ? ca : ba;
      }
      long[] distinct = distinctSorted(v, n, n / 2, min, max);
      if (distinct != null && BitPacking.bitsFor(distinct.length - 1) + 1 < rangeBits) {
        long[] codes = DictionaryInts.codes(v, n, distinct);
        MetaOutput cx = new MetaOutput(Math.max(64, bx.size()));
        MetaOutput ca = new MetaOutput(Math.max(64, ba.size()));
        cx.u8(DictionaryInts.ID);
        Varints.write(cx, distinct.length);
        ca.u8(DictionaryInts.ID);
        Varints.write(ca, distinct.length);
        encodeBothWidths(distinct, distinct.length, depth + 1, cx, ca);
        encodeBothWidths(codes, n, depth + 1, cx, ca);
        bx = cx.size() < bx.size() ? cx : bx;
        ba = ca.size() < ba.size() ? ca : ba;
      }
    }
    exact.bytes(bx);
    aligned.bytes(ba);
  }

  /**
   * The statistics of one pass over a stream's values: minimum, maximum, the range of the
   * differences of neighbours and the number of runs (a run ends where a difference is not 0).
   * A method of its own, not a loop of the selections, so that the JIT compiles this loop once,
   * small, instead of compiling each selection again for its loop (on-stack replacement).
   */
  private static final class FirstPass {
    long min;
    long max;
    long dmin = Long.MAX_VALUE;
    long dmax = Long.MIN_VALUE;
    int runs = 1;

    static FirstPass of(long[] v, int n) {
      FirstPass p = new FirstPass();
      long min = v[0];
      long max = v[0];
      long dmin = Long.MAX_VALUE;
      long dmax = Long.MIN_VALUE;
      int runs = 1;
      for (int i = 1; i < n; i++) {
        long x = v[i];
        min = Math.min(min, x);
        max = Math.max(max, x);
        long d = x - v[i - 1];
        dmin = Math.min(dmin, d);
        dmax = Math.max(dmax, d);
        if (d != 0) {
          runs++;
        }
      }
      p.min = min;
      p.max = max;
      p.dmin = dmin;
      p.dmax = dmax;
      p.runs = runs;
      return p;
    }
  }

  /** FOR, or PLAIN where FOR stores more: the first candidate of a full selection of integers. */
  private static MetaOutput forOrPlain(long[] v, int n, int depth, boolean cascade, Hints h, long min, long max) {
    MetaOutput best = new MetaOutput(64);
    ForBitPacked.encode(v, n, depth, cascade, h, best, min, max);
    if (best.size() > 2 + (long) n * PlainInts.widthFor(min, max)) {
      best = new MetaOutput(64);
      PlainInts.encode(v, n, PlainInts.widthFor(min, max), best);
    }
    return best;
  }

  /**
   * Writes scheme {@code id} if it suits the values (the same conditions as full selection uses
   * to try it); returns false, writing nothing, otherwise.
   */
  private static boolean encodePreferred(long[] v, int n, int depth, Hints h, MetaOutput out, int id, long min,
      long max, int rangeBits, int deltaBits, int knownRuns, int[] counts) {
    boolean cascade = depth < MAX_DEPTH;
    switch (id) {
      case PlainInts.ID -> {
        PlainInts.encode(v, n, h.floating() ? h.width() : PlainInts.widthFor(min, max), out);
        return true;
      }
      case ForBitPacked.ID -> {
        if (h.floating()) {
          return false;
        }
        ForBitPacked.encode(v, n, depth, cascade, h, out, min, max, counts);
        return true;
      }
      case DeltaInts.ID -> {
        if (h.floating() || !cascade || n < 3 || deltaBits + 2 >= rangeBits) {
          return false;
        }
        DeltaInts.encode(v, n, depth, h, out);
        return true;
      }
      case RunLengthInts.ID -> {
        int runs = knownRuns >= 0 ? knownRuns : RunLengthInts.runs(v, n);
        if (!cascade || runs * 2L > n) {
          return false;
        }
        RunLengthInts.encode(v, n, runs, depth, h, out);
        return true;
      }
      case DictionaryInts.ID -> {
        if (!cascade) {
          return false;
        }
        long[] distinct = distinctSorted(v, n, n / 2, min, max);
        if (distinct == null || !(h.floating() || BitPacking.bitsFor(distinct.length - 1) + 1 < rangeBits)) {
          return false;
        }
        DictionaryInts.encode(v, n, distinct, depth, h, out);
        return true;
      }
      case ByteStreamSplit.ID -> {
        if (!cascade || !h.floating() || h.width() <= 1) {
          return false;
        }
        ByteStreamSplit.encode(v, n, h.width(), depth, h, out);
        return true;
      }
      case AlpFloats.ID -> {
        if (!cascade || !h.floating() || h.width() < 4) {
          return false;
        }
        MetaOutput alp = new MetaOutput(64);
        if (!AlpFloats.encode(v, n, h.width(), depth, h, alp)) {
          return false;
        }
        out.bytes(alp);
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  private static MetaOutput smaller(MetaOutput best, java.util.function.Consumer<MetaOutput> candidate) {
    MetaOutput o = new MetaOutput(Math.max(64, best.size()));
    candidate.accept(o);
    return o.size() < best.size() ? o : best;
  }

  /** The sorted distinct values of {@code v[0, n)}, or null if there are more than {@code limit}. */
  static long[] distinctSorted(long[] v, int n, int limit) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      min = Math.min(min, v[i]);
      max = Math.max(max, v[i]);
    }
    return distinctSorted(v, n, limit, min, max);
  }

  private static final int SAMPLE = 256;

  /**
   * As {@link #distinctSorted(long[], int, int)} given the minimum and maximum. A sample decides
   * first whether the values are nearly all distinct; small ranges are counted, not sorted.
   */
  static long[] distinctSorted(long[] v, int n, int limit, long min, long max) {
    if (n == 0) {
      return new long[0];
    }
    long range = max - min;
    if (range >= 0 && range < 1 << 16) {
      boolean[] seen = new boolean[(int) range + 1];
      int d = 0;
      for (int i = 0; i < n; i++) {
        int k = (int) (v[i] - min);
        if (!seen[k]) {
          seen[k] = true;
          if (++d > limit) {
            return null;
          }
        }
      }
      long[] out = new long[d];
      int j = 0;
      for (int k = 0; k < seen.length; k++) {
        if (seen[k]) {
          out[j++] = min + k;
        }
      }
      return out;
    }
    if (n > 4 * SAMPLE && limit < n) {
      long[] sample = new long[SAMPLE];
      // index i * n / SAMPLE, stepped without a division per sample (as ForBitPacked.lowestOfSample)
      int step = n / SAMPLE;
      int rem = n % SAMPLE;
      int at = 0;
      int frac = 0;
      for (int i = 0; i < SAMPLE; i++, at += step, frac += rem) {
        if (frac >= SAMPLE) {
          frac -= SAMPLE;
          at++;
        }
        sample[i] = v[at];
      }
      Arrays.sort(sample);
      int d = 1;
      for (int i = 1; i < SAMPLE; i++) {
        if (sample[i] != sample[i - 1]) {
          d++;
        }
      }
      if (d > SAMPLE * 7 / 8) {
        return null; // nearly all distinct: no dictionary will pay
      }
    }
    // sorted values (timestamps, sequence numbers, their run values): the distinct ones are the
    // heads of the runs, already in order; the same result as hashing and sorting them
    int heads = sortedRuns(v, n);
    if (heads >= 0) {
      if (heads > limit) {
        return null;
      }
      long[] out = new long[heads];
      out[0] = v[0];
      int j = 1;
      for (int i = 1; i < n; i++) {
        if (v[i] != v[i - 1]) {
          out[j++] = v[i];
        }
      }
      return out;
    }
    return distinctByHash(v, n, limit);
  }

  /**
   * The number of runs of equal values in {@code v[0, n)} (n at least 1) if the values never
   * descend, else -1 (found at the first descent, so unsorted values cost little).
   */
  static int sortedRuns(long[] v, int n) {
    int r = 1;
    long prev = v[0];
    for (int i = 1; i < n; i++) {
      long x = v[i];
      if (x != prev) {
        if (x < prev) {
          return -1;
        }
        r++;
        prev = x;
      }
    }
    return r;
  }

  /**
   * The sorted distinct values, or null if there are more than {@code limit}: a hash set of the
   * values (open addressing, 0 kept apart as the empty slot's marker), then a sort of the distinct
   * ones only, which costs far less than sorting all n values where few are distinct.
   */
  static long[] distinctByHash(long[] v, int n, int limit) {
    long[] table = new long[64];
    int mask = table.length - 1;
    int size = 0;
    boolean zero = false;
    for (int i = 0; i < n; i++) {
      long x = v[i];
      if (x == 0) {
        if (!zero) {
          zero = true;
          if (size + 1 > limit) {
            return null;
          }
        }
        continue;
      }
      long hx = x * 0x9E3779B97F4A7C15L;
      int slot = (int) (hx ^ (hx >>> 32)) & mask;
      while (true) {
        long t = table[slot];
        if (t == x) {
          break;
        }
        if (t == 0) {
          table[slot] = x;
          size++;
          if (size + (zero ? 1 : 0) > limit) {
            return null;
          }
          if (2 * size > mask) {
            table = rehash(table, table.length * 2);
            mask = table.length - 1;
          }
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    long[] out = new long[size + (zero ? 1 : 0)];
    int j = 0;
    for (long t : table) {
      if (t != 0) {
        out[j++] = t;
      }
    }
    // out[j], if there, is the 0 (new arrays are zeroed)
    Arrays.sort(out);
    return out;
  }

  private static long[] rehash(long[] table, int capacity) {
    long[] t = new long[capacity];
    int mask = capacity - 1;
    for (long x : table) {
      if (x != 0) {
        long hx = x * 0x9E3779B97F4A7C15L;
        int slot = (int) (hx ^ (hx >>> 32)) & mask;
        while (t[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        t[slot] = x;
      }
    }
    return t;
  }
}
