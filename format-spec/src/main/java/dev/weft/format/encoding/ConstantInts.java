package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;

/**
 * CONSTANT (scheme 1): every value is the same.
 *
 * <pre>
 * ConstantInts --&gt; Scheme u8 = 1, Value ZigZag
 * </pre>
 *
 * Example: 4,096 copies of 7 are the 2 bytes {@code 01 0E} (7 zigzagged is 14).
 *
 * <p>Limits: none. Single value: O(1). The selector picks it whenever the minimum equals the
 * maximum (it is then always the smallest).
 */
public final class ConstantInts {
  public static final int ID = 1;

  private ConstantInts() {}

  public static void encode(long value, MetaOutput out) {
    out.u8(ID);
    Varints.writeZigZag(out, value);
  }

  static Decoder decode(EncodedInput in, int n) {
    return new Decoder(Varints.readZigZag(in, "constant value"), n);
  }

  public record Decoder(long value, int size) implements IntDecoder {
    @Override
    public long get(int i) {
      return value;
    }

    @Override
    public void decode(int from, int n, long[] dst, int off) {
      java.util.Arrays.fill(dst, off, off + n, value);
    }

    @Override
    public long retainedBytes() {
      return 0;
    }
  }
}
