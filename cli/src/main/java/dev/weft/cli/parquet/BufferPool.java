package dev.weft.cli.parquet;

import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;

/**
 * Arrow buffers for the batches of one {@link BatchReader}, recycled from batch to batch. A
 * vector takes its buffers from here with {@code loadFieldBuffers} (which holds a reference of its
 * own); once the consumer has closed the batch, the pool's reference is the only one left and the
 * buffer serves a later batch. A recycled buffer costs neither zero-filling nor the page faults of
 * fresh memory (with fresh vectors, {@code allocateNew} zeroing and faulting in each batch's
 * buffers took about a sixth of the reader's CPU time); the reader writes every byte a vector
 * exposes.
 *
 * <p>Each key (a column and one of its buffers) keeps at most {@link #PER_KEY} buffers: more
 * batches than that in flight at once get buffers of their own. The pooled buffers stay allocated
 * from, and accounted in, the allocator the batches come from, so a memory limit still holds; an
 * allocation that fails frees the idle ones and tries again. Only a consumer that closes its
 * batches (and never transfers their buffers to another allocator) may use pooled vectors.
 * Thread-safe.
 */
final class BufferPool implements AutoCloseable {
  /** Buffers kept per key: the batch being read, one queued, one being written, one spare. */
  static final int PER_KEY = 4;

  private final Map<Integer, ArrowBuf[]> rings = new HashMap<>();
  private BufferAllocator allocator;

  /**
   * A buffer of at least {@code size} bytes from {@code alloc}, for the buffer {@code key} of a
   * vector. Its content is undefined. The caller owns one reference: it loads the buffer into a
   * vector and then closes it.
   */
  synchronized ArrowBuf take(int key, BufferAllocator alloc, long size) {
    if (alloc != allocator) {
      releaseAll(); // batches from another allocator: start over (buffers in use stay with their vectors)
      allocator = alloc;
    }
    ArrowBuf[] ring = rings.computeIfAbsent(key, k -> new ArrowBuf[PER_KEY]);
    int slot = -1;
    for (int i = 0; i < ring.length; i++) {
      ArrowBuf b = ring[i];
      if (b == null) {
        if (slot < 0 || ring[slot] != null) {
          slot = i;
        }
      } else if (b.refCnt() == 1) { // only the pool holds it: its last batch was closed
        if (b.capacity() >= size) {
          b.getReferenceManager().retain();
          return b;
        }
        if (slot < 0) {
          slot = i;
        }
      }
    }
    if (slot < 0) {
      return allocate(alloc, size); // every pooled buffer is in use
    }
    if (ring[slot] != null) {
      ring[slot].close(); // idle but too small
      ring[slot] = null;
    }
    ArrowBuf b = allocate(alloc, size);
    ring[slot] = b;
    b.getReferenceManager().retain();
    return b;
  }

  private ArrowBuf allocate(BufferAllocator alloc, long size) {
    try {
      return alloc.buffer(size);
    } catch (OutOfMemoryException e) {
      releaseIdle();
      return alloc.buffer(size);
    }
  }

  /** Frees the pooled buffers no batch uses. */
  synchronized void releaseIdle() {
    for (ArrowBuf[] ring : rings.values()) {
      for (int i = 0; i < ring.length; i++) {
        if (ring[i] != null && ring[i].refCnt() == 1) {
          ring[i].close();
          ring[i] = null;
        }
      }
    }
  }

  /** Buffers held (idle or in use), for tests. */
  synchronized int size() {
    int n = 0;
    for (ArrowBuf[] ring : rings.values()) {
      for (ArrowBuf b : ring) {
        n += b != null ? 1 : 0;
      }
    }
    return n;
  }

  private void releaseAll() {
    for (ArrowBuf[] ring : rings.values()) {
      for (ArrowBuf b : ring) {
        if (b != null) {
          b.close(); // a buffer still in a batch is freed when that batch is closed
        }
      }
    }
    rings.clear();
  }

  /** Drops the pool's references; buffers still in batches live until those are closed. */
  @Override
  public synchronized void close() {
    releaseAll();
    allocator = null;
  }
}
