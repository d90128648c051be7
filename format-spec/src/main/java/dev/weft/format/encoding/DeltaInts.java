package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;

/**
 * DELTA (scheme 3): the first value, then the differences of consecutive values as a cascaded
 * integer stream (usually FOR-bit-packed, so sorted or slowly changing data costs a few bits per
 * value; the FOR scale factor removes a common step such as 60,000,000 µs).
 *
 * <pre>
 * DeltaInts --&gt; Scheme u8 = 3, First ZigZag, Deltas IntStream(n - 1)
 * </pre>
 *
 * Value 0 is First; value i is value i-1 + Deltas[i-1], modulo 2^64. Requires n &gt;= 1.
 * Example: 100, 101, 103, 106 are First 100 and deltas 1, 2, 3 (FOR: base 1, 2 bits).
 *
 * <p>Limits: needs a level below ({@link IntStreams#MAX_DEPTH}). Single value: a prefix sum
 * within the mini-block; the first read of a block materialises its values (O(n), 8n bytes), so
 * later reads are O(1). Selection: tried when the deltas span fewer bits than the values.
 */
public final class DeltaInts {
  public static final int ID = 3;

  private DeltaInts() {}

  public static void encode(long[] v, int n, int depth, IntStreams.Hints h, MetaOutput out) {
    if (n < 1) {
      throw new IllegalArgumentException("delta needs a value");
    }
    long[] d = deltas(v, n);
    out.u8(ID);
    Varints.writeZigZag(out, v[0]);
    IntStreams.encode(d, n - 1, depth + 1, h.child(), out);
  }

  /** The differences of neighbours: {@code v[i] - v[i - 1]} for i in [1, n). */
  static long[] deltas(long[] v, int n) {
    long[] d = new long[n - 1];
    for (int i = 1; i < n; i++) {
      d[i - 1] = v[i] - v[i - 1];
    }
    return d;
  }

  static Decoder decode(EncodedInput in, int n, int depth) {
    if (n < 1) {
      throw new MalformedEncodingException("delta stream of no values");
    }
    if (depth >= IntStreams.MAX_DEPTH) {
      throw new MalformedEncodingException("delta at cascade level " + depth);
    }
    long first = Varints.readZigZag(in, "delta first value");
    IntDecoder deltas = IntStreams.parse(in, n - 1, depth + 1);
    return new Decoder(first, deltas, n);
  }

  /** Materialises the prefix sums on first use. */
  public static final class Decoder implements IntDecoder {
    private final long first;
    private final IntDecoder deltas;
    private final int size;
    private volatile long[] values;

    Decoder(long first, IntDecoder deltas, int size) {
      this.first = first;
      this.deltas = deltas;
      this.size = size;
    }

    private long[] values() {
      long[] v = values;
      if (v == null) {
        v = new long[size];
        deltas.decode(0, size - 1, v, 1);
        v[0] = first;
        for (int i = 1; i < size; i++) {
          v[i] += v[i - 1];
        }
        values = v;
      }
      return v;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public long get(int i) {
      return values()[i];
    }

    @Override
    public void decode(int from, int n, long[] dst, int off) {
      System.arraycopy(values(), from, dst, off, n);
    }

    /** {@link IntDecoder#copyTo} at a checked address, from the prefix sums. */
    void writeTo(int from, int n, int width, long addr) {
      NativeOut.putAll(values(), from, n, width, addr);
    }

    @Override
    public long retainedBytes() {
      return 8L * size + deltas.retainedBytes();
    }
  }
}
