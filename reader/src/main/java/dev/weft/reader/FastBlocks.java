package dev.weft.reader;

import dev.weft.format.MiniBlock;
import dev.weft.format.encoding.ForBitPacked;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Flat, primitive descriptions of the blocks of one FIXED node whose values a random take can
 * read with no object in between: plain values and FOR bit-packed values without exceptions,
 * in the mapped file, without validity. One entry of 4 longs per block of the node (32 bytes per
 * block, like its block table entry), filled after the block was decoded (and so its checksum
 * verified) the first time. Random access to a cached block otherwise follows a chain of objects
 * (cache slot, decoded block, view, decoder, buffer), each a likely cache miss; an entry is one.
 *
 * <p>Entry: {@code [0]} tag (bits 0-7: {@link #UNKNOWN}, {@link #SLOW}, {@link #PLAIN},
 * {@link #FOR}), bit width (bits 8-15), length of the packed bytes (bits 16-63); {@code [1]}
 * address of the values; {@code [2]} FOR base; {@code [3]} FOR scale. Word 0 is written last
 * with release semantics and read with acquire, so a reader that sees a tag sees the entry.
 * Addresses stay valid while the reader's mapping is referenced (as for
 * {@link NodeReader#fixedValueAddress}). Thread-safe.
 */
final class FastBlocks {
  static final int UNKNOWN = 0;
  static final int SLOW = 1;
  static final int PLAIN = 2;
  static final int FOR = 3;

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  private final long[] entries;

  FastBlocks(int blocks) {
    this.entries = new long[4 * blocks];
  }

  /** The tag of block {@code g} (index over all pages of the node). */
  int tag(int g) {
    return (int) ((long) LONGS.getAcquire(entries, 4 * g) & 0xFF);
  }

  /** Describes decoded block {@code g}: fast if its layout allows, else {@link #SLOW}. */
  void register(int g, DecodedBlock d) {
    MiniBlock mb = d.view();
    long tag = SLOW;
    if (mb.validityPos < 0) {
      if (mb.values == null && d.uncompressed() && mb.buf.isDirect()) {
        entries[4 * g + 1] = MemoryUtil.getByteBufferAddress(mb.buf) + mb.valuesPos;
        tag = PLAIN;
      } else if (mb.values instanceof ForBitPacked.Decoder f && f.exceptionPositions() == null
          && f.buf().isDirect()) {
        ByteBuffer b = f.buf();
        entries[4 * g + 1] = MemoryUtil.getByteBufferAddress(b) + f.start();
        entries[4 * g + 2] = f.base();
        entries[4 * g + 3] = f.scale();
        tag = FOR | ((long) f.bits() << 8) | ((long) (f.end() - f.start()) << 16);
      }
    }
    LONGS.setRelease(entries, 4 * g, tag);
  }

  /**
   * Value {@code i} of block {@code g}, whose tag is {@link #PLAIN} or {@link #FOR}, as the
   * low {@code width} bytes of the result; {@code i} lies within the block.
   */
  long value(int g, int i, int width) {
    long head = entries[4 * g];
    long addr = entries[4 * g + 1];
    if ((head & 0xFF) == PLAIN) {
      return switch (width) {
        case 8 -> MemoryUtil.getLong(addr + 8L * i);
        case 4 -> MemoryUtil.getInt(addr + 4L * i);
        case 2 -> MemoryUtil.getShort(addr + 2L * i);
        default -> MemoryUtil.getByte(addr + i);
      };
    }
    int bits = (int) (head >>> 8) & 0xFF;
    long base = entries[4 * g + 2];
    if (bits == 0) {
      return base;
    }
    long length = head >>> 16;
    long bitPos = (long) i * bits;
    long off = bitPos >>> 3;
    int shift = (int) (bitPos & 7);
    long w;
    if (off + 8 <= length) {
      w = MemoryUtil.getLong(addr + off);
    } else {
      // near the end: read only the packed bytes (as BitPacking.get does)
      w = 0;
      for (int k = 0; off + k < length && k < 8; k++) {
        w |= (MemoryUtil.getByte(addr + off + k) & 0xFFL) << (8 * k);
      }
    }
    w >>>= shift;
    if (shift + bits > 64) {
      w |= (long) (MemoryUtil.getByte(addr + off + 8) & 0xFF) << (64 - shift);
    }
    long p = bits == 64 ? w : w & ((1L << bits) - 1);
    return base + entries[4 * g + 3] * p;
  }
}
