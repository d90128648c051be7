package dev.weft.reader;

import dev.weft.format.MiniBlock;
import dev.weft.format.encoding.AlpFloats;
import dev.weft.format.encoding.ByteStreamSplit;
import dev.weft.format.encoding.ConstantInts;
import dev.weft.format.encoding.DictionaryInts;
import dev.weft.format.encoding.ForBitPacked;
import dev.weft.format.encoding.IntDecoder;
import dev.weft.format.encoding.MalformedEncodingException;
import dev.weft.format.encoding.PlainInts;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Flat, primitive descriptions of the blocks of one FIXED node whose values a random take can
 * read with no object in between: plain values, and values whose FOR bit-packed stream has no
 * exceptions: FOR integers, ALP floats with FOR digits (no exceptions), dictionary codes (the
 * entries array is the one object), and byte-stream-split floats whose byte streams are plain,
 * constant, FOR or dictionary (one descriptor array per block, {@link #bssDescriptor}); in the
 * mapped file, without validity. One entry of 4 longs per block of the node (32 bytes per
 * block, like its block table entry), filled after the block was decoded (and so its checksum
 * verified) the first time. Random access to a cached block otherwise follows a chain of objects
 * (cache slot, decoded block, view, decoder, buffer), each a likely cache miss; an entry is one.
 *
 * <p>Entry: {@code [0]} tag (bits 0-7: {@link #UNKNOWN}, {@link #SLOW}, {@link #PLAIN},
 * {@link #FOR}, {@link #ALP}, {@link #DICT}, {@link #BSS}), bit width (bits 8-15), ALP exponent
 * and factor (bits 16-23, 24-31), length of the packed bytes (bits 32-63); {@code [1]} address
 * of the values; {@code [2]} FOR base; {@code [3]} FOR scale. A dictionary's entries, or a
 * byte-stream-split block's descriptor, are in {@code dictionaries[g]}. Word 0 is written last
 * with release semantics and read with acquire, so a reader that sees a tag sees the entry.
 * Addresses stay valid while the reader's mapping is referenced (as for
 * {@link NodeReader#fixedValueAddress}). Thread-safe.
 */
final class FastBlocks {
  static final int UNKNOWN = 0;
  static final int SLOW = 1;
  static final int PLAIN = 2;
  static final int FOR = 3;
  static final int ALP = 4;
  static final int DICT = 5;
  static final int BSS = 6;
  /** A constant stream within a byte-stream-split descriptor (never a block's tag). */
  private static final int CONSTANT = 7;

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  private final long[] entries;
  private final long[][] dictionaries;
  /** The node's value width in bytes. */
  private final int width;

  FastBlocks(int blocks, int width) {
    this.width = width;
    this.entries = new long[4 * blocks];
    this.dictionaries = new long[blocks][];
  }

  /** The head word of a FOR stream without exceptions in mapped memory, or -1. */
  private long forStream(int g, IntDecoder d, long tag, long aux) {
    if (d instanceof ForBitPacked.Decoder f && f.exceptionPositions() == null && f.buf().isDirect()
        && f.end() - f.start() >= 0) {
      entries[4 * g + 1] = MemoryUtil.getByteBufferAddress(f.buf()) + f.start();
      entries[4 * g + 2] = f.base();
      entries[4 * g + 3] = f.scale();
      return tag | ((long) f.bits() << 8) | (aux << 16) | ((long) (f.end() - f.start()) << 32);
    }
    return -1;
  }

  /** The tag of block {@code g} (index over all pages of the node). */
  int tag(int g) {
    return (int) ((long) LONGS.getAcquire(entries, 4 * g) & 0xFF);
  }

  /**
   * Describes decoded block {@code g}: fast if its layout allows, else {@link #SLOW}.
   *
   * @param pin whether the kinds that keep arrays ({@link #DICT}, {@link #BSS}) may be used: only
   *     for a block the reader's cache holds, which calls {@link #forget} when it evicts it, so
   *     that those arrays stay within the cache's budget
   */
  void register(int g, DecodedBlock d, boolean pin) {
    MiniBlock mb = d.view();
    long tag = SLOW;
    if (mb.validityPos < 0) {
      if (mb.values == null && d.uncompressed() && mb.buf.isDirect()) {
        entries[4 * g + 1] = MemoryUtil.getByteBufferAddress(mb.buf) + mb.valuesPos;
        tag = PLAIN;
      } else if (mb.values instanceof ForBitPacked.Decoder) {
        tag = Math.max(SLOW, forStream(g, mb.values, FOR, 0));
      } else if (mb.values instanceof AlpFloats.Decoder a && a.exceptionPositions() == null
          && a.width() == width) {
        tag = Math.max(SLOW, forStream(g, a.digits(), ALP, a.exponent() | (a.factor() << 8)));
      } else if (pin && mb.values instanceof ByteStreamSplit.Decoder bss && bss.width() == width) {
        long[] desc = bssDescriptor(bss);
        if (desc != null) {
          dictionaries[g] = desc;
          tag = BSS;
        }
      } else if (pin && mb.values instanceof DictionaryInts.Decoder dict) {
        dictionaries[g] = dict.entries();
        tag = Math.max(SLOW, forStream(g, dict.codes(), DICT, 0));
      }
    }
    LONGS.setRelease(entries, 4 * g, tag);
  }

  /** Drops block {@code g}'s entry if it keeps arrays (its block left the cache). */
  void forget(int g) {
    int tag = tag(g);
    if (tag == DICT || tag == BSS) {
      LONGS.setRelease(entries, 4 * g, (long) UNKNOWN);
      dictionaries[g] = null;
    }
  }

  /**
   * The array a {@link #DICT} or {@link #BSS} entry reads (null once forgotten: then read the
   * block instead); pass it to {@link #value}.
   */
  long[] aux(int g) {
    return dictionaries[g];
  }

  /**
   * Value {@code i} of block {@code g}, whose tag is one of the fast ones ({@link #PLAIN} and
   * above), as the low {@code width} bytes of the result; {@code i} lies within the block;
   * {@code aux} from {@link #aux} (not null) for {@link #DICT} and {@link #BSS}.
   *
   * @throws MalformedEncodingException if a dictionary code is out of range
   */
  long value(int g, int i, long[] aux) {
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
    if ((head & 0xFF) == BSS) {
      return bssValue(aux, i);
    }
    long p = unpack(addr, head >>> 32, (int) (head >>> 8) & 0xFF, i);
    long base = entries[4 * g + 2];
    long v = base + entries[4 * g + 3] * p;
    return switch ((int) (head & 0xFF)) {
      case FOR -> v;
      case ALP -> AlpFloats.decodeBits(v, width, (int) (head >>> 16) & 0xFF, (int) (head >>> 24) & 0xFF);
      default -> {
        long[] dict = aux;
        if (v < 0 || v >= dict.length) {
          throw new MalformedEncodingException("dictionary code " + v + " outside [0, " + dict.length + ")");
        }
        yield dict[(int) v];
      }
    };
  }

  /** Packed value {@code i} of {@code bits} bits at {@code addr}, reading only {@code length} bytes. */
  private static long unpack(long addr, long length, int bits, int i) {
    if (bits == 0) {
      return 0;
    }
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
    return bits == 64 ? w : w & ((1L << bits) - 1);
  }

  /**
   * The descriptor of a byte-stream-split block whose streams are all simple (plain bytes,
   * constant, FOR or dictionary of FOR codes, without exceptions, in mapped memory), or null.
   * Per stream k, 5 longs at {@code 5k}: kind (bits 0-7) | bit width (8-15) | packed length
   * (32-63); address; base (or the constant); scale; dictionary offset in this array (bits
   * 0-31) and length (32-63). Dictionary entries follow the streams.
   */
  private static long[] bssDescriptor(ByteStreamSplit.Decoder b) {
    int width = b.width();
    int dictTotal = 0;
    for (IntDecoder d : b.streams()) {
      if (d instanceof DictionaryInts.Decoder dict) {
        dictTotal += dict.entries().length;
      }
    }
    long[] desc = new long[5 * width + dictTotal];
    int dictAt = 5 * width;
    for (int k = 0; k < width; k++) {
      IntDecoder d = b.streams()[k];
      int o = 5 * k;
      if (d instanceof PlainInts.Decoder p && p.width() == 1 && p.buf().isDirect()) {
        desc[o] = PLAIN;
        desc[o + 1] = MemoryUtil.getByteBufferAddress(p.buf()) + p.start();
      } else if (d instanceof ConstantInts.Decoder c) {
        desc[o] = CONSTANT;
        desc[o + 2] = c.value();
      } else {
        IntDecoder codes = d;
        long kind = FOR;
        if (d instanceof DictionaryInts.Decoder dict) {
          codes = dict.codes();
          kind = DICT;
          long[] e = dict.entries();
          System.arraycopy(e, 0, desc, dictAt, e.length);
          desc[o + 4] = dictAt | ((long) e.length << 32);
          dictAt += e.length;
        }
        if (!(codes instanceof ForBitPacked.Decoder f && f.exceptionPositions() == null && f.buf().isDirect())) {
          return null;
        }
        desc[o] = kind | ((long) f.bits() << 8) | ((long) (f.end() - f.start()) << 32);
        desc[o + 1] = MemoryUtil.getByteBufferAddress(f.buf()) + f.start();
        desc[o + 2] = f.base();
        desc[o + 3] = f.scale();
      }
    }
    return desc;
  }

  /** Value {@code i} of a byte-stream-split block described by {@code desc}. */
  private long bssValue(long[] desc, int i) {
    long v = 0;
    for (int k = 0; k < width; k++) {
      int o = 5 * k;
      long head = desc[o];
      int kind = (int) (head & 0xFF);
      long x;
      if (kind == PLAIN) {
        x = MemoryUtil.getByte(desc[o + 1] + i);
      } else if (kind == CONSTANT) {
        x = desc[o + 2];
      } else {
        x = desc[o + 2] + desc[o + 3] * unpack(desc[o + 1], head >>> 32, (int) (head >>> 8) & 0xFF, i);
        if (kind == DICT) {
          long dict = desc[o + 4];
          int len = (int) (dict >>> 32);
          if (x < 0 || x >= len) {
            throw new MalformedEncodingException("dictionary code " + x + " outside [0, " + len + ")");
          }
          x = desc[(int) dict + (int) x];
        }
      }
      v |= (x & 0xFFL) << (8 * k);
    }
    int unused = 64 - 8 * width;
    return (v << unused) >> unused;
  }
}
