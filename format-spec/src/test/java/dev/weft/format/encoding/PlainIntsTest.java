package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Conformance of {@link PlainInts}: adversarial inputs, random access, corrupt streams. */
class PlainIntsTest extends EncodingConformanceTest<long[]> {
  @Override
  List<Input<long[]>> inputs() {
    List<Input<long[]>> all = new ArrayList<>();
    all.addAll(IntCases.integers(8));
    all.addAll(IntCases.floatBits(4));
    return all;
  }

  @Override
  boolean encode(long[] v, MetaOutput out) {
    PlainInts.encode(v, v.length, 8, out);
    return true;
  }

  @Override
  void checkDecoded(long[] like, EncodedInput in, Random rnd) {
    IntCases.check(like, in, PlainInts.ID, rnd);
  }

  @Override
  void readAll(long[] like, EncodedInput in) {
    IntCases.readAll(like.length, in);
  }
}
