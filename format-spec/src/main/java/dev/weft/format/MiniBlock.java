package dev.weft.format;

import dev.weft.format.encoding.IntDecoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A decoded view of one raw mini-block: where its validity bitmap, offsets and values lie.
 * {@link #parse} checks that the block's length is exactly what its kind and element count
 * imply and that offsets ascend within the block, so nothing read through a view can fall
 * outside it. See {@link NodeKind} for the layouts. An encoded block ({@link EncodedBlocks})
 * yields the same view: FIXED values stay encoded behind {@link #values}; other kinds are laid
 * out plainly when the block is parsed.
 */
public final class MiniBlock {
  /** The raw bytes (little-endian; position 0 is the block's first byte). */
  public final ByteBuffer buf;
  /** Number of elements. */
  public final int count;
  /** Start of the validity bitmap, or -1 when every element is valid. */
  public final int validityPos;
  /** Start of the u32 offsets (VARBINARY, LIST kinds), else -1. */
  public final int offsetsPos;
  /** Start of the values (FIXED, BOOL, VARBINARY kinds), else -1. */
  public final int valuesPos;
  /** For LIST kinds: absolute index of the child element that offset 0 refers to. */
  public final long childStart;
  /**
   * For a FIXED block stored encoded ({@link EncodedBlocks}): its values, read in place from the
   * encoded bytes (then {@link #valuesPos} is -1). Null for plain blocks.
   */
  public final IntDecoder values;
  /** Heap bytes the view keeps besides a mapped file (decoded buffers, memos). */
  private final long extraRetained;

  private MiniBlock(ByteBuffer buf, int count, int validityPos, int offsetsPos, int valuesPos, long childStart) {
    this(buf, count, validityPos, offsetsPos, valuesPos, childStart, null, 0);
  }

  private MiniBlock(ByteBuffer buf, int count, int validityPos, int offsetsPos, int valuesPos, long childStart,
      IntDecoder values, long extraRetained) {
    this.buf = buf;
    this.count = count;
    this.validityPos = validityPos;
    this.offsetsPos = offsetsPos;
    this.valuesPos = valuesPos;
    this.childStart = childStart;
    this.values = values;
    this.extraRetained = extraRetained;
  }

  /**
   * A view of an encoded FIXED block: its validity bitmap (null: all valid) and its values.
   *
   * @param encodedRetained heap bytes of the encoded block the decoder reads (0 if mapped)
   */
  static MiniBlock encodedFixed(byte[] validity, int count, IntDecoder values, long encodedRetained) {
    ByteBuffer b = ByteBuffer.wrap(validity == null ? new byte[0] : validity).order(ByteOrder.LITTLE_ENDIAN);
    return new MiniBlock(b, count, validity == null ? -1 : 0, -1, -1, 0, values,
        encodedRetained + values.retainedBytes());
  }

  /** Heap bytes this view keeps alive (0 for a plain view of a mapped file). */
  public long retainedBytes() {
    return (buf.isDirect() ? 0 : buf.capacity()) + extraRetained;
  }

  /** Bytes of a validity bitmap (or a BOOL value bitmap) of n elements, unpadded. */
  public static long bitmapBytes(long n) {
    return (n + 7) >>> 3;
  }

  /**
   * Size of the header part of a raw block: the padded validity bitmap, and for LIST kinds the
   * child start, for var-width and list kinds the padded offsets.
   */
  public static long prefixLength(NodeKind kind, long n, boolean hasValidity) {
    long size = hasValidity ? WeftFormat.align(bitmapBytes(n)) : 0;
    if (kind.isVariableList()) {
      size += 8 + (n + 1) * 4;
    } else if (kind.hasOffsets()) {
      size += WeftFormat.align((n + 1) * 4);
    }
    return size;
  }

  /** Offset of the u32 offsets array within a raw block, for kinds that have one. */
  public static long offsetsPosition(NodeKind kind, long n, boolean hasValidity) {
    long pos = hasValidity ? WeftFormat.align(bitmapBytes(n)) : 0;
    return kind.isVariableList() ? pos + 8 : pos;
  }

  /**
   * The exact raw length of a block of {@code n} elements, or -1 for var-width kinds, whose
   * length depends on the stored offsets. Lets a reader check a block's declared raw length
   * before it allocates anything for decompression.
   */
  public static long expectedRawLength(ColumnNode node, long n, boolean hasValidity) {
    long prefix = prefixLength(node.kind(), n, hasValidity);
    return switch (node.kind()) {
      case FIXED -> prefix + n * node.byteWidth();
      case BOOL -> prefix + bitmapBytes(n);
      case VARBINARY, LARGE_VARBINARY -> -1;
      case NULL -> 0;
      default -> prefix;
    };
  }

  /**
   * Parses a raw block.
   *
   * @param raw the raw bytes, exactly the block (position 0 to limit)
   * @return the view
   * @throws IllegalArgumentException describing the inconsistency if the block is malformed
   */
  public static MiniBlock parse(ByteBuffer raw, ColumnNode node, int count, boolean hasValidity) {
    return parse(raw, node, count, hasValidity, true);
  }

  /**
   * Parses a block its writer just assembled (so its offsets are known to ascend): as {@link
   * #parse(ByteBuffer, ColumnNode, int, boolean)} without checking every offset, which costs a
   * pass over them per block.
   */
  public static MiniBlock parseOwn(ByteBuffer raw, ColumnNode node, int count, boolean hasValidity) {
    return parse(raw, node, count, hasValidity, false);
  }

  private static MiniBlock parse(ByteBuffer raw, ColumnNode node, int count, boolean hasValidity,
      boolean checkOffsets) {
    ByteBuffer b = raw.slice().order(ByteOrder.LITTLE_ENDIAN);
    long len = b.remaining();
    NodeKind kind = node.kind();
    if (kind == NodeKind.NULL) {
      if (hasValidity || len != 0) {
        throw new IllegalArgumentException("null-type block must be empty, has " + len + " bytes");
      }
      return new MiniBlock(b, count, -1, -1, -1, 0);
    }
    int validityPos = hasValidity ? 0 : -1;
    long prefix = prefixLength(kind, count, hasValidity);
    if (prefix > len) {
      throw new IllegalArgumentException("block of " + len + " bytes too short for " + count + " elements");
    }
    long expected;
    int offsetsPos = -1;
    int valuesPos = -1;
    long childStart = 0;
    switch (kind) {
      case FIXED -> {
        valuesPos = (int) prefix;
        expected = prefix + (long) count * node.byteWidth();
      }
      case BOOL -> {
        valuesPos = (int) prefix;
        expected = prefix + bitmapBytes(count);
      }
      case VARBINARY, LARGE_VARBINARY, LIST, LARGE_LIST -> {
        offsetsPos = (int) offsetsPosition(kind, count, hasValidity);
        if (kind.isVariableList()) {
          childStart = b.getLong(offsetsPos - 8);
          if (childStart < 0) {
            throw new IllegalArgumentException("negative child start " + childStart);
          }
        }
        long prev = 0;
        if ((b.getInt(offsetsPos) & 0xFFFF_FFFFL) != 0) {
          throw new IllegalArgumentException("first offset is not 0");
        }
        if (!checkOffsets && count > 0) {
          prev = b.getInt(offsetsPos + 4 * count) & 0xFFFF_FFFFL;
        }
        for (int i = 1; checkOffsets && i <= count; i++) {
          long o = b.getInt(offsetsPos + 4 * i) & 0xFFFF_FFFFL;
          if (o < prev) {
            throw new IllegalArgumentException("offset " + i + " (" + o + ") is below offset " + (i - 1) + " (" + prev + ")");
          }
          prev = o;
        }
        if (kind.isVariableList()) {
          expected = prefix;
        } else {
          valuesPos = (int) prefix;
          expected = prefix + prev;
        }
      }
      default -> expected = prefix;
    }
    if (expected != len) {
      throw new IllegalArgumentException("block of " + count + " " + kind + " elements should be "
          + expected + " bytes, is " + len);
    }
    return new MiniBlock(b, count, validityPos, offsetsPos, valuesPos, childStart);
  }

  public boolean isValid(int i) {
    return validityPos < 0 || (buf.get(validityPos + (i >>> 3)) & (1 << (i & 7))) != 0;
  }

  /** Offset i of a block with offsets, relative to its values or child start. */
  public long offset(int i) {
    return buf.getInt(offsetsPos + 4 * i) & 0xFFFF_FFFFL;
  }

  /** The last offset: value bytes (VARBINARY) or child elements (LIST) in this block. */
  public long lastOffset() {
    return offset(count);
  }
}
