package dev.weft.reader;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/** A growable output buffer in allocator memory that becomes an Arrow vector buffer. */
final class OutBuf implements AutoCloseable {
  private final BufferAllocator allocator;
  private ArrowBuf buf;

  OutBuf(BufferAllocator allocator, long initial) {
    this.allocator = allocator;
    this.buf = allocator.buffer(Math.max(8, initial));
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
