package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.util.Arrays;

/**
 * RLE (scheme 4): runs of equal values, as two cascaded streams: the value of each run and its
 * length.
 *
 * <pre>
 * RunLengthInts --&gt; Scheme u8 = 4, NumRuns VarInt (1..n), Values IntStream(NumRuns), Lengths IntStream(NumRuns)
 * </pre>
 *
 * Every length is &gt;= 1 and the lengths add up to n (checked when the block is parsed).
 * Example: 5 5 5 9 9 5 is 3 runs, values 5, 9, 5 and lengths 3, 2, 1.
 *
 * <p>Limits: needs a level below ({@link IntStreams#MAX_DEPTH}); at most n runs. Single value:
 * O(log NumRuns) by binary search over the run ends, which are built when the block is parsed
 * (4 bytes per run). Selection: tried when the average run is at least 2 values.
 */
public final class RunLengthInts {
  public static final int ID = 4;

  private RunLengthInts() {}

  /** Number of runs of equal consecutive values in {@code v[0, n)}. */
  public static int runs(long[] v, int n) {
    if (n == 0) {
      return 0;
    }
    int r = 1;
    long prev = v[0];
    for (int i = 1; i < n; i++) {
      long x = v[i];
      if (x != prev) {
        r++;
        prev = x;
      }
    }
    return r;
  }

  public static void encode(long[] v, int n, int depth, IntStreams.Hints h, MetaOutput out) {
    encode(v, n, runs(v, n), depth, h, out);
  }

  /** As above, given {@code runs = runs(v, n)} (the selection counted them already). */
  static void encode(long[] v, int n, int runs, int depth, IntStreams.Hints h, MetaOutput out) {
    long[] values = new long[runs];
    long[] lengths = new long[runs];
    split(v, n, values, lengths);
    out.u8(ID);
    Varints.write(out, runs);
    IntStreams.encode(values, runs, depth + 1, h.child(), out);
    IntStreams.encode(lengths, runs, depth + 1, h.child(), out);
  }

  /** Fills each run's value and length ({@code values} and {@code lengths} hold one per run). */
  static void split(long[] v, int n, long[] values, long[] lengths) {
    if (n > 0) {
      // a run's length is written when it ends (not counted up in memory value by value)
      int r = 0;
      int start = 0;
      long prev = v[0];
      values[0] = prev;
      for (int i = 1; i < n; i++) {
        long x = v[i];
        if (x != prev) {
          lengths[r] = i - start;
          values[++r] = x;
          start = i;
          prev = x;
        }
      }
      lengths[r] = n - start;
    }
  }

  static Decoder decode(EncodedInput in, int n, int depth) {
    if (depth >= IntStreams.MAX_DEPTH) {
      throw new MalformedEncodingException("run-length at cascade level " + depth);
    }
    int runs = Varints.readCount(in, "run count", n);
    if (runs == 0 && n > 0) {
      throw new MalformedEncodingException("no runs for " + n + " values");
    }
    IntDecoder values = IntStreams.parse(in, runs, depth + 1);
    IntDecoder lengths = IntStreams.parse(in, runs, depth + 1);
    int[] ends = new int[runs];
    long end = 0;
    for (int r = 0; r < runs; r++) {
      long len = lengths.get(r);
      if (len < 1 || len > n - end) {
        throw new MalformedEncodingException("run " + r + " of length " + len + " runs past " + n + " values");
      }
      end += len;
      ends[r] = (int) end;
    }
    if (end != n) {
      throw new MalformedEncodingException("runs cover " + end + " of " + n + " values");
    }
    return new Decoder(values, ends, n);
  }

  public record Decoder(IntDecoder values, int[] ends, int size) implements IntDecoder {
    /** The run holding value i: the first run whose end is above i. */
    private int run(int i) {
      int k = Arrays.binarySearch(ends, i);
      return k >= 0 ? k + 1 : -k - 1;
    }

    @Override
    public long get(int i) {
      return values.get(run(i));
    }

    @Override
    public void decode(int from, int n, long[] dst, int off) {
      int r = run(from);
      int i = from;
      int to = from + n;
      while (i < to) {
        int stop = Math.min(to, ends[r]);
        Arrays.fill(dst, off + i - from, off + stop - from, values.get(r));
        i = stop;
        r++;
      }
    }

    /** {@link IntDecoder#copyTo} at a checked address: one fill per run. */
    void writeTo(int from, int n, int width, long addr) {
      int r = run(from);
      int i = from;
      int to = from + n;
      while (i < to) {
        int stop = Math.min(to, ends[r]);
        NativeOut.fill(values.get(r), stop - i, width, addr + (long) (i - from) * width);
        i = stop;
        r++;
      }
    }

    @Override
    public long retainedBytes() {
      return 4L * ends.length + values.retainedBytes();
    }
  }
}
