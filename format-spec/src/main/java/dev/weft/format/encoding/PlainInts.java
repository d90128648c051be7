package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.nio.ByteBuffer;

/**
 * PLAIN (scheme 0): the values as little-endian integers of one byte width.
 *
 * <pre>
 * PlainInts --&gt; Scheme u8 = 0, Width u8 (1, 2, 4 or 8), Values byte[n * Width]
 * </pre>
 *
 * Values narrower than 8 bytes are sign-extended when read. Example: the int16 values 1, -2
 * as a 2-byte stream are {@code 00 02 | 01 00 FE FF}.
 *
 * <p>Limits: none beyond the block. Single value: O(1). The selector falls back to it when no
 * other scheme is smaller (random data), with the narrowest width that holds every value.
 */
public final class PlainInts {
  public static final int ID = 0;

  private PlainInts() {}

  /** Narrowest of 1, 2, 4, 8 bytes holding every value of {@code [min, max]} sign-extended. */
  public static int widthFor(long min, long max) {
    if (min >= Byte.MIN_VALUE && max <= Byte.MAX_VALUE) {
      return 1;
    }
    if (min >= Short.MIN_VALUE && max <= Short.MAX_VALUE) {
      return 2;
    }
    if (min >= Integer.MIN_VALUE && max <= Integer.MAX_VALUE) {
      return 4;
    }
    return 8;
  }

  public static void encode(long[] v, int n, int width, MetaOutput out) {
    out.u8(ID).u8(width);
    for (int i = 0; i < n; i++) {
      long x = v[i];
      switch (width) {
        case 1 -> out.u8((int) x);
        case 2 -> out.u16((int) x);
        case 4 -> out.u32((int) x);
        default -> out.u64(x);
      }
    }
  }

  static Decoder decode(EncodedInput in, int n) {
    int width = in.u8("plain width");
    if (width != 1 && width != 2 && width != 4 && width != 8) {
      throw new MalformedEncodingException("plain width " + width + " is not 1, 2, 4 or 8");
    }
    int at = in.skip((long) n * width, "plain values");
    return new Decoder(in.buffer(), at, n, width);
  }

  /** Reads values in place. */
  public record Decoder(ByteBuffer buf, int start, int size, int width) implements IntDecoder {
    @Override
    public long get(int i) {
      int at = start + i * width;
      return switch (width) {
        case 1 -> buf.get(at);
        case 2 -> buf.getShort(at);
        case 4 -> buf.getInt(at);
        default -> buf.getLong(at);
      };
    }

    @Override
    public void decode(int from, int n, long[] dst, int off) {
      int at = start + from * width;
      switch (width) {
        case 1 -> {
          for (int k = 0; k < n; k++) {
            dst[off + k] = buf.get(at + k);
          }
        }
        case 2 -> {
          for (int k = 0; k < n; k++) {
            dst[off + k] = buf.getShort(at + 2 * k);
          }
        }
        case 4 -> {
          for (int k = 0; k < n; k++) {
            dst[off + k] = buf.getInt(at + 4 * k);
          }
        }
        default -> {
          for (int k = 0; k < n; k++) {
            dst[off + k] = buf.getLong(at + 8 * k);
          }
        }
      }
    }

    /**
     * {@link IntDecoder#copyTo} at a checked address: one memory copy when the widths agree
     * (the stream's bounds were checked when it was parsed), else value by value.
     */
    void writeTo(int from, int n, int dstWidth, long addr) {
      int at = start + from * width;
      long bytes = (long) n * width;
      if (dstWidth == width && buf.isDirect()) {
        org.apache.arrow.memory.util.MemoryUtil.copyMemory(
            org.apache.arrow.memory.util.MemoryUtil.getByteBufferAddress(buf) + at, addr, bytes);
      } else if (dstWidth == width && buf.hasArray()) {
        org.apache.arrow.memory.util.MemoryUtil.copyToMemory(buf.array(), buf.arrayOffset() + at, addr, bytes);
      } else {
        NativeOut.viaChunks(this, from, n, dstWidth, addr);
      }
    }

    @Override
    public long retainedBytes() {
      return 0;
    }
  }
}
