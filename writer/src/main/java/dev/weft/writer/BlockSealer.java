package dev.weft.writer;

import dev.weft.format.BlockCodecs;
import dev.weft.format.Codec;
import dev.weft.format.ColumnNode;
import dev.weft.format.EncodedBlocks;
import dev.weft.format.MiniBlock;
import dev.weft.format.WeftFormat;
import dev.weft.format.encoding.BytesStreams;
import dev.weft.format.encoding.StringStreams;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Turns a raw mini-block into stored bytes in the arena. It considers the plain block and, when
 * encodings are on, the block encoded ({@link EncodedBlocks}) with exact bit widths and, before
 * a codec, with byte-aligned widths; each is compressed when the codec saves at least 10%. An
 * encoded candidate is kept only if it stores at least 10% fewer bytes than the plain one, so
 * blocks that gain little stay plain (and readable in place), or 2% fewer where the plain one is
 * compressed (not readable in place anyway). What is stored is checksummed.
 * One per writer.
 */
final class BlockSealer implements AutoCloseable {
  /** Raw blocks smaller than this are never compressed: the frame overhead eats the gain. */
  private static final int MIN_COMPRESS_BYTES = 64;
  /** A candidate must store at most this share of the bytes of the one it replaces. */
  static final double KEEP_RATIO = 0.9;
  /** An encoding replaces a compressed plain block (not zero-copy anyway) at this share of its bytes. */
  static final double KEEP_COMPRESSED_RATIO = 0.98;
  /**
   * PAETH replaces UP (FIXED byte values, format 4.0) only at this share of UP's compressed bytes:
   * it predicts images a few percent better, but decodes more than 10x slower
   * ({@link dev.weft.format.encoding.UpBytes}).
   */
  static final double PAETH_OVER_UP_RATIO = 0.9;
  /** Blocks of fewer elements always try every candidate (and are not counted as samples). */
  private static final int FULL_SELECTION_BELOW = 256;

  private final BlockArena arena;
  private final BlockCodecs.Compressor compressor;
  /**
   * The codec for blocks of predictor residuals (UP, PAETH): zstd with a minimum match of
   * {@link #RESIDUAL_MIN_MATCH} bytes, on Fashion-MNIST 1.6% smaller and about 10% faster to
   * decompress than with the level's own (shorter) one; the same as {@link #compressor} for lz4.
   */
  private final BlockCodecs.Compressor residualCompressor;
  /** zstd's shortest match for blocks of predictor residuals. */
  static final int RESIDUAL_MIN_MATCH = 7;
  private final GrowBuf compressed;
  private final GrowBuf scratch;
  private final int typicalBlock;
  private final boolean encodings;
  /** The scheme tried beside UP for images on a zero background: SPAN_FOLD (6.0) or SPAN (5.0). */
  private final int spanScheme;

  BlockSealer(BufferAllocator allocator, BlockArena arena, Codec codec, int level, int typicalBlock, boolean encodings,
      boolean foldedSpans) {
    this.spanScheme = foldedSpans ? BytesStreams.SPAN_FOLD : BytesStreams.SPAN;
    this.arena = arena;
    this.compressor = codec == Codec.NONE ? null : new BlockCodecs.Compressor(codec, level);
    this.residualCompressor = codec != Codec.ZSTD ? compressor : new BlockCodecs.Compressor(codec, level, RESIDUAL_MIN_MATCH);
    this.typicalBlock = typicalBlock;
    this.encodings = encodings;
    this.compressed = new GrowBuf(allocator, codec == Codec.NONE ? 64
        : BlockCodecs.maxCompressedLength(codec, typicalBlock));
    this.scratch = new GrowBuf(allocator, encodings ? typicalBlock + 64 : 64);
  }

  /** Bytes of scratch memory held. */
  long scratchBytes() {
    return compressed.capacity() + scratch.capacity() + (spare == null ? 0 : spare.capacity())
        + (spareCompressed == null ? 0 : spareCompressed.capacity());
  }

