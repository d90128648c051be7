package dev.weft.cli.parquet;

/**
 * A decoder of Parquet's RLE / bit-packing hybrid encoding (definition levels, dictionary ids)
 * over a byte array, a few values at a time into an int array.
 *
 * <pre>
 * hybrid   --> run*
 * run      --> header:uleb128, body
 * header&1 == 0: an RLE run: (header >>> 1) copies of one value stored in ceil(width / 8) bytes, little-endian
 * header&1 == 1: a bit-packed run of (header >>> 1) groups of 8 values, width bits each, LSB first
 * </pre>
 *
 * Example (width 1): {@code 03 ff} is one bit-packed group of eight 1s; {@code 10 01} is eight
 * RLE copies of 1. As parquet-java's decoder does, a bit-packed run cut short by the end of the
 * data reads its missing bytes as zeros. Not thread-safe.
 */
final class RleHybrid {
  /** Thrown for data that cannot be decoded; the caller names the file and column. */
  static final class CorruptException extends Exception {
    CorruptException(String message) {
      super(message);
    }
  }

  private final byte[] buf;
  private final int end;
  private final int width;
  private final long mask;
  private int pos;
  /** Values left in the current run; a bit-packed run when {@code packed}. */
  private long left;
  private boolean packed;
  private int runValue;
  private long acc;
  private int bits;

  /** Decodes {@code buf[pos, end)} as values of {@code width} bits (0 to 32). */
  RleHybrid(byte[] buf, int pos, int end, int width) throws CorruptException {
    if (width < 0 || width > 32) {
      throw new CorruptException("a bit width of " + width);
    }
    if (pos < 0 || end > buf.length || pos > end) {
      throw new CorruptException("encoded values outside their page");
    }
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.width = width;
    this.mask = width == 32 ? 0xFFFF_FFFFL : (1L << width) - 1;
  }

  /** Decodes the next {@code k} values into {@code out[at, at + k)}. */
  void next(int[] out, int at, int k) throws CorruptException {
    if (width == 0) {
      java.util.Arrays.fill(out, at, at + k, 0); // every value is 0, whatever the runs say
      return;
    }
    int n = 0;
    while (n < k) {
      if (left == 0) {
        readHeader();
        continue;
      }
      int m = (int) Math.min(left, k - n);
      if (packed) {
        unpack(out, at + n, m);
      } else {
        java.util.Arrays.fill(out, at + n, at + n + m, runValue);
      }
      left -= m;
      n += m;
    }
  }

  /**
   * If the next {@code k} values are all {@code value} within one RLE run (definition levels of
   * a page without nulls), skips them and returns true; otherwise returns false having consumed
   * no value.
   */
  boolean skipRun(int value, int k) throws CorruptException {
    if (width == 0) {
      return value == 0;
    }
    if (left == 0 && pos < end) {
      readHeader();
    }
    if (!packed && left >= k && runValue == value) {
      left -= k;
      return true;
    }
    return false;
  }

  private void readHeader() throws CorruptException {
    if (pos >= end) {
      throw new CorruptException("the encoded values end early");
    }
    long header = 0;
    int shift = 0;
    while (true) {
      if (pos >= end || shift > 28) {
        throw new CorruptException("a bad run header");
      }
      int b = buf[pos++];
      header |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        break;
      }
      shift += 7;
    }
    if ((header & 1) == 0) {
      int valueBytes = (width + 7) >>> 3;
      if (pos + valueBytes > end) {
        throw new CorruptException("a run's value is cut off");
      }
      int value = 0;
      for (int i = 0; i < valueBytes; i++) {
        value |= (buf[pos + i] & 0xFF) << (8 * i);
      }
      pos += valueBytes;
      packed = false;
      runValue = value;
      left = header >>> 1;
    } else {
      packed = true;
      left = (header >>> 1) * 8;
      acc = 0;
      bits = 0;
      // the run's bytes: (header >>> 1) groups of 8 values of width bits, cut at the data's end
      runEnd = (int) Math.min(end, pos + (header >>> 1) * width);
    }
  }

  /** The end of the current bit-packed run's bytes (at most {@code end}). */
  private int runEnd;

  // LSB-first bit unpacking; bytes at or past the end read as 0
  private void unpack(int[] out, int at, int m) {
    long a = acc;
    int b = bits;
    int p = pos;
    final int w = width;
    final int bulkEnd = runEnd - 4;
    for (int i = 0; i < m; i++) {
      if (b < w && p <= bulkEnd) {
        // four bytes at once, never past the run (b < w <= 32, so the bits fit)
        a |= (org.apache.arrow.memory.util.MemoryUtil.getInt(buf, p) & 0xFFFF_FFFFL) << b; // little-endian
        p += 4;
        b += 32;
      }
      while (b < w) {
        long x = p < end ? buf[p] & 0xFFL : 0;
        p++;
        a |= x << b;
        b += 8;
      }
      out[at + i] = (int) (a & mask);
      a >>>= w;
      b -= w;
    }
    acc = a;
    bits = b;
    pos = Math.min(p, end);
  }
}
