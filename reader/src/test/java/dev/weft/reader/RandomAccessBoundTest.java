package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.reader.RoundTripTest.Expected;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WriterOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The I/O-amplification bound of random access: a single-row take decodes at most one
 * mini-block per node of each projected column, and reads at most one mini-block's worth of
 * bytes per decoded block (narrow values) or the value plus a small constant (wide values).
 * (Format 4.0) A node with shared dictionaries also reads its column chunk's dictionary, once:
 * the reader decodes it on the chunk's first read and caches it, so a take reads at most the
 * projected nodes' dictionaries and a repeated take reads none; the blocks of such a node may
 * hold {@code CODED_BLOCK_FACTOR} (4) times the values of a plain-sized block, as may the blocks of
 * FIXED values of 256 bytes or more in rows under 1 KiB (images; {@code NodeWriter.WIDE_VALUE_BLOCK_FACTOR}).
 */
class RandomAccessBoundTest {
  private static final long BASE_SEED = RoundTripTest.BASE_SEED ^ 0xB0D4L;
  /** The default mini-block size: no block of narrow values may be larger. */
  private static final long MAX_BLOCK_BYTES = 16 * 1024;
  /** What a single-row take of a wide value may read beyond the value's own bytes. */
  private static final long WIDE_SLACK = 4 * 1024;

  /** Blocks of nodes with shared dictionaries may have a plain layout this many times the limit. */
  private static final long CODED_BLOCK_FACTOR = 4;

  @TempDir Path dir;

  /** The most stored bytes one decoded block of the projection may have. */
  private static long blockBound(WeftReader r, List<String> projection) throws Exception {
    return (dictionaryBytes(r, projection) > 0 ? CODED_BLOCK_FACTOR : 1) * MAX_BLOCK_BYTES
        + dev.weft.format.EncodedBlocks.MAX_GROWTH;
  }

  /** Stored bytes of every shared dictionary of the projected columns. */
  private static long dictionaryBytes(WeftReader r, List<String> projection) throws Exception {
    long sum = 0;
    for (String name : projection) {
      for (List<dev.weft.format.DictionaryMeta> ds : r.columnMeta(r.columnIndex(name)).dictionariesPerNode()) {
        for (dev.weft.format.DictionaryMeta d : ds) {
          sum += d.storedLength();
        }
      }
    }
    return sum;
  }

  /**
   * A take of one row reads each projected node's dictionary at most once, and a second take of
   * the same row reads no dictionary (they are cached per column chunk) and no more blocks.
   */
  private static void assertDictionariesReadOnce(WeftReader r, List<String> proj, long row, ReaderStats st,
      String c) throws Exception {
    assertTrue(st.dictionaryBytesRead() <= dictionaryBytes(r, proj), c + ": read " + st.dictionaryBytesRead()
        + " dictionary bytes, the projection has " + dictionaryBytes(r, proj));
    r.stats().reset();
    try (VectorSchemaRoot again = r.take(new long[] {row}, proj)) {
      assertEquals(0, r.stats().dictionaryBytesRead(), c + ": a repeated take read a dictionary again");
      assertEquals(0, r.stats().dictionariesDecoded(), c);
    }
  }

  private static int nodeCount(WeftReader r, List<String> projection) throws Exception {
    int nodes = 0;
    for (String name : projection) {
      nodes += r.columnMeta(r.columnIndex(name)).layout().nodes().size();
    }
    return nodes;
  }

