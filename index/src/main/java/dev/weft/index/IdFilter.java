package dev.weft.index;

/**
 * What a column's zone maps keep about value ids (rows with equal ids in one scope hold equal
 * values, as a Parquet dictionary's indices do): which ids the current range of rows has shown
 * already (so that each distinct value is compared once per range), and, per id, the value's
 * comparison key when it is under 8 bytes (so that a value seen in an earlier range is not
 * read again). One per column; a new scope (compared by identity) starts a new id space.
 */
final class IdFilter {
  private Object scope;
  /** The rows' ids (row r's id is {@code ids[r]}, -1 for none). */
  int[] ids;
  /** seen[id] == stamp: the id was met in the current range. */
  int[] seen;
  private int stamp;
  /** Per id: the value's length + 1 when it is under 8 bytes (its key in {@link #keys}), -1 when longer, 0 unknown. */
  int[] lens;
  /** Per id: a value under 8 bytes as one big-endian, zero-padded key (see ZoneAccumulator). */
  long[] keys;

  /** The scope's entries when the rows' values are given by id (see FileIndexWriter), else null. */
  byte[] valueBytes;
  int[] valueStarts;

  /**
   * Values given by id: each entry's rank in the order of its value (equal values under two ids
   * may rank either way), or null until the scope has shown enough rows to pay for the sort.
   */
  int[] rank;
  private long rowsInScope;

  /** Rows per entry a scope must show before its entries are sorted (a sort costs more per entry than a row). */
  static final int ROWS_PER_ENTRY_TO_RANK = 64;
  /** Scopes of more entries are never sorted. */
  static final int MAX_RANKED_ENTRIES = 1 << 16;

  /**
   * Counts {@code rows} rows of the current scope (values given by id); ranks its entries once
   * it has shown {@link #ROWS_PER_ENTRY_TO_RANK} rows per entry.
   */
  void counted(int rows) {
    rowsInScope += rows;
    int size = valueStarts.length - 1;
    if (rank == null && size <= MAX_RANKED_ENTRIES && rowsInScope >= (long) ROWS_PER_ENTRY_TO_RANK * size) {
      int[] order = new int[size];
      for (int k = 0; k < size; k++) {
        order[k] = k;
      }
      sort(order, new int[size], 0, size);
      int[] r = new int[size];
      for (int k = 0; k < size; k++) {
        r[order[k]] = k;
      }
      rank = r;
    }
  }

  /**
   * Sorts entry ids {@code a[from, to)} by their values (a merge sort on ints: no boxing, and no
   * lambda to bootstrap in a fresh JVM).
   */
  private void sort(int[] a, int[] tmp, int from, int to) {
    if (to - from < 2) {
      return;
    }
    int mid = (from + to) >>> 1;
    sort(a, tmp, from, mid);
    sort(a, tmp, mid, to);
    if (compare(a[mid - 1], a[mid]) <= 0) {
      return;
    }
    System.arraycopy(a, from, tmp, from, to - from);
    int i = from;
    int j = mid;
    for (int k = from; k < to; k++) {
      a[k] = j >= to || i < mid && compare(tmp[i], tmp[j]) <= 0 ? tmp[i++] : tmp[j++];
    }
  }

  private int compare(int x, int y) {
    int[] st = valueStarts;
    return java.util.Arrays.compareUnsigned(valueBytes, st[x], st[x + 1], valueBytes, st[y], st[y + 1]);
  }

  /** Sets the ids of the rows to come. */
  void use(Object scope, int scopeSize, int[] ids) {
    use(scope, scopeSize, ids, null, null);
  }

  /** As above, with the scope's entries when the values are given by id (else null). */
  void use(Object scope, int scopeSize, int[] ids, byte[] valueBytes, int[] valueStarts) {
    this.valueBytes = valueBytes;
    this.valueStarts = valueStarts;
    if (scope != this.scope || seen == null || seen.length < scopeSize) {
      this.rank = null;
      this.rowsInScope = 0;
      this.scope = scope;
      this.seen = new int[scopeSize];
      this.lens = new int[scopeSize];
      this.keys = new long[scopeSize];
      this.stamp = 0;
    }
    this.ids = ids;
  }

  private int[] firsts = new int[0];

  /** Scratch for a range's distinct ids (at most {@code rows}, and at most one per id). */
  int[] firsts(int rows) {
    int need = Math.min(rows, seen.length);
    if (firsts.length < need) {
      firsts = new int[Math.max(need, 2 * firsts.length)];
    }
    return firsts;
  }

  /** Starts a range of rows: no id is seen in it yet; returns the range's stamp. */
  int nextRange() {
    if (++stamp == 0) {
      java.util.Arrays.fill(seen, 0); // the stamp wrapped around
      stamp = 1;
    }
    return stamp;
  }
}
