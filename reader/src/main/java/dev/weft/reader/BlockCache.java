package dev.weft.reader;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decoded mini-blocks shared by all calls on one reader, bounded by the bytes they hold
 * (decompressed and decoded blocks hold their bytes on the heap; views of the mapped file hold
 * nothing but a small object). When full, arbitrary entries are evicted: under uniformly
 * random access no policy does much better, and this one needs no bookkeeping per hit.
 * Thread-safe.
 */
final class BlockCache {
  /** What an uncompressed block's cache entry is charged: its objects only. */
  static final long VIEW_COST = 160;

  record Key(NodeReader node, long blockId) {}

  private final long capacity;
  private final ConcurrentHashMap<Key, DecodedBlock> map = new ConcurrentHashMap<>();
  private final AtomicLong held = new AtomicLong();

  BlockCache(long capacity) {
    this.capacity = capacity;
  }

  DecodedBlock get(NodeReader node, long blockId) {
    return capacity == 0 ? null : map.get(new Key(node, blockId));
  }

  void put(NodeReader node, long blockId, DecodedBlock block) {
    if (capacity == 0) {
      return;
    }
    long cost = cost(block);
    if (cost > capacity / 4) {
      return;
    }
    if (map.putIfAbsent(new Key(node, blockId), block) == null) {
      if (held.addAndGet(cost) > capacity) {
        evict();
      }
    }
  }

  private static long cost(DecodedBlock b) {
    return VIEW_COST + b.view().retainedBytes();
  }

  private void evict() {
    long target = capacity * 3 / 4;
    Iterator<DecodedBlock> it = map.values().iterator();
    while (held.get() > target && it.hasNext()) {
      DecodedBlock b = it.next();
      it.remove();
      held.addAndGet(-cost(b));
    }
  }

  long heldBytes() {
    return held.get();
  }
}
