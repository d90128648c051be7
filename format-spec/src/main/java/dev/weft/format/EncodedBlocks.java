package dev.weft.format;

import dev.weft.format.encoding.BoolStreams;
import dev.weft.format.encoding.BytesStreams;
import dev.weft.format.encoding.EncodedInput;
import dev.weft.format.encoding.IntDecoder;
import dev.weft.format.encoding.IntStreams;
import dev.weft.format.encoding.MalformedEncodingException;
import dev.weft.format.encoding.SharedDictionary;
import dev.weft.format.encoding.StringStreams;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The layout of an <b>encoded</b> raw mini-block (block flag {@code ENCODED}, format 2.0): the
 * same elements as a plain block ({@link MiniBlock}), stored as cascading encoded streams.
 *
 * <pre>
 * EncodedBlock --&gt; [Validity BoolStream(n)]                         if Flags HAS_VALIDITY
 *                  KindPart
 * FIXED(w), w in {1,2,4,8}     : Values IntStream(n)               w-byte values, sign-extended
 * FIXED(w), other w (3.0)      : Values BytesStream(n, w)          see {@link BytesStreams}
 * BOOL                         : Values BoolStream(n)
 * VARBINARY, LARGE_VARBINARY   : Values StringStream(n)
 * LIST, LARGE_LIST             : ChildStart u64, Lengths IntStream(n)
 * FIXED_SIZE_LIST, STRUCT      : (nothing: only the validity is encoded)
 * </pre>
 *
 * (4.0) The Values of a FIXED(1, 2, 4, 8) or VARBINARY block may instead be codes into the column
 * chunk's shared dictionary ({@link SharedDictionary}: IntStream scheme 8, StringStream scheme 3),
 * when the block's page names one.
 *
 * The block's streams are at cascade level 1 (see {@link IntStreams}, {@link BoolStreams},
 * {@link StringStreams}); the stream grammar fixes each one's length, and the streams must fill
 * the raw block exactly. The scheme id of the block's main stream (Values, Lengths, or the
 * Validity of a STRUCT/FIXED_SIZE_LIST block) is repeated in bits 8-15 of the block's flags so
 * that statistics need no data; the two must agree (checked). Rules (checked): {@code 1 <= n <=}
 * {@link #MAX_ELEMENTS}; NULL blocks and blocks of no element are never encoded (nor, before
 * format 3.0, FIXED blocks of widths other than 1, 2, 4, 8); an encoded block's RawLength is at most {@link #MAX_GROWTH} bytes more than the
 * plain layout's length for FIXED, BOOL, LIST and validity-only kinds. Values in null slots are unspecified (the writer repeats the
 * previous valid value, which keeps runs and deltas small); list lengths of null lists are kept.
 */
public final class EncodedBlocks {
  /** The most elements an encoded block may hold (bounds what a reader materialises). */
  public static final int MAX_ELEMENTS = 1 << 20;
  /**
   * An encoded block's RawLength may exceed the plain layout's length by at most this many bytes
   * (stream headers of blocks that only a compression pass after the encoding makes smaller).
   */
  public static final int MAX_GROWTH = 64;

  private EncodedBlocks() {}

  /** Whether blocks of {@code node} may be stored encoded. */
  public static boolean encodable(ColumnNode node) {
    return node.kind() != NodeKind.NULL;
  }

  /** Whether FIXED values of width {@code w} are an IntStream (else a BytesStream, format 3.0). */
  public static boolean intWidth(int w) {
    return w == 1 || w == 2 || w == 4 || w == 8;
  }

