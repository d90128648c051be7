package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Conformance of {@link RunLengthInts}: adversarial inputs, random access, corrupt streams. */
class RunLengthIntsTest extends EncodingConformanceTest<long[]> {
  @Override
  List<Input<long[]>> inputs() {
    List<Input<long[]>> all = new ArrayList<>();
    all.addAll(IntCases.integers(8));
    all.addAll(IntCases.integers(2));
    all.addAll(IntCases.floatBits(8));
    return all;
  }

  @Override
  boolean encode(long[] v, MetaOutput out) {
    RunLengthInts.encode(v, v.length, 1, IntCases.HINTS, out);
    return true;
  }

  @Override
  void checkDecoded(long[] like, EncodedInput in, Random rnd) {
    IntCases.check(like, in, RunLengthInts.ID, rnd);
  }

  @Override
  void readAll(long[] like, EncodedInput in) {
    IntCases.readAll(like.length, in);
  }
}
