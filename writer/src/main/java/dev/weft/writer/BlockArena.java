package dev.weft.writer;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Holds the stored bytes of every sealed mini-block of the row group being buffered, packed
 * into fixed-size segments so that allocation stays close to the bytes held.
 */
final class BlockArena implements AutoCloseable {
  /** Where one block's stored bytes are. */
  record Slice(ArrowBuf buf, long offset, int length) {}

  private final BufferAllocator allocator;
  private final long segmentSize;
  private final List<ArrowBuf> segments = new ArrayList<>();
  private ArrowBuf current;
  private long used;
  private long allocated;

  BlockArena(BufferAllocator allocator, long segmentSize) {
    this.allocator = allocator;
    this.segmentSize = segmentSize;
  }

  /** Copies {@code length} bytes of {@code src} into the arena. */
  Slice append(ArrowBuf src, long srcOffset, int length) {
    if (length > segmentSize / 2) {
      ArrowBuf own = allocator.buffer(Math.max(1, length));
      segments.add(own);
      allocated += own.capacity();
      own.setBytes(0, src, srcOffset, length);
      return new Slice(own, 0, length);
    }
    if (current == null || used + length > current.capacity()) {
      current = allocator.buffer(segmentSize);
      segments.add(current);
      allocated += current.capacity();
      used = 0;
    }
    current.setBytes(used, src, srcOffset, length);
    Slice s = new Slice(current, used, length);
    used += length;
    return s;
  }

  /** Bytes allocated for segments. */
  long allocatedBytes() {
    return allocated;
  }

  /** Releases every segment (after the row group was written). */
  void clear() {
    for (ArrowBuf b : segments) {
      b.close();
    }
    segments.clear();
    current = null;
    used = 0;
    allocated = 0;
  }

  @Override
  public void close() {
    clear();
  }
}
