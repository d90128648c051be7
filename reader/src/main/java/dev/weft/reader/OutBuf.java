package dev.weft.reader;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A growable output buffer in allocator memory that becomes an Arrow vector buffer.
 *
 * <p>Its bytes read as zero unless written: {@link #ensure} zeroes the bytes it adds lazily,
 * so a buffer that is then overwritten completely ({@link #ensureForOverwrite} and
 * {@link #written}: the decoded values of a batch) is written once, not zeroed first, and a
 * large new buffer is touched (page faults) by the decoder only.
 */
final class OutBuf implements AutoCloseable {
  private final BufferAllocator allocator;
  private ArrowBuf buf;
  /** Bytes {@code [0, zeroedTo)} are zero or written; later bytes may hold anything. */
  private long zeroedTo;

  OutBuf(BufferAllocator allocator, long initial) {
    this(allocator, initial, null);
  }

  /**
   * A buffer of at least {@code initial} bytes: {@code recycled} (ownership passes to this buffer;
   * may be null) when it is large enough, else a new one ({@code recycled} is then released).
   * Reusing a buffer saves the page faults of fresh memory (see {@link RecycledBuffers}).
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
  }

  ArrowBuf buf() {
    return buf;
  }

  /** Ensures capacity for {@code bytes} bytes; bytes not written before read as zero. */
  ArrowBuf ensure(long bytes) {
    grow(bytes);
    if (bytes > zeroedTo) {
      buf.setZero(zeroedTo, bytes - zeroedTo);
      zeroedTo = bytes;
    }
    return buf;
  }

  /**
   * Ensures capacity for {@code bytes} bytes without zeroing: the caller writes the bytes it uses
   * and says so with {@link #written}.
   */
  ArrowBuf ensureForOverwrite(long bytes) {
    grow(bytes);
    return buf;
  }

  /** Bytes {@code [from, to)} were written (after {@link #ensureForOverwrite}); a gap before them is zeroed. */
  void written(long from, long to) {
    if (to <= zeroedTo) {
      return;
    }
    if (from > zeroedTo) {
      buf.setZero(zeroedTo, from - zeroedTo);
    }
    zeroedTo = to;
  }

  private void grow(long bytes) {
    if (bytes > buf.capacity()) {
      long cap = Math.max(bytes, buf.capacity() * 2);
      ArrowBuf next = allocator.buffer(cap);
      next.setBytes(0, buf, 0, Math.min(zeroedTo, buf.capacity()));
      buf.close();
      buf = next;
    }
  }

  /** Hands the buffer over, trimmed to {@code length} as seen by Arrow; bytes not written are zero. */
  ArrowBuf take(long length) {
    ensure(Math.max(length, buf.capacity()));
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