  /** Every fixed-width type, short strings, bool, structs and small lists. */
  @ParameterizedTest
  @EnumSource(Codec.class)
  void narrowColumnsDecodeOneBlockPerNode(Codec codec) throws Exception {
    long seed = BASE_SEED + codec.ordinal();
    System.out.println("RandomAccessBoundTest.narrowColumnsDecodeOneBlockPerNode seed=" + seed);
    Random rnd = new Random(seed);
    Schema schema = RandomArrow.allTypesSchema();
    Path file = dir.resolve("narrow.weft");
    WriterOptions options = WriterOptions.builder().compression(codec).build();
    String ctx = "seed=" + seed + " " + options;
    try (BufferAllocator alloc = new RootAllocator();
        Expected e = RoundTripTest.generate(schema, new int[] {7000, 1, 5000}, seed, alloc,
            RandomArrow.Options.builder().nullProbability(0.1).maxStringBytes(200).maxListLength(6).build())) {
      RoundTripTest.write(file, e, options, alloc);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        long n = r.numRows();
        List<String> all = e.names();
        int totalNodes = nodeCount(r, all);
        // warm the metadata
        try (VectorSchemaRoot warm = r.take(new long[] {0}, null)) {
          e.assertRows(warm, null, new long[] {0}, ctx);
        }
        List<Long> rows = new ArrayList<>(List.of(0L, n - 1, 4095L, 4096L, 6999L, 7000L, 7001L));
        for (int i = 0; i < 60; i++) {
          rows.add((long) rnd.nextInt((int) n));
        }
        for (long row : rows) {
          long[] ids = {row};
          r.stats().reset();
          try (VectorSchemaRoot got = r.take(ids, null)) {
            ReaderStats st = r.stats();
            String c = ctx + " row " + row + " all columns: " + st;
            assertTrue(st.blocksDecoded() <= totalNodes, c + ": decoded " + st.blocksDecoded()
                + " blocks for " + totalNodes + " nodes");
            assertTrue(st.dataBytesRead() <= st.blocksDecoded() * blockBound(r, all), c + ": read "
                + st.dataBytesRead() + " data bytes in " + st.blocksDecoded() + " blocks");
            e.assertRows(got, null, ids, c);
            assertDictionariesReadOnce(r, all, row, st, c);
          }
        }
        // column by column
        for (String col : all) {
          List<String> proj = List.of(col);
          int nodes = nodeCount(r, proj);
          for (int i = 0; i < 8; i++) {
            long row = i == 0 ? n - 1 : rnd.nextInt((int) n);
            long[] ids = {row};
            r.stats().reset();
            try (VectorSchemaRoot got = r.take(ids, proj)) {
              ReaderStats st = r.stats();
              String c = ctx + " row " + row + " column " + col + ": " + st;
              assertTrue(st.blocksDecoded() <= nodes, c + ": decoded " + st.blocksDecoded()
                  + " blocks for " + nodes + " nodes");
              assertTrue(st.dataBytesRead() <= st.blocksDecoded() * blockBound(r, proj), c + ": read "
                  + st.dataBytesRead() + " data bytes in " + st.blocksDecoded() + " blocks");
              e.assertRows(got, proj, ids, c);
              assertDictionariesReadOnce(r, proj, row, st, c);
            }
          }
        }
      }
    }
  }

  /**
   * The bound holds for every encoding (format 2.0): columns shaped to pick each one
   * ({@link EncodingColumns}); every node of a taken row decodes at most one mini-block, whose
   * stored bytes are at most the block limit (plus the few header bytes an encoding may add).
   */
  @ParameterizedTest
  @EnumSource(Codec.class)
  void everyEncodingDecodesOneBlockPerNode(Codec codec) throws Exception {
    long seed = BASE_SEED + 20 + codec.ordinal();
    System.out.println("RandomAccessBoundTest.everyEncodingDecodesOneBlockPerNode seed=" + seed);
    Random rnd = new Random(seed);
    Path file = dir.resolve("encodings.weft");
    // zstd files store the images with SPAN_FOLD, lz4 files with SPAN: the bound is checked over both
    boolean folded = codec == Codec.ZSTD;
    WriterOptions options = WriterOptions.builder().compression(codec).foldedSpans(folded).build();
    String ctx = "seed=" + seed + " " + options;
    try (BufferAllocator alloc = new RootAllocator(); Expected e = new Expected(EncodingColumns.schema())) {
      e.add(EncodingColumns.generate(9000, seed, alloc));
      e.add(EncodingColumns.generate(5000, seed + 1, alloc));
      RoundTripTest.write(file, e, options, alloc);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        long n = r.numRows();
        java.util.Set<String> encodings = new java.util.TreeSet<>();
        for (int c = 0; c < r.numColumns(); c++) {
          for (NodeStats s : r.nodeStats(c)) {
            encodings.addAll(s.encodings().keySet());
          }
        }
        System.out.println("RandomAccessBoundTest " + codec + " encodings: " + encodings);
        assertTrue(encodings.contains("SHARED_DICTIONARY") && encodings.contains("STRING_SHARED_DICTIONARY"),
            "the bound is checked over shared dictionaries too: " + encodings);
        // SPAN (5.0) and SPAN_FOLD (6.0) images: a value's bytes depend on its own spans and
        // residuals, found by summing the block's spans, so a take still decodes one block
        String spanScheme = folded ? "SPAN_FOLD" : "SPAN";
        assertTrue(codec == Codec.NONE || encodings.contains(spanScheme), "the bound is checked over " + spanScheme
            + " too: " + encodings);
        for (String col : e.names()) {
          List<String> proj = List.of(col);
          int nodes = nodeCount(r, proj);
          try (VectorSchemaRoot warm = r.take(new long[] {0}, proj)) {
            e.assertRows(warm, proj, new long[] {0}, ctx);
          }
          for (int i = 0; i < 12; i++) {
            long row = i == 0 ? n - 1 : rnd.nextInt((int) n);
            long[] ids = {row};
            r.stats().reset();
            try (VectorSchemaRoot got = r.take(ids, proj)) {
              ReaderStats st = r.stats();
              String c = ctx + " row " + row + " column " + col + " " + r.nodeStats(r.columnIndex(col)).get(0)
                  .encodings().keySet() + ": " + st;
              assertTrue(st.blocksDecoded() <= nodes, c + ": decoded " + st.blocksDecoded() + " blocks for "
                  + nodes + " nodes");
              assertTrue(st.dataBytesRead() <= st.blocksDecoded() * blockBound(r, proj), c + ": read "
                  + st.dataBytesRead() + " data bytes in " + st.blocksDecoded() + " blocks");
              e.assertRows(got, proj, ids, c);
              assertDictionariesReadOnce(r, proj, row, st, c);
            }
          }
        }
      }
    }
  }

  /** A 768-float embedding and 100 KiB binaries: a single-row take reads about the value only. */
  @ParameterizedTest
  @EnumSource(value = Codec.class, names = {"NONE", "ZSTD", "LZ4"})
  void wideValuesReadAboutTheValueOnly(Codec codec) throws Exception {
    long seed = BASE_SEED + 10 + codec.ordinal();
    System.out.println("RandomAccessBoundTest.wideValuesReadAboutTheValueOnly seed=" + seed);
    Random rnd = new Random(seed);
    int dim = 768;
    int blobBytes = 100 * 1024;
    Schema schema = new Schema(List.of(
        new Field("embedding", FieldType.nullable(new ArrowType.FixedSizeList(dim)),
            List.of(Field.nullable("item", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)))),
        Field.nullable("blob", ArrowType.Binary.INSTANCE)));
    Path file = dir.resolve("wide.weft");
    WriterOptions options = WriterOptions.builder().compression(codec).build();
    String ctx = "seed=" + seed + " " + options;
    try (BufferAllocator alloc = new RootAllocator();
        Expected e = RoundTripTest.generate(schema, new int[] {40, 1, 39}, seed, alloc,
            RandomArrow.Options.builder().nullProbability(0).hugeProbability(1.0).hugeValueBytes(blobBytes).build())) {
      RoundTripTest.write(file, e, options, alloc);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        long n = r.numRows();
        try (VectorSchemaRoot warm = r.take(new long[] {0}, null)) {
          e.assertRows(warm, null, new long[] {0}, ctx);
        }
        record Wide(String column, long valueBytes) {}
        for (Wide w : List.of(new Wide("embedding", 4L * dim), new Wide("blob", blobBytes))) {
          List<String> proj = List.of(w.column());
          int nodes = nodeCount(r, proj);
          List<Long> rows = new ArrayList<>(List.of(0L, 1L, 39L, 40L, 41L, n - 1));
          for (int i = 0; i < 15; i++) {
            rows.add((long) rnd.nextInt((int) n));
          }
          for (long row : rows) {
            long[] ids = {row};
            r.stats().reset();
            try (VectorSchemaRoot got = r.take(ids, proj)) {
              ReaderStats st = r.stats();
              String c = ctx + " row " + row + " column " + w.column() + " (value " + w.valueBytes()
                  + " bytes): " + st;
              e.assertRows(got, proj, ids, c);
              assertTrue(st.blocksDecoded() <= nodes, c + ": decoded " + st.blocksDecoded()
                  + " blocks for " + nodes + " nodes");
              if (codec == Codec.NONE) {
                assertTrue(st.dataBytesRead() <= w.valueBytes() + WIDE_SLACK, c + ": a single-row take read "
                    + st.dataBytesRead() + " data bytes for a value of " + w.valueBytes() + " bytes");
              }
            }
          }
        }
        // both columns together
        r.stats().reset();
        long row = rnd.nextInt((int) n);
        try (VectorSchemaRoot got = r.take(new long[] {row}, null)) {
          ReaderStats st = r.stats();
          String c = ctx + " row " + row + " both columns: " + st;
          e.assertRows(got, null, new long[] {row}, c);
          assertTrue(st.blocksDecoded() <= nodeCount(r, e.names()), c);
          if (codec == Codec.NONE) {
            assertTrue(st.dataBytesRead() <= 4L * dim + blobBytes + 2 * WIDE_SLACK, c);
          }
        }
        assertEquals(80, n);
      }
    }
  }
}
