package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.MetaOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Conformance of {@link AlpFloats}: decimals in disguise, specials as exceptions, corrupt streams. */
class AlpFloatsTest extends EncodingConformanceTest<long[]> {
  @Override
  List<Input<long[]>> inputs() {
    List<Input<long[]>> all = new ArrayList<>();
    all.addAll(IntCases.floatBits(4));
    all.addAll(IntCases.floatBits(8));
    return all;
  }

  @Override
  boolean encode(long[] v, MetaOutput out) {
    return AlpFloats.encode(v, v.length, widthOf(v), 1, IntCases.HINTS, out);
  }

  /** IntCases float inputs of width 4 hold sign-extended int bits; doubles use the high bytes. */
  private static int widthOf(long[] v) {
    for (long x : v) {
      if (x != (int) x) {
        return 8;
      }
    }
    return 4;
  }

  @Override
  void checkDecoded(long[] like, EncodedInput in, Random rnd) {
    IntCases.check(like, in, AlpFloats.ID, rnd);
  }

  @Override
  void readAll(long[] like, EncodedInput in) {
    IntCases.readAll(like.length, in);
  }

  @Test
  void decimalsBecomeNarrowIntegers() {
    for (Input<long[]> in : IntCases.floatBits(8)) {
      if (in.name().startsWith("ratios")) {
        MetaOutput out = new MetaOutput(64);
        assertTrue(AlpFloats.encode(in.data(), in.data().length, 8, 1, IntCases.HINTS, out));
        // 2,000 thousandths need 10 bits each, not 64
        assertTrue(out.size() < in.data().length * 2, "ALP of ratios takes " + out.size() + " bytes");
      }
    }
  }
}
