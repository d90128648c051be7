package dev.weft.cli.parquet;

import java.nio.ByteBuffer;
import org.apache.parquet.bytes.ByteBufferAllocator;

/**
 * A heap {@link ByteBufferAllocator} for parquet-java's reader that keeps the arrays of released
 * buffers for later ones: each row group's column chunks are read into buffers that are released
 * when the row group is closed, so the next row group reuses their arrays instead of allocating
 * (and the garbage collector copying) megabytes anew. A request takes the smallest kept array that
 * is large enough, else a new array of its size.
 *
 * <p>Bounded: the arrays kept never add up to more than the most bytes in use at once so far (one
 * row group's chunks), so this holds at most twice the largest row group, as the buffers of the
 * row group being read plus the garbage of the previous one did before; and at most {@link
 * #MAX_KEPT} arrays. Not thread-safe (parquet-java reads row groups on the reading thread).
 */
final class RecyclingHeapAllocator implements ByteBufferAllocator {
  /** Arrays kept at most: a row group's chunks come in buffers of up to 8 MiB (parquet-java's default), usually one. */
  static final int MAX_KEPT = 4;

  private final ArrayFreeList kept = new ArrayFreeList(MAX_KEPT);
  private long inUse;
  private long peakInUse;

  @Override
  public ByteBuffer allocate(int size) {
    byte[] array = kept.take(size);
    if (array == null) {
      array = new byte[size];
    }
    inUse += array.length;
    peakInUse = Math.max(peakInUse, inUse);
    // a buffer of exactly the size asked (parquet-java reads it full), on the array's start
    return ByteBuffer.wrap(array, 0, size).slice();
  }

  @Override
  public void release(ByteBuffer b) {
    if (b == null || !b.hasArray() || b.arrayOffset() != 0 || b.isReadOnly()) {
      return; // not one of ours
    }
    byte[] array = b.array();
    if (kept.contains(array)) {
      return; // released twice
    }
    inUse = Math.max(0, inUse - array.length);
    kept.keep(array, peakInUse);
  }

  @Override
  public boolean isDirect() {
    return false;
  }

  /** Arrays kept for later buffers, for tests. */
  int kept() {
    return kept.size();
  }

  /** Bytes of the arrays kept, for tests. */
  long keptBytes() {
    return kept.bytes();
  }
}
