package dev.weft.reader.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.format.PageMeta;
import dev.weft.format.RowGroupMeta;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.reader.writer.WriterTestSupport.BlockInfo;
import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layout follows the options: mini-block byte/value limits, page size, row-group rows and
 * the codec. Block tables are not exposed by the reader; they are read from the file at the
 * offsets of the public page metadata (see {@link WriterTestSupport#blocks}).
 */
class WriterOptionsEffectTest {
  private static final ArrowType INT8 = new ArrowType.Int(8, true);
  private static final ArrowType INT32 = new ArrowType.Int(32, true);
  private static final ArrowType INT64 = new ArrowType.Int(64, true);
  private static final ArrowType FLOAT64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

  private static final Schema NARROW = new Schema(List.of(
      Field.nullable("i8", INT8), Field.nullable("i32", INT32), Field.nullable("i64", INT64),
      Field.nullable("f64", FLOAT64), Field.nullable("flag", ArrowType.Bool.INSTANCE),
      Field.nullable("s", ArrowType.Utf8.INSTANCE),
      new Field("l", FieldType.nullable(ArrowType.List.INSTANCE), List.of(Field.nullable("item", INT32)))));

  @TempDir Path dir;

  private static void write(Path file, Schema schema, WriterOptions o, BufferAllocator alloc,
      VectorSchemaRoot... batches) throws Exception {
    try (RootAllocator parent = new RootAllocator()) {
      try (WeftWriter w = WeftWriter.open(file, schema, null, o, parent)) {
        for (VectorSchemaRoot b : batches) {
          w.write(b);
        }
      }
      assertEquals(0, parent.getAllocatedMemory());
    }
  }

  private static void assertFileEquals(Path file, VectorSchemaRoot expected, BufferAllocator alloc) throws Exception {
    try (WeftReader r = WeftReader.open(file, alloc)) {
      assertEquals(expected.getRowCount(), r.numRows());
      try (WeftScanner s = r.scan(null, expected.getRowCount()); VectorSchemaRoot got = s.next()) {
        ArrowAssert.assertRootEquals(expected, got);
      }
    }
  }

  @Test
  void miniBlocksRespectTheByteAndValueLimits() throws Exception {
    Path small = dir.resolve("small.weft");
    Path dflt = dir.resolve("default.weft");
    RandomArrow.Options gen = RandomArrow.Options.builder().nullProbability(0.1).maxStringBytes(40)
        .maxListLength(8).build();
    try (RootAllocator alloc = new RootAllocator();
        VectorSchemaRoot data = RandomArrow.generate(NARROW, 30_000, 21, alloc, gen)) {
      // shared dictionaries off: blocks of coded nodes may exceed the byte limit (their codes are small)
      write(small, NARROW, WriterOptions.builder().miniBlockBytes(1024).compression(Codec.NONE)
          .sharedDictionaries(false).build(), alloc, data);
      write(dflt, NARROW, WriterOptions.builder().compression(Codec.NONE).build(), alloc, data);
      assertFileEquals(small, data, alloc);

      long smallBlocks;
      try (WeftReader r = WeftReader.open(small, alloc)) {
        List<BlockInfo> blocks = WriterTestSupport.allBlocks(r, small);
        smallBlocks = blocks.size();
        int maxRaw = 0;
        for (BlockInfo b : blocks) {
          assertTrue(b.rawLength() <= 1024 || b.rows() == 1, () -> "block of " + b.node().path() + " has raw length "
              + b.rawLength() + " > 1024 for " + b.rows() + " rows");
          assertTrue(b.elements() <= WriterOptions.DEFAULT_VALUES_PER_MINI_BLOCK || b.rows() == 1);
          assertEquals(b.rawLength(), b.storedLength(), "codec NONE stores blocks raw");
          maxRaw = Math.max(maxRaw, b.rawLength());
        }
        assertTrue(maxRaw > 512, "blocks should be filled close to the limit, largest is " + maxRaw);

        // a full scan decodes every block exactly once
        r.stats().reset();
        try (WeftScanner s = r.scan(null, 4_096)) {
          while (s.hasNext()) {
            s.next().close();
          }
        }
        assertEquals(smallBlocks, r.stats().blocksDecoded());
      }
      try (WeftReader r = WeftReader.open(dflt, alloc)) {
        List<BlockInfo> blocks = WriterTestSupport.allBlocks(r, dflt);
        assertTrue(blocks.stream().anyMatch(b -> b.rawLength() > 1024), "default 16 KiB blocks should exceed 1 KiB");
        assertTrue(blocks.size() * 4L < smallBlocks, blocks.size() + " default blocks vs " + smallBlocks);
        for (BlockInfo b : blocks) {
          // with shared dictionaries (on here) a coded node's blocks may hold 4 times the values of a
          // plain-sized block; their raw (encoded) length is still far below the limit times 4
          assertTrue(b.rawLength() <= 4L * WriterOptions.DEFAULT_MINI_BLOCK_BYTES || b.rows() == 1);
        }
      }
    }
  }

  /**
   * FIXED values of at least 256 bytes in rows under 1 KiB (images) get blocks up to 4 times the
   * byte limit (fewer codec frames per scan); narrower ones keep the limit itself.
   */
  @Test
  void wideFixedValuesGetFourTimesTheBlockBytes() throws Exception {
    Path file = dir.resolve("images.weft");
    Schema schema = new Schema(List.of(Field.notNullable("image", new ArrowType.FixedSizeBinary(784)),
        Field.notNullable("hash", new ArrowType.FixedSizeBinary(255))));
    int rows = 2000;
    try (RootAllocator alloc = new RootAllocator(); VectorSchemaRoot data = VectorSchemaRoot.create(schema, alloc)) {
      FixedSizeBinaryVector image = (FixedSizeBinaryVector) data.getVector("image");
      FixedSizeBinaryVector hash = (FixedSizeBinaryVector) data.getVector("hash");
      image.allocateNew(rows);
      hash.allocateNew(rows);
      SplittableRandom rnd = new SplittableRandom(23);
      for (int i = 0; i < rows; i++) {
        byte[] a = new byte[784];
        byte[] b = new byte[255];
        for (int j = 0; j < a.length; j++) {
          a[j] = (byte) rnd.nextInt(256);
        }
        for (int j = 0; j < b.length; j++) {
          b[j] = (byte) rnd.nextInt(256);
        }
        image.set(i, a);
        hash.set(i, b);
      }
      data.setRowCount(rows);
      write(file, schema, WriterOptions.builder().compression(Codec.ZSTD).build(), alloc, data);
      assertFileEquals(file, data, alloc);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        long limit = WriterOptions.DEFAULT_MINI_BLOCK_BYTES;
        for (BlockInfo b : WriterTestSupport.blocks(r, file, r.columnIndex("image"))) {
          long raw = b.elements() * 784;
          assertTrue(raw <= 4 * limit, "image block of " + raw + " bytes");
          assertTrue(raw > limit || b.table().rowEnd(b.block()) == b.page().numRows(),
              "image blocks fill 4 times the limit: " + raw + " bytes");
        }
        for (BlockInfo b : WriterTestSupport.blocks(r, file, r.columnIndex("hash"))) {
          assertTrue(b.elements() * 255 <= limit, "255-byte values keep the limit: " + b.elements() + " values");
        }
      }
    }
  }

  @Test
  void valuesPerMiniBlockLimitsElementCounts() throws Exception {
    Path file = dir.resolve("values.weft");
    try (RootAllocator alloc = new RootAllocator();
        VectorSchemaRoot data = RandomArrow.generate(NARROW, 10_000, 22, alloc, 0.1)) {
      write(file, NARROW, WriterOptions.builder().valuesPerMiniBlock(100).compression(Codec.NONE).build(), alloc, data);
      assertFileEquals(file, data, alloc);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        List<BlockInfo> blocks = WriterTestSupport.allBlocks(r, file);
        for (BlockInfo b : blocks) {
          assertTrue(b.elements() <= 100 || b.rows() == 1, () -> b.node().path() + " block holds " + b.elements()
              + " values in " + b.rows() + " rows");
        }
        int i8 = r.columnIndex("i8");
        assertTrue(WriterTestSupport.blocks(r, file, i8).stream().allMatch(b -> b.elements() == 100 || b.table().rowEnd(b.block()) == b.page().numRows()),
            "full int8 blocks should hold exactly 100 values");
      }
    }
  }

  @Test
  void oneRowLargerThanTheLimitGetsABlockOfItsOwn() throws Exception {
    Path file = dir.resolve("big-row.weft");
    Schema schema = new Schema(List.of(Field.nullable("s", ArrowType.Utf8.INSTANCE)));
    try (RootAllocator alloc = new RootAllocator(); VectorSchemaRoot data = VectorSchemaRoot.create(schema, alloc)) {
      VarCharVector s = (VarCharVector) data.getVector(0);
      s.allocateNew();
      int rows = 2_000;
      // the big row is random text, so that no encoding (FSST would shrink "XXXX...") brings it under the limit
      java.util.Random rnd = new java.util.Random(777);
      StringBuilder big = new StringBuilder();
      for (int k = 0; k < 5_000; k++) {
        big.append((char) ('!' + rnd.nextInt(94)));
      }
      for (int r = 0; r < rows; r++) {
        String v = r == 777 ? big.toString() : "row-" + r;
        s.setSafe(r, v.getBytes(StandardCharsets.UTF_8));
      }
      data.setRowCount(rows);
      write(file, schema, WriterOptions.builder().miniBlockBytes(1024).compression(Codec.NONE).build(), alloc, data);
      assertFileEquals(file, data, alloc);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        List<BlockInfo> blocks = WriterTestSupport.blocks(r, file, 0);
        int oversize = 0;
        for (BlockInfo b : blocks) {
          if (b.rawLength() > 1024) {
            oversize++;
            assertEquals(1, b.rows(), "only a single-row block may exceed the limit");
            assertEquals(777, b.page().firstRow() + b.table().rowStart(b.block()));
          }
        }
        assertEquals(1, oversize);
      }
    }
  }

  @Test
  void rowGroupsHoldAtMostMaxRowGroupRows() throws Exception {
    Path file = dir.resolve("groups.weft");
    try (RootAllocator alloc = new RootAllocator();
        VectorSchemaRoot data = RandomArrow.generate(NARROW, 777, 23, alloc, 0.1)) {
      WriterOptions o = WriterOptions.builder().maxRowGroupRows(1000).build();
      VectorSchemaRoot[] batches = new VectorSchemaRoot[14]; // 10,878 rows
      java.util.Arrays.fill(batches, data);
      write(file, NARROW, o, alloc, batches);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        assertEquals(14L * 777, r.numRows());
        List<RowGroupMeta> groups = r.rowGroups();
        assertTrue(groups.size() >= 11, groups.size() + " row groups");
        long next = 0;
        long prevEnd = 0;
        for (RowGroupMeta g : groups) {
          assertTrue(g.numRows() >= 1 && g.numRows() <= 1000, "row group of " + g.numRows() + " rows");
          assertEquals(next, g.firstRow());
          assertTrue(g.startOffset() >= prevEnd && g.endOffset() > g.startOffset());
          next += g.numRows();
          prevEnd = g.endOffset();
        }
        assertEquals(r.numRows(), next);
        // no page crosses a row-group boundary
        for (int c = 0; c < r.numColumns(); c++) {
          for (List<PageMeta> pages : r.columnMeta(c).pagesPerNode()) {
            for (PageMeta p : pages) {
              RowGroupMeta g = groups.stream().filter(x -> x.firstRow() <= p.firstRow()
                  && p.firstRow() < x.firstRow() + x.numRows()).findFirst().orElseThrow();
              assertTrue(p.firstRow() + p.numRows() <= g.firstRow() + g.numRows());
              assertTrue(p.offset() >= g.startOffset() && p.tableOffset() + p.tableLength() <= g.endOffset());
            }
          }
        }
        // the content is the batch 14 times
        try (WeftScanner s = r.scan(null, 777)) {
          while (s.hasNext()) {
            try (VectorSchemaRoot got = s.next()) {
              ArrowAssert.assertRootEquals(data, got);
            }
          }
        }
      }
      // by default a small file is one row group
      Path one = dir.resolve("one.weft");
      write(one, NARROW, WriterOptions.defaults(), alloc, batches);
      try (WeftReader r = WeftReader.open(one, alloc)) {
        assertEquals(1, r.rowGroups().size());
      }
    }
  }

  @Test
  void pagesRespectTargetPageBytes() throws Exception {
    Path file = dir.resolve("pages.weft");
    try (RootAllocator alloc = new RootAllocator();
        VectorSchemaRoot data = RandomArrow.generate(NARROW, 20_000, 24, alloc, 0.1)) {
      write(file, NARROW, WriterOptions.builder().targetPageBytes(4096).miniBlockBytes(1024)
          .compression(Codec.NONE).build(), alloc, data);
      assertFileEquals(file, data, alloc);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        int pages = 0;
        for (int c = 0; c < r.numColumns(); c++) {
          for (List<PageMeta> ps : r.columnMeta(c).pagesPerNode()) {
            for (PageMeta p : ps) {
              pages++;
              assertTrue(p.dataLength() <= 4096 || p.numBlocks() == 1,
                  "page of " + p.dataLength() + " bytes in " + p.numBlocks() + " blocks");
            }
          }
        }
        assertTrue(pages > 7 * 10, "expected many small pages, got " + pages);
      }
    }
  }

  /** Repetitive values: every codec must beat NONE clearly. */
  private static VectorSchemaRoot compressible(int rows, BufferAllocator alloc) {
    Schema schema = new Schema(List.of(Field.nullable("k", INT64), Field.nullable("x", FLOAT64),
        Field.nullable("s", ArrowType.Utf8.INSTANCE)));
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc);
    BigIntVector k = (BigIntVector) root.getVector(0);
    Float8Vector x = (Float8Vector) root.getVector(1);
    VarCharVector s = (VarCharVector) root.getVector(2);
    k.allocateNew(rows);
    x.allocateNew(rows);
    s.allocateNew();
    String[] words = {"alpha", "beta", "gamma", "delta", "epsilon-epsilon"};
    for (int r = 0; r < rows; r++) {
      k.set(r, r % 100);
      x.set(r, (r % 10) * 0.5);
      s.setSafe(r, (words[r % words.length] + "-" + (r % 13)).getBytes(StandardCharsets.UTF_8));
    }
    root.setRowCount(rows);
    return root;
  }

  /** Uniformly random bits: no codec can gain. */
  private static VectorSchemaRoot incompressible(int rows, BufferAllocator alloc) {
    Schema schema = new Schema(List.of(Field.notNullable("k", INT64),
        Field.notNullable("b", new ArrowType.FixedSizeBinary(32))));
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc);
    BigIntVector k = (BigIntVector) root.getVector(0);
    FixedSizeBinaryVector b = (FixedSizeBinaryVector) root.getVector(1);
    k.allocateNew(rows);
    b.allocateNew(rows);
    SplittableRandom rnd = new SplittableRandom(99);
    byte[] buf = new byte[32];
    for (int r = 0; r < rows; r++) {
      k.set(r, rnd.nextLong());
      for (int j = 0; j < buf.length; j++) {
        buf[j] = (byte) rnd.nextInt();
      }
      b.set(r, buf);
    }
    root.setRowCount(rows);
    return root;
  }

  @Test
  void compressionShrinksCompressibleData() throws Exception {
    try (RootAllocator alloc = new RootAllocator(); VectorSchemaRoot data = compressible(200_000, alloc)) {
      long none = sizeWith(Codec.NONE, data, alloc, true);
      long zstd = sizeWith(Codec.ZSTD, data, alloc, false);
      long lz4 = sizeWith(Codec.LZ4, data, alloc, false);
      System.out.printf("WriterOptionsEffectTest compressible: none=%d zstd=%d lz4=%d%n", none, zstd, lz4);
      assertTrue(zstd * 4 < none, "zstd " + zstd + " vs none " + none);
      assertTrue(lz4 * 2 < none, "lz4 " + lz4 + " vs none " + none);
    }
  }

  @Test
  void incompressibleBlocksAreStoredRaw() throws Exception {
    try (RootAllocator alloc = new RootAllocator(); VectorSchemaRoot data = incompressible(100_000, alloc)) {
      long none = sizeWith(Codec.NONE, data, alloc, true);
      long zstd = sizeWith(Codec.ZSTD, data, alloc, true);
      long lz4 = sizeWith(Codec.LZ4, data, alloc, true);
      System.out.printf("WriterOptionsEffectTest incompressible: none=%d zstd=%d lz4=%d%n", none, zstd, lz4);
      assertTrue(zstd <= none + none / 100, "zstd " + zstd + " vs none " + none);
      assertTrue(lz4 <= none + none / 100, "lz4 " + lz4 + " vs none " + none);
    }
  }

  private long sizeWith(Codec codec, VectorSchemaRoot data, BufferAllocator alloc, boolean allRaw) throws Exception {
    Path file = dir.resolve(codec + "-" + data.getSchema().getFields().size() + "-" + data.getRowCount() + ".weft");
    write(file, data.getSchema(), WriterOptions.builder().compression(codec).build(), alloc, data);
    assertFileEquals(file, data, alloc);
    try (WeftReader r = WeftReader.open(file, alloc)) {
      for (BlockInfo b : WriterTestSupport.allBlocks(r, file)) {
        Codec used = b.table().codec(b.block());
        assertTrue(used == Codec.NONE || used == codec, "block compressed with " + used + " in a " + codec + " file");
        if (used == Codec.NONE) {
          assertEquals(b.rawLength(), b.storedLength());
        } else {
          assertTrue(b.storedLength() <= b.rawLength() * 0.9, "a compressed block must save at least 10%: "
              + b.storedLength() + " of " + b.rawLength());
        }
      }
      if (allRaw) {
        // random bits: nothing compresses by 10%, so every block is stored raw
        for (BlockInfo b : WriterTestSupport.allBlocks(r, file)) {
          assertEquals(Codec.NONE, b.table().codec(b.block()), b.node().path());
        }
      }
    }
    return Files.size(file);
  }
}
