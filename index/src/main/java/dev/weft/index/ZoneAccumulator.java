package dev.weft.index;

import org.apache.arrow.vector.FieldVector;

/** Collects the zone map of a range of rows of one column, value by value. */
final class ZoneAccumulator {
  private final StatKind kind;
  private long rows;
  private long nulls;
  private long nans;
  private Object min;
  private Object max;

  ZoneAccumulator(StatKind kind) {
    this.kind = kind;
  }

  long rows() {
    return rows;
  }

  /** Adds rows {@code [from, to)} of {@code v} (read with {@code reader}, null for kind NONE). */
  void add(FieldVector v, ValueReader reader, int from, int to) {
    rows += to - from;
    if (reader == null) {
      if (v == null) {
        return;
      }
      for (int i = from; i < to; i++) {
        if (v.isNull(i)) {
          nulls++;
        }
      }
      return;
    }
    if (reader instanceof ValueReader.IntReader ir) {
      addLongs(v, ir, from, to);
      return;
    }
    if (reader instanceof ValueReader.FloatReader fr) {
      addDoubles(v, fr, from, to);
      return;
    }
    if (kind == StatKind.BYTES && (v instanceof org.apache.arrow.vector.BaseVariableWidthVector
        || v instanceof org.apache.arrow.vector.BaseLargeVariableWidthVector)) {
      addVarBytes(v, v instanceof org.apache.arrow.vector.BaseLargeVariableWidthVector, from, to);
      return;
    }
    for (int i = from; i < to; i++) {
      Object x = reader.get(v, i);
      if (x == null) {
        nulls++;
      } else if (kind == StatKind.FLOAT64 && ((Double) x).isNaN()) {
        nans++;
      } else {
        addValue(x);
      }
    }
  }

  /** Integers without boxing each value. */
  private void addLongs(FieldVector v, ValueReader.IntReader ir, int from, int to) {
    org.apache.arrow.memory.ArrowBuf data = v.getDataBuffer();
    boolean unsigned = kind == StatKind.UINT64;
    boolean noNulls = v.getNullCount() == 0;
    boolean any = false;
    long lo = 0;
    long hi = 0;
    for (int i = from; i < to; i++) {
      if (!noNulls && v.isNull(i)) {
        nulls++;
        continue;
      }
      long x = ir.readLong(data, i);
      if (!any) {
        lo = x;
        hi = x;
        any = true;
      } else if (unsigned) {
        if (Long.compareUnsigned(x, lo) < 0) {
          lo = x;
        }
        if (Long.compareUnsigned(x, hi) > 0) {
          hi = x;
        }
      } else {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
    }
    if (any) {
      addValue(lo);
      addValue(hi);
    }
  }

  /**
   * Strings and binary without a byte[] per value: values are compared where they lie (unsigned
   * lexicographic, as {@link StatKind#compare}), and only the chunk's minimum and maximum copied.
   */
  private void addVarBytes(FieldVector v, boolean large, int from, int to) {
    org.apache.arrow.memory.ArrowBuf offsets = v.getOffsetBuffer();
    org.apache.arrow.memory.ArrowBuf data = v.getDataBuffer();
    boolean noNulls = v.getNullCount() == 0;
    long minS = -1;
    long minE = 0;
    long maxS = -1;
    long maxE = 0;
    for (int i = from; i < to; i++) {
      if (!noNulls && v.isNull(i)) {
        nulls++;
        continue;
      }
      long s = large ? offsets.getLong((long) i << 3) : offsets.getInt((long) i << 2);
      long e = large ? offsets.getLong((long) (i + 1) << 3) : offsets.getInt((long) (i + 1) << 2);
      if (minS < 0) {
        minS = s;
        minE = e;
        maxS = s;
        maxE = e;
      } else if (compareSlices(data, s, e, minS, minE) < 0) {
        minS = s;
        minE = e;
      } else if (compareSlices(data, s, e, maxS, maxE) > 0) {
        maxS = s;
        maxE = e;
      }
    }
    if (minS >= 0) {
      addValue(copy(data, minS, minE));
      addValue(copy(data, maxS, maxE));
    }
  }

  private static int compareSlices(org.apache.arrow.memory.ArrowBuf data, long a, long aEnd, long b, long bEnd) {
    long n = Math.min(aEnd - a, bEnd - b);
    if (n < 8 && Math.max(a, b) + 8 <= data.capacity()) {
      // short values (codes, names): one load each, masked to the common prefix, big-endian
      long mask = (1L << (n << 3)) - 1;
      long x = Long.reverseBytes(data.getLong(a) & mask);
      long y = Long.reverseBytes(data.getLong(b) & mask);
      if (x != y) {
        return Long.compareUnsigned(x, y);
      }
      return Long.compare(aEnd - a, bEnd - b);
    }
    long i = 0;
    for (; i + 8 <= n; i += 8) {
      long x = data.getLong(a + i);
      long y = data.getLong(b + i);
      if (x != y) {
        // the first differing byte decides: compare big-endian
        return Long.compareUnsigned(Long.reverseBytes(x), Long.reverseBytes(y));
      }
    }
    for (; i < n; i++) {
      int x = data.getByte(a + i) & 0xFF;
      int y = data.getByte(b + i) & 0xFF;
      if (x != y) {
        return x - y;
      }
    }
    return Long.compare(aEnd - a, bEnd - b);
  }

  private static byte[] copy(org.apache.arrow.memory.ArrowBuf data, long start, long end) {
    byte[] out = new byte[(int) (end - start)];
    data.getBytes(start, out);
    return out;
  }

  /** Floats without boxing each value; NaNs counted, -0.0 as 0.0. */
  private void addDoubles(FieldVector v, ValueReader.FloatReader fr, int from, int to) {
    boolean noNulls = v.getNullCount() == 0;
    boolean any = false;
    double lo = 0;
    double hi = 0;
    for (int i = from; i < to; i++) {
      if (!noNulls && v.isNull(i)) {
        nulls++;
        continue;
      }
      double x = fr.readDouble(v, i);
      if (Double.isNaN(x)) {
        nans++;
      } else if (!any) {
        lo = x;
        hi = x;
        any = true;
      } else {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
    }
    if (any) {
      addValue(StatKind.normalize(lo));
      addValue(StatKind.normalize(hi));
    }
  }

  void addValue(Object x) {
    if (min == null || kind.compare(x, min) < 0) {
      min = x;
    }
    if (max == null || kind.compare(x, max) > 0) {
      max = x;
    }
  }

  /** Merges another zone's stats (row group and file zones are merged from page zones). */
  void merge(ZoneStats z) {
    rows += z.numRows();
    nulls += z.nullCount();
    nans += z.nanCount();
    if (z.min() != null) {
      addValue(z.min());
    }
    if (z.max() != null) {
      addValue(z.max());
    }
  }

  ZoneStats finish() {
    return new ZoneStats(rows, nulls, nans, min, max, true, true);
  }
}