  /**
   * The first major format version whose files may hold an encoded block of {@code node} whose
   * main stream has scheme {@code scheme}: 2 for the 2.0 encodings, 3 for FSST strings and byte
   * values of widths other than 1, 2, 4, 8, 4 for shared dictionary codes and UP, 5 for SPAN, 6 for
   * SPAN_FOLD.
   * Readers reject a block whose scheme is newer than its file.
   */
  public static int minMajor(ColumnNode node, int scheme) {
    return switch (node.kind()) {
      case FIXED -> !intWidth(node.byteWidth())
          ? (scheme == BytesStreams.SPAN_FOLD ? WeftFormat.VERSION_MAJOR_SPAN_FOLD
              : scheme == BytesStreams.SPAN ? WeftFormat.VERSION_MAJOR_SPAN_BYTES
              : scheme == BytesStreams.UP ? WeftFormat.VERSION_MAJOR_UP_BYTES : WeftFormat.VERSION_MAJOR_FSST)
          : scheme == SharedDictionary.INT_ID ? WeftFormat.VERSION_MAJOR_SHARED_DICTIONARY : WeftFormat.VERSION_MAJOR_ENCODINGS;
      case VARBINARY, LARGE_VARBINARY -> scheme == SharedDictionary.STRING_ID ? WeftFormat.VERSION_MAJOR_SHARED_DICTIONARY
          : scheme == StringStreams.FSST ? WeftFormat.VERSION_MAJOR_FSST : WeftFormat.VERSION_MAJOR_ENCODINGS;
      default -> WeftFormat.VERSION_MAJOR_ENCODINGS;
    };
  }

  /**
   * An encoded block, the scheme id of its main stream (for the block flags) and, for a block of
   * shared dictionary codes, the scheme of its codes stream (else -1).
   */
  public record Encoded(byte[] bytes, int scheme, int codesScheme) {
    public Encoded(byte[] bytes, int scheme) {
      this(bytes, scheme, -1);
    }
  }

  /** The statistics name of a block's encoding: "PLAIN" for plain blocks, else kind and scheme. */
  public static String describe(NodeKind kind, boolean encoded, int scheme) {
    if (!encoded) {
      return "PLAIN";
    }
    return switch (kind) {
      case FIXED -> BytesStreams.isBytesScheme(scheme) ? BytesStreams.name(scheme) : IntStreams.name(scheme);
      case BOOL -> "BOOL_" + BoolStreams.name(scheme);
      case VARBINARY, LARGE_VARBINARY -> "STRING_" + StringStreams.name(scheme);
      case LIST, LARGE_LIST -> "LENGTHS_" + IntStreams.name(scheme);
      default -> "VALIDITY_" + BoolStreams.name(scheme);
    };
  }

  /**
   * Encodes a plain block.
   *
   * @param alignWidths round bit widths up to whole bytes (for a following zstd pass)
   * @param compressed whether a compression pass follows (floats then use byte-stream-split)
   * @return the encoding, or null when this block may not be encoded
   */
  public static Encoded encode(MiniBlock plain, ColumnNode node, boolean alignWidths, boolean compressed) {
    return encode(plain, node, alignWidths, compressed, -1);
  }

