package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scan path (values decoded straight into Arrow memory, blocks it decodes kept out of the
 * shared cache) returns exactly what the general path and the source hold, for every
 * type, codec and batch size, with nulls; and a scan leaves the blocks random reads cached.
 */
class ScanPathTest {
  private static final long SEED = RoundTripTest.BASE_SEED ^ 0x5CA4L;

  @TempDir Path dir;

  private static void write(Path file, VectorSchemaRoot data, WriterOptions options) throws Exception {
    try (WeftWriter w = WeftWriter.open(file, data.getSchema(), options)) {
      w.write(data);
    }
  }

  /** Scans {@code r} in batches of {@code batch} rows and compares every batch with {@code data}. */
  private static void assertScanEquals(WeftReader r, VectorSchemaRoot data, int batch, String ctx) throws Exception {
    long row = 0;
    try (WeftScanner s = r.scan(null, batch)) {
      while (s.hasNext()) {
        try (VectorSchemaRoot b = s.nextBatch()) {
          int from = (int) row;
          int[] rows = IntStream.range(from, from + b.getRowCount()).toArray();
          try {
            ArrowAssert.assertRowsEqual(data, rows, b);
          } catch (AssertionError e) {
            throw new AssertionError(ctx + ", batch of " + batch + " at row " + from + ": " + e.getMessage(), e);
          }
          row += b.getRowCount();
        }
      }
    }
    assertEquals(data.getRowCount(), row, ctx + ": rows scanned");
  }

  @Test
  void everyTypeScansBackWithNullsForEveryCodecAndBatchSize() throws Exception {
    Schema schema = RandomArrow.allTypesSchema();
    try (BufferAllocator alloc = new RootAllocator();
        VectorSchemaRoot data = RandomArrow.generate(schema, 9000, SEED, alloc, 0.2)) {
      for (Codec codec : Codec.values()) {
        Path file = dir.resolve("all-" + codec + ".weft");
        write(file, data, WriterOptions.builder().compression(codec).build());
        try (WeftReader r = WeftReader.open(file, alloc);
            WeftReader uncached = WeftReader.open(file, alloc, ReaderOptions.defaults().withBlockCacheBytes(0))) {
          for (int batch : new int[] {65536, 1000, 7}) {
            assertScanEquals(r, data, batch, codec.toString());
          }
          assertScanEquals(uncached, data, 4096, codec + " without a cache");
          // the general path (take, rows in descending order) agrees
          long[] ids = new long[data.getRowCount()];
          int[] rows = new int[ids.length];
          for (int i = 0; i < ids.length; i++) {
            rows[i] = ids.length - 1 - i;
            ids[i] = rows[i];
          }
          try (VectorSchemaRoot got = r.take(ids, null)) {
            ArrowAssert.assertRowsEqual(data, rows, got);
          }
        }
      }
    }
  }

  /** Floats and a fixed-size list of float32 (an embedding): byte-stream-split, ALP, plain. */
  @Test
  void floatsAndEmbeddingsScanBack() throws Exception {
    int dim = 16;
    Schema schema = new Schema(List.of(
        Field.nullable("f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
        Field.nullable("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
        Field.nullable("price", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
        new Field("emb", FieldType.nullable(new ArrowType.FixedSizeList(dim)),
            List.of(Field.notNullable("item", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))))));
    int rows = 20000;
    Random rnd = new Random(SEED);
    try (BufferAllocator alloc = new RootAllocator(); VectorSchemaRoot data = VectorSchemaRoot.create(schema, alloc)) {
      for (org.apache.arrow.vector.FieldVector v : data.getFieldVectors()) {
        v.setInitialCapacity(rows);
      }
      data.allocateNew();
      Float4Vector f32 = (Float4Vector) data.getVector("f32");
      Float8Vector f64 = (Float8Vector) data.getVector("f64");
      Float8Vector price = (Float8Vector) data.getVector("price");
      FixedSizeListVector emb = (FixedSizeListVector) data.getVector("emb");
      Float4Vector items = (Float4Vector) emb.getDataVector();
      for (int i = 0; i < rows; i++) {
        if (i % 13 == 5) {
          f32.setNull(i);
          f64.setNull(i);
        } else {
          f32.set(i, (float) (1 + rnd.nextGaussian() * 0.01));
          f64.set(i, 100 + Math.sin(i / 30.0) + rnd.nextGaussian() * 1e-3);
        }
        price.set(i, (rnd.nextInt(100_000) - 20_000) / 100.0);
        if (i % 17 == 3) {
          emb.setNull(i);
        } else {
          emb.setNotNull(i);
        }
        for (int k = 0; k < dim; k++) {
          items.set(i * dim + k, (float) (rnd.nextGaussian() * 0.1));
        }
      }
      items.setValueCount(rows * dim);
      data.setRowCount(rows);
      for (Codec codec : Codec.values()) {
        Path file = dir.resolve("floats-" + codec + ".weft");
        write(file, data, WriterOptions.builder().compression(codec).build());
        try (WeftReader r = WeftReader.open(file, alloc)) {
          if (codec == Codec.ZSTD) {
            StringBuilder used = new StringBuilder();
            for (int c = 0; c < r.numColumns(); c++) {
              for (NodeStats ns : r.nodeStats(c)) {
                used.append(ns.path()).append(ns.encodings().keySet()).append(' ');
              }
            }
            assertTrue(used.toString().contains("BYTE_STREAM_SPLIT"), "byte-stream-split should be used: " + used);
          }
          for (int batch : new int[] {65536, 4096, 333}) {
            assertScanEquals(r, data, batch, "floats " + codec);
          }
        }
      }
    }
  }

  /**
   * Takes cache the blocks they decode; a scan must not evict them nor add its own (it reads each
   * block once), so repeating the take reads nothing, and the cache holds only the take's blocks.
   */
  @Test
  void aScanLeavesTheBlocksOfRandomReadsInTheCache() throws Exception {
    Schema schema = RandomArrow.allTypesSchema();
    try (BufferAllocator alloc = new RootAllocator();
        VectorSchemaRoot data = RandomArrow.generate(schema, 20000, SEED + 1, alloc, 0.1)) {
      Path file = dir.resolve("cache.weft");
      write(file, data, WriterOptions.builder().compression(Codec.ZSTD).build());
      long[] ids = {17, 9000, 19999};
      int[] rows = {17, 9000, 19999};
      for (int batch : new int[] {65536, 4096}) {
        BlockCache cache = BlockCache.create(1L << 30);
        try (WeftReader r = WeftReader.open(file, alloc, ReaderOptions.defaults().withBlockCache(cache))) {
          try (VectorSchemaRoot got = r.take(ids, null)) {
            ArrowAssert.assertRowsEqual(data, rows, got);
          }
          long firstTake = r.stats().dataBytesRead();
          long held = cache.heldBytes();
          assertScanEquals(r, data, batch, "after a take");
          assertEquals(held, cache.heldBytes(), "a scan must leave the cache as it was (batch " + batch + ")");
          assertTrue(r.stats().dataBytesRead() > 10 * firstTake, "the scan should read the whole file: " + r.stats());
          r.stats().reset();
          try (VectorSchemaRoot got = r.take(ids, null)) {
            ArrowAssert.assertRowsEqual(data, rows, got);
          }
          assertTrue(r.stats().dataBytesRead() * 10 < firstTake, "the repeated take should be served from the"
              + " cache after the scan: " + r.stats() + " vs " + firstTake + " bytes the first time");
        }
      }
    }
  }
}
