package dev.weft.reader;

import dev.weft.format.BlockCodecs;
import dev.weft.format.BlockTable;
import dev.weft.format.Checksums;
import dev.weft.format.Codec;
import dev.weft.format.ColumnNode;
import dev.weft.format.CorruptFileException;
import dev.weft.format.DictionaryMeta;
import dev.weft.format.EncodedBlocks;
import dev.weft.format.FormatTooNewException;
import dev.weft.format.MiniBlock;
import dev.weft.format.PageMeta;
import dev.weft.format.WeftFormat;
import dev.weft.format.encoding.SharedDictionary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Finds and decodes the mini-blocks of one node. Block tables are read on first use and kept;
 * every block's checksum is verified the first time it is read. Thread-safe.
 */
final class NodeReader {
  private final FileContext ctx;
  private final String column;
  final ColumnNode node;
  private final List<PageMeta> pages;
  private final long[] pageFirstElement;
  private final AtomicReferenceArray<BlockTable> tables;
  private static final long UNKNOWN_ADDRESS = Long.MIN_VALUE;
  /** Per page: the mapped address of its data, -1 if not mapped directly, or UNKNOWN_ADDRESS. */
  private final java.util.concurrent.atomic.AtomicLongArray pageAddresses;
  /** Per page: the block cache's slots of its blocks (see {@link BlockCache}), made with the table. */
  private final AtomicReferenceArray<AtomicReferenceArray<DecodedBlock>> cacheSlots;
  final long totalElements;
  /** Per page: the index (over all pages of the node) of its first block. */
  private final int[] pageBlockBase;
  /** Primitive descriptions of blocks for random take (see {@link #fast()}). */
  private volatile FastBlocks fast;
  private final int totalBlocks;

  /** The node's shared dictionaries (format 4.0), one per row group that has one. */
  private final List<DictionaryMeta> dictionaries;
  /** Decoded shared dictionaries, made on first use and kept (a column chunk decodes its dictionary once). */
  private final AtomicReferenceArray<SharedDictionary> decodedDictionaries;

  NodeReader(FileContext ctx, String column, ColumnNode node, List<PageMeta> pages) {
    this(ctx, column, node, pages, List.of());
  }

  NodeReader(FileContext ctx, String column, ColumnNode node, List<PageMeta> pages, List<DictionaryMeta> dictionaries) {
    this.dictionaries = dictionaries;
    this.decodedDictionaries = new AtomicReferenceArray<>(dictionaries.size());
    this.ctx = ctx;
    this.column = column;
    this.node = node;
    this.pages = pages;
    this.pageFirstElement = new long[pages.size()];
    long total = 0;
    for (int i = 0; i < pages.size(); i++) {
      pageFirstElement[i] = pages.get(i).firstElement();
      total += pages.get(i).numElements();
    }
    this.totalElements = total;
    this.pageBlockBase = new int[pages.size()];
    long blocks = 0;
    for (int i = 0; i < pages.size(); i++) {
      pageBlockBase[i] = (int) blocks;
      blocks += pages.get(i).numBlocks();
    }
    this.totalBlocks = blocks <= Integer.MAX_VALUE / 4 ? (int) blocks : -1;
    this.tables = new AtomicReferenceArray<>(pages.size());
    this.cacheSlots = new AtomicReferenceArray<>(pages.size());
    this.pageAddresses = new java.util.concurrent.atomic.AtomicLongArray(pages.size());
    for (int i = 0; i < pages.size(); i++) {
      pageAddresses.set(i, UNKNOWN_ADDRESS);
    }
  }

  List<PageMeta> pages() {
    return pages;
  }

