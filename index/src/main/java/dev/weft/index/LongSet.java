package dev.weft.index;

/** An open-addressing set of longs (bloom filter hashes before the filter is sized). */
final class LongSet {
  private long[] table = new long[64];
  private boolean hasZero;
  private int size;

  void add(long v) {
    if (v == 0) {
      if (!hasZero) {
        hasZero = true;
        size++;
      }
      return;
    }
    if ((size + 1) * 2 > table.length) {
      grow();
    }
    if (insert(table, v)) {
      size++;
    }
  }

  private static boolean insert(long[] t, long v) {
    int mask = t.length - 1;
    int i = (int) (mix(v) & mask);
    while (t[i] != 0) {
      if (t[i] == v) {
        return false;
      }
      i = (i + 1) & mask;
    }
    t[i] = v;
    return true;
  }

  private static long mix(long v) {
    return v ^ (v >>> 29);
  }

  private void grow() {
    long[] t = new long[table.length * 2];
    for (long v : table) {
      if (v != 0) {
        insert(t, v);
      }
    }
    table = t;
  }

  int size() {
    return size;
  }

  void forEach(java.util.function.LongConsumer c) {
    if (hasZero) {
      c.accept(0);
    }
    for (long v : table) {
      if (v != 0) {
        c.accept(v);
      }
    }
  }
}
