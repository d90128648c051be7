package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;

/**
 * BYTE_STREAM_SPLIT (scheme 6): byte k of every value forms stream k, and each of the
 * {@code Width} byte streams is a cascaded integer stream of its own (bytes as signed 8-bit
 * values). Floats' sign/exponent bytes vary little, so their streams become DICTIONARY or FOR
 * with a few bits per value while the noisy mantissa bytes stay PLAIN; any compression pass
 * after it also works better on the split bytes.
 *
 * <pre>
 * ByteStreamSplit --&gt; Scheme u8 = 6, Width u8 (1..8), ByteStream IntStream(n) ^ Width
 * </pre>
 *
 * Byte k of value i is the low byte of {@code ByteStream[k][i]}; values narrower than 8 bytes
 * are sign-extended. Example: the float32 values 1.0f (0x3F800000) and -2.0f (0xC0000000) are
 * Width 4 and byte streams {@code (0, 0)}, {@code (0, 0)}, {@code (0x80, 0)} and
 * {@code (0x3F, 0xC0)}, the first two CONSTANT 0.
 *
 * <p>Limits: the byte streams are one level deeper (needs {@link IntStreams#MAX_DEPTH} room).
 * Single value: Width lookups, each O(1) for PLAIN, CONSTANT, FOR and DICTIONARY byte streams.
 * Selection: tried for floating-point streams (never for integers, where FOR is better).
 */
public final class ByteStreamSplit {
  public static final int ID = 6;

  private ByteStreamSplit() {}

  public static void encode(long[] v, int n, int width, int depth, IntStreams.Hints h, MetaOutput out) {
    out.u8(ID).u8(width);
    long[] b = new long[n];
    for (int k = 0; k < width; k++) {
      int shift = 8 * k;
      for (int i = 0; i < n; i++) {
        b[i] = (byte) (v[i] >>> shift);
      }
      IntStreams.encode(b, n, depth + 1, h.child(), out);
    }
  }

  static Decoder decode(EncodedInput in, int n, int depth) {
    int width = in.u8("byte-stream-split width");
    if (width < 1 || width > 8) {
      throw new MalformedEncodingException("byte-stream-split width " + width);
    }
    if (depth >= IntStreams.MAX_DEPTH) {
      throw new MalformedEncodingException("byte-stream-split at cascade level " + depth);
    }
    IntDecoder[] streams = new IntDecoder[width];
    for (int k = 0; k < width; k++) {
      streams[k] = IntStreams.parse(in, n, depth + 1);
    }
    return new Decoder(streams, width, n);
  }

  public record Decoder(IntDecoder[] streams, int width, int size) implements IntDecoder {
    @Override
    public long get(int i) {
      long v = 0;
      for (int k = 0; k < width; k++) {
        v |= (streams[k].get(i) & 0xFFL) << (8 * k);
      }
      int unused = 64 - 8 * width;
      return (v << unused) >> unused;
    }

    @Override
    public void decode(int from, int n, long[] dst, int off) {
      java.util.Arrays.fill(dst, off, off + n, 0L);
      long[] tmp = null;
      for (int k = 0; k < width; k++) {
        int shift = 8 * k;
        if (streams[k] instanceof PlainInts.Decoder p && p.width() == 1) {
          // noisy bytes (mantissas) are stored plainly: read them straight from the block
          java.nio.ByteBuffer b = p.buf();
          int at = p.start() + from;
          for (int i = 0; i < n; i++) {
            dst[off + i] |= (b.get(at + i) & 0xFFL) << shift;
          }
          continue;
        }
        if (streams[k] instanceof ConstantInts.Decoder c) {
          long bits = (c.value() & 0xFFL) << shift;
          for (int i = 0; i < n; i++) {
            dst[off + i] |= bits;
          }
          continue;
        }
        if (tmp == null) {
          tmp = new long[Math.min(n, 1024)];
        }
        for (int done = 0; done < n; done += tmp.length) {
          int c = Math.min(tmp.length, n - done);
          streams[k].decode(from + done, c, tmp, 0);
          for (int i = 0; i < c; i++) {
            dst[off + done + i] |= (tmp[i] & 0xFFL) << shift;
          }
        }
      }
      int unused = 64 - 8 * width;
      if (unused > 0) {
        for (int i = 0; i < n; i++) {
          dst[off + i] = (dst[off + i] << unused) >> unused;
        }
      }
    }

