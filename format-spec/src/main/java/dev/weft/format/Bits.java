package dev.weft.format;

import java.nio.ByteBuffer;
import org.apache.arrow.memory.ArrowBuf;

/** Bit-level helpers for LSB-first bitmaps (Arrow validity and boolean layouts). */
public final class Bits {
  private Bits() {}

  public static boolean get(ArrowBuf buf, long bit) {
    return (buf.getByte(bit >>> 3) & (1 << (bit & 7))) != 0;
  }

  public static void set(ArrowBuf buf, long bit, boolean value) {
    long idx = bit >>> 3;
    byte b = buf.getByte(idx);
    int mask = 1 << (bit & 7);
    buf.setByte(idx, value ? (b | mask) : (b & ~mask));
  }

  /**
   * Copies {@code count} bits from {@code src} starting at bit {@code srcBit} into {@code dst}
   * starting at bit {@code dstBit}. Bits of {@code dst} outside the range are preserved.
   */
  public static void copy(ArrowBuf src, long srcBit, ArrowBuf dst, long dstBit, long count) {
    if (count <= 0) {
      return;
    }
    if ((srcBit & 7) == 0 && (dstBit & 7) == 0) {
      long whole = count >>> 3;
      dst.setBytes(dstBit >>> 3, src, srcBit >>> 3, whole);
      for (long i = whole << 3; i < count; i++) {
        set(dst, dstBit + i, get(src, srcBit + i));
      }
      return;
    }
    for (long i = 0; i < count; i++) {
      set(dst, dstBit + i, get(src, srcBit + i));
    }
  }

  /** Copies bits from a little-endian byte buffer bitmap into an ArrowBuf bitmap. */
  public static void copy(ByteBuffer src, int srcBase, long srcBit, ArrowBuf dst, long dstBit, long count) {
    if (count <= 0) {
      return;
    }
    if ((srcBit & 7) == 0 && (dstBit & 7) == 0) {
      int whole = (int) (count >>> 3);
      dst.setBytes(dstBit >>> 3, src.duplicate().position(srcBase + (int) (srcBit >>> 3)).limit(srcBase + (int) (srcBit >>> 3) + whole));
      for (long i = (long) whole << 3; i < count; i++) {
        set(dst, dstBit + i, get(src, srcBase, srcBit + i));
      }
      return;
    }
    for (long i = 0; i < count; i++) {
      set(dst, dstBit + i, get(src, srcBase, srcBit + i));
    }
  }

  public static boolean get(ByteBuffer src, int base, long bit) {
    return (src.get(base + (int) (bit >>> 3)) & (1 << (bit & 7))) != 0;
  }

  /** Number of set bits in {@code [fromBit, fromBit+count)}. */
  public static long countSet(ArrowBuf buf, long fromBit, long count) {
    long n = 0;
    long i = 0;
    while (i < count && ((fromBit + i) & 7) != 0) {
      if (get(buf, fromBit + i)) {
        n++;
      }
      i++;
    }
    while (count - i >= 64) {
      n += Long.bitCount(buf.getLong((fromBit + i) >>> 3));
      i += 64;
    }
    while (count - i >= 8) {
      n += Integer.bitCount(buf.getByte((fromBit + i) >>> 3) & 0xFF);
      i += 8;
    }
    while (i < count) {
      if (get(buf, fromBit + i)) {
        n++;
      }
      i++;
    }
    return n;
  }
}
