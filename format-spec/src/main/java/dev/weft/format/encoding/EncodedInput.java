package dev.weft.format.encoding;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A bounds-checked little-endian cursor over the bytes of one encoded mini-block. Every read
 * past the end and every count that does not fit the bytes left is a
 * {@link MalformedEncodingException}, so a decoder never allocates from an unchecked size.
 */
public final class EncodedInput {
  private final ByteBuffer buf;
  private int pos;
  private final int limit;

  /** Reads {@code buf}'s bytes {@code [pos, limit)}; {@code buf} must be little-endian. */
  public EncodedInput(ByteBuffer buf, int pos, int limit) {
    if (buf.order() != ByteOrder.LITTLE_ENDIAN) {
      throw new IllegalArgumentException("buffer must be little-endian");
    }
    this.buf = buf;
    this.pos = pos;
    this.limit = limit;
  }

  public ByteBuffer buffer() {
    return buf;
  }

  public int position() {
    return pos;
  }

  public int limit() {
    return limit;
  }

  public int remaining() {
    return limit - pos;
  }

  private void need(long n, String what) {
    if (n < 0 || n > limit - pos) {
      throw new MalformedEncodingException("truncated " + what + ": need " + n + " bytes, " + (limit - pos) + " left");
    }
  }

  public int u8(String what) {
    need(1, what);
    return buf.get(pos++) & 0xFF;
  }

  /** A u32 that must lie in {@code [0, max]}. */
  public int u32(String what, long max) {
    need(4, what);
    long v = buf.getInt(pos) & 0xFFFF_FFFFL;
    pos += 4;
    if (v > max) {
      throw new MalformedEncodingException(what + " " + v + " is above " + max);
    }
    return (int) v;
  }

  public long i64(String what) {
    need(8, what);
    long v = buf.getLong(pos);
    pos += 8;
    return v;
  }

  /** Skips {@code n} bytes and returns where they start. */
  public int skip(long n, String what) {
    need(n, what);
    int at = pos;
    pos += (int) n;
    return at;
  }

  /** Fails unless every byte was consumed. */
  public void expectEnd(String what) {
    if (pos != limit) {
      throw new MalformedEncodingException(what + " ends at byte " + pos + " but has " + limit + " bytes");
    }
  }
}
