package dev.weft.index;

import org.apache.arrow.memory.util.MemoryUtil;
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
    add(v, reader, from, to, v != null && v.getNullCount() == 0);
  }

  /**
   * As above, given whether {@code v} has no null at all (Arrow counts a vector's nulls over its
   * whole validity bitmap, so the caller counts once for the many zones of one batch).
   */
  void add(FieldVector v, ValueReader reader, int from, int to, boolean noNulls) {
    add(v, reader, from, to, noNulls, null);
  }

  /**
   * As above; for strings and binary with {@code distinct} (rows of equal values marked by value
   * ids, see {@link IdFilter}), only the first row of each id is compared.
   */
  void add(FieldVector v, ValueReader reader, int from, int to, boolean noNulls, IdFilter distinct) {
    rows += to - from;
    if (reader == null) {
      if (v == null || noNulls) {
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
      addLongs(v, ir, from, to, noNulls);
      return;
    }
    if (reader instanceof ValueReader.FloatReader fr) {
      addDoubles(v, fr, from, to, noNulls);
      return;
    }
    if (kind == StatKind.BYTES && distinct != null && distinct.valueBytes != null) {
      addBytesById(v, from, to, noNulls, distinct);
      return;
    }
    if (kind == StatKind.BYTES && (v instanceof org.apache.arrow.vector.BaseVariableWidthVector
        || v instanceof org.apache.arrow.vector.BaseLargeVariableWidthVector)) {
      addVarBytes(v, v instanceof org.apache.arrow.vector.BaseLargeVariableWidthVector, from, to, noNulls, distinct);
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

  /**
   * Integers without boxing each value, read straight from the data buffer's memory: the range is
   * bounds-checked once, not value by value (Arrow's per-access checks cost more than the minimum
   * and maximum themselves when the writer is not compiled by C2).
   */
  private void addLongs(FieldVector v, ValueReader.IntReader ir, int from, int to, boolean noNulls) {
    org.apache.arrow.memory.ArrowBuf data = v.getDataBuffer();
    int width = ir.width();
    if (from >= to) {
      return;
    }
    checkRange(data, (long) from * width, (long) to * width, v);
    long addr = data.memoryAddress();
    boolean unsigned = kind == StatKind.UINT64;
    if (noNulls && !unsigned && width == 8) {
      // the common case (int64, timestamps) in one tight loop
      long lo = MemoryUtil.getLong(addr + ((long) from << 3));
      long hi = lo;
      for (long p = addr + ((long) from << 3) + 8, end = addr + ((long) to << 3); p < end; p += 8) {
        long x = MemoryUtil.getLong(p);
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
      addValue(lo);
      addValue(hi);
      return;
    }
    boolean any = false;
    long lo = 0;
    long hi = 0;
    for (int i = from; i < to; i++) {
      if (!noNulls && v.isNull(i)) {
        nulls++;
        continue;
      }
      long x = ir.readLong(addr, i);
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

  /** Fails unless bytes {@code [start, end)} lie inside {@code buf}. */
  private static void checkRange(org.apache.arrow.memory.ArrowBuf buf, long start, long end, FieldVector v) {
    if (start < 0 || end < start || end > buf.capacity()) {
      throw new IllegalArgumentException("column '" + v.getField().getName() + "': bytes [" + start + ", " + end
          + ") lie outside its buffer of " + buf.capacity() + " bytes");
    }
  }

  /**
   * Strings and binary without a byte[] per value: values are compared where they lie (unsigned
   * lexicographic, as {@link StatKind#compare}), and only the chunk's minimum and maximum copied.
   * Memory is read directly: the offsets' range is checked once, and each value's start and end
   * against the data buffer (Arrow's per-access checks cost more than the comparisons).
   */
  private void addVarBytes(FieldVector v, boolean large, int from, int to, boolean noNulls, IdFilter distinct) {
    if (from >= to) {
      return;
    }
    if (distinct != null) {
      addVarBytesWithIds(v, large, from, to, noNulls, distinct);
      return;
    }
    org.apache.arrow.memory.ArrowBuf offsets = v.getOffsetBuffer();
    org.apache.arrow.memory.ArrowBuf data = v.getDataBuffer();
    int shift = large ? 3 : 2;
    checkRange(offsets, (long) from << shift, (long) (to + 1) << shift, v);
    long offAddr = offsets.memoryAddress();
    long addr = data.memoryAddress();
    long cap = data.capacity();
    long minS = -1;
    long minE = 0;
    long maxS = -1;
    long maxE = 0;
    long minKey = 0;
    long maxKey = 0;
    boolean minShort = false;
    boolean maxShort = false;
    // each value's end is the next one's start: one offset load per value
    long next = large ? MemoryUtil.getLong(offAddr + ((long) from << 3)) : MemoryUtil.getInt(offAddr + ((long) from << 2));
    for (int i = from; i < to; i++) {
      long s = next;
      long e = large ? MemoryUtil.getLong(offAddr + ((long) (i + 1) << 3))
          : MemoryUtil.getInt(offAddr + ((long) (i + 1) << 2));
      next = e;
      if (!noNulls && v.isNull(i)) {
        nulls++;
        continue;
      }
      if (s < 0 || e < s || e > cap) {
        throw new IllegalArgumentException("column '" + v.getField().getName() + "': value " + i + " at bytes ["
            + s + ", " + e + ") lies outside its data buffer of " + cap + " bytes");
      }
      long len = e - s;
      // a value under 8 bytes is one big-endian key, zero-padded: keys order short values as
      // the bytes do, with the length deciding between equal keys (a prefix sorts first)
      boolean short8 = len < 8 && s + 8 <= cap;
      long key = short8 ? Long.reverseBytes(MemoryUtil.getLong(addr + s) & ((1L << (len << 3)) - 1)) : 0;
      if (minS < 0) {
        minS = s;
        minE = e;
        maxS = s;
        maxE = e;
        minKey = key;
        maxKey = key;
        minShort = short8;
        maxShort = short8;
      } else if ((short8 && minShort ? compareKeys(key, len, minKey, minE - minS)
          : compareSlices(addr, cap, s, e, minS, minE)) < 0) {
        minS = s;
        minE = e;
        minKey = key;
        minShort = short8;
      } else if ((short8 && maxShort ? compareKeys(key, len, maxKey, maxE - maxS)
          : compareSlices(addr, cap, s, e, maxS, maxE)) > 0) {
        maxS = s;
        maxE = e;
        maxKey = key;
        maxShort = short8;
      }
    }
    if (minS >= 0) {
      addValue(copy(data, minS, minE));
      addValue(copy(data, maxS, maxE));
    }
  }

  /**
   * As the loop above, for rows with value ids ({@code distinct}, never null): a row whose id the
   * range has shown already is skipped, and a value under 8 bytes whose key is known from an
   * earlier range is compared without reading it. The same minimum and maximum.
   */
  private void addVarBytesWithIds(FieldVector v, boolean large, int from, int to, boolean noNulls,
      IdFilter distinct) {
    org.apache.arrow.memory.ArrowBuf offsets = v.getOffsetBuffer();
    org.apache.arrow.memory.ArrowBuf data = v.getDataBuffer();
    int shift = large ? 3 : 2;
    checkRange(offsets, (long) from << shift, (long) (to + 1) << shift, v);
    long offAddr = offsets.memoryAddress();
    long addr = data.memoryAddress();
    long cap = data.capacity();
    int[] ids = distinct.ids;
    int[] seen = distinct.seen;
    int[] lens = distinct.lens;
    long[] keys = distinct.keys;
    int stamp = distinct.nextRange();
    int minRow = -1;
    int maxRow = -1;
    long minKey = 0;
    long maxKey = 0;
    long minLen = 0;
    long maxLen = 0;
    boolean minShort = false;
    boolean maxShort = false;
    for (int i = from; i < to; i++) {
      if (!noNulls && v.isNull(i)) {
        nulls++;
        continue;
      }
      int id = ids[i];
      long key;
      long len;
      boolean short8;
      int known = 0;
      if (id >= 0) {
        if (seen[id] == stamp) {
          continue;
        }
        seen[id] = stamp;
        known = lens[id];
      }
      if (known > 0) {
        short8 = true;
        len = known - 1;
        key = keys[id];
      } else {
        long s = start(offAddr, large, i);
        long e = start(offAddr, large, i + 1);
        if (s < 0 || e < s || e > cap) {
          throw new IllegalArgumentException("column '" + v.getField().getName() + "': value " + i + " at bytes ["
              + s + ", " + e + ") lies outside its data buffer of " + cap + " bytes");
        }
        len = e - s;
        short8 = len < 8 && s + 8 <= cap;
        key = short8 ? Long.reverseBytes(MemoryUtil.getLong(addr + s) & ((1L << (len << 3)) - 1)) : 0;
        if (id >= 0 && known == 0) {
          lens[id] = short8 ? (int) len + 1 : -1;
          keys[id] = key;
        }
      }
      if (minRow < 0) {
        minRow = i;
        maxRow = i;
        minKey = key;
        maxKey = key;
        minLen = len;
        maxLen = len;
        minShort = short8;
        maxShort = short8;
      } else if ((short8 && minShort ? compareKeys(key, len, minKey, minLen)
          : compareRows(offAddr, large, addr, cap, i, minRow)) < 0) {
        minRow = i;
        minKey = key;
        minLen = len;
        minShort = short8;
      } else if ((short8 && maxShort ? compareKeys(key, len, maxKey, maxLen)
          : compareRows(offAddr, large, addr, cap, i, maxRow)) > 0) {
        maxRow = i;
        maxKey = key;
        maxLen = len;
        maxShort = short8;
      }
    }
    if (minRow >= 0) {
      addValue(copy(data, start(offAddr, large, minRow), start(offAddr, large, minRow + 1)));
      addValue(copy(data, start(offAddr, large, maxRow), start(offAddr, large, maxRow + 1)));
    }
  }

  /**
   * As {@link #addVarBytesWithIds}, for values given by id: each row's value is its id's entry in
   * {@code distinct}'s scope (the vector's data buffer is not read, only its validity). The same
   * minimum and maximum.
   */
  private void addBytesById(FieldVector v, int from, int to, boolean noNulls, IdFilter distinct) {
    int[] ids = distinct.ids;
    int[] seen = distinct.seen;
    int stamp = distinct.nextRange();
    // first the range's distinct ids, in order of first occurrence (a tight loop: most rows repeat an id)
    int[] firsts = distinct.firsts(to - from);
    int count = 0;
    for (int i = from; i < to; i++) {
      if (!noNulls && v.isNull(i)) {
        nulls++;
        continue;
      }
      int id = ids[i];
      if (id < 0) {
        throw new IllegalArgumentException("column '" + v.getField().getName() + "': row " + i
            + " has no value id but its values are given by id");
      }
      if (seen[id] != stamp) {
        seen[id] = stamp;
        firsts[count++] = id;
      }
    }
    byte[] db = distinct.valueBytes;
    int[] ds = distinct.valueStarts;
    distinct.counted(to - from);
    int[] rank = distinct.rank;
    if (rank != null) {
      // the entries are ranked: the range's extremes by rank, no value compared
      if (count > 0) {
        int lo = firsts[0];
        int hi = lo;
        for (int f = 1; f < count; f++) {
          int id = firsts[f];
          if (rank[id] < rank[lo]) {
            lo = id;
          } else if (rank[id] > rank[hi]) {
            hi = id;
          }
        }
        addValue(java.util.Arrays.copyOfRange(db, ds[lo], ds[lo + 1]));
        addValue(java.util.Arrays.copyOfRange(db, ds[hi], ds[hi + 1]));
      }
      return;
    }
    int[] lens = distinct.lens;
    long[] keys = distinct.keys;
    int minId = -1;
    int maxId = -1;
    long minKey = 0;
    long maxKey = 0;
    long minLen = 0;
    long maxLen = 0;
    boolean minShort = false;
    boolean maxShort = false;
    for (int f = 0; f < count; f++) {
      int id = firsts[f];
      int known = lens[id];
      long key;
      long len;
      boolean short8;
      if (known != 0) {
        short8 = known > 0;
        len = short8 ? known - 1 : ds[id + 1] - ds[id];
        key = keys[id];
      } else {
        int s = ds[id];
        len = ds[id + 1] - s;
        short8 = len < 8;
        key = short8 ? shortKey(db, s, (int) len) : 0;
        lens[id] = short8 ? (int) len + 1 : -1;
        keys[id] = key;
      }
      if (minId < 0) {
        minId = id;
        maxId = id;
        minKey = key;
        maxKey = key;
        minLen = len;
        maxLen = len;
        minShort = short8;
        maxShort = short8;
      } else if ((short8 && minShort ? compareKeys(key, len, minKey, minLen) : compareEntries(db, ds, id, minId)) < 0) {
        minId = id;
        minKey = key;
        minLen = len;
        minShort = short8;
      } else if ((short8 && maxShort ? compareKeys(key, len, maxKey, maxLen) : compareEntries(db, ds, id, maxId)) > 0) {
        maxId = id;
        maxKey = key;
        maxLen = len;
        maxShort = short8;
      }
    }
    if (minId >= 0) {
      addValue(java.util.Arrays.copyOfRange(db, ds[minId], ds[minId + 1]));
      addValue(java.util.Arrays.copyOfRange(db, ds[maxId], ds[maxId + 1]));
    }
  }

  /** A value under 8 bytes as one big-endian, zero-padded key (as addVarBytes makes it). */
  private static long shortKey(byte[] b, int from, int len) {
    long k = 0;
    for (int j = 0; j < len; j++) {
      k = k << 8 | (b[from + j] & 0xFF);
    }
    return len == 0 ? 0 : k << (8 * (8 - len));
  }

  /** Compares entries {@code a} and {@code b} (unsigned lexicographic, then by length). */
  private static int compareEntries(byte[] db, int[] ds, int a, int b) {
    return java.util.Arrays.compareUnsigned(db, ds[a], ds[a + 1], db, ds[b], ds[b + 1]);
  }

  /** Offset entry {@code i} (the start of row i, the end of row i - 1), read directly (range checked by the caller). */
  private static long start(long offAddr, boolean large, int i) {
    return large ? MemoryUtil.getLong(offAddr + ((long) i << 3)) : MemoryUtil.getInt(offAddr + ((long) i << 2));
  }

  /** Compares the values of rows {@code a} and {@code b} (both checked against the data buffer). */
  private static int compareRows(long offAddr, boolean large, long addr, long cap, int a, int b) {
    return compareSlices(addr, cap, start(offAddr, large, a), start(offAddr, large, a + 1), start(offAddr, large, b),
        start(offAddr, large, b + 1));
  }

  /** Compares two values under 8 bytes by their keys (see addVarBytes), then lengths. */
  private static int compareKeys(long a, long aLen, long b, long bLen) {
    return a != b ? Long.compareUnsigned(a, b) : Long.compare(aLen, bLen);
  }

  /**
   * Compares bytes {@code [a, aEnd)} and {@code [b, bEnd)} of the memory at {@code addr}, both
   * within {@code [0, cap)} (checked by the caller).
   */
  private static int compareSlices(long addr, long cap, long a, long aEnd, long b, long bEnd) {
    long n = Math.min(aEnd - a, bEnd - b);
    if (n < 8 && Math.max(a, b) + 8 <= cap) {
      // short values (codes, names): one load each, masked to the common prefix, big-endian
      long mask = (1L << (n << 3)) - 1;
      long x = Long.reverseBytes(MemoryUtil.getLong(addr + a) & mask);
      long y = Long.reverseBytes(MemoryUtil.getLong(addr + b) & mask);
      if (x != y) {
        return Long.compareUnsigned(x, y);
      }
      return Long.compare(aEnd - a, bEnd - b);
    }
    long i = 0;
    for (; i + 8 <= n; i += 8) {
      long x = MemoryUtil.getLong(addr + a + i);
      long y = MemoryUtil.getLong(addr + b + i);
      if (x != y) {
        // the first differing byte decides: compare big-endian
        return Long.compareUnsigned(Long.reverseBytes(x), Long.reverseBytes(y));
      }
    }
    for (; i < n; i++) {
      int x = MemoryUtil.getByte(addr + a + i) & 0xFF;
      int y = MemoryUtil.getByte(addr + b + i) & 0xFF;
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
  private void addDoubles(FieldVector v, ValueReader.FloatReader fr, int from, int to, boolean noNulls) {
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
