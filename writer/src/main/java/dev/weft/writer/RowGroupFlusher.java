package dev.weft.writer;

import dev.weft.format.BlockTable;
import dev.weft.format.MetaOutput;
import dev.weft.format.PageMeta;
import dev.weft.format.WeftFormat;
import java.io.IOException;
import java.util.List;

/**
 * Writes one node's sealed blocks of a row group as pages: each page is its blocks back to
 * back (each padded to 8 bytes) followed by its block table.
 */
final class RowGroupFlusher {
  /** Elements per page stay below this so block-table element starts fit in u32. */
  private static final long MAX_PAGE_ELEMENTS = Integer.MAX_VALUE;

  private final FileOutput out;
  private final int targetPageBytes;

  RowGroupFlusher(FileOutput out, int targetPageBytes) {
    this.out = out;
    this.targetPageBytes = targetPageBytes;
  }

  /** Writes {@code blocks} as pages and appends their metadata to {@code pages}. */
  void writeNode(List<SealedBlock> blocks, List<PageMeta> pages) throws IOException {
    int i = 0;
    while (i < blocks.size()) {
      int end = i + 1;
      long bytes = WeftFormat.align(blocks.get(i).stored().length());
      long elements = blocks.get(i).numElements();
      long rows = blocks.get(i).numRows();
      while (end < blocks.size()) {
        SealedBlock next = blocks.get(end);
        long nb = WeftFormat.align(next.stored().length());
        if (bytes + nb > targetPageBytes || elements + next.numElements() > MAX_PAGE_ELEMENTS
            || bytes + nb > Integer.MAX_VALUE - 64 || rows + next.numRows() > Integer.MAX_VALUE) {
          break;
        }
        bytes += nb;
        elements += next.numElements();
        rows += next.numRows();
        end++;
      }
      pages.add(writePage(blocks.subList(i, end)));
      i = end;
    }
  }

  private PageMeta writePage(List<SealedBlock> blocks) throws IOException {
    out.pad();
    long pageOffset = out.position();
    SealedBlock first = blocks.get(0);
    MetaOutput table = new MetaOutput(blocks.size() * WeftFormat.BLOCK_ENTRY_LENGTH);
    long rows = 0;
    long elements = 0;
    for (SealedBlock b : blocks) {
      long rel = out.position() - pageOffset;
      BlockArena.Slice s = b.stored();
      out.write(s.buf().nioBuffer(s.offset(), s.length()));
      out.pad();
      BlockTable.encodeEntry(table, (int) (b.firstRow() - first.firstRow()),
          b.firstElement() - first.firstElement(), (int) rel, s.length(), b.rawLength(), b.crc(), b.flags());
      rows += b.numRows();
      elements += b.numElements();
    }
    int dataLength = (int) (out.position() - pageOffset);
    out.write(table.asBuffer());
    return new PageMeta(first.firstRow(), (int) rows, blocks.size(), first.firstElement(), elements,
        pageOffset, dataLength, table.crc32c(), WeftFormat.ENCODING_PLAIN);
  }
}