  /**
   * As {@link #encode(MiniBlock, ColumnNode, boolean, boolean)}, trying scheme {@code preferred}
   * for the main stream first (FIXED values, LIST lengths, VARBINARY strings; see
   * {@link IntStreams#encode(long[], int, int, IntStreams.Hints, MetaOutput, int)}); a negative
   * {@code preferred} selects among all schemes. FIXED values of other widths than 1, 2, 4, 8 use
   * {@code preferred} if it is {@link BytesStreams#PAETH}, {@link BytesStreams#UP} or (where they
   * apply) {@link BytesStreams#SPAN} or {@link BytesStreams#SPAN_FOLD}, else UP (the writer compares them after its codec pass). The writer passes the scheme an earlier block
   * of the column chose, so that most blocks are encoded once.
   */
  public static Encoded encode(MiniBlock plain, ColumnNode node, boolean alignWidths, boolean compressed,
      int preferred) {
    int n = plain.count;
    if (!encodable(node) || n < 1 || n > MAX_ELEMENTS) {
      return null;
    }
    boolean hasValidity = plain.validityPos >= 0;
    if (!hasValidity && (node.kind() == NodeKind.STRUCT || node.kind() == NodeKind.FIXED_SIZE_LIST)) {
      return null;
    }
    IntStreams.Hints ints = new IntStreams.Hints(8, false, alignWidths, false);
    MetaOutput out = scratchOutput();
    ByteBuffer b = plain.buf;
    if (hasValidity) {
      BoolStreams.encode(b, plain.validityPos, n, 1, ints, out);
    }
    int mainAt = out.size();
    switch (node.kind()) {
      case FIXED -> {
        int w = node.byteWidth();
        if (!intWidth(w)) {
          if (!compressed || alignWidths) {
            // residuals pay only through the codec pass; byte widths do not apply (one candidate)
            return null;
          }
          byte[] values = new byte[n * w];
          b.get(plain.valuesPos, values);
          boolean usable = BytesStreams.isBytesScheme(preferred) && BytesStreams.applies(preferred, w);
          BytesStreams.encode(values, 0, n, w, usable ? preferred : BytesStreams.UP, out);
          break;
        }
        long[] v = readFixed(b, plain.valuesPos, n, w);
        if (hasValidity) {
          fillNulls(v, plain);
        }
        boolean floating = node.field().getType() instanceof ArrowType.FloatingPoint;
        IntStreams.encode(v, n, 1, new IntStreams.Hints(w, floating, alignWidths, floating && compressed), out,
            preferred);
      }
      case BOOL -> BoolStreams.encode(b, plain.valuesPos, n, 1, ints, out);
      case VARBINARY, LARGE_VARBINARY -> StringStreams.encode(b, plain.offsetsPos, plain.valuesPos, n, 1, ints, out,
          preferred);
      case LIST, LARGE_LIST -> {
        out.u64(plain.childStart);
        mainAt = out.size();
        long[] lengths = new long[n];
        for (int i = 0; i < n; i++) {
          lengths[i] = plain.offset(i + 1) - plain.offset(i);
        }
        IntStreams.encode(lengths, n, 1, ints, out, preferred);
      }
      default -> mainAt = 0; // validity only
    }
    byte[] bytes = out.toByteArray();
    return new Encoded(bytes, bytes[mainAt] & 0xFF);
  }

  /**
   * For a block of integers (FIXED of width 1, 2, 4 or 8, not floating): {@link #encode(MiniBlock,
   * ColumnNode, boolean, boolean)} with exact widths and with byte-aligned widths, in that order,
   * made at once ({@link IntStreams#encodeBothWidths}: what the two selections share is computed
   * once); the same encodings. Null where the block is of another kind (then encode each way).
   */
  public static Encoded[] encodeBothWidths(MiniBlock plain, ColumnNode node) {
    int n = plain.count;
    if (!encodable(node) || n < 1 || n > MAX_ELEMENTS || node.kind() != NodeKind.FIXED
        || !intWidth(node.byteWidth()) || node.field().getType() instanceof ArrowType.FloatingPoint) {
      return null;
    }
    boolean hasValidity = plain.validityPos >= 0;
    MetaOutput exact = scratchOutput();
    MetaOutput aligned = new MetaOutput(Math.max(64, exact.capacity()));
    ByteBuffer b = plain.buf;
    if (hasValidity) {
      BoolStreams.encode(b, plain.validityPos, n, 1, new IntStreams.Hints(8, false, false, false), exact);
      BoolStreams.encode(b, plain.validityPos, n, 1, new IntStreams.Hints(8, false, true, false), aligned);
    }
    int exactAt = exact.size();
    int alignedAt = aligned.size();
    long[] v = readFixed(b, plain.valuesPos, n, node.byteWidth());
    if (hasValidity) {
      fillNulls(v, plain);
    }
    IntStreams.encodeBothWidths(v, n, 1, exact, aligned);
    byte[] x = exact.toByteArray();
    byte[] a = aligned.toByteArray();
    return new Encoded[] {new Encoded(x, x[exactAt] & 0xFF), new Encoded(a, a[alignedAt] & 0xFF)};
  }

