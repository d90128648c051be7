package dev.weft.index;

import org.apache.arrow.vector.FieldVector;

/**
 * Picks, from a range of rows whose values carry ids (rows with equal ids in one scope hold
 * equal values, as a Parquet dictionary's indices do), the first row of each id and every row
 * without an id (-1), so that a zone map compares each distinct value once. Nulls are counted,
 * not picked. One per column; a new scope (compared by identity) starts a new id space.
 */
final class IdFilter {
  private Object scope;
  private int[] ids;
  /** seen[id] == stamp: the id was picked in the current range. */
  private int[] seen;
  private int stamp;
  private int[] picked = new int[0];
  private int count;
  private long nulls;

  /** Sets the ids of the rows to come (row r's id is {@code ids[r]}). */
  void use(Object scope, int scopeSize, int[] ids) {
    if (scope != this.scope || seen == null || seen.length < scopeSize) {
      this.scope = scope;
      this.seen = new int[scopeSize];
      this.stamp = 0;
    }
    this.ids = ids;
  }

  /**
   * The rows of {@code [from, to)} to compare ({@link #count()} of them, ascending) and the
   * nulls among the others ({@link #nulls()}).
   */
  int[] firstRows(FieldVector v, int from, int to, boolean noNulls) {
    if (++stamp == 0) {
      java.util.Arrays.fill(seen, 0); // the stamp wrapped around
      stamp = 1;
    }
    if (picked.length < to - from) {
      picked = new int[to - from];
    }
    int[] id = ids;
    int[] s = seen;
    int st = stamp;
    int n = 0;
    long nul = 0;
    for (int i = from; i < to; i++) {
      if (!noNulls && v.isNull(i)) {
        nul++;
        continue;
      }
      int x = id[i];
      if (x >= 0) {
        if (s[x] == st) {
          continue;
        }
        s[x] = st;
      }
      picked[n++] = i;
    }
    count = n;
    nulls = nul;
    return picked;
  }

  int count() {
    return count;
  }

  long nulls() {
    return nulls;
  }
}