  /** One way to store a block: bytes in {@code buf[0, length)} with their flags. */
  private record Candidate(ArrowBuf buf, int length, int rawLength, int flags) {}

  /**
   * Compresses {@code src[0, rawLength)} into {@code into} if that saves at least 10%; returns
   * the better of the two.
   */
  private Candidate compress(ArrowBuf src, int rawLength, int flags, GrowBuf into) {
    Candidate raw = new Candidate(src, rawLength, rawLength, flags);
    if (compressor == null || rawLength < MIN_COMPRESS_BYTES) {
      return raw;
    }
    int bound = BlockCodecs.maxCompressedLength(compressor.codec(), rawLength);
    into.reset(BlockCodecs.maxCompressedLength(compressor.codec(), typicalBlock));
    into.reserve(bound);
    boolean residuals = (flags & WeftFormat.FLAG_ENCODED) != 0
        && BytesStreams.isBytesScheme(flags >>> WeftFormat.FLAG_SCHEME_SHIFT & WeftFormat.FLAG_SCHEME_MASK);
    int n = (residuals ? residualCompressor : compressor).compress(src.nioBuffer(0, rawLength), 0, rawLength,
        into.buf().nioBuffer(0, bound), 0, bound);
    if (n > 0 && n <= rawLength * 0.9) {
      return new Candidate(into.buf(), n, rawLength, flags | compressor.codec().id() << WeftFormat.FLAG_CODEC_SHIFT);
    }
    return raw;
  }

  /**
   * As {@link #compress(ArrowBuf, int, int, GrowBuf)} for a block stored the remembered way: with a
   * probe (not null), the codec runs only where the probe expects it may pay, and the probe learns
   * whether it did.
   */
  private Candidate compress(ArrowBuf src, int rawLength, int flags, GrowBuf into, CodecProbe probe) {
    if (probe == null || compressor == null || rawLength < MIN_COMPRESS_BYTES) {
      return compress(src, rawLength, flags, into);
    }
    if (!probe.tryNext()) {
      return new Candidate(src, rawLength, rawLength, flags);
    }
    Candidate c = compress(src, rawLength, flags, into);
    probe.result(compressed(c));
    return c;
  }

  private static boolean compressed(Candidate c) {
    return (c.flags() >>> WeftFormat.FLAG_CODEC_SHIFT & WeftFormat.FLAG_CODEC_MASK) != 0;
  }

  /** Copies an encoded block into the scratch buffer (an Arrow buffer the codecs can read). */
  private ArrowBuf stage(byte[] bytes, GrowBuf into) {
    into.reset(typicalBlock + 64);
    into.reserve(bytes.length);
    into.buf().setBytes(0, bytes);
    return into.buf();
  }

  /** As {@link #stage(byte[], GrowBuf)} for the bytes written to {@code out}. */
  private ArrowBuf stage(dev.weft.format.MetaOutput out, GrowBuf into) {
    into.reset(typicalBlock + 64);
    into.reserve(out.size());
    into.buf().setBytes(0, out.asBuffer());
    return into.buf();
  }

  /**
   * Stores {@code raw[0, rawLength)}, a plain block of {@code numElements} elements of {@code node},
   * trying every candidate.
   *
   * @return the sealed block
   */
  SealedBlock seal(ColumnNode node, ArrowBuf raw, int rawLength, boolean hasValidity, long firstRow, int numRows,
      long firstElement, int numElements) {
    return seal(node, raw, rawLength, hasValidity, firstRow, numRows, firstElement, numElements, null);
  }

  /**
   * As above; with a {@link BlockChoice} (the node's memory of how its recent blocks were best
   * stored) most blocks are stored the remembered way, encoded once, and only sampled blocks try
   * every candidate.
   */
  SealedBlock seal(ColumnNode node, ArrowBuf raw, int rawLength, boolean hasValidity, long firstRow, int numRows,
      long firstElement, int numElements, BlockChoice choice) {
    return seal(node, raw, rawLength, hasValidity, firstRow, numRows, firstElement, numElements, choice, null);
  }

