package dev.weft.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.Test;

/**
 * Zone maps of string and binary columns are computed where the values lie (no byte[] per
 * value): the minimum and maximum must be those of {@link StatKind#compare}, unsigned
 * lexicographic, over any bytes, lengths, shared prefixes and nulls.
 */
class ZoneAccumulatorBytesTest {
  private static byte[] value(SplittableRandom rnd) {
    int len = rnd.nextInt(4) == 0 ? rnd.nextInt(40) : rnd.nextInt(4);
    byte[] b = new byte[len];
    for (int i = 0; i < len; i++) {
      // few distinct bytes, so that values share long prefixes; high bytes test unsigned order
      b[i] = (byte) (rnd.nextBoolean() ? 0x41 + rnd.nextInt(3) : 0xF0 + rnd.nextInt(3));
    }
    return b;
  }

  private static void check(FieldVector v, byte[][] values, int from, int to) {
    ZoneAccumulator z = new ZoneAccumulator(StatKind.BYTES);
    z.add(v, ValueReader.of(v.getField()), from, to);
    ZoneStats s = z.finish();
    byte[] min = null;
    byte[] max = null;
    long nulls = 0;
    for (int i = from; i < to; i++) {
      byte[] x = values[i];
      if (x == null) {
        nulls++;
        continue;
      }
      if (min == null || Arrays.compareUnsigned(x, min) < 0) {
        min = x;
      }
      if (max == null || Arrays.compareUnsigned(x, max) > 0) {
        max = x;
      }
    }
    assertEquals(nulls, s.nullCount());
    assertEquals(to - from, s.numRows());
    if (min == null) {
      assertNull(s.min());
    } else {
      assertArrayEquals(min, (byte[]) s.min(), "min of rows [" + from + ", " + to + ")");
      assertArrayEquals(max, (byte[]) s.max(), "max of rows [" + from + ", " + to + ")");
    }
  }

  @Test
  void minAndMaxAreThoseOfUnsignedLexicographicOrder() {
    SplittableRandom rnd = new SplittableRandom(11);
    int n = 5_000;
    byte[][] values = new byte[n][];
    for (int i = 0; i < n; i++) {
      values[i] = rnd.nextInt(10) == 0 ? null : value(rnd);
    }
    try (BufferAllocator a = new RootAllocator();
        VarCharVector small = new VarCharVector("s", a);
        LargeVarBinaryVector large = new LargeVarBinaryVector("b", a)) {
      for (FieldVector v : new FieldVector[] {small, large}) {
        v.allocateNew();
        for (int i = 0; i < n; i++) {
          if (values[i] == null) {
            v.setNull(i);
          } else if (v instanceof BaseVariableWidthVector w) {
            w.setSafe(i, values[i]);
          } else {
            ((BaseLargeVariableWidthVector) v).setSafe(i, values[i]);
          }
        }
        v.setValueCount(n);
        for (int k = 0; k < 200; k++) {
          int from = rnd.nextInt(n);
          int to = Math.min(n, from + rnd.nextInt(1 + (k % 3 == 0 ? n : 20)));
          check(v, values, from, to);
        }
        check(v, values, 0, n);
      }
    }
  }
}
