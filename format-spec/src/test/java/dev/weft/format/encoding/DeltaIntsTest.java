package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Conformance of {@link DeltaInts}: adversarial inputs, random access, corrupt streams. */
class DeltaIntsTest extends EncodingConformanceTest<long[]> {
  @Override
  List<Input<long[]>> inputs() {
    List<Input<long[]>> all = new ArrayList<>();
    all.addAll(IntCases.integers(8));
    all.addAll(IntCases.integers(4));
    return all;
  }

  @Override
  boolean encode(long[] v, MetaOutput out) {
    if (v.length == 0) {
      return false;
    }
    DeltaInts.encode(v, v.length, 1, IntCases.HINTS, out);
    return true;
  }

  @Override
  void checkDecoded(long[] like, EncodedInput in, Random rnd) {
    IntCases.check(like, in, DeltaInts.ID, rnd);
  }

  @Override
  void readAll(long[] like, EncodedInput in) {
    IntCases.readAll(like.length, in);
  }
}