  /**
   * As above; with a {@link ChunkDictionary} (format 4.0) the block's values are also coded into
   * the node's shared dictionary for the row group, and that candidate (its codes, plus the
   * estimated bytes of the entries the block added) competes with the per-block encodings.
   */
  SealedBlock seal(ColumnNode node, ArrowBuf raw, int rawLength, boolean hasValidity, long firstRow, int numRows,
      long firstElement, int numElements, BlockChoice choice, ChunkDictionary dict) {
    return seal(node, raw, rawLength, hasValidity, firstRow, numRows, firstElement, numElements, choice, dict, null);
  }

  /**
   * As above, for a raw block of strings given by id whose offsets (but the first and last) and
   * values are not written yet: {@code fill} writes them, and is run only where something reads
   * them (a block stored as shared dictionary codes, each value's code known from its id, never
   * does). Null: the block is complete.
   */
  SealedBlock seal(ColumnNode node, ArrowBuf raw, int rawLength, boolean hasValidity, long firstRow, int numRows,
      long firstElement, int numElements, BlockChoice choice, ChunkDictionary dict, Runnable fill) {
    unfilled = fill;
    boolean strings = dict != null && dict.blockIds() != null && dict.idScope() != null
        && (node.kind() == dev.weft.format.NodeKind.VARBINARY || node.kind() == dev.weft.format.NodeKind.LARGE_VARBINARY);
    if (strings) {
      // the block's per-block string dictionary hashes each id's value once (the same stream)
      stringIds.use(dict.idScope(), dict.idScopeSize(), dict.blockIds(), numElements);
      StringStreams.useValueIds(stringIds);
    }
    try {
      return sealFilled(node, raw, rawLength, hasValidity, firstRow, numRows, firstElement, numElements, choice, dict);
    } finally {
      unfilled = null;
      if (strings) {
        StringStreams.useValueIds(null);
      }
    }
  }

  /** This sealer's memo of string value ids (see StringStreams.ValueIds). */
  private final StringStreams.ValueIds stringIds = new StringStreams.ValueIds();

  /** The raw block's bytes yet to be written (see seal), or null. */
  private Runnable unfilled;

  /** Completes the raw block (if it is not): before anything reads its offsets or values. */
  private void fill() {
    Runnable f = unfilled;
    if (f != null) {
      unfilled = null;
      f.run();
    }
  }

  private SealedBlock sealFilled(ColumnNode node, ArrowBuf raw, int rawLength, boolean hasValidity, long firstRow,
      int numRows, long firstElement, int numElements, BlockChoice choice, ChunkDictionary dict) {
    int flags = hasValidity ? WeftFormat.FLAG_HAS_VALIDITY : 0;
    Candidate best;
    if (!(encodings && EncodedBlocks.encodable(node) && numElements > 0 && dict != null && dict.active())) {
      fill();
    }
    if (encodings && EncodedBlocks.encodable(node) && numElements > 0) {
      ByteBuffer view = raw.nioBuffer(0, rawLength).order(ByteOrder.LITTLE_ENDIAN);
      MiniBlock plain = MiniBlock.parseOwn(view, node, numElements, hasValidity);
      long plainLimit = MiniBlock.expectedRawLength(node, numElements, hasValidity);
      plainLimit = (plainLimit < 0 ? rawLength : plainLimit) + EncodedBlocks.MAX_GROWTH;
      long[] codes = null;
      int before = -1;
      best = null;
      if (dict != null && dict.active()) {
        if (codesScratch.length < numElements) {
          codesScratch = new long[numElements];
        }
        codes = codesScratch; // only [0, numElements) is written and read, within this call
        before = code(dict, node, plain, codes);
        if (before >= 0 && dict.trusted() && numElements >= FULL_SELECTION_BELOW) {
          // codes have won the recent full comparisons: store them the remembered way alone
          best = sharedAlone(node, plain, dict, codes, before, flags, plainLimit, rawLength,
              choice == null ? null : choice.codec());
        }
      }
      if (best == null) {
        fill();
        // small blocks (row-group tails, wide rows) are cheap to select for in full
        best = choice == null || numElements < FULL_SELECTION_BELOW || choice.needsSample() ? null
            : remembered(choice, node, raw, rawLength, flags, plain, plainLimit);
        if (best == null) {
          best = selectAll(node, raw, rawLength, flags, plain, plainLimit,
              numElements < FULL_SELECTION_BELOW ? null : choice);
        }
        if (before >= 0) {
          best = shared(best, node, plain, dict, codes, before, flags, plainLimit, rawLength);
        }
      }
      if (dict != null && dict.active()) {
        dict.endBlock();
      }
    } else {
      best = compress(raw, rawLength, flags, compressed);
    }
    CRC32C crc = new CRC32C();
    crc.update(best.buf().nioBuffer(0, best.length()));
    BlockArena.Slice slice = arena.append(best.buf(), 0, best.length());
    return new SealedBlock(firstRow, numRows, firstElement, numElements, slice, best.rawLength(),
        (int) crc.getValue(), best.flags());
  }

