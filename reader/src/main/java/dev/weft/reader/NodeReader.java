package dev.weft.reader;

import dev.weft.format.BlockCodecs;
import dev.weft.format.BlockTable;
import dev.weft.format.Checksums;
import dev.weft.format.Codec;
import dev.weft.format.ColumnNode;
import dev.weft.format.CorruptFileException;
import dev.weft.format.FormatTooNewException;
import dev.weft.format.MiniBlock;
import dev.weft.format.PageMeta;
import dev.weft.format.WeftFormat;
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
  final long totalElements;

  NodeReader(FileContext ctx, String column, ColumnNode node, List<PageMeta> pages) {
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
    this.tables = new AtomicReferenceArray<>(pages.size());
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
      t = BlockTable.decode(bytes, page, ctx.path(), column);
      tables.compareAndSet(p, null, t);
      t = tables.get(p);
    }
    return t;
  }

  /** Decodes the block holding {@code element}, reusing {@code current} if it does. */
  DecodedBlock blockFor(long element, DecodedBlock current) throws IOException {
    if (current != null && element >= current.firstElement() && element < current.endElement()) {
      return current;
    }
    if (element < 0 || element >= totalElements) {
      throw CorruptFileException.at(ctx.path(), column, -1, node.path() + " has " + totalElements
          + " elements, a parent refers to element " + element);
    }
    int p = pageFor(element);
    PageMeta page = pages.get(p);
    BlockTable t = table(p);
    int b = t.blockForElement(element - page.firstElement());
    return decode(p, page, t, b);
  }

  DecodedBlock decode(int p, PageMeta page, BlockTable t, int b) throws IOException {
    long offset = page.offset() + t.offset(b);
    int stored = t.storedLength(b);
    ByteBuffer bytes = ctx.file().slice(offset, stored);
    ctx.stats().addData(stored);
    ctx.stats().addBlock();
    boolean crcOk = t.isVerified(b);
    if (!crcOk && ctx.verifyChecksums()) {
      if (Checksums.crc32c(bytes) != t.crc(b)) {
        throw CorruptFileException.at(ctx.path(), column, offset,
            "mini-block checksum mismatch (" + node.path() + ", page " + p + ", block " + b + ")");
      }
      t.markVerified(b);
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
    long count = t.elemEnd(b) - t.elemStart(b);
    MiniBlock view;
    try {
      view = MiniBlock.parse(raw, node, (int) count, t.hasValidity(b));
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw CorruptFileException.at(ctx.path(), column, offset, "malformed mini-block ("
          + node.path() + "): " + e.getMessage() + checksumNote(t, b));
    }
    return new DecodedBlock(((long) p << 32) | b, page.firstElement() + t.elemStart(b), view, codec == Codec.NONE);
  }

  private String checksumNote(BlockTable t, int b) {
    return t.isVerified(b) ? " (its checksum matched)" : " (checksum not verified)";
  }
}
