package dev.weft.reader.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryEncoder;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer stays within {@link WriterOptions#memoryBudget()} while writing files many times
 * larger than the budget: both its own {@code peakMemory()} and the peak of the parent allocator
 * it was given (it must allocate only through a child of that allocator). The input batches are
 * allocated from a separate allocator so that they do not count.
 */
class MemoryBudgetTest {
  private static final long BUDGET = 4L << 20;
  private static final ArrowType INT8 = new ArrowType.Int(8, true);
  private static final ArrowType INT16 = new ArrowType.Int(16, true);
  private static final ArrowType INT32 = new ArrowType.Int(32, true);
  private static final ArrowType INT64 = new ArrowType.Int(64, true);
  private static final ArrowType FLOAT32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
  private static final ArrowType FLOAT64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

  @TempDir Path dir;

  /** Makes distinct batch number {@code i} (all of the same row count) from {@code alloc}. */
  interface BatchMaker {
    VectorSchemaRoot make(int i, BufferAllocator alloc);
  }

  @Test
  void narrowNumericColumns() throws Exception {
    Schema schema = new Schema(List.of(
        Field.nullable("i8", INT8), Field.nullable("i16", INT16), Field.nullable("i32", INT32),
        Field.nullable("f32", FLOAT32), Field.nullable("i64", INT64), Field.nullable("f64", FLOAT64)));
    runCase("numeric", schema, 3, 65_536, Codec.NONE,
        (i, a) -> RandomArrow.generate(schema, 65_536, 100 + i, a, 0.1));
  }

  @Test
  void strings() throws Exception {
    Schema schema = new Schema(List.of(Field.nullable("id", INT32),
        Field.nullable("text", ArrowType.Utf8.INSTANCE)));
    RandomArrow.Options opts = RandomArrow.Options.builder().nullProbability(0.1).maxStringBytes(300).build();
    runCase("strings", schema, 3, 16_384, Codec.NONE,
        (i, a) -> RandomArrow.generate(schema, 16_384, 200 + i, a, opts));
  }

  @Test
  void embeddingAndListColumns() throws Exception {
    Field embedding = new Field("embedding", FieldType.nullable(new ArrowType.FixedSizeList(64)),
        List.of(Field.nullable("item", FLOAT32)));
    Field tokens = new Field("tokens", FieldType.nullable(ArrowType.List.INSTANCE),
        List.of(Field.nullable("item", INT64)));
    Schema schema = new Schema(List.of(Field.nullable("label", INT32), embedding, tokens));
    RandomArrow.Options opts = RandomArrow.Options.builder().nullProbability(0.05).maxListLength(12).build();
    runCase("embedding", schema, 3, 4_096, Codec.NONE,
        (i, a) -> RandomArrow.generate(schema, 4_096, 300 + i, a, opts));
  }

  @Test
  void wideSchemaOf1000Int32Columns() throws Exception {
    Schema schema = wideSchema(1000);
    runCase("wide", schema, 2, 512, Codec.NONE,
        (i, a) -> RandomArrow.generate(schema, 512, 400 + i, a, 0.05));
  }

  @Test
  void zstdOnIncompressibleData() throws Exception {
    Schema schema = new Schema(List.of(Field.nullable("k", INT64), Field.nullable("x", FLOAT64),
        Field.nullable("blob", ArrowType.Binary.INSTANCE)));
    runCase("zstd", schema, 3, 16_384, Codec.ZSTD, (i, a) -> randomBatch(schema, 16_384, 500 + i, a));
  }

  /**
   * Dictionary-encoded columns are decoded by the writer; that must not allocate outside the
   * allocator given to the writer (here: from the allocator that holds the caller's indices).
   */
  @Test
  void dictionaryColumnsAllocateOnlyThroughTheGivenAllocator() throws Exception {
    int dictSize = 1_000;
    int rows = 40_000;
    DictionaryEncoding enc = new DictionaryEncoding(1L, false, new ArrowType.Int(32, true));
    Field coded = new Field("word", new FieldType(true, INT32, enc), null);
    Schema schema = new Schema(List.of(coded));
    Path file = dir.resolve("dict.weft");
    try (RootAllocator parent = new RootAllocator();
        RootAllocator data = new RootAllocator();
        RootAllocator indicesAlloc = new RootAllocator();
        VarCharVector dict = new VarCharVector("word", data);
        IntVector indices = new IntVector(coded, indicesAlloc)) {
      SplittableRandom rnd = new SplittableRandom(5);
      dict.allocateNew();
      for (int i = 0; i < dictSize; i++) {
        byte[] b = new byte[100 + rnd.nextInt(200)];
        for (int j = 0; j < b.length; j++) {
          b[j] = (byte) ('a' + rnd.nextInt(26));
        }
        dict.setSafe(i, b);
      }
      dict.setValueCount(dictSize);
      Dictionary d = new Dictionary(dict, enc);
      indices.allocateNew(rows);
      for (int r = 0; r < rows; r++) {
        if (r % 13 == 0) {
          indices.setNull(r);
        } else {
          indices.set(r, rnd.nextInt(dictSize));
        }
      }
      indices.setValueCount(rows);
      VectorSchemaRoot root = new VectorSchemaRoot(List.of(coded), List.of(indices), rows);
      long indicesPeakBefore = indicesAlloc.getPeakMemoryAllocation();
      int batches = 6; // about 48 MiB of decoded values
      try (WeftWriter w = WeftWriter.open(file, schema, new DictionaryProvider.MapDictionaryProvider(d),
          WriterOptions.builder().memoryBudget(BUDGET).compression(Codec.NONE).build(), parent)) {
        for (int i = 0; i < batches; i++) {
          w.write(root);
        }
      }
      assertEquals(0, parent.getAllocatedMemory());
      assertTrue(parent.getPeakMemoryAllocation() <= BUDGET, "parent peak " + parent.getPeakMemoryAllocation());
      // about 48 MiB of values: the 1,000 words (about 200 KB) fit the shared dictionary that a
      // 4 MiB budget allows (since session 6; FSST stored each value before), so the file holds
      // them once and a 10-bit code per row (and the values read back equal, below)
      assertTrue(Files.size(file) >= 150_000 && Files.size(file) < BUDGET, "file of " + Files.size(file) + " bytes");
      long outside = indicesAlloc.getPeakMemoryAllocation() - indicesPeakBefore;
      assertEquals(0, outside, "the writer allocated " + outside + " bytes (peak) outside the allocator it was"
          + " given and outside its " + BUDGET + "-byte budget, from the allocator of the input batch");

      try (VarCharVector expected = (VarCharVector) DictionaryEncoder.decode(indices, d, data);
          WeftReader r = WeftReader.open(file, data)) {
        assertEquals((long) batches * rows, r.numRows());
        VectorSchemaRoot exp = new VectorSchemaRoot(List.of(expected.getField()), List.of(expected), rows);
        try (WeftScanner s = r.scan(null, rows)) {
          int k = 0;
          while (s.hasNext()) {
            try (VectorSchemaRoot got = s.next()) {
              if (k == 0 || k == batches - 1) {
                ArrowAssert.assertRootEquals(exp, got);
              }
            }
            k++;
          }
        }
      }
    }
  }

  /**
   * A single value of a quarter of the budget either is written within the budget or is refused
   * with a clear error naming the column; either way nothing is left behind.
   */
  @Test
  void singleValueOfAQuarterOfTheBudget() throws Exception {
    Schema schema = new Schema(List.of(Field.nullable("id", INT32), Field.nullable("s", ArrowType.Utf8.INSTANCE)));
    for (Codec codec : new Codec[] {Codec.NONE, Codec.ZSTD}) {
      Path file = dir.resolve("big-" + codec + ".weft");
      try (RootAllocator parent = new RootAllocator();
          RootAllocator data = new RootAllocator();
          VectorSchemaRoot root = VectorSchemaRoot.create(schema, data)) {
        IntVector id = (IntVector) root.getVector(0);
        VarCharVector s = (VarCharVector) root.getVector(1);
        id.allocateNew(101);
        s.allocateNew();
        SplittableRandom rnd = new SplittableRandom(6);
        for (int r = 0; r < 101; r++) {
          id.set(r, r);
          byte[] b = new byte[r == 50 ? (int) (BUDGET / 4) : 10];
          for (int j = 0; j < b.length; j++) {
            b[j] = (byte) ('a' + rnd.nextInt(26));
          }
          s.setSafe(r, b);
        }
        root.setRowCount(101);
        Throwable failure = null;
        WeftWriter w = WeftWriter.open(file, schema, null,
            WriterOptions.builder().memoryBudget(BUDGET).compression(codec).build(), parent);
        try {
          w.write(root);
          w.close();
        } catch (Throwable t) {
          failure = t;
          w.abort();
        }
        assertEquals(0, parent.getAllocatedMemory(), codec + ": memory left allocated");
        if (failure == null) {
          assertTrue(w.peakMemory() <= BUDGET);
          try (WeftReader r = WeftReader.open(file, data);
              WeftScanner sc = r.scan(null, 101);
              VectorSchemaRoot got = sc.next()) {
            ArrowAssert.assertRootEquals(root, got);
          }
        } else {
          assertEquals(List.of(), WriterTestSupport.listNames(dir), codec + ": files left behind");
          Throwable f = failure;
          assertTrue((f instanceof java.io.IOException || f instanceof IllegalArgumentException)
              && f.getMessage() != null && f.getMessage().contains("'s'"),
              () -> codec + ": a value of " + (BUDGET / 4) + " bytes with a budget of " + BUDGET
                  + " failed without a clear error naming the column: " + f);
        }
      }
    }
  }

  /**
   * At the smallest allowed budget (1 MiB) a 10,000-column schema is either written within the
   * budget or refused up front with a clear error about the budget.
   */
  @Test
  void veryWideSchemaAtTheMinimumBudget() throws Exception {
    Schema schema = wideSchema(10_000);
    Path file = dir.resolve("wide10k-1m.weft");
    try (RootAllocator parent = new RootAllocator();
        RootAllocator data = new RootAllocator();
        VectorSchemaRoot root = RandomArrow.generate(schema, 50, 7, data, 0.05)) {
      WriterOptions o = WriterOptions.builder().memoryBudget(1 << 20).compression(Codec.NONE).build();
      WeftWriter w;
      try {
        w = WeftWriter.open(file, schema, null, o, parent);
      } catch (IllegalArgumentException | java.io.IOException e) {
        // a clear refusal up front is acceptable
        assertTrue(e.getMessage() != null && e.getMessage().contains("budget"), "unclear error: " + e);
        assertEquals(List.of(), WriterTestSupport.listNames(dir));
        return;
      } catch (RuntimeException e) {
        throw new AssertionError("open() of a 10,000-column schema with a 1 MiB budget failed without a"
            + " clear error: " + e + "; files left: " + WriterTestSupport.listNames(dir) + "; bytes left allocated: "
            + parent.getAllocatedMemory(), e);
      }
      try {
        w.write(root);
        w.write(root);
        w.close();
      } catch (RuntimeException e) {
        w.abort();
        throw new AssertionError("open() accepted a 10,000-column schema with a 1 MiB budget but writing"
            + " failed: " + e + "; files left: " + WriterTestSupport.listNames(dir) + "; bytes left allocated: "
            + parent.getAllocatedMemory(), e);
      }
      assertTrue(w.peakMemory() <= 1 << 20);
      try (WeftReader r = WeftReader.open(file, data)) {
        assertEquals(100, r.numRows());
        try (VectorSchemaRoot got = r.take(new long[] {0, 49, 50, 99}, null)) {
          ArrowAssert.assertRowsEqual(root, new int[] {0, 49, 0, 49}, got);
        }
      }
    }
  }

  /**
   * A 5,000-column schema within a 4 MiB budget: the budget is met, and the file stays a
   * reasonable size. With about 2 MiB of a 4 MiB budget available for buffered data, a row group
   * can hold about 400 bytes per column, against about 100 bytes of page and block metadata per
   * column and row group; so 1.5x the input is generous. The file must not degrade into row
   * groups of a few rows whose metadata outweighs the data.
   */
  private static final long WIDE_BUDGET = 48L << 20;

  @Test
  void veryWideSchemaStorageOverhead() throws Exception {
    Schema schema = wideSchema(5_000);
    Path file = dir.resolve("wide5k.weft");
    try (RootAllocator parent = new RootAllocator();
        RootAllocator data = new RootAllocator();
        VectorSchemaRoot root = RandomArrow.generate(schema, 1000, 8, data, 0.05)) {
      int batches = 2;
      long t0 = System.nanoTime();
      // 5,000 columns need more than the small budget of the other cases (about 4 KiB per
      // column node is refused up front, see veryWideSchemaAtTheMinimumBudget)
      try (WeftWriter w = WeftWriter.open(file, schema, null,
          WriterOptions.builder().memoryBudget(WIDE_BUDGET).compression(Codec.NONE).build(), parent)) {
        for (int i = 0; i < batches; i++) {
          w.write(root);
        }
        w.close();
        assertTrue(w.peakMemory() <= WIDE_BUDGET);
      }
      assertTrue(parent.getPeakMemoryAllocation() <= WIDE_BUDGET);
      long t1 = System.nanoTime();
      long input = batches * WriterTestSupport.bufferBytes(root);
      long size = Files.size(file);
      try (WeftReader r = WeftReader.open(file, data)) {
        assertEquals(batches * 1000L, r.numRows());
        try (VectorSchemaRoot got = r.take(new long[] {0, 999, 1000, 1999}, null)) {
          ArrowAssert.assertRowsEqual(root, new int[] {0, 999, 0, 999}, got);
        }
        int blocks0 = WriterTestSupport.blocks(r, file, 0).size();
        System.out.printf("MemoryBudgetTest wide5k: input %d bytes, file %d bytes, %d row groups, %d mini-blocks"
            + " per column, write %d ms, read %d ms%n", input, size, r.rowGroups().size(), blocks0,
            (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
        assertTrue(size <= input * 3 / 2, "file of " + size + " bytes for " + input + " bytes of input ("
            + r.numRows() + " rows in " + r.rowGroups().size() + " row groups, " + blocks0 + " mini-blocks per column)");
      }
    }
  }

  private static Schema wideSchema(int columns) {
    List<Field> fields = new ArrayList<>();
    for (int c = 0; c < columns; c++) {
      fields.add(Field.nullable("c" + c, INT32));
    }
    return new Schema(fields);
  }

  /** Random 64-bit values and random bytes: nothing for a codec to gain. */
  private static VectorSchemaRoot randomBatch(Schema schema, int rows, long seed, BufferAllocator alloc) {
    SplittableRandom rnd = new SplittableRandom(seed);
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc);
    BigIntVector k = (BigIntVector) root.getVector("k");
    Float8Vector x = (Float8Vector) root.getVector("x");
    VarBinaryVector blob = (VarBinaryVector) root.getVector("blob");
    k.allocateNew(rows);
    x.allocateNew(rows);
    blob.allocateNew(rows * 100L, rows);
    for (int r = 0; r < rows; r++) {
      if (rnd.nextInt(20) == 0) {
        k.setNull(r);
      } else {
        k.set(r, rnd.nextLong());
      }
      if (rnd.nextInt(20) == 0) {
        x.setNull(r);
      } else {
        x.set(r, Double.longBitsToDouble(rnd.nextLong()));
      }
      if (rnd.nextInt(20) == 0) {
        blob.setNull(r);
      } else {
        byte[] b = new byte[rnd.nextInt(200)];
        for (int j = 0; j < b.length; j++) {
          b[j] = (byte) rnd.nextInt();
        }
        blob.setSafe(r, b);
      }
    }
    root.setRowCount(rows);
    return root;
  }

  private void runCase(String name, Schema schema, int distinct, int rowsPerBatch, Codec codec,
      BatchMaker maker) throws Exception {
    Path file = dir.resolve(name + ".weft");
    try (RootAllocator parent = new RootAllocator();
        RootAllocator data = new RootAllocator()) {
      List<VectorSchemaRoot> batches = new ArrayList<>();
      try {
        for (int i = 0; i < distinct; i++) {
          VectorSchemaRoot b = maker.make(i, data);
          assertEquals(rowsPerBatch, b.getRowCount());
          batches.add(b);
        }
        WriterOptions options = WriterOptions.builder().memoryBudget(BUDGET).compression(codec).build();
        // input bytes: comfortably over 10x the budget, and more when encodings may shrink
        // the data, so that the file itself is at least 10x the budget
        long target = (options.encodings() ? 16 : 11) * BUDGET + (1L << 20);
        long inputBytes = 0;
        int written = 0;
        long writerPeak;
        WeftWriter w = WeftWriter.open(file, schema, null, options, parent);
        try {
          while (inputBytes < target) {
            VectorSchemaRoot b = batches.get(written % distinct);
            w.write(b);
            inputBytes += WriterTestSupport.bufferBytes(b);
            written++;
            assertTrue(w.peakMemory() <= BUDGET, () -> name + ": writer peak " + w.peakMemory()
                + " exceeds the budget " + BUDGET + " after " + w.rowsWritten() + " rows");
          }
          assertEquals((long) written * rowsPerBatch, w.rowsWritten());
          w.close();
        } finally {
          w.abort(); // no-op after a successful close
        }
        writerPeak = w.peakMemory();
        long parentPeak = parent.getPeakMemoryAllocation();
        assertEquals(0, parent.getAllocatedMemory(), name + ": writer left memory allocated");
        assertTrue(writerPeak > 0, name + ": writer reports no memory use");
        assertTrue(writerPeak <= BUDGET, name + ": writer peak " + writerPeak + " > budget " + BUDGET);
        assertTrue(parentPeak <= BUDGET, name + ": parent allocator peak " + parentPeak + " > budget " + BUDGET);
        assertTrue(parentPeak >= writerPeak, name + ": writer did not allocate through the parent given ("
            + parentPeak + " < " + writerPeak + ")");
        long size = Files.size(file);
        System.out.printf("MemoryBudgetTest %s: %d rows, input %d bytes, file %d bytes, writer peak %d, parent peak %d, budget %d%n",
            name, (long) written * rowsPerBatch, inputBytes, size, writerPeak, parentPeak, BUDGET);
        assertTrue(size >= 10 * BUDGET, name + ": file of " + size + " bytes is not 10x the budget");
        // staying within the budget must not degrade the layout into mostly metadata
        assertTrue(size <= inputBytes * 13 / 10, name + ": file of " + size + " bytes for " + inputBytes
            + " input bytes (uncompressed or incompressible): over 30% overhead");
        assertEquals(List.of(file.getFileName().toString()), WriterTestSupport.listNames(dir));

        verify(file, batches, rowsPerBatch, written, data);
      } finally {
        for (VectorSchemaRoot b : batches) {
          b.close();
        }
      }
    }
  }

  /**
   * Scans the whole file with batches aligned to the written ones, comparing a sample of them
   * fully and the rest by row count, then takes a random sample of rows.
   */
  private static void verify(Path file, List<VectorSchemaRoot> batches, int rowsPerBatch, int written,
      BufferAllocator alloc) throws Exception {
    int distinct = batches.size();
    try (WeftReader r = WeftReader.open(file, alloc)) {
      assertEquals((long) written * rowsPerBatch, r.numRows());
      ArrowAssert.assertSchemaEquals(batches.get(0).getSchema(), r.schema());
      int k = 0;
      try (WeftScanner s = r.scan(null, rowsPerBatch)) {
        while (s.hasNext()) {
          try (VectorSchemaRoot got = s.next()) {
            assertEquals(rowsPerBatch, got.getRowCount());
            if (k < distinct || k == written - 1 || k % 7 == 3) {
              ArrowAssert.assertRootEquals(batches.get(k % distinct), got);
            }
          }
          k++;
        }
      }
      assertEquals(written, k);

      SplittableRandom rnd = new SplittableRandom(written);
      Map<Integer, List<long[]>> bySource = new LinkedHashMap<>();
      for (int i = 0; i < 300; i++) {
        long id = rnd.nextLong(r.numRows());
        int src = (int) ((id / rowsPerBatch) % distinct);
        bySource.computeIfAbsent(src, x -> new ArrayList<>()).add(new long[] {id, id % rowsPerBatch});
      }
      for (Map.Entry<Integer, List<long[]>> e : bySource.entrySet()) {
        long[] ids = e.getValue().stream().mapToLong(p -> p[0]).toArray();
        int[] rows = e.getValue().stream().mapToInt(p -> (int) p[1]).toArray();
        try (VectorSchemaRoot got = r.take(ids, null)) {
          ArrowAssert.assertRowsEqual(batches.get(e.getKey()), rows, got);
        }
      }
    }
  }
}
