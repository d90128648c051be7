package dev.weft.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.junit.jupiter.api.Test;

/**
 * Zone maps of integer columns are computed from the data buffer's memory (bounds checked once
 * per range): the minimum, maximum and null count must be those of the values as
 * {@link ValueReader} reads them one by one, for every width, signed and unsigned, with and
 * without nulls, over any row range.
 */
class ZoneAccumulatorIntsTest {
  private static void check(BaseFixedWidthVector v, int from, int to) {
    ValueReader reader = ValueReader.of(v.getField());
    ZoneAccumulator z = new ZoneAccumulator(reader.kind());
    z.add(v, reader, from, to);
    ZoneStats s = z.finish();
    Object min = null;
    Object max = null;
    long nulls = 0;
    for (int i = from; i < to; i++) {
      Object x = reader.get(v, i);
      if (x == null) {
        nulls++;
        continue;
      }
      if (min == null || reader.kind().compare(x, min) < 0) {
        min = x;
      }
      if (max == null || reader.kind().compare(x, max) > 0) {
        max = x;
      }
    }
    String where = v.getClass().getSimpleName() + " rows [" + from + ", " + to + ")";
    assertEquals(nulls, s.nullCount(), where);
    assertEquals(to - from, s.numRows(), where);
    if (min == null) {
      assertNull(s.min(), where);
    } else {
      assertEquals(min, s.min(), "min of " + where);
      assertEquals(max, s.max(), "max of " + where);
    }
  }

  private static void fill(BaseFixedWidthVector v, int n, SplittableRandom rnd, boolean withNulls) {
    v.allocateNew(n);
    for (int i = 0; i < n; i++) {
      long x = rnd.nextLong();
      if (withNulls && rnd.nextInt(8) == 0) {
        v.setNull(i);
      } else if (v instanceof BigIntVector b) {
        b.set(i, x);
      } else if (v instanceof UInt8Vector b) {
        b.set(i, x);
      } else if (v instanceof IntVector b) {
        b.set(i, (int) x);
      } else if (v instanceof UInt4Vector b) {
        b.set(i, (int) x);
      } else if (v instanceof SmallIntVector b) {
        b.set(i, (short) x);
      } else if (v instanceof TinyIntVector b) {
        b.set(i, (byte) x);
      } else if (v instanceof UInt1Vector b) {
        b.set(i, (byte) x);
      }
    }
    v.setValueCount(n);
  }

  @Test
  void minMaxAndNullsMatchValueByValueReads() {
    SplittableRandom rnd = new SplittableRandom(5);
    int n = 3_000;
    try (BufferAllocator a = new RootAllocator()) {
      BaseFixedWidthVector[] vectors = {new BigIntVector("i64", a), new UInt8Vector("u64", a), new IntVector("i32", a),
          new UInt4Vector("u32", a), new SmallIntVector("i16", a), new TinyIntVector("i8", a), new UInt1Vector("u8", a)};
      try {
        for (BaseFixedWidthVector v : vectors) {
          for (boolean withNulls : new boolean[] {false, true}) {
            fill(v, n, rnd, withNulls);
            for (int k = 0; k < 100; k++) {
              int from = rnd.nextInt(n);
              int to = Math.min(n, from + rnd.nextInt(1 + (k % 3 == 0 ? n : 20)));
              check(v, from, to);
            }
            check(v, 0, n);
          }
        }
      } finally {
        for (BaseFixedWidthVector v : vectors) {
          v.close();
        }
      }
    }
  }
}
