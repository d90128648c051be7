package dev.weft.format;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A bounds-checked little-endian reader over one metadata structure read from a file. Every
 * read past the end, and every count or length that does not fit the remaining bytes, is a
 * {@link CorruptFileException} naming the file, the column (if any) and the absolute offset.
 */
public final class MetaInput {
  private final ByteBuffer buf;
  private final Path file;
  private final String column;
  private final long baseOffset;

  /**
   * @param buf the structure's bytes (position 0 = {@code baseOffset} in the file)
   * @param column the column it belongs to, or null
   */
  public MetaInput(ByteBuffer buf, Path file, String column, long baseOffset) {
    this.buf = buf.slice().order(ByteOrder.LITTLE_ENDIAN);
    this.file = file;
    this.column = column;
    this.baseOffset = baseOffset;
  }

  public int position() {
    return buf.position();
  }

  public int remaining() {
    return buf.remaining();
  }

  public void position(int p) throws CorruptFileException {
    if (p < 0 || p > buf.limit()) {
      throw corrupt("position " + p + " outside the structure of " + buf.limit() + " bytes");
    }
    buf.position(p);
  }

  private void need(int n, String what) throws CorruptFileException {
    if (n < 0 || buf.remaining() < n) {
      throw corrupt("truncated " + what + ": need " + n + " bytes, " + buf.remaining() + " left");
    }
  }

  public int u8(String what) throws CorruptFileException {
    need(1, what);
    return buf.get() & 0xFF;
  }

  public int u16(String what) throws CorruptFileException {
    need(2, what);
    return buf.getShort() & 0xFFFF;
  }

  /** Reads a u32 as a raw int (for checksums and flags). */
  public int rawU32(String what) throws CorruptFileException {
    need(4, what);
    return buf.getInt();
  }

  /** Reads a u32 as a non-negative long. */
  public long u32(String what) throws CorruptFileException {
    need(4, what);
    return buf.getInt() & 0xFFFF_FFFFL;
  }

  /** Reads a u32 that must lie in {@code [min, max]}. */
  public int u32In(String what, long min, long max) throws CorruptFileException {
    long v = u32(what);
    if (v < min || v > max) {
      throw corrupt(what + " " + v + " outside [" + min + ", " + max + "]");
    }
    return (int) v;
  }

  /** Reads a u64 that must lie in {@code [min, max]}. */
  public long u64In(String what, long min, long max) throws CorruptFileException {
    need(8, what);
    long v = buf.getLong();
    if (v < min || v > max) {
      throw corrupt(what + " " + Long.toUnsignedString(v) + " outside [" + min + ", " + max + "]");
    }
    return v;
  }

  /** Reads a count of items of {@code itemBytes} each, checked against the bytes left. */
  public int count(String what, int itemBytes) throws CorruptFileException {
    long n = u32(what);
    if (n > Integer.MAX_VALUE || n * Math.max(1, itemBytes) > buf.remaining()) {
      throw corrupt(what + " " + n + " needs " + n * Math.max(1, itemBytes) + " bytes, only "
          + buf.remaining() + " left");
    }
    return (int) n;
  }

  public byte[] bytes(int n, String what) throws CorruptFileException {
    need(n, what);
    byte[] out = new byte[n];
    try {
      buf.get(out);
    } catch (BufferUnderflowException e) {
      throw corrupt("truncated " + what);
    }
    return out;
  }

  /** Skips zero padding up to the alignment (the padding's contents are not checked). */
  public void skipPad() throws CorruptFileException {
    int target = (int) WeftFormat.align(buf.position());
    need(target - buf.position(), "padding");
    buf.position(target);
  }

  /** The absolute file offset of the current position. */
  public long fileOffset() {
    return baseOffset + buf.position();
  }

  public CorruptFileException corrupt(String what) {
    return CorruptFileException.at(file, column, baseOffset + buf.position(), what);
  }
}
