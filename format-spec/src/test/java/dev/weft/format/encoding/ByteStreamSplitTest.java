package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Conformance of {@link ByteStreamSplit}: adversarial inputs, random access, corrupt streams. */
class ByteStreamSplitTest extends EncodingConformanceTest<long[]> {
  @Override
  List<Input<long[]>> inputs() {
    List<Input<long[]>> all = new ArrayList<>();
    all.addAll(IntCases.floatBits(4));
    all.addAll(IntCases.floatBits(8));
    all.addAll(IntCases.integers(2));
    return all;
  }

  @Override
  boolean encode(long[] v, MetaOutput out) {
    ByteStreamSplit.encode(v, v.length, width(v), 1, IntCases.HINTS, out);
    return true;
  }

  /** The narrowest width that holds every (sign-extended) value. */
  private static int width(long[] v) {
    long min = 0;
    long max = 0;
    for (long x : v) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    return PlainInts.widthFor(min, max);
  }

  @Override
  void checkDecoded(long[] like, EncodedInput in, Random rnd) {
    IntCases.check(like, in, ByteStreamSplit.ID, rnd);
  }

  @Override
  void readAll(long[] like, EncodedInput in) {
    IntCases.readAll(like.length, in);
  }
}
