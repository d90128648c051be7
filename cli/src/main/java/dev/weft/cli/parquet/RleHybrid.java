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
      // the run's bytes: (header >>> 1) groups of 8 values of width bits, cut at the data's end
      long nominal = pos + (header >>> 1) * width;
      runStart = pos;
      runEnd = (int) Math.min(end, nominal);
      // where an 8-byte load may start: anywhere in the array while the run is whole (bits past a
      // value are masked off), only within the data when the run is cut short (its missing bytes are 0)
      loadLimit = (nominal <= end ? buf.length : runEnd) - 8;
      bitPos = 0;
      pos = runEnd; // the next run's header
    }
  }

  /** The current bit-packed run: where its bytes start and end (at most {@code end}). */
  private int runStart;
  private int runEnd;
  /** The last byte offset an 8-byte load of the current run may start at. */
  private int loadLimit;
  /** The bit offset of the next value from {@code runStart}. */
  private long bitPos;

  // LSB-first bit unpacking: each value (at most 32 bits at a bit shift of at most 7) from one
  // little-endian 8-byte load, no state carried from value to value; bytes past the end read as 0
  private void unpack(int[] out, int at, int m) {
    final byte[] b = buf;
    final int w = width;
    final long msk = mask;
    final int base = runStart;
    long bp = bitPos;
    int fast = 0;
    long room = (long) loadLimit - base; // the last relative byte a load may start at
    if (room >= 0 && (bp >>> 3) <= room) {
      fast = (int) Math.min(m, ((room << 3) + 7 - bp) / w + 1);
    }
    for (int i = 0; i < fast; i++) {
      out[at + i] = (int) ((org.apache.arrow.memory.util.MemoryUtil.getLong(b, base + (int) (bp >>> 3)) >>> (bp & 7))
          & msk);
      bp += w;
    }
    for (int i = fast; i < m; i++) {
      out[at + i] = (int) ((slowLoad(base + (bp >>> 3)) >>> (bp & 7)) & msk);
      bp += w;
    }
    bitPos = bp;
  }

  /** Eight bytes from {@code at}, little-endian, those at or past the run's end as 0. */
  private long slowLoad(long at) {
    long v = 0;
    for (int j = 0; j < 8; j++) {
      long q = at + j;
      if (q < runEnd) {
        v |= (buf[(int) q] & 0xFFL) << (8 * j);
      }
    }
    return v;
  }
}