  /**
   * Every candidate: plain, encoded, and (before a codec) encoded with byte-aligned widths; their
   * sizes go to {@code choice} (if not null) as a sample.
   */
  private Candidate selectAll(ColumnNode node, ArrowBuf raw, int rawLength, int flags, MiniBlock plain,
      long plainLimit, BlockChoice choice) {
    // the plain block through the codec (the largest input of a selection), unless plain blocks
    // have lost every recent sample of this node: then on probe samples only (see CodecProbe)
    CodecProbe plainProbe = choice == null || compressor == null ? null : choice.plainCodec();
    boolean plainCodec = plainProbe == null || plainProbe.tryNext();
    Candidate best = plainCodec ? compress(raw, rawLength, flags, compressed)
        : new Candidate(raw, rawLength, rawLength, flags);
    // integers whose samples were last stored encoded (so that the aligned widths will be tried
    // too): both widths at once, sharing what the two selections compute alike
    EncodedBlocks.Encoded[] both = compressor != null && choice != null && choice.encoded()
        ? EncodedBlocks.encodeBothWidths(plain, node) : null;
    EncodedBlocks.Encoded unaligned = both != null ? both[0] : EncodedBlocks.encode(plain, node, false,
        compressor != null);
    best = consider(best, unaligned, flags, plainLimit);
    if (unaligned != null && BytesStreams.isBytesScheme(unaligned.scheme())) {
      // FIXED byte values: UP above; SPAN_FOLD (6.0, in place of 5.0's SPAN; or SPAN, see
      // WriterOptions.foldedSpans) where it is smaller (images on a zero background); PAETH where it
      // is much smaller than both (see PAETH_OVER_UP_RATIO)
      if (BytesStreams.applies(spanScheme, node.byteWidth())) {
        EncodedBlocks.Encoded span = EncodedBlocks.encode(plain, node, false, true, spanScheme);
        Candidate before = best;
        best = consider(best, span, flags, plainLimit);
        if (best != before) {
          unaligned = span;
        }
      }
      EncodedBlocks.Encoded paeth = EncodedBlocks.encode(plain, node, false, true, BytesStreams.PAETH);
      Candidate before = best;
      best = consider(best, paeth, flags, plainLimit, 0, PAETH_OVER_UP_RATIO);
      if (best != before) {
        unaligned = paeth;
      }
    }
    int winner = (best.flags() & WeftFormat.FLAG_ENCODED) != 0 ? BlockChoice.UNALIGNED : BlockChoice.PLAIN;
    EncodedBlocks.Encoded aligned = null;
    // byte-aligned widths only help a codec pass; skipped where encoding itself does not pay
    if (compressor != null && winner != BlockChoice.PLAIN) {
      aligned = both != null ? both[1] : EncodedBlocks.encode(plain, node, true, true);
      Candidate before = best;
      best = consider(best, aligned, flags, plainLimit);
      if (best != before) {
        winner = BlockChoice.ALIGNED;
      }
    }
    if (winner == BlockChoice.PLAIN && !plainCodec) {
      // plain won after all: it goes through the codec as before (and plain blocks are tried again)
      best = compress(raw, rawLength, flags, compressed);
      plainCodec = true;
    }
    if (plainProbe != null && plainCodec) {
      plainProbe.result(winner == BlockChoice.PLAIN);
    }
    if (choice != null) {
      choice.sampled(rawLength, winner, best.length(), unaligned == null ? -1 : unaligned.scheme(),
          aligned == null ? -1 : aligned.scheme());
      if (compressor != null) {
        choice.codec().result(compressed(best));
      }
    }
    return best;
  }

