package dev.weft.reader;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Decoded mini-blocks (and decoded shared dictionaries) shared by all calls on one reader, bounded by the bytes they hold
 * (decompressed and decoded blocks hold their bytes on the heap; views of the mapped file hold
 * nothing but a few small objects). The entries live in slot arrays owned by the nodes, one slot
 * per block of a page ({@link NodeReader}), so that a hit is two array reads, not a hash lookup:
 * random take looks a block up for every value it reads. This class does the accounting and
 * evicts in insertion order (FIFO) when full: under uniformly random access no policy does much
 * better, and this one needs no bookkeeping per hit. Thread-safe.
 *
 * <p>Each reader makes its own ({@link ReaderOptions#blockCacheBytes}), or several readers share
 * one made by {@link #create} and passed with {@link ReaderOptions#withBlockCache}, so that the
 * memory of many open files is bounded by one budget (e.g. all files of a dataset).
 */
public final class BlockCache {
  /** What an uncompressed block's cache entry is charged: its objects only. */
  static final long VIEW_COST = 160;

  /**
   * One cached block (or shared dictionary): where it sits, for eviction; {@code node} (may be
   * null) is told of an evicted block.
   */
  private record Entry(AtomicReferenceArray<Object> slots, int index, Object block, long cost,
      NodeReader node, int nodeBlock) {}

  private final long capacity;
  private final ConcurrentLinkedQueue<Entry> fifo = new ConcurrentLinkedQueue<>();
  private final AtomicLong held = new AtomicLong();

  BlockCache(long capacity) {
    this.capacity = capacity;
  }

  /**
   * A cache of up to {@code capacityBytes} of decoded blocks, to be shared by readers.
   *
   * @throws IllegalArgumentException if {@code capacityBytes} is negative
   */
  public static BlockCache create(long capacityBytes) {
    if (capacityBytes < 0) {
      throw new IllegalArgumentException("block cache size must be >= 0, got " + capacityBytes);
    }
    return new BlockCache(capacityBytes);
  }

  /** The most bytes this cache holds. */
  public long capacityBytes() {
    return capacity;
  }

  boolean enabled() {
    return capacity > 0;
  }

  /** The block cached in {@code slots[index]}, or null. */
  DecodedBlock get(AtomicReferenceArray<DecodedBlock> slots, int index) {
    return capacity == 0 ? null : slots.get(index);
  }

  /** Caches {@code block} in {@code slots[index]} unless it is too large or already there. */
  void put(AtomicReferenceArray<DecodedBlock> slots, int index, DecodedBlock block) {
    put(slots, index, block, null, 0);
  }

  /**
   * As {@link #put(AtomicReferenceArray, int, DecodedBlock)}; when the block is evicted,
   * {@code node.evicted(nodeBlock)} is called (so that nothing outside the cache keeps its arrays).
   */
  void put(AtomicReferenceArray<DecodedBlock> slots, int index, DecodedBlock block, NodeReader node, int nodeBlock) {
    if (capacity == 0) {
      return;
    }
    long cost = cost(block);
    if (cost > capacity / 4) {
      return;
    }
    if (slots.compareAndSet(index, null, block)) {
      add(new Entry(erase(slots), index, block, cost, node, nodeBlock));
    }
  }

  /**
   * Caches a decoded shared dictionary in {@code slots[index]} (charged its heap bytes), so that the
   * dictionaries a long-running reader touches stay within the same budget as its blocks; returns
   * the dictionary to use (the one already there, if another thread was first). A dictionary larger
   * than a quarter of the cache is returned without being cached (it is read again next time); a
   * disabled cache keeps every dictionary (as before caches had budgets).
   */
  dev.weft.format.encoding.SharedDictionary putDictionary(AtomicReferenceArray<dev.weft.format.encoding.SharedDictionary> slots, int index,
      dev.weft.format.encoding.SharedDictionary dictionary) {
    long cost = VIEW_COST + dictionary.retainedBytes();
    if (capacity > 0 && cost > capacity / 4) {
      return dictionary;
    }
    if (slots.compareAndSet(index, null, dictionary)) {
      if (capacity > 0) {
        add(new Entry(erase(slots), index, dictionary, cost, null, 0));
      }
      return dictionary;
    }
    dev.weft.format.encoding.SharedDictionary there = slots.get(index);
    return there != null ? there : dictionary;
  }

  @SuppressWarnings("unchecked")
  private static AtomicReferenceArray<Object> erase(AtomicReferenceArray<?> slots) {
    return (AtomicReferenceArray<Object>) slots;
  }

  private void add(Entry e) {
    fifo.add(e);
    if (held.addAndGet(e.cost()) > capacity) {
      evict();
    }
  }

  private static long cost(DecodedBlock b) {
    return VIEW_COST + b.view().retainedBytes();
  }

  private void evict() {
    long target = capacity * 3 / 4;
    while (held.get() > target) {
      Entry e = fifo.poll();
      if (e == null) {
        return;
      }
      e.slots().compareAndSet(e.index(), e.block(), null);
      if (e.node() != null) {
        e.node().evicted(e.nodeBlock());
      }
      held.addAndGet(-e.cost());
    }
  }

  /** The bytes it holds now (estimated: decoded data plus a fixed charge per block). */
  public long heldBytes() {
    return held.get();
  }
}
