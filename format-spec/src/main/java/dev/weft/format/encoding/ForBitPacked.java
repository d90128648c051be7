package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * FOR (scheme 2): frame of reference with a common factor, bit-packing and patched exceptions
 * (PFOR). Every value that is not an exception is {@code Base + Scale * p} where {@code p} is a
 * {@code BitWidth}-bit unsigned integer ({@link BitPacking}); exceptions (outliers that would
 * widen every value) are stored apart, their slots in the packed bits being 0.
 *
 * <pre>
 * ForBitPacked --&gt; Scheme u8 = 2, BitWidth u8 (0..64), Base ZigZag, Scale VarInt (&gt;= 1),
 *                  NumExceptions VarInt (0..n), Packed byte[ceil(n * BitWidth / 8)],
 *                  [ExceptionPositions IntStream(NumExceptions), ExceptionValues IntStream(NumExceptions)]
 * </pre>
 *
 * ({@link Varints}). The two exception streams are present only when NumExceptions &gt; 0; positions strictly
 * ascend in {@code [0, n)} (checked). Arithmetic wraps modulo 2^64, so every 64-bit range works.
 *
 * <p>Example: timestamps 1000, 1060, 1120, 9999999, 1060 (microseconds at minute steps plus one
 * outlier): Base 1000, Scale 60, BitWidth 2, packed 0, 1, 2, 0, 1 = bits {@code 00 01 10 00 01}
 * = bytes {@code 0x24 0x01}, one exception at position 3 with value 9999999.
 *
 * <p>Limits: exceptions need a cascade level below ({@link IntStreams#MAX_DEPTH}). Single value:
 * O(1) without exceptions (one load, shift, mask, multiply-add), O(log NumExceptions) with
 * them (only for values whose packed slot is 0 when every exception's slot is 0, as the writer
 * leaves them); a range decodes in a tight loop and is then patched.
 *
 * <p>Selection: tried for every integer stream. The writer computes the greatest common divisor
 * of the distances to the minimum (Scale), and then picks the base (the minimum or a low
 * percentile) and bit width that minimise packed bits plus estimated exception bits.
 */
public final class ForBitPacked {
  public static final int ID = 2;

  private ForBitPacked() {}

  static long gcd(long a, long b) {
    while (b != 0) {
      long t = Long.remainderUnsigned(a, b);
      a = b;
      b = t;
    }
    return a;
  }

  /**
   * Whether {@code 2^shift * c} divides {@code d} (unsigned), for an odd {@code c} whose inverse
   * modulo 2^64 is {@code inverse} and with {@code limit = (2^64 - 1) / c}: multiplying by the
   * inverse maps the multiples of {@code c} one to one onto {@code [0, limit]} and every other
   * value above it (Granlund and Montgomery), so no division is needed. For a multiple, {@code
   * (d >>> shift) * inverse} is the exact quotient.
   */
  static boolean divides(long d, int shift, long inverse, long limit) {
    return (d & ((1L << shift) - 1)) == 0 && Long.compareUnsigned((d >>> shift) * inverse, limit) <= 0;
  }

  /** The inverse of the odd {@code c} modulo 2^64 (Newton's iteration: each step doubles the correct bits). */
  static long oddInverse(long c) {
    long x = c; // correct to 3 bits: c * c = 1 (mod 8) for every odd c
    for (int k = 0; k < 5; k++) {
      x *= 2 - c * x;
    }
    return x;
  }

  /**
   * Encodes {@code v[0, n)}.
   *
   * @param allowExceptions whether outliers may be patched (needs a level below)
   * @param h hints; {@code alignWidths} rounds bit widths up to whole bytes (better for zstd)
   */
  public static void encode(long[] v, int n, int depth, boolean allowExceptions, IntStreams.Hints h, MetaOutput out) {
    encode(v, n, depth, allowExceptions, h, out, true);
  }

  /**
   * As above; {@code countSmallRanges} false always uses bit-width histograms (tests compare the
   * two ways' bytes).
   */
  static void encode(long[] v, int n, int depth, boolean allowExceptions, IntStreams.Hints h, MetaOutput out,
      boolean countSmallRanges) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      min = Math.min(min, v[i]);
      max = Math.max(max, v[i]);
    }
    encode(v, n, depth, allowExceptions, h, out, countSmallRanges, min, max);
  }

  /** As above, given the values' minimum and maximum (the selection computed them already). */
  static void encode(long[] v, int n, int depth, boolean allowExceptions, IntStreams.Hints h, MetaOutput out,
      long min, long max) {
    encode(v, n, depth, allowExceptions, h, out, true, min, max, null);
  }

  /**
   * As above, given also {@code counts} (null: not known): {@code counts[k]} values equal k, for
   * values in {@code [0, counts.length)} (see {@link IntStreams.Known}); then the small-range
   * counts are taken from them instead of a pass over the values.
   */
  static void encode(long[] v, int n, int depth, boolean allowExceptions, IntStreams.Hints h, MetaOutput out,
      long min, long max, int[] counts) {
    encode(v, n, depth, allowExceptions, h, out, true, min, max, counts);
  }

  private static void encode(long[] v, int n, int depth, boolean allowExceptions, IntStreams.Hints h, MetaOutput out,
      boolean countSmallRanges, long min, long max) {
    encode(v, n, depth, allowExceptions, h, out, countSmallRanges, min, max, null);
  }

  private static void encode(long[] v, int n, int depth, boolean allowExceptions, IntStreams.Hints h, MetaOutput out,
      boolean countSmallRanges, long min, long max, int[] counts) {
    boolean alignWidths = h.alignWidths();
    long scale = commonScale(v, n, min);
    int shift = 0;
    long inverse = 1;
    if (scale == 0) {
      scale = 1;
    } else {
      shift = Long.numberOfTrailingZeros(scale);
      inverse = oddInverse(scale >>> shift);
    }
    // q[i]: the distance to the minimum in units of scale (every value is min + scale * q[i]),
    // only read from here on: the values themselves where they are their distances (most blocks
    // of dictionary codes start at code 0)
    boolean same = scale == 1 && min == 0;
    long[] q = same ? v : scratch(n);
    long qMax = Long.divideUnsigned(max - min, scale);
    // small ranges (dictionary codes, small integers): one count per distinct q, from which every
    // candidate base's exception counts follow exactly (see CountedQ); else bit-width histograms
    CountedQ counted = countSmallRanges && allowExceptions && n >= 64
        && Long.compareUnsigned(qMax, COUNTED_RANGE_PER_VALUE * (long) n + COUNTED_RANGE_MIN) <= 0
        ? (same && counts != null ? new CountedQ(counts, n, (int) qMax)
            : new CountedQ(v, n, min, scale, shift, inverse, (int) qMax, q)) : null;
    if (counted == null && !same) {
      distances(v, n, min, shift, inverse, q);
    }
    long base = min;
    int bits = 0;
    long qBase = 0;
    int patched = -1; // the exception count where values are patched, else -1 (plain packing)
    long[] minHist = null;
    if (allowExceptions && n >= 64) {
      // Prune: if the widest values are common, no exception scheme can pay for itself.
      int topBits;
      long topCount;
      if (counted != null) {
        topBits = BitPacking.bitsFor(qMax);
        topCount = counted.widthCount(topBits);
      } else {
        long[] hist = widthHistogram(q, n);
        minHist = hist;
        topBits = 64;
        while (topBits > 0 && hist[topBits] == 0) {
          topBits--;
        }
        topCount = hist[topBits];
      }
      allowExceptions = topCount * (topBits + 16) < n && topBits > 0;
    }
    if (!allowExceptions || n < 64) {
      bits = BitPacking.bitsFor(qMax); // the largest distance: the maximum's
      if (alignWidths) {
        bits = align(bits);
      }
    } else {
      // candidate bases: the minimum and low percentiles, estimated from a sorted sample
      int sampleSize = Math.min(n, 256);
      // only the lowest twentieth of the sorted sample is used: kept sorted as the sample is read
      long[] sample = lowestOfSample(v, n, sampleSize, sampleSize / 20 + 1);
      int rangeBits = BitPacking.bitsFor(qMax);
      long bestCost = Long.MAX_VALUE;
      long bestExc = 0;
      long[] bases = {min, sample[sampleSize / 100], sample[sampleSize / 50], sample[sampleSize / 20]};
      long[][] hists = new long[bases.length][];
      int[] belows = new int[bases.length];
      if (counted == null) {
        hists[0] = minHist; // nothing is below the minimum
        baseHistograms(v, q, n, min, scale, bases, hists, belows);
      }
      for (int c = 0; c < bases.length; c++) {
        long b = bases[c];
        if (c > 0 && b == bases[c - 1]) {
          continue;
        }
        long qb = Long.divideUnsigned(b - min, scale);
        long below = counted != null ? counted.below(qb) : belows[c];
        long[] hist = hists[c];
        long above = 0;
        for (int w = 64; w >= 0; w--) {
          if (counted != null) {
            above = counted.atOrAbove(qb, w); // values at or above b that need more than w bits
          } else if (w < 64) {
            above += hist[w + 1];
          }
          if (alignWidths && w != align(w)) {
            continue;
          }
          long exc = below + above;
          long cost = (long) n * w + exc * (BitPacking.bitsFor(n) + rangeBits + 2L) + (exc > 0 ? 160 : 0);
          if (cost < bestCost) {
            bestCost = cost;
            bits = w;
            base = b;
            bestExc = exc;
          }
        }
      }
      long maxP = bits == 64 ? -1L : (1L << bits) - 1;
      qBase = Long.divideUnsigned(base - min, scale);
      // where the base is the minimum and the widest distance fits (dictionary codes, most
      // integers) nothing is an exception and the packed values are the distances already in q;
      // else the exceptions (values below the base or too far above it; the counts are exact)
      // are found while packing
      if (qBase != 0 || Long.compareUnsigned(qMax, maxP) > 0) {
        patched = (int) bestExc;
      }
    }
    if (counted != null) {
      counted.release();
    }
    out.u8(ID).u8(bits);
    Varints.writeZigZag(out, base);
    Varints.write(out, scale);
    Varints.write(out, patched < 0 ? 0 : patched);
    int m = 0;
    int[] excPos = null;
    if (patched < 0) {
      BitPacking.pack(q, n, bits, out);
    } else {
      excPos = new int[patched];
      m = BitPacking.packPatched(q, n, bits, qBase, excPos, out);
      if (m != patched) {
        throw new IllegalStateException("FOR counted " + patched + " exceptions but found " + m);
      }
    }
    if (!same) {
      release(q);
    }
    if (m > 0) {
      long[] positions = new long[m];
      long[] values = new long[m];
      for (int k = 0; k < m; k++) {
        positions[k] = excPos[k];
        values[k] = v[excPos[k]];
      }
      IntStreams.encode(positions, m, depth + 1, h.child(), out);
      IntStreams.encode(values, m, depth + 1, h.child(), out);
    }
  }

  // The passes over a block's values are methods of their own, not loops of encode: the JIT
  // compiles each once, small, while a loop inside encode made it compile all of encode again
  // (on-stack replacement) for each hot loop: seven compiles of ~20 KB of code per conversion.

  /**
   * The greatest common divisor of the distances {@code v[i] - min} (unsigned; 0 if all are 0),
   * stopping early at 1.
   */
  static long commonScale(long[] v, int n, long min) {
    long scale = 0;
    // the divisor found so far as a shift and an odd factor's inverse (see divides): most values
    // are its multiples, and a multiply tests that more cheaply than a division
    int shift = 0;
    long inverse = 0;
    long limit = 0;
    for (int i = 0; i < n && scale != 1; i++) {
      long d = v[i] - min;
      // most values are multiples of the divisor found so far: skip Euclid for them
      if (scale == 0 || !divides(d, shift, inverse, limit)) {
        scale = gcd(scale, d);
        if (scale != 0) {
          shift = Long.numberOfTrailingZeros(scale);
          inverse = oddInverse(scale >>> shift);
          limit = Long.divideUnsigned(-1L, scale >>> shift);
        }
      }
    }
    return scale;
  }

  /**
   * {@code q[i] = (v[i] - min) / scale} for a scale of {@code 2^shift} times an odd factor whose
   * inverse is {@code inverse}; every distance is a multiple of scale, so the exact division is
   * a shift and a multiply.
   */
  private static void distances(long[] v, int n, long min, int shift, long inverse, long[] q) {
    if (shift == 0 && inverse == 1) {
      for (int i = 0; i < n; i++) {
        q[i] = v[i] - min;
      }
    } else {
      for (int i = 0; i < n; i++) {
        q[i] = ((v[i] - min) >>> shift) * inverse;
      }
    }
  }

  /** Counts of {@code q[0, n)} by bit width (index 0-64). */
  private static long[] widthHistogram(long[] q, int n) {
    long[] hist = new long[65];
    for (int i = 0; i < n; i++) {
      hist[BitPacking.bitsFor(q[i])]++;
    }
    return hist;
  }

  /**
   * Per-thread scratch for the distances of a stream: a block's
   * encoding makes several FOR candidates of thousands of values, and a fresh zeroed array for
   * each cost more than the selection's passes over it. Taken while in use, so that a cascade's
   * nested FOR (exception streams) gets its own.
   */
  private static final ThreadLocal<long[]> SCRATCH = new ThreadLocal<>();
  /**
   * Larger scratch arrays are not kept (the writer's heap is budgeted): 128 KiB per thread holds
   * the streams of ordinary mini-blocks (a few thousand values).
   */
  private static final int MAX_SCRATCH = 1 << 14;

  /**
   * Per-thread scratch for {@link CountedQ}'s prefix sums (one per FOR candidate of a block of
   * small values: 11 of the 120 MB a conversion of flights-3m allocated), taken while in use like
   * {@link #SCRATCH}.
   */
  private static final ThreadLocal<int[]> CUM_SCRATCH = new ThreadLocal<>();

  /** A zeroed array of at least {@code len} ints: this thread's scratch, or a new one. */
  private static int[] cumScratch(int len) {
    int[] a = CUM_SCRATCH.get();
    if (a != null && a.length >= len) {
      CUM_SCRATCH.set(null);
      java.util.Arrays.fill(a, 0, len, 0);
      return a;
    }
    return new int[Math.max(len, 64)];
  }

  private static long[] scratch(int n) {
    long[] a = SCRATCH.get();
    if (a != null && a.length >= n) {
      SCRATCH.set(null);
      return a;
    }
    return new long[n];
  }

  private static void release(long[] a) {
    if (a.length <= MAX_SCRATCH) {
      SCRATCH.set(a);
    }
  }

  /** A value range up to this many times the value count (plus {@link #COUNTED_RANGE_MIN}) is counted, not histogrammed. */
  static final long COUNTED_RANGE_PER_VALUE = 2;
  static final long COUNTED_RANGE_MIN = 1024;

  /**
   * The values' distances to the minimum in units of the scale ({@code q}), counted per distinct
   * distance with prefix sums, for ranges not much larger than the value count. Exception counts
   * of every candidate base and width are then two array loads each: values below base
   * {@code b} are those with {@code q < qb}, and values at or above it that need more than
   * {@code w} bits are those with {@code q >= qb + 2^w}. The same counts as the bit-width
   * histograms (one pass over the values instead of four), so the same choice.
   */
  private static final class CountedQ {
    /** cum[k]: values with q < k, for k in [0, qMax + 1]. */
    private final int[] cum;
    private final int n;
    private final int qMax;

    /**
     * From counts of the values ({@code counts[k]}: values equal to k), where the values are their
     * own distances (minimum 0, scale 1): the same prefix sums without a pass over the values.
     */
    CountedQ(int[] counts, int n, int qMax) {
      this.n = n;
      this.qMax = qMax;
      int[] c = cumScratch(qMax + 2);
      for (int k = 0; k <= qMax; k++) {
        c[k + 1] = c[k] + counts[k];
      }
      cum = c;
    }

    /** Fills {@code q} (unless it is {@code v}: the values are their distances) and counts it. */
    CountedQ(long[] v, int n, long min, long scale, int shift, long inverse, int qMax, long[] q) {
      this.n = n;
      this.qMax = qMax;
      int[] c = cumScratch(qMax + 2);
      if (q == v) {
        for (int i = 0; i < n; i++) {
          c[(int) v[i] + 1]++;
        }
      } else if (scale == 1) {
        for (int i = 0; i < n; i++) {
          long d = v[i] - min;
          q[i] = d;
          c[(int) d + 1]++;
        }
      } else {
        for (int i = 0; i < n; i++) {
          long d = ((v[i] - min) >>> shift) * inverse; // an exact division (see divides)
          q[i] = d;
          c[(int) d + 1]++;
        }
      }
      for (int k = 1; k < qMax + 2; k++) {
        c[k] += c[k - 1];
      }
      cum = c;
    }

    /** Gives the prefix sums' array back to this thread's scratch (this is not used after). */
    void release() {
      if (cum.length <= MAX_SCRATCH) {
        CUM_SCRATCH.set(cum);
      }
    }

    /** Values with q < k. */
    private long less(long k) {
      return k > qMax ? n : cum[(int) k];
    }

    /** Values below the base of distance {@code qb}. */
    long below(long qb) {
      return less(qb);
    }

    /** Values at or above the base of distance {@code qb} that need more than {@code w} bits. */
    long atOrAbove(long qb, int w) {
      return w >= 63 ? 0 : n - less(qb + (1L << w));
    }

    /** Values whose distance to the minimum needs exactly {@code w} bits. */
    long widthCount(int w) {
      return w == 0 ? less(1) : less(w >= 63 ? Long.MAX_VALUE : 1L << w) - less(1L << (w - 1));
    }
  }

  /**
   * For each candidate base after the first (ascending; a repeat is skipped), the histogram of
   * bit widths of the values at or above it and the count below it, in one pass over the values.
   */
  private static void baseHistograms(long[] v, long[] q, int n, long min, long scale, long[] bases, long[][] hists,
      int[] belows) {
    // b is a value, so b = min + scale * qb and (v - b) / scale = q - qb for v >= b
    long b1 = bases[1];
    long b2 = bases[2];
    long b3 = bases[3];
    long q1 = Long.divideUnsigned(b1 - min, scale);
    long q2 = Long.divideUnsigned(b2 - min, scale);
    long q3 = Long.divideUnsigned(b3 - min, scale);
    long[] h1 = new long[65];
    long[] h2 = new long[65];
    long[] h3 = new long[65];
    int below1 = 0;
    int below2 = 0;
    int below3 = 0;
    for (int i = 0; i < n; i++) {
      long x = v[i];
      long qi = q[i];
      if (x < b1) {
        below1++;
      } else {
        h1[BitPacking.bitsFor(qi - q1)]++;
      }
      if (x < b2) {
        below2++;
      } else {
        h2[BitPacking.bitsFor(qi - q2)]++;
      }
      if (x < b3) {
        below3++;
      } else {
        h3[BitPacking.bitsFor(qi - q3)]++;
      }
    }
    hists[1] = h1;
    hists[2] = h2;
    hists[3] = h3;
    belows[1] = below1;
    belows[2] = below2;
    belows[3] = below3;
  }

  /**
   * The {@code k} smallest of the {@code size} values {@code v[i * n / size]}, ascending: the
   * first {@code k} entries of the sorted sample (duplicates kept), without sorting all of it.
   */
  static long[] lowestOfSample(long[] v, int n, int size, int k) {
    long[] low = new long[k];
    int have = 0;
    // index i * n / size, stepped without a division per sample (floor(i * n / size) grows by
    // n / size, plus one where the remainder wraps)
    int step = n / size;
    int rem = n % size;
    int at = 0;
    int frac = 0;
    for (int i = 0; i < size; i++, at += step, frac += rem) {
      if (frac >= size) {
        frac -= size;
        at++;
      }
      long x = v[at];
      if (have == k) {
        if (x >= low[k - 1]) {
          continue;
        }
        have--; // the largest kept one drops out
      }
      int j = have++;
      while (j > 0 && low[j - 1] > x) {
        low[j] = low[j - 1];
        j--;
      }
      low[j] = x;
    }
    return low;
  }

  private static int align(int bits) {
    return bits == 0 ? 0 : Math.min(64, (bits + 7) & ~7);
  }

  static Decoder decode(EncodedInput in, int n, int depth) {
    int bits = in.u8("bit width");
    if (bits > 64) {
      throw new MalformedEncodingException("bit width " + bits + " is above 64");
    }
    long base = Varints.readZigZag(in, "base");
    long scale = Varints.read(in, "scale");
    if (scale == 0) {
      throw new MalformedEncodingException("scale 0");
    }
    int m = Varints.readCount(in, "exception count", n);
    long bytes = BitPacking.packedBytes(n, bits);
    int start = in.skip(bytes, "packed values");
    int[] positions = null;
    IntDecoder values = null;
    boolean zeroSlots = false;
    if (m > 0) {
      if (depth >= IntStreams.MAX_DEPTH) {
        throw new MalformedEncodingException("exceptions at cascade level " + depth);
      }
      IntDecoder pos = IntStreams.parse(in, m, depth + 1);
      values = IntStreams.parse(in, m, depth + 1);
      positions = PatchPositions.read(pos, m, n, "exception");
      // the writer leaves an exception's packed slot 0 (the format allows any value): if so,
      // get() searches the exceptions only for values whose slot is 0
      zeroSlots = true;
      for (int k = 0; k < m && zeroSlots; k++) {
        zeroSlots = BitPacking.get(in.buffer(), start, (int) (start + bytes), bits, positions[k]) == 0;
      }
    }
    return new Decoder(in.buffer(), start, (int) (start + bytes), bits, base, scale, n, positions, values,
        zeroSlots);
  }

  /**
   * Reads packed values in place; exceptions by binary search ({@code zeroSlots}: every
   * exception's packed slot is 0, so a value whose slot is not 0 is no exception).
   */
  public record Decoder(ByteBuffer buf, int start, int end, int bits, long base, long scale, int size,
      int[] exceptionPositions, IntDecoder exceptionValues, boolean zeroSlots) implements IntDecoder {
    @Override
    public long get(int i) {
      long p = BitPacking.get(buf, start, end, bits, i);
      if (exceptionPositions != null && (p == 0 || !zeroSlots)) {
        int k = Arrays.binarySearch(exceptionPositions, i);
        if (k >= 0) {
          return exceptionValues.get(k);
        }
      }
      return base + scale * p;
    }

    @Override
    public void decode(int from, int n, long[] dst, int off) {
      BitPacking.unpack(buf, start, end, bits, from, n, dst, off, base, scale);
      if (exceptionPositions != null) {
        int k = Arrays.binarySearch(exceptionPositions, from);
        if (k < 0) {
          k = -k - 1;
        }
        for (; k < exceptionPositions.length && exceptionPositions[k] < from + n; k++) {
          dst[off + exceptionPositions[k] - from] = exceptionValues.get(k);
        }
      }
    }

    /** {@link IntDecoder#copyTo} at a checked address: unpacked in chunks, then patched. */
    void writeTo(int from, int n, int width, long addr) {
      if (bits == 0) {
        NativeOut.fill(base, n, width, addr);
      } else {
        long[] chunk = new long[Math.min(n, NativeOut.CHUNK)];
        for (int done = 0; done < n; done += chunk.length) {
          int k = Math.min(chunk.length, n - done);
          BitPacking.unpack(buf, start, end, bits, from + done, k, chunk, 0, base, scale);
          NativeOut.putAll(chunk, 0, k, width, addr + (long) done * width);
        }
      }
      if (exceptionPositions != null) {
        int k = Arrays.binarySearch(exceptionPositions, from);
        if (k < 0) {
          k = -k - 1;
        }
        for (; k < exceptionPositions.length && exceptionPositions[k] < from + n; k++) {
          NativeOut.put(exceptionValues.get(k), width, addr + (long) (exceptionPositions[k] - from) * width);
        }
      }
    }

    @Override
    public long retainedBytes() {
      return exceptionPositions == null ? 0 : 4L * exceptionPositions.length + exceptionValues.retainedBytes();
    }
  }
}