  /** The last page whose first element is at most {@code element}. */
  private int pageFor(long element) {
    int lo = 0;
    int hi = pageFirstElement.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (pageFirstElement[mid] <= element) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  BlockTable table(int p) throws IOException {
    BlockTable t = tables.get(p);
    if (t == null) {
      PageMeta page = pages.get(p);
      if (page.encoding() != WeftFormat.ENCODING_PLAIN) {
        throw new FormatTooNewException("file " + ctx.path() + ", column '" + column + "': page at offset "
            + page.offset() + " uses encoding " + page.encoding() + ", unknown to this reader", ctx.path());
      }
      ByteBuffer bytes = ctx.file().slice(page.tableOffset(), page.tableLength());
      ctx.stats().addMetadata(page.tableLength());
      if (Checksums.crc32c(bytes) != page.tableCrc()) {
        throw CorruptFileException.at(ctx.path(), column, page.tableOffset(),
            "block table checksum mismatch (" + node.path() + ")");
      }
      t = BlockTable.decode(bytes, page, ctx.path(), column, ctx.major());
      // a scheme newer than the file's version (e.g. UP in a 3.0 file) is a corrupt file, not a
      // block to decode
      for (int b = 0; b < t.size(); b++) {
        int since = t.encoded(b) ? EncodedBlocks.minMajor(node, t.scheme(b)) : 1;
        if (since > ctx.major()) {
          throw CorruptFileException.at(ctx.path(), column, page.tableOffset(), "block " + b + " of "
              + node.path() + " uses " + EncodedBlocks.describe(node.kind(), true, t.scheme(b))
              + ", which format " + since + ".0 added, in a file of format " + ctx.major() + ".x");
        }
      }
      if (node.index() == 0) {
        for (int b = 0; b < t.size(); b++) {
          if (t.elemStart(b) != t.rowStart(b)) {
            throw CorruptFileException.at(ctx.path(), column, page.tableOffset(),
                "top-level block " + b + " starts at element " + t.elemStart(b) + " but row " + t.rowStart(b));
          }
        }
      }
      // Blocks holding no elements are never looked up by element; verify them now, so that
      // every stored byte the reader relies on is checked.
      for (int b = 0; b < t.size(); b++) {
        if (t.elemEnd(b) == t.elemStart(b)) {
          decode(p, page, t, b);
        }
      }
      cacheSlots.compareAndSet(p, null, new AtomicReferenceArray<>(t.size()));
      tables.compareAndSet(p, null, t);
      t = tables.get(p);
    }
    return t;
  }

  /** Loads (and so verifies) every page holding no elements: lookups by element never reach them. */
  void verifyEmptyPages() throws IOException {
    for (int p = 0; p < pages.size(); p++) {
      if (pages.get(p).numElements() == 0) {
        table(p);
      }
    }
  }

  /**
   * The values of elements {@code [from, to)} as one view of the mapped file (null when the file is
   * read with positional reads), if this FIXED
   * node stores them contiguously there: every block involved lies in one page, is
   * uncompressed, has no validity bitmap and directly follows the previous one. Returns null
   * otherwise. Checksums of the blocks involved are verified first.
   */
  ByteBuffer contiguousValues(long from, long to) throws IOException {
    if (node.kind() != dev.weft.format.NodeKind.FIXED || from >= to || to > totalElements || !ctx.file().mapped()) {
      return null; // (read with positional reads, a range is a copy: no view to hand out)
    }
    int p = pageFor(from);
    PageMeta page = pages.get(p);
    if (to > page.firstElement() + page.numElements()) {
      return null;
    }
    BlockTable t = table(p);
    int first = t.blockForElement(from - page.firstElement());
    int last = t.blockForElement(to - 1 - page.firstElement());
    int w = node.byteWidth();
    for (int b = first; b <= last; b++) {
      if (t.codec(b) != Codec.NONE || t.hasValidity(b) || t.encoded(b)
          || (b > first && t.offset(b) != t.offset(b - 1) + t.storedLength(b - 1))) {
        return null;
      }
    }
    for (int b = first; b <= last; b++) {
      if (!t.isVerified(b) && ctx.verifyChecksums()) {
        long offset = page.offset() + t.offset(b);
        ByteBuffer bytes = ctx.file().slice(offset, t.storedLength(b));
        if (Checksums.crc32c(bytes) != t.crc(b)) {
          throw CorruptFileException.at(ctx.path(), column, offset,
              "mini-block checksum mismatch (" + node.path() + ", page " + p + ", block " + b + ")");
        }
        t.markVerified(b);
      }
      // the layout must hold exactly count * width bytes, as parse() would check
      if ((t.elemEnd(b) - t.elemStart(b)) * w != t.storedLength(b)) {
        throw CorruptFileException.at(ctx.path(), column, page.offset() + t.offset(b),
            "mini-block of " + (t.elemEnd(b) - t.elemStart(b)) + " values of " + w + " bytes has "
            + t.storedLength(b) + " bytes (" + node.path() + ")");
      }
    }
    long start = page.offset() + t.offset(first) + (from - page.firstElement() - t.elemStart(first)) * w;
    long length = (to - from) * w;
    ctx.stats().addData(length);
    ctx.stats().addBlock();
    ctx.stats().addZeroCopy();
    return ctx.file().slice(start, length);
  }

  /**
   * The primitive block descriptions random take reads FIXED values through, made on first use
   * (40 bytes per block of the node); null for other kinds.
   */
  FastBlocks fast() {
    FastBlocks f = fast;
    if (f == null && node.kind() == dev.weft.format.NodeKind.FIXED && totalBlocks >= 0) {
      synchronized (this) {
        f = fast;
        if (f == null) {
          f = new FastBlocks(totalBlocks, node.byteWidth());
          fast = f;
        }
      }
    }
    return f;
  }

  /** Whether the reader's cache holds {@code d} as the block of {@code element}. */
  boolean isCached(long element, DecodedBlock d) throws IOException {
    int p = pageFor(element);
    PageMeta page = pages.get(p);
    BlockTable t = table(p);
    int b = t.blockForElement(element - page.firstElement());
    return ctx.cache().get(cacheSlots.get(p), b) == d;
  }

  /** Called when the cache evicts block {@code g} (index over all pages) of this node. */
  void evicted(int g) {
    FastBlocks f = fast;
    if (f != null) {
      f.forget(g);
    }
  }

  /**
   * Where element {@code element} lies: the index of its block over all pages of the node
   * (high 32 bits) and its index within the block (low 32 bits).
   */
  long locate(long element) throws IOException {
    if (element < 0 || element >= totalElements) {
      throw CorruptFileException.at(ctx.path(), column, -1, node.path() + " has " + totalElements
          + " elements, a parent refers to element " + element);
    }
    int p = pageFor(element);
    PageMeta page = pages.get(p);
    BlockTable t = table(p);
    long rel = element - page.firstElement();
    int b = t.blockForElement(rel);
    if (rel < t.elemStart(b) || rel >= t.elemEnd(b)) {
      throw CorruptFileException.at(ctx.path(), column, page.tableOffset(), "no block of page " + p + " of "
          + node.path() + " holds element " + element);
    }
    return ((long) (pageBlockBase[p] + b) << 32) | (rel - t.elemStart(b));
  }

  /** Decodes the block holding {@code element}, reusing {@code current} if it does. */
  DecodedBlock blockFor(long element, DecodedBlock current) throws IOException {
    if (current != null && element >= current.firstElement() && element < current.endElement()) {
      return current;
    }
    return blockFor(element, (DecodedBlock[]) null);
  }

  /**
   * The decoded block holding {@code element}: from the reader's shared cache, else from
   * {@code local} (a caller's small direct-mapped cache of blocks it decoded, may be null), else
   * decoded (and then put into both).
   */
  DecodedBlock blockFor(long element, DecodedBlock[] local) throws IOException {
    return blockFor(element, local, true);
  }

  /**
   * As {@link #blockFor(long, DecodedBlock[])}; {@code share} false (sequential scans) leaves a
   * block decoded here out of the shared cache (it uses the blocks already there): a scan reads
   * each block once and must not evict the blocks random reads reuse, and keeping its blocks
   * while there was room cost a cold scan of a file that fits the cache a third of its time in
   * the garbage collector (every block promoted to the old generation), for a gain only to a
   * second scan with the same reader.
   */
  DecodedBlock blockFor(long element, DecodedBlock[] local, boolean share) throws IOException {
    if (element < 0 || element >= totalElements) {
      throw CorruptFileException.at(ctx.path(), column, -1, node.path() + " has " + totalElements
          + " elements, a parent refers to element " + element);
    }
    int p = pageFor(element);
    PageMeta page = pages.get(p);
    BlockTable t = table(p);
    long rel = element - page.firstElement();
    int b = t.blockForElement(rel);
    if (rel < t.elemStart(b) || rel >= t.elemEnd(b)) {
      throw CorruptFileException.at(ctx.path(), column, page.tableOffset(), "no block of page " + p + " of "
          + node.path() + " holds element " + element);
    }
    AtomicReferenceArray<DecodedBlock> slots = cacheSlots.get(p);
    DecodedBlock cached = ctx.cache().get(slots, b);
    if (cached != null) {
      return cached;
    }
    long id = ((long) p << 32) | b;
    int localSlot = local == null ? 0 : (int) (((id * 0x9E3779B97F4A7C15L) >>> 40) & (local.length - 1));
    if (local != null && local[localSlot] != null && local[localSlot].id() == id) {
      return local[localSlot];
    }
    DecodedBlock d = decode(p, page, t, b);
    if (share) {
      ctx.cache().put(slots, b, d, this, pageBlockBase[p] + b);
    }
    if (local != null) {
      local[localSlot] = d;
    }
    return d;
  }

  /**
   * The memory address of element {@code element}'s value, for a FIXED node whose block holding
   * it is uncompressed, has no validity bitmap and was already verified; otherwise -1 (the caller
   * then takes the general path, which verifies the block, so the next call can be fast).
   * Reading {@code byteWidth} bytes there is safe: the block table was validated against the
   * page, and the block's length equals its element count times the width.
   */
  long fixedValueAddress(long element) throws IOException {
    if (element < 0 || element >= totalElements) {
      return -1;
    }
    int p = pageFor(element);
    PageMeta page = pages.get(p);
    BlockTable t = table(p);
    long rel = element - page.firstElement();
    int b = plainVerifiedBlock(t, rel);
    if (b < 0) {
      return -1;
    }
    long base = pageAddress(p, page);
    if (base < 0) {
      return -1;
    }
    int w = node.byteWidth();
    ctx.stats().addData(w);
    return base + t.offset(b) + (rel - t.elemStart(b)) * w;
  }

  /**
   * The block of {@code t} holding page-relative element {@code rel} when that block is plain
   * (uncompressed, not encoded, no validity, exactly count x width bytes) and already verified,
   * so a value can be read straight from it; else -1.
   */
  private int plainVerifiedBlock(BlockTable t, long rel) {
    int b = t.blockForElement(rel);
    if (rel < t.elemStart(b) || rel >= t.elemEnd(b) || !t.isVerified(b) || t.hasValidity(b)
        || t.codec(b) != Codec.NONE || t.encoded(b)
        || (t.elemEnd(b) - t.elemStart(b)) * node.byteWidth() != t.storedLength(b)) {
      return -1;
    }
    return b;
  }

  /**
   * Positional reads: the file offset of element {@code element}'s value, for a FIXED node whose
   * block holding it is plain (uncompressed, not encoded, no validity) and already verified, with
   * the absolute end element of that block in {@code end[0]}; otherwise -1 (the caller takes the
   * general path, which verifies the block). Random take then reads just the values it needs
   * ({@link #readValues}) instead of a copy of the whole block.
   */
  long plainValueOffset(long element, long[] end) throws IOException {
    if (element < 0 || element >= totalElements) {
      return -1;
    }
    int p = pageFor(element);
    PageMeta page = pages.get(p);
    BlockTable t = table(p);
    long rel = element - page.firstElement();
    int b = plainVerifiedBlock(t, rel);
    if (b < 0) {
      return -1;
    }
    end[0] = page.firstElement() + t.elemEnd(b);
    return page.offset() + t.offset(b) + (rel - t.elemStart(b)) * node.byteWidth();
  }

  /** Reads {@code length} bytes of the file at {@code offset} to native memory at {@code address}. */
  void readValues(long offset, long address, int length) throws IOException {
    ctx.file().readInto(offset, address, length);
    ctx.stats().addData(length);
  }

  /** Whether the file is memory-mapped (else read with positional reads). */
  boolean mapped() {
    return ctx.file().mapped();
  }

  void countFastBlockRead() {
    ctx.stats().addBlock();
  }

  /** Address of the page's first data byte in the mapping, or -1 if not directly mapped. */
  private long pageAddress(int p, PageMeta page) throws IOException {
    long a = pageAddresses.get(p);
    if (a == UNKNOWN_ADDRESS) {
      if (!ctx.file().mapped()) {
        pageAddresses.set(p, -1); // positional reads: no address to read values at
        return -1;
      }
      ByteBuffer view = ctx.file().slice(page.offset(), page.dataLength());
      a = view.isDirect() ? org.apache.arrow.memory.util.MemoryUtil.getByteBufferAddress(view) : -1;
      pageAddresses.set(p, a);
    }
    return a;
  }

  /**
   * The scan path of FIXED byte values (widths other than 1, 2, 4, 8) stored compressed, plain or
   * as an {@link dev.weft.format.encoding.UpBytes UP} or {@link dev.weft.format.encoding.SpanBytes
   * SPAN/SPAN_FOLD} stream, without validity: if the block holding
   * {@code element} starts there, holds at most {@code max} elements, is of that kind and is not
   * in the shared cache, decodes it straight into native memory at {@code dst} (valid for its
   * values), an UP or SPAN(_ZIGZAG) block through {@code scratch} (the decompressed block, after
   * {@link dev.weft.format.encoding.SpanBytes#PAD} readable bytes and followed by as many; grown as needed), and returns its
   * element count; else returns 0 and the caller takes the general path. The block's checksum and
   * lengths are checked as by {@link #decode}; the block is not cached (scans read it once).
   */
  int decodeBytesInto(long element, long max, long dst, ByteBuffer[] scratch) throws IOException {
    if (element < 0 || element >= totalElements) {
      return 0;
    }
    int p = pageFor(element);
    PageMeta page = pages.get(p);
    BlockTable t = table(p);
    long rel = element - page.firstElement();
    int b = t.blockForElement(rel);
    long count = t.elemEnd(b) - t.elemStart(b);
    boolean up = t.encoded(b) && (t.scheme(b) == dev.weft.format.encoding.BytesStreams.UP
        || dev.weft.format.encoding.BytesStreams.isSpan(t.scheme(b)));
    if (rel != t.elemStart(b) || count > max || count < 1 || !(up || !t.encoded(b)) || t.hasValidity(b)
        || t.codec(b) == Codec.NONE || ctx.cache().get(cacheSlots.get(p), b) != null) {
      return 0;
    }
    long offset = page.offset() + t.offset(b);
    ByteBuffer bytes = verifiedBytes(p, page, t, b, offset, true); // decompressed below, not kept
    long expectedRaw = MiniBlock.expectedRawLength(node, count, false);
    int rawLength = t.rawLength(b);
    if (expectedRaw < 0 || (up ? rawLength > expectedRaw + EncodedBlocks.MAX_GROWTH : rawLength != expectedRaw)) {
      throw CorruptFileException.at(ctx.path(), column, offset, "mini-block of " + count + " elements ("
          + node.path() + ") declares " + rawLength + " raw bytes" + checksumNote(t, b));
    }
    if (!up) {
      // a plain block: its values are the decompressed bytes
      try {
        BlockCodecs.decompressInto(t.codec(b), bytes, org.apache.arrow.memory.util.MemoryUtil.directBuffer(dst,
            rawLength), rawLength);
      } catch (IllegalArgumentException e) {
        throw CorruptFileException.at(ctx.path(), column, offset, "cannot decompress mini-block ("
            + node.path() + "): " + e.getMessage() + checksumNote(t, b));
      }
      return (int) count;
    }
    // the block lies PAD bytes into the scratch buffer and is followed by PAD more: SPAN's decoder
    // reads whole 8-byte lanes a little before and after its residuals
    int pad = dev.weft.format.encoding.SpanBytes.PAD;
    if (scratch[0] == null || scratch[0].capacity() < rawLength + 2 * pad) {
      scratch[0] = ByteBuffer.allocateDirect(Math.max(rawLength, 1 << 14) + 2 * pad).order(ByteOrder.LITTLE_ENDIAN);
    }
    ByteBuffer block = scratch[0].slice(pad, rawLength).order(ByteOrder.LITTLE_ENDIAN);
    try {
      BlockCodecs.decompressInto(t.codec(b), bytes, block, rawLength);
    } catch (IllegalArgumentException e) {
      throw CorruptFileException.at(ctx.path(), column, offset, "cannot decompress mini-block ("
          + node.path() + "): " + e.getMessage() + checksumNote(t, b));
    }
    try {
      dev.weft.format.encoding.EncodedInput in = new dev.weft.format.encoding.EncodedInput(block, 0, rawLength);
      if (in.remaining() < 1 || (block.get(0) & 0xFF) != t.scheme(b)
          || !dev.weft.format.encoding.BytesStreams.decodeInto(in, (int) count, node.byteWidth(), dst)) {
        throw new dev.weft.format.encoding.MalformedEncodingException("main stream's scheme is not the flags' "
            + dev.weft.format.encoding.BytesStreams.name(t.scheme(b)));
      }
      in.expectEnd("encoded block");
    } catch (IllegalArgumentException e) {
      throw CorruptFileException.at(ctx.path(), column, offset, "malformed mini-block ("
          + node.path() + "): " + e.getMessage() + checksumNote(t, b));
    }
    return (int) count;
  }

  /**
   * Block b's stored bytes, counted and (the first time) checked against its checksum; with
   * {@code scratch} (the caller decompresses them at once and keeps nothing of them) they may be
   * in the thread's reused read buffer ({@link MappedFile#scratchSlice}).
   */
  private ByteBuffer verifiedBytes(int p, PageMeta page, BlockTable t, int b, long offset, boolean scratch)
      throws IOException {
    int stored = t.storedLength(b);
    ByteBuffer bytes = scratch ? ctx.file().scratchSlice(offset, stored) : ctx.file().slice(offset, stored);
    ctx.stats().addData(stored);
    ctx.stats().addBlock();
    if (!t.isVerified(b) && ctx.verifyChecksums()) {
      if (Checksums.crc32c(bytes) != t.crc(b)) {
        throw CorruptFileException.at(ctx.path(), column, offset,
            "mini-block checksum mismatch (" + node.path() + ", page " + p + ", block " + b + ")");
      }
      t.markVerified(b);
    }
    return bytes;
  }

  DecodedBlock decode(int p, PageMeta page, BlockTable t, int b) throws IOException {
    long offset = page.offset() + t.offset(b);
    // compressed bytes are decompressed below and not kept: they may be the thread's read buffer
    ByteBuffer bytes = verifiedBytes(p, page, t, b, offset, t.codec(b) != Codec.NONE);
    long count = t.elemEnd(b) - t.elemStart(b);
    long expectedRaw = MiniBlock.expectedRawLength(node, count, t.hasValidity(b));
    boolean encoded = t.encoded(b);
    boolean badLength = encoded
        // an encoded block is hardly longer than the plain one (see EncodedBlocks.MAX_GROWTH)
        ? expectedRaw >= 0 && t.rawLength(b) > expectedRaw + EncodedBlocks.MAX_GROWTH
        : (expectedRaw >= 0 && expectedRaw != t.rawLength(b))
            || (expectedRaw < 0 && t.rawLength(b) < MiniBlock.prefixLength(node.kind(), count, t.hasValidity(b)));
    if (badLength) {
      throw CorruptFileException.at(ctx.path(), column, offset, "mini-block of " + count + " elements ("
          + node.path() + ") declares " + t.rawLength(b) + " raw bytes" + checksumNote(t, b));
    }
    Codec codec = t.codec(b);
    ByteBuffer raw;
    try {
      raw = codec == Codec.NONE ? bytes
          : ByteBuffer.wrap(BlockCodecs.decompress(codec, bytes, t.rawLength(b))).order(ByteOrder.LITTLE_ENDIAN);
    } catch (IllegalArgumentException e) {
      throw CorruptFileException.at(ctx.path(), column, offset, "cannot decompress mini-block ("
          + node.path() + "): " + e.getMessage() + checksumNote(t, b));
    }
    SharedDictionary shared = null;
    if (encoded && page.dictionary() > 0 && SharedDictionary.kindAllowed(node)
        && t.scheme(b) == SharedDictionary.schemeFor(node)) {
      shared = dictionary(page.dictionary() - 1);
    }
    MiniBlock view;
    try {
      // a decompressed block is this call's own array: FIXED byte values decode in place there
      view = encoded ? EncodedBlocks.parse(raw, node, (int) count, t.hasValidity(b), t.scheme(b), shared,
              codec != Codec.NONE)
          : MiniBlock.parse(raw, node, (int) count, t.hasValidity(b));
    } catch (IllegalArgumentException | IndexOutOfBoundsException | ArithmeticException
        | NegativeArraySizeException e) {
      throw CorruptFileException.at(ctx.path(), column, offset, "malformed mini-block ("
          + node.path() + "): " + e.getMessage() + checksumNote(t, b));
    }
    return new DecodedBlock(((long) p << 32) | b, page.firstElement() + t.elemStart(b), view,
        codec == Codec.NONE && !encoded);
  }

  /**
   * Shared dictionary {@code d} of this node, decoded: read, checksummed, decompressed and parsed
   * on first use, then kept in the reader's block cache (charged its heap bytes; with the cache
   * disabled, for the life of the reader).
   */
  SharedDictionary dictionary(int d) throws IOException {
    SharedDictionary s = decodedDictionaries.get(d);
    if (s != null) {
      return s;
    }
    DictionaryMeta m = dictionaries.get(d);
    ByteBuffer bytes = ctx.file().slice(m.offset(), m.storedLength());
    ctx.stats().addDictionary(m.storedLength());
    boolean verified = false;
    if (ctx.verifyChecksums()) {
      if (Checksums.crc32c(bytes) != m.crc()) {
        throw CorruptFileException.at(ctx.path(), column, m.offset(),
            "shared dictionary checksum mismatch (" + node.path() + ", dictionary " + d + ")");
      }
      verified = true;
    }
    String note = verified ? " (its checksum matched)" : " (checksum not verified)";
    try {
      ByteBuffer raw = m.codec() == Codec.NONE ? bytes
          : ByteBuffer.wrap(BlockCodecs.decompress(m.codec(), bytes, m.rawLength())).order(ByteOrder.LITTLE_ENDIAN);
      s = SharedDictionary.parse(raw, node.kind() != dev.weft.format.NodeKind.FIXED, m.numEntries());
    } catch (IllegalArgumentException | IndexOutOfBoundsException | ArithmeticException
        | NegativeArraySizeException e) {
      throw CorruptFileException.at(ctx.path(), column, m.offset(), "malformed shared dictionary ("
          + node.path() + ", dictionary " + d + "): " + e.getMessage() + note);
    }
    // kept in the reader's block cache, within its budget (evicted ones are read again when needed)
    return ctx.cache().putDictionary(decodedDictionaries, d, s);
  }

  /** The node's shared dictionaries (format 4.0). */
  List<DictionaryMeta> dictionaries() {
    return dictionaries;
  }

  private String checksumNote(BlockTable t, int b) {
    return t.isVerified(b) ? " (its checksum matched)" : " (checksum not verified)";
  }
}