  /**
   * The block stored the way {@code choice} remembers, or null if that does not suit it (then
   * every candidate is tried).
   */
  private Candidate remembered(BlockChoice choice, ColumnNode node, ArrowBuf raw, int rawLength, int flags,
      MiniBlock plain, long plainLimit) {
    // A codec pass is cheap next to selection and its gain varies from block to block, so it is
    // tried on every block (compress keeps it only where it saves 10%), except on nodes where it
    // has not paid for a while: there only on probe blocks (CodecProbe).
    Candidate c;
    if (!choice.encoded()) {
      c = compress(raw, rawLength, flags, compressed, choice.codec());
    } else {
      EncodedBlocks.Encoded enc = EncodedBlocks.encode(plain, node, choice.aligned(), compressor != null,
          choice.scheme());
      // (byte schemes store equally many bytes before the codec: the remembered one is kept)
      if (choice.altScheme() >= 0 && !BytesStreams.isBytesScheme(choice.scheme())) {
        EncodedBlocks.Encoded alt = EncodedBlocks.encode(plain, node, choice.aligned(), compressor != null,
            choice.altScheme());
        if (enc == null || alt != null && alt.bytes().length < enc.bytes().length) {
          enc = alt;
        }
      }
      if (enc == null || enc.bytes().length > plainLimit) {
        return null;
      }
      int encFlags = flags | WeftFormat.FLAG_ENCODED | enc.scheme() << WeftFormat.FLAG_SCHEME_SHIFT;
      ArrowBuf staged = stage(enc.bytes(), scratch);
      c = compress(staged, enc.bytes().length, encFlags, compressed, choice.codec());
      if (choice.tryOtherWidths() && compressor != null) {
        // the other widths win samples too: encode both ways, keep the smaller after the codec
        c = consider(c, EncodedBlocks.encode(plain, node, !choice.aligned(), true, choice.scheme()), flags,
            plainLimit);
      }
    }
    return choice.accept(c.length(), rawLength) ? c : null;
  }

  /**
   * The block as codes into the node's shared dictionary, if that (with the estimated cost of the
   * entries the block added) beats {@code best}; else {@code best}.
   */
  private Candidate shared(Candidate best, ColumnNode node, MiniBlock plain, ChunkDictionary dict, long[] codes,
      int before, int flags, long plainLimit, int rawLength) {
    int n = plain.count;
    long charge = dict.entryCost(before);
    if (charge >= best.length()) {
      dict.compared(false, 0);
      return best; // the new entries alone cost more than the block's best encoding
    }
    Candidate c;
    if (dict.sampleCodes() || compressor == null) {
      // every way: exact and (before a codec) byte-aligned widths, every scheme for the codes
      // before a codec both widths are compared: selected at once, sharing what they compute alike
      EncodedBlocks.Encoded[] both = compressor != null ? EncodedBlocks.encodeSharedBothWidths(plain, node, codes)
          : null;
      EncodedBlocks.Encoded unaligned = both != null ? both[0] : EncodedBlocks.encodeShared(plain, node, codes, false);
      c = consider(best, unaligned, flags, plainLimit, charge);
      boolean aligned = false;
      if (compressor != null) {
        EncodedBlocks.Encoded al = both[1];
        Candidate prev = c;
        c = consider(c, al, flags, plainLimit, c == best ? charge : 0);
        if (c != prev) {
          aligned = true;
          unaligned = al;
        }
      }
      if (c != best) {
        dict.codesChosen(true, aligned, unaligned.codesScheme());
      }
    } else {
      c = consider(best, EncodedBlocks.encodeShared(plain, node, codes, dict.codesAligned(), dict.codesScheme(),
          codesKnown), flags, plainLimit, charge);
      dict.codesChosen(false, false, -1);
    }
    dict.compared(c != best, c != best ? (double) (c.length() + charge) / rawLength : 0);
    if (c != best) {
      markUsed(dict, codes, n);
    }
    return c;
  }