    /**
     * {@link IntDecoder#copyTo} at a checked address: each byte stream is scattered to its byte
     * of the output values (plain byte streams straight from the block). Outputs wider than
     * the streams need sign extension and take the general path.
     */
    void writeTo(int from, int n, int dstWidth, long addr) {
      if (dstWidth > width) {
        NativeOut.viaChunks(this, from, n, dstWidth, addr);
        return;
      }
      int chunk = Math.min(n, 1024);
      byte[][] planes = new byte[dstWidth][chunk];
      long[] tmp = new long[chunk];
      for (int done = 0; done < n; done += chunk) {
        int c = Math.min(chunk, n - done);
        for (int k = 0; k < dstWidth; k++) {
          plane(streams[k], from + done, c, planes[k], tmp);
        }
        long a = addr + (long) done * dstWidth;
        switch (dstWidth) {
          case 8 -> interleave8(planes, c, a);
          case 4 -> interleave4(planes, c, a);
          case 2 -> interleave2(planes, c, a);
          default -> org.apache.arrow.memory.util.MemoryUtil.copyToMemory(planes[0], 0, a, c);
        }
      }
    }

    /** The low bytes of values {@code [from, from + c)} of byte stream {@code s}. */
    private static void plane(IntDecoder s, int from, int c, byte[] plane, long[] tmp) {
      if (s instanceof PlainInts.Decoder p && p.width() == 1) {
        p.buf().get(p.start() + from, plane, 0, c);
      } else if (s instanceof ConstantInts.Decoder cst) {
        java.util.Arrays.fill(plane, 0, c, (byte) cst.value());
      } else if (s instanceof DictionaryInts.Decoder d) {
        // codes, then their entries (checked)
        d.codes().decode(from, c, tmp, 0);
        long[] entries = d.entries();
        int m = entries.length;
        for (int i = 0; i < c; i++) {
          long code = tmp[i];
          if (code < 0 || code >= m) {
            throw new MalformedEncodingException("dictionary code " + code + " outside [0, " + m + ")");
          }
          plane[i] = (byte) entries[(int) code];
        }
      } else {
        s.decode(from, c, tmp, 0);
        for (int i = 0; i < c; i++) {
          plane[i] = (byte) tmp[i];
        }
      }
    }

    private static void interleave4(byte[][] planes, int c, long a) {
      byte[] p0 = planes[0];
      byte[] p1 = planes[1];
      byte[] p2 = planes[2];
      byte[] p3 = planes[3];
      for (int i = 0; i < c; i++) {
        org.apache.arrow.memory.util.MemoryUtil.putInt(a + 4L * i,
            (p0[i] & 0xFF) | (p1[i] & 0xFF) << 8 | (p2[i] & 0xFF) << 16 | p3[i] << 24);
      }
    }

    private static void interleave2(byte[][] planes, int c, long a) {
      byte[] p0 = planes[0];
      byte[] p1 = planes[1];
      for (int i = 0; i < c; i++) {
        org.apache.arrow.memory.util.MemoryUtil.putShort(a + 2L * i, (short) ((p0[i] & 0xFF) | p1[i] << 8));
      }
    }

    private static void interleave8(byte[][] planes, int c, long a) {
      byte[] p0 = planes[0];
      byte[] p1 = planes[1];
      byte[] p2 = planes[2];
      byte[] p3 = planes[3];
      byte[] p4 = planes[4];
      byte[] p5 = planes[5];
      byte[] p6 = planes[6];
      byte[] p7 = planes[7];
      for (int i = 0; i < c; i++) {
        long lo = (p0[i] & 0xFFL) | (p1[i] & 0xFFL) << 8 | (p2[i] & 0xFFL) << 16 | (p3[i] & 0xFFL) << 24;
        long hi = (p4[i] & 0xFFL) | (p5[i] & 0xFFL) << 8 | (p6[i] & 0xFFL) << 16 | (p7[i] & 0xFFL) << 24;
        org.apache.arrow.memory.util.MemoryUtil.putLong(a + 8L * i, lo | hi << 32);
      }
    }

    @Override
    public long retainedBytes() {
      long r = 0;
      for (IntDecoder s : streams) {
        r += s.retainedBytes();
      }
      return r;
    }
  }
}
