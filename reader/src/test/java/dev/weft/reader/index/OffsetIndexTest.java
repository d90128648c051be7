package dev.weft.reader.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.PageMeta;
import dev.weft.format.WeftFormat;
import dev.weft.reader.WeftReader;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offset index (row id to page to mini-block) is the PageMeta list of each node (binary
 * search by first element, O(log pages)) and each page's block table (binary search, O(log
 * blocks)): once a column's metadata is read, taking one row reads one block table and one
 * mini-block, however many pages the column has, and no other page's block table.
 */
class OffsetIndexTest {
  @TempDir Path dir;

  @Test
  void takingOneRowReadsOneBlockTableAndOneBlock() throws Exception {
    Schema schema = new Schema(List.of(Field.notNullable("v", new ArrowType.Int(64, true))));
    Path p = dir.resolve("o.weft");
    int rows = 200_000;
    try (BufferAllocator a = new RootAllocator(); VectorSchemaRoot root = VectorSchemaRoot.create(schema, a)) {
      BigIntVector v = (BigIntVector) root.getVector(0);
      v.allocateNew(rows);
      for (int i = 0; i < rows; i++) {
        v.set(i, i * 7L);
      }
      root.setRowCount(rows);
      WriterOptions o = WriterOptions.builder().encodings(false).compression(dev.weft.format.Codec.NONE)
          .miniBlockBytes(1024).valuesPerMiniBlock(128).targetPageBytes(4096).maxRowGroupRows(50_000).build();
      try (WeftWriter w = WeftWriter.open(p, schema, o)) {
        w.write(root);
      }
    }
    try (BufferAllocator a = new RootAllocator(); WeftReader r = WeftReader.open(p, a)) {
      List<PageMeta> pages = r.columnMeta(0).pagesPerNode().get(0);
      assertTrue(pages.size() >= 400, pages.size() + " pages");
      long[] ids = {0, 123_457, 199_999, 77_777, 150_001};
      for (long id : ids) {
        r.stats().reset();
        try (VectorSchemaRoot got = r.take(new long[] {id}, null)) {
          assertEquals(id * 7L, ((BigIntVector) got.getVector(0)).get(0));
        }
        int blocksPerPage = 4; // 4 KiB pages of 1 KiB blocks
        assertEquals(1, r.stats().blocksDecoded(), "row " + id);
        assertTrue(r.stats().metadataBytesRead() <= (long) blocksPerPage * WeftFormat.BLOCK_ENTRY_LENGTH,
            "row " + id + " read " + r.stats().metadataBytesRead() + " bytes of block tables");
        assertTrue(r.stats().dataBytesRead() <= 1024, "row " + id + " read " + r.stats().dataBytesRead() + " data bytes");
      }
    }
  }
}