  /** What {@link #code} learnt of the block's codes on the way (their range and counts), or null. */
  private dev.weft.format.encoding.IntStreams.Known codesKnown;

  private void markUsed(ChunkDictionary dict, long[] codes, int n) {
    if (codesKnown != null) {
      dict.markUsed((int) codesKnown.max());
      return;
    }
    long maxCode = 0;
    for (int i = 0; i < n; i++) {
      maxCode = Math.max(maxCode, codes[i]);
    }
    dict.markUsed((int) maxCode);
  }

  /**
   * Codes the block's values into {@code dict} ({@code codes[i]} for element i); returns the
   * dictionary size before the block, or -1 when the block cannot use it.
   */
  private int code(ChunkDictionary dict, ColumnNode node, MiniBlock plain, long[] codes) {
    int n = plain.count;
    // a block of strings given by id (not yet filled): its elements without ids are nulls, stored empty
    int known = dict.codeKnown(n, codes, unfilled != null);
    if (known != ChunkDictionary.UNKNOWN) {
      // every value's id was seen: no value needed reading, and the codes' range came along
      codesKnown = new dev.weft.format.encoding.IntStreams.Known(dict.knownMinCode(), dict.knownMaxCode(),
          dict.knownCounts());
      return known;
    }
    codesKnown = null;
    fill(); // some value is read
    if (node.kind() == dev.weft.format.NodeKind.FIXED) {
      return learnt(dict, dict.codeInts(EncodedBlocks.fixedValues(plain, node), n, codes));
    }
    if (offsetsScratch.length < n + 1) {
      offsetsScratch = new int[n + 1];
    }
    int[] offsets = offsetsScratch; // [0, n] used, within this call
    plain.buf.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(plain.offsetsPos).asIntBuffer().get(offsets, 0, n + 1);
    int base = offsets[0];
    int length = offsets[n] - base;
    // [0, length) used within this call (the dictionary copies what it keeps); a block of more
    // than MAX_KEPT_SCRATCH bytes gets an array of its own
    byte[] data = length > MAX_KEPT_SCRATCH ? new byte[length] : dataScratch;
    if (data.length < length) {
      data = dataScratch = new byte[Math.max(length, Math.min(MAX_KEPT_SCRATCH, dataScratch.length * 2))];
    }
    plain.buf.get(plain.valuesPos + base, data, 0, length);
    if (base != 0) {
      for (int i = 0; i <= n; i++) {
        offsets[i] -= base;
      }
    }
    return learnt(dict, dict.codeStrings(data, offsets, n, codes));
  }

  /** A block's string offsets and bytes while {@link #code} codes them (reused from block to block). */
  private int[] offsetsScratch = new int[0];
  private byte[] dataScratch = new byte[0];
  /** The largest string bytes kept in {@link #dataScratch} between blocks. */
  private static final int MAX_KEPT_SCRATCH = 1 << 20;

  /** Keeps what the dictionary learnt of a block's codes while coding it (if it could: {@code before >= 0}). */
  private int learnt(ChunkDictionary dict, int before) {
    if (before >= 0) {
      codesKnown = new dev.weft.format.encoding.IntStreams.Known(dict.knownMinCode(), dict.knownMaxCode(),
          dict.knownCounts());
    }
    return before;
  }