  /**
   * Per-thread output for a block being encoded, reused from block to block: a fresh one grows
   * by doubling to the block's size, copying as it goes, for every encoding of every block. The
   * encoding is copied out of it ({@link MetaOutput#toByteArray}) before the next one starts;
   * one grown past {@link #MAX_SCRATCH_OUTPUT} bytes (a huge block) is not kept.
   */
  private static final ThreadLocal<MetaOutput> SCRATCH_OUTPUT = new ThreadLocal<>();
  private static final int MAX_SCRATCH_OUTPUT = 1 << 20;

  private static MetaOutput scratchOutput() {
    MetaOutput out = SCRATCH_OUTPUT.get();
    if (out == null || out.capacity() > MAX_SCRATCH_OUTPUT) {
      out = new MetaOutput(4096);
      SCRATCH_OUTPUT.set(out);
    }
    return out.clear();
  }

  /**
   * Per-thread arrays for a block's values ({@link #readFixed}), reused from block to block: a
   * fresh long[] per block and per candidate encoding was the writer's largest allocation (63 of
   * 268 MB in a conversion of flights-3m), each array zeroed and dropped at once. Arrays of more
   * than {@link #MAX_SCRATCH_VALUES} elements are not kept.
   */
  private static final ThreadLocal<FixedScratch> SCRATCH_VALUES = ThreadLocal.withInitial(FixedScratch::new);
  private static final int MAX_SCRATCH_VALUES = 1 << 16;

  /** One thread's value arrays: the values, and the narrower values read before widening. */
  private static final class FixedScratch {
    long[] values = new long[0];
    int[] ints = new int[0];
    short[] shorts = new short[0];
  }

  /**
   * The {@code n} sign-extended {@code w}-byte little-endian values at {@code at}, in
   * {@code [0, n)} of an array that may be longer and that this thread's next call overwrites
   * (every caller uses it before reading another block's values).
   */
  private static long[] readFixed(ByteBuffer b, int at, int n, int w) {
    FixedScratch s = n <= MAX_SCRATCH_VALUES ? SCRATCH_VALUES.get() : new FixedScratch();
    if (s.values.length < n) {
      s.values = new long[n];
    }
    long[] v = s.values;
    ByteBuffer d = b.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(at);
    switch (w) {
      case 8 -> d.asLongBuffer().get(v, 0, n);
      case 4 -> {
        if (s.ints.length < n) {
          s.ints = new int[n];
        }
        int[] t = s.ints;
        d.asIntBuffer().get(t, 0, n);
        for (int i = 0; i < n; i++) {
          v[i] = t[i];
        }
      }
      case 2 -> {
        if (s.shorts.length < n) {
          s.shorts = new short[n];
        }
        short[] t = s.shorts;
        d.asShortBuffer().get(t, 0, n);
        for (int i = 0; i < n; i++) {
          v[i] = t[i];
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          v[i] = b.get(at + i);
        }
      }
    }
    return v;
  }

  /** Null slots take the previous valid value (the first valid one at the start). */
  private static void fillNulls(long[] v, MiniBlock plain) {
    int n = plain.count;
    int first = -1;
    for (int i = 0; i < n && first < 0; i++) {
      if (plain.isValid(i)) {
        first = i;
      }
    }
    long prev = first < 0 ? 0 : v[first];
    for (int i = 0; i < n; i++) {
      if (plain.isValid(i)) {
        prev = v[i];
      } else {
        v[i] = prev;
      }
    }
  }

