package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * SHARED DICTIONARY (format 4.0): the distinct values of one node in one row group (a <i>column
 * chunk</i>), stored once, and mini-blocks that store only each value's index into it (its code).
 * Encoder and decoder side by side.
 *
 * <pre>
 * Dictionary (raw, then maybe compressed as a whole; see DictionaryMeta):
 *   FIXED(w), w in {1,2,4,8} : Entries IntStream(NumEntries)      at cascade level 1
 *   VARBINARY, LARGE_VARBINARY: Entries StringStream(NumEntries)   at cascade level 1
 * A block's main stream, in a page whose PageMeta names the dictionary:
 *   FIXED(w)  : IntStream scheme 8 SHARED_DICTIONARY    = Scheme u8, Codes IntStream(n)  (level 2)
 *   VARBINARY : StringStream scheme 3 SHARED_DICTIONARY = Scheme u8, Codes IntStream(n)  (level 2)
 * </pre>
 *
 * Value {@code i} of the block is {@code Entries[Codes[i]]}; a code outside
 * {@code [0, NumEntries)} is corruption (checked when the value is read for integers, when the
 * block is laid out for strings). The schemes appear only as a block's main stream, never inside
 * a cascade. Example: a chunk of "ATL", "ORD", "ATL" stores the dictionary {@code 00} (PLAIN),
 * lengths CONSTANT 3, {@code ATLORD}, and the block {@code 03} (scheme) followed by codes 0, 1, 0
 * as an IntStream (PLAIN of width 1: {@code 00 01 00 01 00}).
 *
 * <p>Writer (see the writer's {@code ChunkDictionary}): entries in order of first occurrence in
 * the row group (frequent values tend to come first, so they get small codes), at most
 * {@link #MAX_ENTRIES} and about 1 MiB of raw entry bytes; a block is stored with codes only
 * where that, plus the estimated bytes of the entries it adds, beats its best per-block
 * encoding. Reader: the dictionary is read, checked and decoded once per column chunk and cached;
 * a take of one value reads its mini-block (and the dictionary, on the chunk's first read).
 */
public final class SharedDictionary {
  /** IntStream scheme id of a block's codes into the shared dictionary. */
  public static final int INT_ID = 8;
  /** StringStream scheme id of a block's codes into the shared dictionary. */
  public static final int STRING_ID = 3;
  /** The most entries a dictionary may hold (checked). */
  public static final int MAX_ENTRIES = 1 << 20;
  /** The most raw bytes a dictionary may have (checked before anything is allocated). */
  public static final int MAX_RAW_BYTES = 16 << 20;

  private final long[] ints;
  private final int[] offsets;
  private final byte[] data;

  private SharedDictionary(long[] ints, int[] offsets, byte[] data) {
    this.ints = ints;
    this.offsets = offsets;
    this.data = data;
  }

  /** A dictionary of integers (or IEEE bit patterns), sign-extended to 64 bits. */
  public static SharedDictionary ofInts(long[] entries) {
    return new SharedDictionary(entries, null, null);
  }

  /** A dictionary of byte strings: Arrow-style offsets (n+1, from 0) and their bytes. */
  public static SharedDictionary ofStrings(int[] offsets, byte[] data) {
    return new SharedDictionary(null, offsets, data);
  }

  /** Number of entries. */
  public int size() {
    return ints != null ? ints.length : offsets.length - 1;
  }

  /** Whether this dictionary holds strings. */
  public boolean strings() {
    return ints == null;
  }

  /** Entry {@code k} of an integer dictionary. */
  public long intEntry(int k) {
    return ints[k];
  }

  /** Heap bytes of the decoded dictionary. */
  public long retainedBytes() {
    return ints != null ? 8L * ints.length : 4L * offsets.length + data.length;
  }

  /** Whether blocks of {@code node} may use a shared dictionary: integer-width FIXED and byte strings. */
  public static boolean kindAllowed(dev.weft.format.ColumnNode node) {
    return switch (node.kind()) {
      case FIXED -> node.byteWidth() == 1 || node.byteWidth() == 2 || node.byteWidth() == 4 || node.byteWidth() == 8;
      case VARBINARY, LARGE_VARBINARY -> true;
      default -> false;
    };
  }

  /** The main-stream scheme id of a block of {@code node} that holds codes into its shared dictionary. */
  public static int schemeFor(dev.weft.format.ColumnNode node) {
    return node.kind() == dev.weft.format.NodeKind.FIXED ? INT_ID : STRING_ID;
  }

  // ---------------------------------------------------------------- encoding (writer)

  /** The raw dictionary of integer entries {@code v[0, m)} of {@code width}-byte values. */
  public static byte[] encodeInts(long[] v, int m, int width, boolean floating) {
    MetaOutput out = new MetaOutput(64 + 8 * m);
    IntStreams.encode(v, m, 1, new IntStreams.Hints(width, floating, false, false), out);
    return out.toByteArray();
  }

  /**
   * The raw dictionary of string entries: entry {@code k} is
   * {@code data[offsets[k], offsets[k+1])}, for {@code k < m}. The smaller of PLAIN and FSST.
   */
  public static byte[] encodeStrings(byte[] data, int[] offsets, int m) {
    long[] lengths = new long[m];
    for (int k = 0; k < m; k++) {
      lengths[k] = offsets[k + 1] - offsets[k];
    }
    byte[] bytes = java.util.Arrays.copyOf(data, offsets[m]);
    IntStreams.Hints h = new IntStreams.Hints(8, false, false, false);
    MetaOutput best = StringStreams.plain(bytes, lengths, m, 1, h);
    if (bytes.length >= 64 && bytes.length <= FsstStrings.MAX_INPUT) {
      MetaOutput f = StringStreams.fsst(bytes, lengths, m, 1, h, false);
      if (f != null && f.size() < best.size()) {
        best = f;
      }
    }
    return best.toByteArray();
  }

  /** A block's main stream: the scheme id, then the codes as an IntStream one level below. */
  public static void encodeCodes(boolean strings, long[] codes, int n, boolean alignWidths, MetaOutput out) {
    encodeCodes(strings, codes, n, alignWidths, out, -1);
  }

  /** As above, trying the codes' scheme {@code preferred} first (-1: select among all). */
  public static void encodeCodes(boolean strings, long[] codes, int n, boolean alignWidths, MetaOutput out,
      int preferred) {
    out.u8(strings ? STRING_ID : INT_ID);
    IntStreams.encode(codes, n, 2, new IntStreams.Hints(8, false, alignWidths, false), out, preferred);
  }

  /**
   * As above, given what is known of the codes (their smallest and largest, maybe their counts):
   * the same bytes, fewer passes.
   */
  public static void encodeCodes(boolean strings, long[] codes, int n, boolean alignWidths, MetaOutput out,
      int preferred, IntStreams.Known known) {
    out.u8(strings ? STRING_ID : INT_ID);
    IntStreams.encode(codes, n, 2, new IntStreams.Hints(8, false, alignWidths, false), out, preferred, known);
  }

  // ---------------------------------------------------------------- decoding (reader)

  /**
   * Parses a raw dictionary of {@code numEntries} entries.
   *
   * @throws MalformedEncodingException if it is malformed or does not fill {@code raw} exactly
   */
  public static SharedDictionary parse(ByteBuffer raw, boolean strings, int numEntries) {
    if (numEntries < 1 || numEntries > MAX_ENTRIES) {
      throw new MalformedEncodingException("shared dictionary of " + numEntries + " entries (allowed: 1 to "
          + MAX_ENTRIES + ")");
    }
    ByteBuffer b = raw.slice().order(ByteOrder.LITTLE_ENDIAN);
    EncodedInput in = new EncodedInput(b, 0, b.limit());
    SharedDictionary d;
    if (strings) {
      StringStreams.Strings s = StringStreams.decode(in, numEntries, 1);
      d = ofStrings(s.offsets(), s.data());
    } else {
      d = ofInts(IntStreams.parse(in, numEntries, 1).decodeAll());
    }
    in.expectEnd("shared dictionary");
    return d;
  }

  /** Reads a block's codes (after its scheme byte, already checked) as an IntStream of n values. */
  public static IntDecoder parseCodes(EncodedInput in, int n) {
    int id = in.u8("shared dictionary scheme");
    if (id != INT_ID && id != STRING_ID) {
      throw new MalformedEncodingException("scheme " + id + " is not a shared dictionary");
    }
    return IntStreams.parse(in, n, 2);
  }

  /** The values of a block of integer codes into this dictionary. */
  public IntDecoder values(IntDecoder codes) {
    if (ints == null) {
      throw new MalformedEncodingException("an integer block refers to a string dictionary");
    }
    return new Decoder(ints, codes);
  }

  /** The strings of a block of {@code n} codes into this dictionary, laid out as offsets and bytes. */
  public StringStreams.Strings strings(IntDecoder codes, int n) {
    if (ints != null) {
      throw new MalformedEncodingException("a string block refers to an integer dictionary");
    }
    long[] c = codes.decodeAll();
    return StringStreams.gather(c, n, offsets, data);
  }

  /**
   * Values {@code entries[codes[i]]}: one value costs a code read and an array load. The entries
   * belong to the column chunk's dictionary, which the reader caches once, so they are not counted
   * as this block's retained bytes.
   */
  public record Decoder(long[] entries, IntDecoder codes) implements IntDecoder {
    private long entry(long code) {
      if (code < 0 || code >= entries.length) {
        throw new MalformedEncodingException("shared dictionary code " + code + " outside [0, " + entries.length
            + ")");
      }
      return entries[(int) code];
    }

    @Override
    public int size() {
      return codes.size();
    }

    @Override
    public long get(int i) {
      return entry(codes.get(i));
    }

    @Override
    public void decode(int from, int n, long[] dst, int off) {
      codes.decode(from, n, dst, off);
      long[] e = entries;
      int m = e.length;
      for (int k = off; k < off + n; k++) {
        long c = dst[k];
        if (c < 0 || c >= m) {
          throw new MalformedEncodingException("shared dictionary code " + c + " outside [0, " + m + ")");
        }
        dst[k] = e[(int) c];
      }
    }

    @Override
    public long retainedBytes() {
      return codes.retainedBytes();
    }
  }
}
