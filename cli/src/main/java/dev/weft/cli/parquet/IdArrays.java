package dev.weft.cli.parquet;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Arrays for dictionary ids ({@link DictionaryIds}), given back by their consumer once a batch is
 * written and taken again by the reader for a later batch (a conversion's ids would otherwise be
 * 4 bytes of garbage per value). Thread-safe: the reader takes on its thread, the writer gives
 * back on its own. At most {@link #MAX_KEPT} arrays are kept.
 */
public final class IdArrays {
  static final int MAX_KEPT = 32;
  private final ConcurrentLinkedQueue<int[]> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger kept = new AtomicInteger();

  /** An array of at least {@code n} ints (its contents are undefined). */
  int[] take(int n) {
    for (int tries = 0; tries < 4; tries++) {
      int[] a = free.poll();
      if (a == null) {
        break;
      }
      kept.decrementAndGet();
      if (a.length >= n) {
        return a;
      }
    }
    return new int[n];
  }

  /** Gives back an array taken from {@link #take} that nothing reads any more. */
  public void give(int[] a) {
    if (a != null && kept.incrementAndGet() <= MAX_KEPT) {
      free.add(a);
    } else {
      kept.decrementAndGet();
    }
  }
}
