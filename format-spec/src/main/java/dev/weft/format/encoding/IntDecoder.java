package dev.weft.format.encoding;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.arrow.memory.ArrowBuf;

/**
 * The values of a parsed integer stream ({@link IntStreams}), read in place from the block's
 * bytes. Every scheme supports reading one value ({@link #get}) and a range ({@link #decode});
 * how much work one value costs is stated by each scheme (O(1) for bit-packing). Values are
 * 64-bit two's complement; a stream of w-byte values holds them sign-extended. Implementations
 * are immutable and thread-safe (a lazily built memo may be computed twice by racing threads).
 *
 * <p>Reads throw {@link MalformedEncodingException} when the stream is inconsistent in a way
 * that is only visible at that value (for example a dictionary code out of range).
 */
public sealed interface IntDecoder
    permits PlainInts.Decoder, ConstantInts.Decoder, ForBitPacked.Decoder, DeltaInts.Decoder,
        RunLengthInts.Decoder, DictionaryInts.Decoder, ByteStreamSplit.Decoder, AlpFloats.Decoder {

  /** Number of values. */
  int size();

  /** Value {@code i}, {@code 0 <= i < size()}. */
  long get(int i);

  /** Values {@code [from, from + n)} into {@code dst[off, off + n)}. */
  void decode(int from, int n, long[] dst, int off);

  /** Heap bytes this decoder keeps beyond the block's own bytes (memos, decoded children). */
  long retainedBytes();

  /** All values. */
  default long[] decodeAll() {
    long[] out = new long[size()];
    decode(0, size(), out, 0);
    return out;
  }

  /**
   * Writes values {@code [from, from + n)} as little-endian {@code width}-byte integers (the low
   * bytes of each value) into {@code dst} at byte {@code dstOffset}.
   */
  default void copyTo(int from, int n, int width, ArrowBuf dst, long dstOffset) {
    long[] chunk = new long[Math.min(n, 1024)];
    byte[] bytes = new byte[chunk.length * width];
    int done = 0;
    while (done < n) {
      int k = Math.min(chunk.length, n - done);
      decode(from + done, k, chunk, 0);
      Narrow.narrow(chunk, k, width, bytes);
      dst.setBytes(dstOffset + (long) done * width, bytes, 0, (long) k * width);
      done += k;
    }
  }

  /** Packing of 64-bit values into narrower little-endian integers. */
  final class Narrow {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private Narrow() {}

    static void narrow(long[] v, int n, int width, byte[] out) {
      switch (width) {
        case 8 -> {
          for (int i = 0; i < n; i++) {
            LONGS.set(out, i << 3, v[i]);
          }
        }
        case 4 -> {
          for (int i = 0; i < n; i++) {
            INTS.set(out, i << 2, (int) v[i]);
          }
        }
        case 2 -> {
          for (int i = 0; i < n; i++) {
            SHORTS.set(out, i << 1, (short) v[i]);
          }
        }
        case 1 -> {
          for (int i = 0; i < n; i++) {
            out[i] = (byte) v[i];
          }
        }
        default -> throw new IllegalArgumentException("width " + width);
      }
    }
  }
}
