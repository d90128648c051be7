package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.format.RowGroupMeta;
import dev.weft.reader.RoundTripTest.Expected;
import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Empty files, one-row files, multi-MiB values and 10,000-column files. */
class EdgeCaseTest {
  private static final long BASE_SEED = RoundTripTest.BASE_SEED ^ 0xED6EL;

  @TempDir Path dir;

  // ------------------------------------------------------------------ empty files

  /** Checks a file with no rows: metadata, scans, ranges, takes. */
  private static void assertEmptyFile(WeftReader r, Schema schema, BufferAllocator alloc) throws Exception {
    assertEquals(0, r.numRows());
    assertEquals(schema.getFields().size(), r.numColumns());
    assertTrue(r.rowGroups().isEmpty(), "row groups of an empty file: " + r.rowGroups());
    ArrowAssert.assertSchemaEquals(schema, r.schema());
    for (int bs : new int[] {1, 1000, Integer.MAX_VALUE}) {
      try (WeftScanner s = r.scan(null, bs)) {
        assertFalse(s.hasNext(), "scan of an empty file has a batch");
      }
      try (WeftScanner s = r.scan(null, bs, 0, 0)) {
        assertFalse(s.hasNext());
      }
    }
    try (VectorSchemaRoot got = r.take(new long[0], null)) {
      assertEquals(0, got.getRowCount());
      ArrowAssert.assertSchemaEquals(schema, got.getSchema());
      for (FieldVector v : got.getFieldVectors()) {
        assertEquals(0, v.getValueCount(), v.getName());
      }
      try (VectorSchemaRoot expected = VectorSchemaRoot.create(schema, alloc)) {
        expected.setRowCount(0);
        ArrowAssert.assertRootEquals(expected, got);
      }
    }
    String first = schema.getFields().get(0).getName();
    try (VectorSchemaRoot got = r.take(new long[0], List.of(first))) {
      assertEquals(0, got.getRowCount());
      assertEquals(1, got.getFieldVectors().size());
    }
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> {
      try (VectorSchemaRoot got = r.take(new long[] {0}, null)) {
        // must not get here
      }
    });
    assertTrue(ex.getMessage().contains("0"), ex.getMessage());
    assertThrows(IllegalArgumentException.class, () -> r.scan(null, 10, 0, 1));
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void emptyFileWithoutWriteCall(Codec codec) throws Exception {
    Path file = dir.resolve("empty.weft");
    Schema schema = RandomArrow.allTypesSchema();
    try (BufferAllocator alloc = new RootAllocator()) {
      try (WeftWriter w = WeftWriter.open(file, schema, null,
          WriterOptions.builder().compression(codec).build(), alloc)) {
        assertEquals(0, w.rowsWritten());
      }
      assertTrue(Files.exists(file));
      try (WeftReader r = WeftReader.open(file, alloc)) {
        assertEmptyFile(r, schema, alloc);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void emptyFileWithZeroRowBatches(int zeroRowBatches) throws Exception {
    long seed = BASE_SEED + zeroRowBatches;
    System.out.println("EdgeCaseTest.emptyFileWithZeroRowBatches seed=" + seed);
    Path file = dir.resolve("empty0.weft");
    Schema schema = RandomArrow.randomSchema(new Random(seed), 12, 3);
    try (BufferAllocator alloc = new RootAllocator()) {
      try (WeftWriter w = WeftWriter.open(file, schema, null, WriterOptions.defaults(), alloc)) {
        for (int i = 0; i < zeroRowBatches; i++) {
          try (VectorSchemaRoot empty = RandomArrow.generate(schema, 0, seed, alloc, 0.5)) {
            w.write(empty);
          }
        }
        assertEquals(0, w.rowsWritten());
      }
      try (WeftReader r = WeftReader.open(file, alloc)) {
        assertEmptyFile(r, schema, alloc);
      }
    }
  }

  // ------------------------------------------------------------------ one row

  @ParameterizedTest
  @ValueSource(doubles = {0, 0.5, 1.0})
  void oneRowFile(double nullProbability) throws Exception {
    long seed = BASE_SEED + 100 + (long) (nullProbability * 10);
    System.out.println("EdgeCaseTest.oneRowFile seed=" + seed);
    for (Schema schema : List.of(RandomArrow.allTypesSchema(), RandomArrow.randomSchema(new Random(seed), 10, 3))) {
      for (Codec codec : Codec.values()) {
        Path file = dir.resolve("one-" + codec + ".weft");
        Files.deleteIfExists(file);
        String ctx = "seed=" + seed + " codec=" + codec + " nulls=" + nullProbability;
        try (BufferAllocator alloc = new RootAllocator();
            Expected e = RoundTripTest.generate(schema, new int[] {0, 1, 0}, seed, alloc,
                RandomArrow.Options.builder().nullProbability(nullProbability).build())) {
          RoundTripTest.write(file, e, WriterOptions.builder().compression(codec).build(), alloc);
          try (WeftReader r = WeftReader.open(file, alloc)) {
            assertEquals(1, r.numRows(), ctx);
            assertEquals(1, r.rowGroups().size(), ctx);
            RoundTripTest.assertScan(r, e, null, 1, 0, 1, ctx);
            RoundTripTest.assertScan(r, e, null, 1000, 0, 1, ctx);
            RoundTripTest.assertScan(r, e, null, 1000, 1, 1, ctx);
            for (long[] ids : new long[][] {{0}, {0, 0, 0}, {}}) {
              try (VectorSchemaRoot got = r.take(ids, null)) {
                e.assertRows(got, null, ids, ctx + " ids " + Arrays.toString(ids));
              }
            }
            assertThrows(IllegalArgumentException.class, () -> r.take(new long[] {1}, null).close());
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ huge values

  private static byte[] randomText(Random rnd, int length) {
    byte[] b = new byte[length];
    rnd.nextBytes(b);
    for (int i = 0; i < length; i++) {
      b[i] = (byte) ('a' + (b[i] & 15));
    }
    // a few multi-byte characters at the start and the end
    byte[] e = "\u00e9\u20ac".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(e, 0, b, 0, e.length);
    System.arraycopy(e, 0, b, length - e.length, e.length);
    return b;
  }

  private static byte[] randomBytes(Random rnd, int length) {
    byte[] b = new byte[length];
    rnd.nextBytes(b);
    return b;
  }

  private static int mib(Random rnd, int minMib, int maxMib) {
    return (minMib << 20) + rnd.nextInt(((maxMib - minMib) << 20) + 1);
  }

  /** Five rows of multi-MiB strings and binaries and lists of about a million items. */
  private static VectorSchemaRoot hugeRows(Schema schema, long seed, BufferAllocator alloc) {
    Random rnd = new Random(seed);
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc);
    try {
      int rows = 5;
      VarCharVector s = (VarCharVector) root.getVector("s");
      VarBinaryVector b = (VarBinaryVector) root.getVector("b");
      LargeVarBinaryVector lb = (LargeVarBinaryVector) root.getVector("lb");
      ListVector l = (ListVector) root.getVector("l");
      IntVector id = (IntVector) root.getVector("id");
      s.allocateNew();
      b.allocateNew();
      lb.allocateNew();
      id.allocateNew(rows);
      for (int r = 0; r < rows; r++) {
        id.set(r, r);
        switch (r) {
          case 0 -> {
            s.setSafe(r, randomText(rnd, mib(rnd, 3, 8)));
            b.setSafe(r, randomBytes(rnd, mib(rnd, 3, 8)));
            lb.setSafe(r, randomBytes(rnd, mib(rnd, 3, 8)));
          }
          case 1 -> {
            s.setSafe(r, "small".getBytes(StandardCharsets.UTF_8));
            b.setSafe(r, new byte[] {1, 2, 3});
            lb.setSafe(r, new byte[0]);
          }
          case 2 -> {
            s.setNull(r);
            b.setNull(r);
            lb.setNull(r);
          }
          case 3 -> {
            s.setSafe(r, randomText(rnd, mib(rnd, 3, 8)));
            b.setSafe(r, randomBytes(rnd, (3 << 20) + 1));
            lb.setNull(r);
          }
          default -> {
            s.setSafe(r, randomText(rnd, (8 << 20) - 3));
            b.setSafe(r, randomBytes(rnd, mib(rnd, 3, 8)));
            lb.setSafe(r, randomBytes(rnd, mib(rnd, 3, 8)));
          }
        }
      }
      s.setValueCount(rows);
      b.setValueCount(rows);
      lb.setValueCount(rows);
      id.setValueCount(rows);
      // list<int32>: ~1M items, 3 items, null, ~1M items with nulls, empty
      int[] lengths = {1_000_000, 3, -1, (1 << 20) + 13, 0};
      IntVector items = (IntVector) l.getDataVector();
      long total = 0;
      for (int len : lengths) {
        total += Math.max(0, len);
      }
      l.setInitialCapacity(rows, (double) total / rows);
      l.allocateNew();
      items.allocateNew((int) total);
      int at = 0;
      for (int r = 0; r < rows; r++) {
        if (lengths[r] < 0) {
          l.setNull(r);
          l.getOffsetBuffer().setInt((r + 1) * 4L, at);
          continue;
        }
        l.startNewValue(r);
        for (int i = 0; i < lengths[r]; i++) {
          if (r == 3 && rnd.nextInt(10) == 0) {
            items.setNull(at + i);
          } else {
            items.set(at + i, rnd.nextInt());
          }
        }
        at += lengths[r];
        l.endValue(r, lengths[r]);
      }
      items.setValueCount(at);
      l.setValueCount(rows);
      root.setRowCount(rows);
      return root;
    } catch (RuntimeException | Error ex) {
      root.close();
      throw ex;
    }
  }

  @ParameterizedTest
  @EnumSource(value = Codec.class, names = {"NONE", "ZSTD"})
  void multiMebibyteValues(Codec codec) throws Exception {
    long seed = BASE_SEED + 200 + codec.ordinal();
    System.out.println("EdgeCaseTest.multiMebibyteValues seed=" + seed);
    Schema schema = new Schema(List.of(
        Field.nullable("id", new ArrowType.Int(32, true)),
        Field.nullable("s", ArrowType.Utf8.INSTANCE),
        Field.nullable("b", ArrowType.Binary.INSTANCE),
        Field.nullable("lb", ArrowType.LargeBinary.INSTANCE),
        new Field("l", FieldType.nullable(ArrowType.List.INSTANCE),
            List.of(Field.nullable("item", new ArrowType.Int(32, true))))));
    Path file = dir.resolve("huge.weft");
    String ctx = "seed=" + seed + " codec=" + codec;
    try (BufferAllocator alloc = new RootAllocator(); Expected e = new Expected(schema)) {
      // small rows first, so the blocks of huge rows follow ordinary blocks
      e.add(RandomArrow.generate(schema, 37, seed, alloc, 0.2));
      e.add(hugeRows(schema, seed, alloc));
      e.add(RandomArrow.generate(schema, 5, seed + 1, alloc, 0.2));
      RoundTripTest.write(file, e, WriterOptions.builder().compression(codec).build(), alloc);
      long n = e.numRows;
      try (WeftReader r = WeftReader.open(file, alloc)) {
        assertEquals(n, r.numRows(), ctx);
        RoundTripTest.assertScan(r, e, null, 1, 0, n, ctx);
        RoundTripTest.assertScan(r, e, List.of("l", "id"), 1000, 0, n, ctx);
        RoundTripTest.assertScan(r, e, List.of("l", "s"), 3, 35, 44, ctx);
        for (long[] ids : new long[][] {{41, 0, 38}, {n - 1, 41, 40, 39, 38, 37, 36}, {40, 40}}) {
          try (VectorSchemaRoot got = r.take(ids, null)) {
            e.assertRows(got, null, ids, ctx + " ids " + Arrays.toString(ids));
          }
        }
        for (String col : List.of("s", "b", "lb", "l")) {
          long[] ids = {40, 0, 37};
          try (VectorSchemaRoot got = r.take(ids, List.of(col))) {
            e.assertRows(got, List.of(col), ids, ctx + " column " + col);
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ 10,000 columns

  @Test
  void tenThousandColumns() throws Exception {
    long seed = BASE_SEED + 300;
    System.out.println("EdgeCaseTest.tenThousandColumns seed=" + seed);
    int columns = 10_000;
    int rows = 100;
    List<Field> fields = new ArrayList<>(columns);
    for (int c = 0; c < columns; c++) {
      ArrowType type = c % 2 == 0 ? new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)
          : new ArrowType.Int(32, true);
      fields.add(Field.nullable("col" + c, type));
    }
    Schema schema = new Schema(fields);
    Path file = dir.resolve("wide.weft");
    String ctx = "seed=" + seed;
    Random rnd = new Random(seed);
    try (BufferAllocator alloc = new RootAllocator(); Expected e = new Expected(schema)) {
      e.add(RandomArrow.generate(schema, 60, seed, alloc, 0.1));
      e.add(RandomArrow.generate(schema, rows - 60, seed + 1, alloc, 0.1));
      RoundTripTest.write(file, e, WriterOptions.defaults(), alloc);

      java.util.LinkedHashSet<String> picked = new java.util.LinkedHashSet<>();
      picked.add("col" + (columns - 1));
      picked.add("col0");
      while (picked.size() < 10) {
        picked.add("col" + rnd.nextInt(columns));
      }
      List<String> ten = new ArrayList<>(picked);
      long fileSize = Files.size(file);
      long totalMetadata;
      try (WeftReader r = WeftReader.open(file, alloc)) {
        List<RowGroupMeta> groups = r.rowGroups();
        totalMetadata = fileSize - groups.get(groups.size() - 1).endOffset();
        long[] ids = {0, 99, 42, 42, 7};
        try (VectorSchemaRoot got = r.take(ids, ten)) {
          e.assertRows(got, ten, ids, ctx + " projection " + ten);
        }
        RoundTripTest.assertScan(r, e, ten, 33, 0, rows, ctx);
        long meta = r.stats().metadataBytesRead();
        System.out.println("EdgeCaseTest.tenThousandColumns: metadata read for " + ten.size()
            + " columns = " + meta + " bytes of " + totalMetadata + " (" + r.stats() + ", file " + fileSize + " bytes)");
        assertTrue(meta < totalMetadata / 10, ctx + ": reading " + ten.size() + " of " + columns
            + " columns read " + meta + " metadata bytes, the file has " + totalMetadata
            + " bytes of metadata; expected < 10%");
        assertEquals(columns, r.numColumns());
      }
      // the whole file round trips
      try (WeftReader r = WeftReader.open(file, alloc)) {
        ArrowAssert.assertSchemaEquals(schema, r.schema());
        RoundTripTest.assertScan(r, e, null, rows, 0, rows, ctx);
        long[] ids = {99, 0, 50};
        try (VectorSchemaRoot got = r.take(ids, null)) {
          e.assertRows(got, null, ids, ctx + " take all columns");
        }
      }
    }
  }
}
