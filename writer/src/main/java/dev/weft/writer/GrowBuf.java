package dev.weft.writer;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/** An append-only byte buffer in allocator-owned memory that grows by reallocation. */
final class GrowBuf implements AutoCloseable {
  private final BufferAllocator allocator;
  private ArrowBuf buf;
  private long size;

  GrowBuf(BufferAllocator allocator, long initialCapacity) {
    this.allocator = allocator;
    this.buf = allocator.buffer(Math.max(64, initialCapacity));
  }

  ArrowBuf buf() {
    return buf;
  }

  long size() {
    return size;
  }

  long capacity() {
    return buf.capacity();
  }

  /** Makes room for {@code more} bytes past the current size; new bytes are zeroed. */
  void ensure(long more) {
    long need = size + more;
    if (need > buf.capacity()) {
      long cap = Math.max(need, buf.capacity() * 2);
      ArrowBuf next = allocator.buffer(cap);
      next.setBytes(0, buf, 0, size);
      buf.close();
      buf = next;
    }
    buf.setZero(size, need - size);
  }

  /**
   * Makes room for {@code more} bytes past the current size without zeroing them (for bytes
   * that are written right after).
   */
  void reserve(long more) {
    long need = size + more;
    if (need > buf.capacity()) {
      long cap = Math.max(need, buf.capacity() * 2);
      ArrowBuf next = allocator.buffer(cap);
      next.setBytes(0, buf, 0, size);
      buf.close();
      buf = next;
    }
  }

  /** Advances the size after bytes were written past it. */
  void grow(long by) {
    size += by;
  }

  void setSize(long s) {
    size = s;
  }

  /** Empties the buffer, shrinking it back if it grew far past {@code keepCapacity}. */
  void reset(long keepCapacity) {
    size = 0;
    if (buf.capacity() > Math.max(64, keepCapacity * 4)) {
      buf.close();
      buf = allocator.buffer(Math.max(64, keepCapacity));
    }
  }

  void appendBytes(ArrowBuf src, long srcIndex, long length) {
    reserve(length);
    buf.setBytes(size, src, srcIndex, length);
    size += length;
  }

  void appendInt(int v) {
    reserve(4);
    buf.setInt(size, v);
    size += 4;
  }

  void appendLong(long v) {
    reserve(8);
    buf.setLong(size, v);
    size += 8;
  }

  @Override
  public void close() {
    buf.close();
  }
}
