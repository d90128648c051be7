package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Conformance of {@link DictionaryInts}: adversarial inputs, random access, corrupt streams. */
class DictionaryIntsTest extends EncodingConformanceTest<long[]> {
  @Override
  List<Input<long[]>> inputs() {
    List<Input<long[]>> all = new ArrayList<>();
    all.addAll(IntCases.integers(8));
    all.addAll(IntCases.integers(1));
    all.addAll(IntCases.floatBits(4));
    return all;
  }

  @Override
  boolean encode(long[] v, MetaOutput out) {
    long[] distinct = IntStreams.distinctSorted(v, v.length, v.length);
    DictionaryInts.encode(v, v.length, distinct, 1, IntCases.HINTS, out);
    return true;
  }

  @Override
  void checkDecoded(long[] like, EncodedInput in, Random rnd) {
    IntCases.check(like, in, DictionaryInts.ID, rnd);
  }

  @Override
  void readAll(long[] like, EncodedInput in) {
    IntCases.readAll(like.length, in);
  }
}
