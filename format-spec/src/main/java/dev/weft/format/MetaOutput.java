package dev.weft.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A growable little-endian byte sink for metadata structures. */
public final class MetaOutput {
  private static final java.lang.invoke.VarHandle LONG_LE =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private byte[] bytes;
  private int size;

  public MetaOutput(int initialCapacity) {
    bytes = new byte[Math.max(16, initialCapacity)];
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      long want = Math.max((long) bytes.length * 2, (long) size + more);
      if (want > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("metadata larger than 2 GiB");
      }
      bytes = Arrays.copyOf(bytes, (int) want);
    }
  }

  public MetaOutput u8(int v) {
    ensure(1);
    bytes[size++] = (byte) v;
    return this;
  }

  public MetaOutput u16(int v) {
    ensure(2);
    bytes[size++] = (byte) v;
    bytes[size++] = (byte) (v >>> 8);
    return this;
  }

  public MetaOutput u32(int v) {
    ensure(4);
    for (int i = 0; i < 4; i++) {
      bytes[size++] = (byte) (v >>> (8 * i));
    }
    return this;
  }

  /** Writes a non-negative long as u32, failing if it does not fit. */
  public MetaOutput u32(long v) {
    if (v < 0 || v > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("value " + v + " does not fit in u32");
    }
    return u32((int) v);
  }

  public MetaOutput u64(long v) {
    ensure(8);
    LONG_LE.set(bytes, size, v);
    size += 8;
    return this;
  }

  /**
   * Appends {@code len} bytes for the caller to fill: returns the array they are in, from
   * {@link #size()} before the call (a bulk writer's way around a capacity check per value).
   * The array is only valid until the next append.
   */
  public byte[] extend(int len) {
    ensure(len);
    size += len;
    return bytes;
  }

  /** Appends everything written to {@code other} (without the copy {@link #toByteArray} makes). */
  public MetaOutput bytes(MetaOutput other) {
    return bytes(other.bytes, 0, other.size);
  }

  public MetaOutput bytes(byte[] b) {
    return bytes(b, 0, b.length);
  }

  public MetaOutput bytes(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, bytes, size, len);
    size += len;
    return this;
  }

  /** Pads with zero bytes up to the format alignment. */
  public MetaOutput pad() {
    int target = (int) WeftFormat.align(size);
    ensure(target - size);
    while (size < target) {
      bytes[size++] = 0;
    }
    return this;
  }

  public int size() {
    return size;
  }

  /** Forgets what was written, keeping the memory (an output reused for one thing after another). */
  public MetaOutput clear() {
    size = 0;
    return this;
  }

  /** Bytes of memory held. */
  public int capacity() {
    return bytes.length;
  }

  /** The byte written at {@code index} (below {@link #size()}), unsigned. */
  public int byteAt(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("byte " + index + " of " + size);
    }
    return bytes[index] & 0xFF;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  /** A little-endian view of the written bytes (no copy). */
  public ByteBuffer asBuffer() {
    return ByteBuffer.wrap(bytes, 0, size).slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  public int crc32c() {
    return Checksums.crc32c(bytes, 0, size);
  }
}
