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
