package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;

/**
 * Variable-length integers for stream headers: {@code VarInt} is unsigned LEB128 (7 bits per
 * byte, least significant group first, high bit set on every byte but the last; at most 10
 * bytes); {@code ZigZag} maps signed to unsigned ({@code (v << 1) ^ (v >> 63)}) before LEB128, so
 * small negative numbers stay short. Example: 300 is {@code AC 02}; -3 zigzags to 5, {@code 05}.
 */
public final class Varints {
  private Varints() {}

  public static void write(MetaOutput out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.u8((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.u8((int) v);
  }

  public static void writeZigZag(MetaOutput out, long v) {
    write(out, (v << 1) ^ (v >> 63));
  }

  /** Reads a LEB128 value; more than 64 bits or more than 10 bytes is malformed. */
  static long read(EncodedInput in, String what) {
    long v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      int b = in.u8(what);
      if (shift == 63 && (b & 0x7E) != 0) {
        throw new MalformedEncodingException(what + " varint overflows 64 bits");
      }
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new MalformedEncodingException(what + " varint longer than 10 bytes");
  }

  static long readZigZag(EncodedInput in, String what) {
    long u = read(in, what);
    return (u >>> 1) ^ -(u & 1);
  }

  /** A count in {@code [0, max]}. */
  static int readCount(EncodedInput in, String what, int max) {
    long v = read(in, what);
    if (v < 0 || v > max) {
      throw new MalformedEncodingException(what + " " + Long.toUnsignedString(v) + " is above " + max);
    }
    return (int) v;
  }
}
