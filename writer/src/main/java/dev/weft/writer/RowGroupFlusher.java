package dev.weft.writer;

import dev.weft.format.BlockCodecs;
import dev.weft.format.BlockTable;
import dev.weft.format.Codec;
import dev.weft.format.DictionaryMeta;
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

  private final Codec codec;
  private final int level;

  RowGroupFlusher(FileOutput out, int targetPageBytes) {
    this(out, targetPageBytes, Codec.NONE, 0);
  }

  /** With the codec shared dictionaries are compressed with (where that saves 10%). */
  RowGroupFlusher(FileOutput out, int targetPageBytes, Codec codec, int level) {
    this.out = out;
    this.targetPageBytes = targetPageBytes;
    this.codec = codec;
    this.level = level;
  }

  /**
   * Writes the node's shared dictionary for this row group, already encoded and compressed by
   * {@link #prepare} (null: no block used one; else its metadata is appended to
   * {@code dictionaries}), then {@code blocks} as pages that name it.
   */
  void writeNode(List<SealedBlock> blocks, List<PageMeta> pages, List<DictionaryMeta> dictionaries,
      PreparedDictionary dict) throws IOException {
    int ref = 0;
    if (dict != null) {
      dictionaries.add(writeDictionary(dict));
      ref = dictionaries.size();
    }
    int first = pages.size();
    writeNode(blocks, pages);
    if (ref > 0) {
      for (int p = first; p < pages.size(); p++) {
        pages.set(p, pages.get(p).withDictionary(ref));
      }
    }
  }

  /** A node's shared dictionary as stored: its bytes (compressed where that pays) and what its metadata says. */
  record PreparedDictionary(java.nio.ByteBuffer stored, int rawLength, int crc, int flags, int entries) {}

  /**
   * Encodes and compresses a used shared dictionary (the costly part of writing one: FSST for
   * strings, the integer encoders), so that the writer's lanes can do it for all columns at once
   * before the row group's nodes are written in order. Safe from any thread (its own compressor).
   */
  PreparedDictionary prepare(ChunkDictionary dict) {
    byte[] raw = dict.encode();
    java.nio.ByteBuffer stored = java.nio.ByteBuffer.wrap(raw);
    int flags = 0;
    if (codec != Codec.NONE && raw.length >= 64) {
      java.nio.ByteBuffer src = java.nio.ByteBuffer.allocateDirect(raw.length).put(raw).flip();
      int bound = BlockCodecs.maxCompressedLength(codec, raw.length);
      java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocateDirect(bound);
      try (BlockCodecs.Compressor c = new BlockCodecs.Compressor(codec, level)) {
        int n = c.compress(src, 0, raw.length, dst, 0, bound);
        if (n > 0 && n <= raw.length * 0.9) {
          stored = dst.limit(n).position(0);
          flags = codec.id() << WeftFormat.FLAG_CODEC_SHIFT;
        }
      }
    }
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(stored.duplicate());
    return new PreparedDictionary(stored, raw.length, (int) crc.getValue(), flags, dict.encodedEntries());
  }

  private DictionaryMeta writeDictionary(PreparedDictionary dict) throws IOException {
    int length = dict.stored().remaining();
    out.pad();
    long offset = out.position();
    out.write(dict.stored().duplicate());
    return new DictionaryMeta(offset, length, dict.rawLength(), dict.crc(), dict.flags(), dict.entries());
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
