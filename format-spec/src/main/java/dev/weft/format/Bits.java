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

  /**
   * Copies bits from a bitmap in a byte buffer (starting at byte {@code srcBase}) into an
   * ArrowBuf bitmap. Works a byte at a time once the destination is byte-aligned.
   */
  public static void copy(ByteBuffer src, int srcBase, long srcBit, ArrowBuf dst, long dstBit, long count) {
    long i = 0;
    while (i < count && ((dstBit + i) & 7) != 0) {
      set(dst, dstBit + i, get(src, srcBase, srcBit + i));
      i++;
    }
    long wholeBytes = (count - i) >>> 3;
    if (wholeBytes > 0) {
      long s = srcBit + i;
      int shift = (int) (s & 7);
      int srcByte = srcBase + (int) (s >>> 3);
      long dstByte = (dstBit + i) >>> 3;
      if (shift == 0) {
        dst.setBytes(dstByte, src.duplicate().position(srcByte).limit(srcByte + (int) wholeBytes));
      } else {
        int last = src.limit() - 1;
        for (long k = 0; k < wholeBytes; k++) {
          int at = srcByte + (int) k;
          int lo = src.get(at) & 0xFF;
          int hi = at + 1 <= last ? src.get(at + 1) & 0xFF : 0;
          dst.setByte(dstByte + k, (byte) ((lo >>> shift) | (hi << (8 - shift))));
        }
      }
      i += wholeBytes << 3;
    }
    while (i < count) {
      set(dst, dstBit + i, get(src, srcBase, srcBit + i));
      i++;
    }
  }

  /** Sets bits {@code [fromBit, fromBit+count)} of {@code buf} to 1. */
  public static void setOnes(ArrowBuf buf, long fromBit, long count) {
    long i = 0;
    while (i < count && ((fromBit + i) & 7) != 0) {
      set(buf, fromBit + i, true);
      i++;
    }
    long whole = (count - i) >>> 3;
    if (whole > 0) {
      buf.setOne((fromBit + i) >>> 3, whole);
      i += whole << 3;
    }
    while (i < count) {
      set(buf, fromBit + i, true);
      i++;
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
