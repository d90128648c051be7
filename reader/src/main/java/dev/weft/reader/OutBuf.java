package dev.weft.reader;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/** A growable output buffer in allocator memory that becomes an Arrow vector buffer. */
final class OutBuf implements AutoCloseable {
  private final BufferAllocator allocator;
  private ArrowBuf buf;

  OutBuf(BufferAllocator allocator, long initial) {
    this(allocator, initial, null);
  }

  /**
   * A buffer of at least {@code initial} bytes, all zero: {@code recycled} (ownership passes to
   * this buffer; may be null) when it is large enough, else a new one ({@code recycled} is then
   * released). Reusing a buffer costs one pass of zeroing; a new buffer of many MiB costs the
   * page faults of fresh memory as well (see {@link RecycledBuffers}).
   */
  OutBuf(BufferAllocator allocator, long initial, ArrowBuf recycled) {
    this.allocator = allocator;
    long want = Math.max(8, initial);
    if (recycled != null && recycled.capacity() >= want) {
      this.buf = recycled;
    } else {
      if (recycled != null) {
        recycled.close();
      }
      this.buf = allocator.buffer(want);
    }
    buf.readerIndex(0);
    buf.writerIndex(0);
    buf.setZero(0, buf.capacity());
  }

  ArrowBuf buf() {
    return buf;
  }

  /** Ensures capacity for {@code bytes} bytes; new bytes are zero. */
  ArrowBuf ensure(long bytes) {
    if (bytes > buf.capacity()) {
      long cap = Math.max(bytes, buf.capacity() * 2);
      ArrowBuf next = allocator.buffer(cap);
      next.setBytes(0, buf, 0, buf.capacity());
      next.setZero(buf.capacity(), next.capacity() - buf.capacity());
      buf.close();
      buf = next;
    }
    return buf;
  }

  /** Hands the buffer over, trimmed to {@code length} as seen by Arrow. */
  ArrowBuf take(long length) {
    ensure(length);
    ArrowBuf out = buf;
    out.writerIndex(length);
    buf = null;
    return out;
  }

  @Override
  public void close() {
    if (buf != null) {
      buf.close();
      buf = null;
    }
  }
}
