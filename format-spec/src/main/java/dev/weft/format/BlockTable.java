package dev.weft.format;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The block table of one page: one 28-byte entry per mini-block.
 *
 * <pre>
 * BlockEntry --&gt; RowStart u32, ElemStart u32, Offset u32, StoredLength u32, RawLength u32,
 *                Crc u32, Flags u32
 * </pre>
 *
 * RowStart and ElemStart are relative to the page's first row and first element; block k
 * covers rows {@code [RowStart[k], RowStart[k+1])} and elements {@code [ElemStart[k],
 * ElemStart[k+1])} (the last block ends at the page's counts). Blocks start only at row
 * boundaries, so one row's values of a node lie in one block. Offset is relative to the page
 * start and equals the previous block's offset plus its stored length rounded up to 8. Crc is
 * the CRC32C of the stored bytes. Flags: bit 0 validity present, bits 1-2 codec, bit 3 encoded
 * (2.0), bits 8-15 the encoded block's main scheme id (2.0).
 */
public final class BlockTable {
  private final int[] rowStart;
  private final int[] elemStart;
  private final int[] offset;
  private final int[] storedLength;
  private final int[] rawLength;
  private final int[] crc;
  private final int[] flags;
  private final int numRows;
  private final long numElements;
  /** Blocks whose checksum was already verified; a benign race only repeats a verification. */
  private final boolean[] verified;

  public BlockTable(int[] rowStart, int[] elemStart, int[] offset, int[] storedLength,
      int[] rawLength, int[] crc, int[] flags, int numRows, long numElements) {
    this.rowStart = rowStart;
    this.elemStart = elemStart;
    this.offset = offset;
    this.storedLength = storedLength;
    this.rawLength = rawLength;
    this.crc = crc;
    this.flags = flags;
    this.numRows = numRows;
    this.numElements = numElements;
    this.verified = new boolean[rowStart.length];
  }

  public int size() {
    return rowStart.length;
  }

  public int rowStart(int b) {
    return rowStart[b];
  }

  public int rowEnd(int b) {
    return b + 1 < rowStart.length ? rowStart[b + 1] : numRows;
  }

  /** First element of block b, relative to the page. */
  public long elemStart(int b) {
    return elemStart[b] & 0xFFFF_FFFFL;
  }

  public long elemEnd(int b) {
    return b + 1 < elemStart.length ? elemStart(b + 1) : numElements;
  }

  public int offset(int b) {
    return offset[b];
  }

  public int storedLength(int b) {
    return storedLength[b];
  }

  public int rawLength(int b) {
    return rawLength[b];
  }

  public int crc(int b) {
    return crc[b];
  }

  public boolean hasValidity(int b) {
    return (flags[b] & WeftFormat.FLAG_HAS_VALIDITY) != 0;
  }

  public Codec codec(int b) {
    return Codec.fromId((flags[b] >>> WeftFormat.FLAG_CODEC_SHIFT) & WeftFormat.FLAG_CODEC_MASK);
  }

  /** Whether block b is encoded (format 2.0, {@link EncodedBlocks}) rather than plain. */
  public boolean encoded(int b) {
    return (flags[b] & WeftFormat.FLAG_ENCODED) != 0;
  }

  /** The scheme id of an encoded block's main stream (0 for plain blocks). */
  public int scheme(int b) {
    return (flags[b] >>> WeftFormat.FLAG_SCHEME_SHIFT) & WeftFormat.FLAG_SCHEME_MASK;
  }

  public boolean isVerified(int b) {
    return verified[b];
  }

  public void markVerified(int b) {
    verified[b] = true;
  }

  /** The last block whose first element is at most {@code relElement} (relative to the page). */
  public int blockForElement(long relElement) {
    int lo = 0;
    int hi = elemStart.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (elemStart(mid) <= relElement) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  public static void encodeEntry(MetaOutput out, int rowStart, long elemStart, int offset,
      int storedLength, int rawLength, int crc, int flags) {
    out.u32(rowStart).u32(elemStart).u32(offset).u32(storedLength).u32(rawLength).u32(crc).u32(flags);
  }

  /**
   * Parses a page's table whose checksum was verified, checking that the entries tile the page
   * exactly: rows and elements ascend from 0, blocks are packed back to back, codecs are known.
   */
  public static BlockTable decode(ByteBuffer bytes, PageMeta page, Path file, String column)
      throws CorruptFileException {
    return decode(bytes, page, file, column, WeftFormat.VERSION_MAJOR_CURRENT);
  }

  /** As {@link #decode(ByteBuffer, PageMeta, Path, String)} for a file of major version {@code major}. */
  public static BlockTable decode(ByteBuffer bytes, PageMeta page, Path file, String column, int major)
      throws CorruptFileException {
    int known = WeftFormat.flagsKnown(major);
    MetaInput in = new MetaInput(bytes, file, column, page.tableOffset());
    int n = page.numBlocks();
    int[] rowStart = new int[n];
    int[] elemStart = new int[n];
    int[] offset = new int[n];
    int[] stored = new int[n];
    int[] raw = new int[n];
    int[] crc = new int[n];
    int[] flags = new int[n];
    long nextOffset = 0;
    for (int b = 0; b < n; b++) {
      rowStart[b] = b == 0 ? in.u32In("block row start", 0, 0)
          : in.u32In("block row start", rowStart[b - 1] + 1L, page.numRows() - 1L);
      long prevElem = b == 0 ? 0 : elemStart[b - 1] & 0xFFFF_FFFFL;
      elemStart[b] = b == 0 ? in.u32In("block element start", 0, 0)
          : in.u32In("block element start", prevElem, page.numElements());
      offset[b] = in.u32In("block offset", nextOffset, nextOffset);
      stored[b] = in.u32In("block stored length", 0, page.dataLength() - nextOffset);
      raw[b] = in.u32In("block raw length", 0, Integer.MAX_VALUE - 64);
      crc[b] = in.rawU32("block checksum");
      flags[b] = in.rawU32("block flags");
      if ((flags[b] & ~known) != 0) {
        throw in.corrupt("block flags 0x" + Integer.toHexString(flags[b]) + " use unknown bits");
      }
      if ((flags[b] & WeftFormat.FLAG_ENCODED) == 0
          && ((flags[b] >>> WeftFormat.FLAG_SCHEME_SHIFT) & WeftFormat.FLAG_SCHEME_MASK) != 0) {
        throw in.corrupt("plain block with a scheme id in its flags 0x" + Integer.toHexString(flags[b]));
      }
      int codec = (flags[b] >>> WeftFormat.FLAG_CODEC_SHIFT) & WeftFormat.FLAG_CODEC_MASK;
      if (Codec.fromId(codec) == null) {
        throw in.corrupt("unknown codec id " + codec);
      }
      if (codec == Codec.NONE.id() && raw[b] != stored[b]) {
        throw in.corrupt("uncompressed block with stored length " + stored[b] + " != raw length " + raw[b]);
      }
      nextOffset = WeftFormat.align(offset[b] + (long) stored[b]);
    }
    if (nextOffset != page.dataLength()) {
      throw CorruptFileException.at(file, column, page.offset(), "blocks fill " + nextOffset
          + " bytes but the page data is " + page.dataLength() + " bytes");
    }
    return new BlockTable(rowStart, elemStart, offset, stored, raw, crc, flags, page.numRows(),
        page.numElements());
  }
}
