package dev.weft.format.encoding;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Writes decoded values straight into Arrow memory as little-endian integers of 1, 2, 4 or 8
 * bytes (the low bytes of each 64-bit value), in tight loops with one loop per width. Every
 * entry point that takes an {@link ArrowBuf} checks the whole destination range once
 * ({@link #address}); the loops then write without further checks.
 */
final class NativeOut {
  /** Values decoded per chunk by decoders that go through a {@code long[]}. */
  static final int CHUNK = 512;

  private NativeOut() {}

  /**
   * The address of byte {@code offset} of {@code dst}, after checking that {@code n} values of
   * {@code width} bytes fit there.
   *
   * @throws IndexOutOfBoundsException if they do not
   * @throws IllegalArgumentException if the width is not 1, 2, 4 or 8
   */
  static long address(ArrowBuf dst, long offset, int n, int width) {
    if (width != 1 && width != 2 && width != 4 && width != 8) {
      throw new IllegalArgumentException("values of width " + width);
    }
    if (n < 0 || offset < 0 || offset + (long) n * width > dst.capacity()) {
      throw new IndexOutOfBoundsException(n + " values of " + width + " bytes at " + offset
          + " exceed the buffer's " + dst.capacity() + " bytes");
    }
    return dst.memoryAddress() + offset;
  }

  /** Writes {@code v[off, off + n)} at {@code addr}. */
  static void putAll(long[] v, int off, int n, int width, long addr) {
    switch (width) {
      case 8 -> {
        for (int k = 0; k < n; k++) {
          MemoryUtil.putLong(addr + 8L * k, v[off + k]);
        }
      }
      case 4 -> {
        for (int k = 0; k < n; k++) {
          MemoryUtil.putInt(addr + 4L * k, (int) v[off + k]);
        }
      }
      case 2 -> {
        for (int k = 0; k < n; k++) {
          MemoryUtil.putShort(addr + 2L * k, (short) v[off + k]);
        }
      }
      default -> {
        for (int k = 0; k < n; k++) {
          MemoryUtil.putByte(addr + k, (byte) v[off + k]);
        }
      }
    }
  }

  /** Writes {@code value} {@code n} times at {@code addr}. */
  static void fill(long value, int n, int width, long addr) {
    switch (width) {
      case 8 -> {
        for (int k = 0; k < n; k++) {
          MemoryUtil.putLong(addr + 8L * k, value);
        }
      }
      case 4 -> {
        int x = (int) value;
        for (int k = 0; k < n; k++) {
          MemoryUtil.putInt(addr + 4L * k, x);
        }
      }
      case 2 -> {
        short x = (short) value;
        for (int k = 0; k < n; k++) {
          MemoryUtil.putShort(addr + 2L * k, x);
        }
      }
      default -> MemoryUtil.setMemory(addr, n, (byte) value);
    }
  }

  /** Writes one value at {@code addr}. */
  static void put(long value, int width, long addr) {
    switch (width) {
      case 8 -> MemoryUtil.putLong(addr, value);
      case 4 -> MemoryUtil.putInt(addr, (int) value);
      case 2 -> MemoryUtil.putShort(addr, (short) value);
      default -> MemoryUtil.putByte(addr, (byte) value);
    }
  }

  /**
   * Writes values {@code [from, from + n)} of {@code d} at {@code addr} (checked by the caller),
   * through the scheme's own loop where it has one.
   */
  static void copy(IntDecoder d, int from, int n, int width, long addr) {
    if (n == 0) {
      return;
    }
    if (d instanceof ForBitPacked.Decoder f) {
      f.writeTo(from, n, width, addr);
    } else if (d instanceof PlainInts.Decoder p) {
      p.writeTo(from, n, width, addr);
    } else if (d instanceof ConstantInts.Decoder c) {
      fill(c.value(), n, width, addr);
    } else if (d instanceof RunLengthInts.Decoder r) {
      r.writeTo(from, n, width, addr);
    } else if (d instanceof DeltaInts.Decoder delta) {
      delta.writeTo(from, n, width, addr);
    } else if (d instanceof ByteStreamSplit.Decoder b) {
      b.writeTo(from, n, width, addr);
    } else {
      viaChunks(d, from, n, width, addr);
    }
  }

  /**
   * The general path: decodes {@code [from, from + n)} in chunks through a {@code long[]} and
   * writes each chunk at {@code addr}.
   */
  static void viaChunks(IntDecoder d, int from, int n, int width, long addr) {
    long[] chunk = new long[Math.min(n, CHUNK)];
    for (int done = 0; done < n; done += chunk.length) {
      int k = Math.min(chunk.length, n - done);
      d.decode(from + done, k, chunk, 0);
      putAll(chunk, 0, k, width, addr + (long) done * width);
    }
  }
}
