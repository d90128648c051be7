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

  /** Sets the ids of the rows to come. */
  void use(Object scope, int scopeSize, int[] ids) {
    use(scope, scopeSize, ids, null, null);
  }

  /** As above, with the scope's entries when the values are given by id (else null). */
  void use(Object scope, int scopeSize, int[] ids, byte[] valueBytes, int[] valueStarts) {
    this.valueBytes = valueBytes;
    this.valueStarts = valueStarts;
    if (scope != this.scope || seen == null || seen.length < scopeSize) {
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