  /**
   * The block as codes stored the way recent blocks' codes were best stored, without trying the
   * per-block encodings, if it is about as small (per raw byte) as the last full comparison's
   * winner; else null (then everything is compared).
   */
  private Candidate sharedAlone(ColumnNode node, MiniBlock plain, ChunkDictionary dict, long[] codes, int before,
      int flags, long plainLimit, int rawLength, CodecProbe probe) {
    long charge = dict.entryCost(before);
    EncodedBlocks.InScratch enc = EncodedBlocks.encodeSharedInScratch(plain, node, codes, dict.codesAligned(),
        dict.codesScheme(), codesKnown);
    int length = enc.out().size();
    if (length > plainLimit) {
      return null;
    }
    int encFlags = flags | WeftFormat.FLAG_ENCODED | enc.scheme() << WeftFormat.FLAG_SCHEME_SHIFT;
    Candidate c = compress(stage(enc.out(), scratch), length, encFlags, compressed, probe);
    if (!dict.acceptAlone(c.length() + charge, rawLength)) {
      return null;
    }
    markUsed(dict, codes, plain.count);
    return c;
  }

  private Candidate consider(Candidate best, EncodedBlocks.Encoded enc, int flags, long plainLimit) {
    return consider(best, enc, flags, plainLimit, 0, 1.0);
  }

  private Candidate consider(Candidate best, EncodedBlocks.Encoded enc, int flags, long plainLimit, long charge) {
    return consider(best, enc, flags, plainLimit, charge, 1.0);
  }

  /**
   * Compares an encoding with the best candidate so far: a plain best must be beaten by 10% (2% when
   * it is compressed), an
   * encoded one by any margin; {@code charge} bytes stored elsewhere (shared dictionary entries the
   * block adds) count against the encoding, which must also store at most {@code ratio} of the
   * bytes needed otherwise (below 1 for a slower scheme). The result stays valid until the next
   * call (the loser's scratch buffer is reused).
   */
  private Candidate consider(Candidate best, EncodedBlocks.Encoded enc, int flags, long plainLimit, long charge,
      double ratio) {
    if (enc == null || enc.bytes().length > plainLimit) {
      return best;
    }
    boolean bestEncoded = (best.flags() & WeftFormat.FLAG_ENCODED) != 0;
    // Never overwrite the buffers the current best lives in.
    GrowBuf stageInto = bestEncoded && best.buf() == scratch.buf() ? spareScratch() : scratch;
    GrowBuf compressInto = best.buf() == compressed.buf() ? spareCompressed() : compressed;
    int encFlags = flags | WeftFormat.FLAG_ENCODED | enc.scheme() << WeftFormat.FLAG_SCHEME_SHIFT;
    Candidate c = compress(stage(enc.bytes(), stageInto), enc.bytes().length, encFlags, compressInto);
    // A plain block stored raw stays zero-copy for scans, so an encoding must save 10% to replace
    // it; a compressed plain block is decoded anyway, so 2% is enough.
    double need = bestEncoded ? best.length() - 1 : best.length() * (compressed(best) ? KEEP_COMPRESSED_RATIO : KEEP_RATIO);
    return c.length() + charge <= need * ratio ? c : best;
  }

  private GrowBuf spare;
  private GrowBuf spareCompressed;
  /** A block's shared dictionary codes, reused from block to block (heap; not counted: its size follows the blocks'). */
  private long[] codesScratch = new long[0];

  private GrowBuf spareScratch() {
    if (spare == null) {
      spare = new GrowBuf(allocatorOf(scratch), typicalBlock + 64);
    }
    return spare;
  }

  private GrowBuf spareCompressed() {
    if (spareCompressed == null) {
      spareCompressed = new GrowBuf(allocatorOf(compressed), 64);
    }
    return spareCompressed;
  }

  private static BufferAllocator allocatorOf(GrowBuf b) {
    return b.buf().getReferenceManager().getAllocator();
  }

  @Override
  public void close() {
    if (compressor != null) {
      compressor.close();
    }
    if (residualCompressor != null && residualCompressor != compressor) {
      residualCompressor.close();
    }
    compressed.close();
    scratch.close();
    if (spare != null) {
      spare.close();
    }
    if (spareCompressed != null) {
      spareCompressed.close();
    }
  }
}