  /**
   * Encodes a plain block as codes into its column chunk's shared dictionary (format 4.0).
   *
   * @param codes each element's code ({@code codes[i]} for null slots: any valid code)
   */
  public static Encoded encodeShared(MiniBlock plain, ColumnNode node, long[] codes, boolean alignWidths) {
    return encodeShared(plain, node, codes, alignWidths, -1);
  }

  /**
   * As {@link #encodeShared(MiniBlock, ColumnNode, long[], boolean)}, trying scheme {@code preferred}
   * for the codes first (-1: select among all).
   */
  public static Encoded encodeShared(MiniBlock plain, ColumnNode node, long[] codes, boolean alignWidths,
      int preferred) {
    return encodeShared(plain, node, codes, alignWidths, preferred, null);
  }

  /**
   * As {@link #encodeShared(MiniBlock, ColumnNode, long[], boolean, int)}, given what is known of
   * the codes (null: nothing); the same bytes.
   */
  public static Encoded encodeShared(MiniBlock plain, ColumnNode node, long[] codes, boolean alignWidths,
      int preferred, IntStreams.Known known) {
    MetaOutput out = scratchOutput();
    int mainAt = encodeShared(plain, node, codes, alignWidths, preferred, known, out);
    byte[] bytes = out.toByteArray();
    return new Encoded(bytes, bytes[mainAt] & 0xFF, bytes[mainAt + 1] & 0xFF);
  }

  /**
   * A block encoded in this thread's scratch output, not copied out: valid until this thread
   * encodes another block.
   *
   * @param out the bytes ({@link MetaOutput#size()} of them)
   * @param scheme the main stream's scheme
   */
  public record InScratch(MetaOutput out, int scheme) {}

  /**
   * {@link #encodeShared(MiniBlock, ColumnNode, long[], boolean, int, IntStreams.Known)} without
   * copying the bytes out of this thread's scratch output, for a caller that copies them at once
   * (the writer's most frequent encoding: every block of a dictionary column stored the remembered
   * way); the same bytes.
   */
  public static InScratch encodeSharedInScratch(MiniBlock plain, ColumnNode node, long[] codes, boolean alignWidths,
      int preferred, IntStreams.Known known) {
    MetaOutput out = scratchOutput();
    int mainAt = encodeShared(plain, node, codes, alignWidths, preferred, known, out);
    return new InScratch(out, out.byteAt(mainAt));
  }

  /** Writes the block as shared dictionary codes to {@code out}; returns where the main stream starts. */
  private static int encodeShared(MiniBlock plain, ColumnNode node, long[] codes, boolean alignWidths,
      int preferred, IntStreams.Known known, MetaOutput out) {
    int n = plain.count;
    IntStreams.Hints ints = new IntStreams.Hints(8, false, alignWidths, false);
    if (plain.validityPos >= 0) {
      BoolStreams.encode(plain.buf, plain.validityPos, n, 1, ints, out);
    }
    int mainAt = out.size();
    if (known != null) {
      SharedDictionary.encodeCodes(node.kind() != NodeKind.FIXED, codes, n, alignWidths, out, preferred, known);
    } else {
      SharedDictionary.encodeCodes(node.kind() != NodeKind.FIXED, codes, n, alignWidths, out, preferred);
    }
    return mainAt;
  }

  /**
   * {@link #encodeShared(MiniBlock, ColumnNode, long[], boolean)} with exact and with byte-aligned
   * widths, in that order, made at once ({@link IntStreams#encodeBothWidths}); the same encodings.
   */
  public static Encoded[] encodeSharedBothWidths(MiniBlock plain, ColumnNode node, long[] codes) {
    int n = plain.count;
    MetaOutput exact = scratchOutput();
    MetaOutput aligned = new MetaOutput(Math.max(64, exact.capacity()));
    if (plain.validityPos >= 0) {
      BoolStreams.encode(plain.buf, plain.validityPos, n, 1, new IntStreams.Hints(8, false, false, false), exact);
      BoolStreams.encode(plain.buf, plain.validityPos, n, 1, new IntStreams.Hints(8, false, true, false), aligned);
    }
    int exactAt = exact.size();
    int alignedAt = aligned.size();
    int scheme = SharedDictionary.schemeFor(node);
    exact.u8(scheme);
    aligned.u8(scheme);
    // the codes at cascade level 2, as SharedDictionary.encodeCodes writes them
    IntStreams.encodeBothWidths(codes, n, 2, exact, aligned);
    byte[] x = exact.toByteArray();
    byte[] a = aligned.toByteArray();
    return new Encoded[] {new Encoded(x, x[exactAt] & 0xFF, x[exactAt + 1] & 0xFF),
        new Encoded(a, a[alignedAt] & 0xFF, a[alignedAt + 1] & 0xFF)};
  }

