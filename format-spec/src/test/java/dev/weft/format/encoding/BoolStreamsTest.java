package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.format.MetaOutput;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Conformance of {@link BoolStreams} (validity and BOOL values), each scheme forced in turn:
 * all valid, all null, alternating nulls, runs, one value, random bits.
 */
class BoolStreamsTest extends EncodingConformanceTest<BoolStreamsTest.Bits> {
  /** {@code n} bits of a bitmap, to be encoded with {@code scheme} (-1: the selector's choice). */
  record Bits(byte[] bitmap, int n, int scheme) {}

  private static Bits bits(int n, int scheme, java.util.function.IntPredicate set) {
    byte[] b = new byte[(n + 7) / 8];
    for (int i = 0; i < n; i++) {
      if (set.test(i)) {
        b[i >>> 3] |= (byte) (1 << (i & 7));
      }
    }
    return new Bits(b, n, scheme);
  }

  @Override
  List<Input<Bits>> inputs() {
    List<Input<Bits>> all = new ArrayList<>();
    Random rnd = new Random(SEED);
    for (int scheme = -1; scheme <= BoolStreams.RUNS; scheme++) {
      String s = scheme < 0 ? "selected" : BoolStreams.name(scheme);
      all.add(new Input<>(s + ": all valid", bits(3000, scheme, i -> true)));
      all.add(new Input<>(s + ": all null", bits(3000, scheme, i -> false)));
      all.add(new Input<>(s + ": alternating", bits(3001, scheme, i -> i % 2 == 0)));
      all.add(new Input<>(s + ": runs", bits(4096, scheme, i -> (i / 100) % 3 == 0)));
      all.add(new Input<>(s + ": one value", bits(1, scheme, i -> true)));
      all.add(new Input<>(s + ": random", bits(999, scheme, i -> rnd.nextBoolean())));
    }
    return all;
  }

  @Override
  boolean encode(Bits data, MetaOutput out) {
    boolean constant = true;
    for (int i = 1; i < data.n(); i++) {
      constant &= bit(data, i) == bit(data, 0);
    }
    if (data.scheme() == BoolStreams.CONSTANT && !constant) {
      return false;
    }
    BoolStreams.encode(ByteBuffer.wrap(data.bitmap()), 0, data.n(), 1, IntCases.HINTS, out, data.scheme());
    return true;
  }

  private static boolean bit(Bits d, int i) {
    return (d.bitmap()[i >>> 3] & (1 << (i & 7))) != 0;
  }

  @Override
  void checkDecoded(Bits like, EncodedInput in, Random rnd) {
    int scheme = in.buffer().get(in.position());
    if (like.scheme() >= 0) {
      assertEquals(like.scheme(), scheme, "scheme");
    }
    byte[] got = BoolStreams.decode(in, like.n(), 1);
    byte[] want = like.bitmap().clone();
    if ((like.n() & 7) != 0) {
      want[want.length - 1] &= (byte) ((1 << (like.n() & 7)) - 1);
    }
    assertArrayEquals(want, got);
  }

  @Override
  void readAll(Bits like, EncodedInput in) {
    BoolStreams.decode(in, like.n(), 1);
  }
}
