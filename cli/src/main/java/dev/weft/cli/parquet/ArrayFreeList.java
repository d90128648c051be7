package dev.weft.cli.parquet;

import java.util.ArrayList;
import java.util.List;

/**
 * Byte arrays given back for reuse: a request takes the smallest kept array that is large enough
 * (best fit), and an array given back displaces smaller ones when the list is full, since a larger
 * array serves every request a smaller one does. Bounded by a count and by a byte limit the
 * caller passes with each array. Not thread-safe (callers synchronize).
 */
final class ArrayFreeList {
  private final int maxArrays;
  private final List<byte[]> kept = new ArrayList<>();
  private long keptBytes;

  ArrayFreeList(int maxArrays) {
    this.maxArrays = maxArrays;
  }

  /** The smallest kept array of at least {@code size} bytes, removed from the list; null if none. */
  byte[] take(int size) {
    int best = -1;
    for (int i = 0; i < kept.size(); i++) {
      int len = kept.get(i).length;
      if (len >= size && (best < 0 || len < kept.get(best).length)) {
        best = i;
      }
    }
    if (best < 0) {
      return null;
    }
    byte[] a = kept.remove(best);
    keptBytes -= a.length;
    return a;
  }

  /**
   * Keeps {@code a} if the kept arrays, with it, stay within {@code maxBytes} and the count,
   * dropping smaller arrays to make room; else drops it.
   */
  void keep(byte[] a, long maxBytes) {
    while (!kept.isEmpty() && (kept.size() >= maxArrays || keptBytes + a.length > maxBytes)) {
      int smallest = 0;
      for (int i = 1; i < kept.size(); i++) {
        if (kept.get(i).length < kept.get(smallest).length) {
          smallest = i;
        }
      }
      if (kept.get(smallest).length >= a.length) {
        return; // the kept arrays are all at least as useful
      }
      keptBytes -= kept.remove(smallest).length;
    }
    if (keptBytes + a.length <= maxBytes) {
      kept.add(a);
      keptBytes += a.length;
    }
  }

  /** Whether {@code a} itself is kept. */
  boolean contains(byte[] a) {
    for (byte[] k : kept) {
      if (k == a) {
        return true;
      }
    }
    return false;
  }

  int size() {
    return kept.size();
  }

  long bytes() {
    return keptBytes;
  }
}
