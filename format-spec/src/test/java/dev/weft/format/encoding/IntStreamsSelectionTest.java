package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Conformance of the selector ({@link IntStreams#encode}): whatever cascade it picks for each
 * adversarial input (at most {@link IntStreams#MAX_DEPTH} levels) decodes to the input, also
 * with widths rounded to bytes and with floats split.
 */
class IntStreamsSelectionTest extends EncodingConformanceTest<long[]> {
  @Override
  List<Input<long[]>> inputs() {
    List<Input<long[]>> all = new ArrayList<>();
    for (int w : new int[] {1, 2, 4, 8}) {
      all.addAll(IntCases.integers(w));
    }
    all.addAll(IntCases.floatBits(4));
    all.addAll(IntCases.floatBits(8));
    return all;
  }

  @Override
  boolean encode(long[] v, MetaOutput out) {
    boolean align = v.length % 2 == 1;
    IntStreams.encode(v, v.length, 1, new IntStreams.Hints(8, v.length % 3 == 0, align, align), out);
    return true;
  }

  @Override
  void checkDecoded(long[] like, EncodedInput in, Random rnd) {
    IntCases.check(like, in, -1, rnd);
  }

  @Override
  void readAll(long[] like, EncodedInput in) {
    IntCases.readAll(like.length, in);
  }
}
