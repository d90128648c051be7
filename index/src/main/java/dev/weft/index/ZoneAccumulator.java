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