  /**
   * The {@code n} values of a plain FIXED block of integer width, sign-extended, null slots
   * holding the previous valid value (the writer's shared dictionary codes them): in {@code [0, n)}
   * of a per-thread array, valid until this thread encodes or reads another block.
   */
  public static long[] fixedValues(MiniBlock plain, ColumnNode node) {
    long[] v = readFixed(plain.buf, plain.valuesPos, plain.count, node.byteWidth());
    if (plain.validityPos >= 0) {
      fillNulls(v, plain);
    }
    return v;
  }

  /**
   * Parses an encoded raw block into a view (a block without a shared dictionary, not owned).
   */
  public static MiniBlock parse(ByteBuffer raw, ColumnNode node, int count, boolean hasValidity, int scheme) {
    return parse(raw, node, count, hasValidity, scheme, null, false);
  }

  /**
   * Parses an encoded raw block into a view. FIXED values stay encoded and are read in place;
   * other kinds are laid out as their plain block (validity, offsets, data) and parsed as one.
   *
   * @param scheme the main stream's scheme id from the block flags
   * @param shared the decoded shared dictionary of the block's page (format 4.0), or null if the
   *     page has none; needed only when the main stream is a {@link SharedDictionary} scheme
   * @param owned {@code raw} is a writable heap buffer that nothing else reads (a block the reader
   *     just decompressed), so FIXED byte values without validity are decoded where they lie and
   *     the view points there, with no copy
   * @throws IllegalArgumentException (a {@link MalformedEncodingException}) if malformed
   */
  public static MiniBlock parse(ByteBuffer raw, ColumnNode node, int count, boolean hasValidity, int scheme,
      SharedDictionary shared, boolean owned) {
    if (!encodable(node)) {
      throw new MalformedEncodingException(node.kind() + " blocks of width " + node.byteWidth() + " are never encoded");
    }
    if (count < 1 || count > MAX_ELEMENTS) {
      throw new MalformedEncodingException("encoded block of " + count + " elements (allowed: 1 to " + MAX_ELEMENTS + ")");
    }
    NodeKind kind = node.kind();
    if (!hasValidity && (kind == NodeKind.STRUCT || kind == NodeKind.FIXED_SIZE_LIST)) {
      throw new MalformedEncodingException("encoded " + kind + " block without validity");
    }
    ByteBuffer b = raw.slice().order(ByteOrder.LITTLE_ENDIAN);
    EncodedInput in = new EncodedInput(b, 0, b.limit());
    byte[] validity = null;
    if (hasValidity) {
      if (kind == NodeKind.STRUCT || kind == NodeKind.FIXED_SIZE_LIST) {
        checkScheme(b, 0, scheme);
      }
      validity = BoolStreams.decode(in, count, 1);
    }
    long validityBytes = hasValidity ? WeftFormat.align(MiniBlock.bitmapBytes(count)) : 0;
    ByteBuffer plain;
    switch (kind) {
      case FIXED -> {
        checkScheme(b, in.position(), scheme);
        int w = node.byteWidth();
        if (!intWidth(w)) {
          if (owned && !hasValidity && b.hasArray() && !b.isReadOnly() && BytesStreams.decodesInPlace(scheme)) {
            int at = BytesStreams.decodeInPlace(in, count, w);
            in.expectEnd("encoded block");
            ByteBuffer values = b.duplicate().position(at).limit(at + count * w).slice().order(ByteOrder.LITTLE_ENDIAN);
            return MiniBlock.parse(values, node, count, false);
          }
          long valuesBytes = (long) count * w;
          plain = allocate(validityBytes + valuesBytes);
          BytesStreams.decode(in, count, w, plain.array(), (int) validityBytes);
          break;
        }
        IntDecoder values = scheme == SharedDictionary.INT_ID
            ? sharedOf(shared).values(SharedDictionary.parseCodes(in, count))
            : IntStreams.parse(in, count, 1);
        in.expectEnd("encoded block");
        return MiniBlock.encodedFixed(validity, count, values, b.isDirect() ? 0 : b.capacity());
      }
      case BOOL -> {
        checkScheme(b, in.position(), scheme);
        byte[] bits = BoolStreams.decode(in, count, 1);
        plain = allocate(validityBytes + bits.length);
        plain.put((int) validityBytes, bits);
      }
      case VARBINARY, LARGE_VARBINARY -> {
        checkScheme(b, in.position(), scheme);
        StringStreams.Strings s = scheme == SharedDictionary.STRING_ID
            ? sharedOf(shared).strings(SharedDictionary.parseCodes(in, count), count)
            : StringStreams.decode(in, count, 1);
        long offsetsBytes = WeftFormat.align(4L * (count + 1));
        plain = allocate(validityBytes + offsetsBytes + s.data().length);
        plain.position((int) validityBytes);
        plain.asIntBuffer().put(s.offsets());
        plain.position(0);
        plain.put((int) (validityBytes + offsetsBytes), s.data());
      }
      case LIST, LARGE_LIST -> {
        long childStart = in.i64("child start");
        checkScheme(b, in.position(), scheme);
        IntDecoder lengths = IntStreams.parse(in, count, 1);
        plain = allocate(validityBytes + 8 + 4L * (count + 1));
        plain.putLong((int) validityBytes, childStart);
        long total = 0;
        int at = (int) validityBytes + 8;
        plain.putInt(at, 0);
        long[] chunk = new long[Math.min(count, 512)];
        for (int from = 0; from < count; from += chunk.length) {
          int k = Math.min(chunk.length, count - from);
          lengths.decode(from, k, chunk, 0); // in chunks: one call per chunk, not per list
          for (int j = 0; j < k; j++) {
            long len = chunk[j];
            int i = from + j;
            if (len < 0 || len > 0xFFFF_FFFFL - total) {
              throw new MalformedEncodingException("list length " + len + " at " + i + " after " + total + " items");
            }
            total += len;
            plain.putInt(at + 4 * (i + 1), (int) total);
          }
        }
      }
      default -> plain = allocate(validityBytes);
    }
    in.expectEnd("encoded block");
    if (validity != null) {
      plain.put(0, validity);
    }
    return MiniBlock.parse(plain, node, count, hasValidity);
  }

  private static SharedDictionary sharedOf(SharedDictionary shared) {
    if (shared == null) {
      throw new MalformedEncodingException("block holds shared dictionary codes, but its page has no dictionary");
    }
    return shared;
  }

  private static ByteBuffer allocate(long bytes) {
    if (bytes > Integer.MAX_VALUE - 64) {
      throw new MalformedEncodingException("block decodes to " + bytes + " bytes");
    }
    return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void checkScheme(ByteBuffer b, int at, int scheme) {
    if (at >= b.limit()) {
      throw new MalformedEncodingException("encoded block ends before its main stream");
    }
    int actual = b.get(at) & 0xFF;
    if (actual != scheme) {
      throw new MalformedEncodingException("main stream uses scheme " + actual + ", the block flags say " + scheme);
    }
  }
}
