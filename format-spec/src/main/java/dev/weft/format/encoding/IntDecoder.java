package dev.weft.format.encoding;

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
        RunLengthInts.Decoder, DictionaryInts.Decoder, ByteStreamSplit.Decoder, AlpFloats.Decoder,
        SharedDictionary.Decoder {

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
   * bytes of each value) into {@code dst} at byte {@code dstOffset}, in loops specialised per
   * scheme (bulk copies, fills, unpacking straight into {@code dst}); the destination range is
   * checked once, here.
   *
   * @throws IndexOutOfBoundsException if the range is outside the values or does not fit in
   *     {@code dst}
   * @throws IllegalArgumentException if {@code width} is not 1, 2, 4 or 8, or the values are
   *     malformed (a {@link MalformedEncodingException})
   */
  default void copyTo(int from, int n, int width, ArrowBuf dst, long dstOffset) {
    if (from < 0 || n < 0 || from > size() - n) {
      throw new IndexOutOfBoundsException("values [" + from + ", " + from + " + " + n + ") of " + size());
    }
    NativeOut.copy(this, from, n, width, NativeOut.address(dst, dstOffset, n, width));
  }
}
