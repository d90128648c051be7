package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Randomized write/read round trips over every type, null pattern and codec, with tiny blocks,
 * pages and row groups (so they span the written batches) and with the default options.
 *
 * <p>Every case derives its own seed from {@link #BASE_SEED} (override with
 * {@code -Dweft.test.seed=N}); the seed is printed and included in every failure message.
 */
class RoundTripTest {
  static final long BASE_SEED = Long.getLong("weft.test.seed", 0x5EED_2024L);

  @TempDir Path dir;

  // ---------------------------------------------------------------------------------------
  // Shared helpers (also used by TakeTest, EdgeCaseTest and RandomAccessBoundTest)
  // ---------------------------------------------------------------------------------------

  /** The rows written to a file, kept as the batches they were written in; closes them. */
  static final class Expected implements AutoCloseable {
    final Schema schema;
    final List<VectorSchemaRoot> batches = new ArrayList<>();
    final List<Long> starts = new ArrayList<>();
    long numRows;

    Expected(Schema schema) {
      this.schema = schema;
    }

    void add(VectorSchemaRoot batch) {
      starts.add(numRows);
      batches.add(batch);
      numRows += batch.getRowCount();
    }

    /** The batch holding global row {@code row}. */
    int batchOf(long row) {
      if (row < 0 || row >= numRows) {
        throw new IllegalArgumentException("row " + row + " not in [0, " + numRows + ")");
      }
      int lo = 0;
      int hi = batches.size() - 1;
      while (lo < hi) {
        int mid = (lo + hi + 1) >>> 1;
        if (starts.get(mid) <= row) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      // skip empty batches that start at the same row
      while (batches.get(lo).getRowCount() == 0 || starts.get(lo) + batches.get(lo).getRowCount() <= row) {
        lo++;
      }
      return lo;
    }

    int columnIndex(String name) {
      List<Field> fields = schema.getFields();
      for (int i = 0; i < fields.size(); i++) {
        if (fields.get(i).getName().equals(name)) {
          return i;
        }
      }
      throw new AssertionError("actual column '" + name + "' is not in the written schema");
    }

    Schema projected(List<String> projection) {
      if (projection == null) {
        return schema;
      }
      List<Field> out = new ArrayList<>();
      for (String n : projection) {
        out.add(schema.getFields().get(columnIndex(n)));
      }
      return new Schema(out);
    }

    List<String> names() {
      List<String> out = new ArrayList<>();
      for (Field f : schema.getFields()) {
        out.add(f.getName());
      }
      return out;
    }

    /** Asserts that {@code actual} holds rows {@code [fromRow, fromRow + rowCount)} of the projection. */
    void assertRange(VectorSchemaRoot actual, List<String> projection, long fromRow, String ctx) {
      check(ctx + ", rows from " + fromRow, () -> {
        ArrowAssert.assertSchemaEquals(projected(projection), actual.getSchema());
        int n = actual.getRowCount();
        if (fromRow + n > numRows) {
          throw new AssertionError("batch of " + n + " rows from row " + fromRow + " exceeds the "
              + numRows + " rows written");
        }
        for (FieldVector av : actual.getFieldVectors()) {
          String name = av.getName();
          if (av.getValueCount() != n) {
            throw new AssertionError("column '" + name + "' has value count " + av.getValueCount()
                + ", the root " + n + " rows");
          }
          int ci = columnIndex(name);
          long row = fromRow;
          int at = 0;
          while (at < n) {
            int b = batchOf(row);
            VectorSchemaRoot eb = batches.get(b);
            int local = (int) (row - starts.get(b));
            int len = (int) Math.min(n - at, eb.getRowCount() - local);
            final int atF = at;
            final long rowF = row;
            check("global rows [" + rowF + ", " + (rowF + len) + ") vs actual rows [" + atF + ", "
                + (atF + len) + ")", () -> ArrowAssert.assertVectorRangeEquals(eb.getVector(ci), local, av,
                atF, len, name));
            at += len;
            row += len;
          }
        }
      });
    }

    /** Asserts that row k of {@code actual} is written row {@code ids[k]}, for the projection. */
    void assertRows(VectorSchemaRoot actual, List<String> projection, long[] ids, String ctx) {
      check(ctx, () -> {
        ArrowAssert.assertSchemaEquals(projected(projection), actual.getSchema());
        if (actual.getRowCount() != ids.length) {
          throw new AssertionError("take of " + ids.length + " ids returned " + actual.getRowCount() + " rows");
        }
        for (FieldVector av : actual.getFieldVectors()) {
          String name = av.getName();
          if (av.getValueCount() != ids.length) {
            throw new AssertionError("column '" + name + "' has value count " + av.getValueCount()
                + ", the root " + ids.length + " rows");
          }
          int ci = columnIndex(name);
          for (int k = 0; k < ids.length; k++) {
            int b = batchOf(ids[k]);
            int local = (int) (ids[k] - starts.get(b));
            final int kF = k;
            check("actual row " + k + " = row id " + ids[k], () -> ArrowAssert.assertVectorRangeEquals(
                batches.get(b).getVector(ci), local, av, kF, 1, name));
          }
        }
      });
    }

    @Override
    public void close() {
      for (VectorSchemaRoot b : batches) {
        b.close();
      }
      batches.clear();
    }
  }

  /** Runs {@code body}, prefixing any assertion failure with {@code ctx}. */
  static void check(String ctx, Runnable body) {
    try {
      body.run();
    } catch (AssertionError e) {
      throw new AssertionError(ctx + ": " + e.getMessage(), e);
    }
  }

  /** Generates one batch per entry of {@code sizes} (0 allowed), each from its own seed. */
  static Expected generate(Schema schema, int[] sizes, long seed, BufferAllocator alloc,
      RandomArrow.Options options) {
    Expected e = new Expected(schema);
    try {
      for (int i = 0; i < sizes.length; i++) {
        e.add(RandomArrow.generate(schema, sizes[i], seed * 1_000_003L + i, alloc, options));
      }
      return e;
    } catch (RuntimeException | Error ex) {
      e.close();
      throw ex;
    }
  }

  /** Writes every batch of {@code e} (including empty ones) with a writer under {@code alloc}. */
  static void write(Path file, Expected e, WriterOptions options, BufferAllocator alloc) throws IOException {
    try (WeftWriter w = WeftWriter.open(file, e.schema, null, options, alloc)) {
      for (VectorSchemaRoot b : e.batches) {
        w.write(b);
      }
      assertEquals(e.numRows, w.rowsWritten());
    }
  }

  /** Scans {@code [from, to)} with {@code batchSize} and compares every batch. */
  static void assertScan(WeftReader r, Expected e, List<String> projection, int batchSize, long from,
      long to, String ctx) throws IOException {
    String c = ctx + ", scan batchSize=" + batchSize + " range=[" + from + ", " + to + ")"
        + (projection == null ? "" : " projection=" + projection);
    long row = from;
    try (WeftScanner s = r.scan(projection, batchSize, from, to)) {
      while (s.hasNext()) {
        try (VectorSchemaRoot got = s.next()) {
          long expectedRows = Math.min(batchSize, to - row);
          assertEquals(expectedRows, got.getRowCount(), c + ": batch at row " + row + " has the wrong size");
          e.assertRange(got, projection, row, c);
          row += got.getRowCount();
        } catch (RuntimeException ex) {
          throw new AssertionError(c + ": reading the batch at row " + row + " failed: " + ex, ex);
        }
      }
    }
    assertEquals(to, row, c + ": scan ended early");
  }

  /** Random sizes summing to about {@code total}, with 1-row and 0-row batches mixed in. */
  static int[] batchSizes(Random rnd, int total) {
    List<Integer> sizes = new ArrayList<>();
    sizes.add(1);
    int left = total - 1;
    while (left > 0) {
      int kind = rnd.nextInt(6);
      int s = switch (kind) {
        case 0 -> 1;
        case 1 -> 0;
        case 2 -> 2 + rnd.nextInt(5);
        default -> 1 + rnd.nextInt(Math.max(1, total / 3));
      };
      s = Math.min(s, left);
      sizes.add(s);
      left -= s;
    }
    sizes.add(1);
    return sizes.stream().mapToInt(Integer::intValue).toArray();
  }

  static WriterOptions smallOptions(Random rnd, Codec codec) {
    return WriterOptions.builder()
        .miniBlockBytes(256 + rnd.nextInt(769))
        .valuesPerMiniBlock(8 + rnd.nextInt(57))
        .targetPageBytes(1024)
        .maxRowGroupRows(rnd.nextBoolean() ? 37 : 1 + rnd.nextInt(50))
        .compression(codec)
        .build();
  }

  // ---------------------------------------------------------------------------------------
  // Tests
  // ---------------------------------------------------------------------------------------

  enum SchemaKind {
    ALL_TYPES, RANDOM_DEPTH1, RANDOM_DEPTH2, RANDOM_DEPTH3
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (SchemaKind k : SchemaKind.values()) {
      for (double p : new double[] {0, 0.1, 0.5, 1.0}) {
        for (Codec codec : Codec.values()) {
          for (boolean small : new boolean[] {true, false}) {
            out.add(Arguments.of(k, p, codec, small));
          }
        }
      }
    }
    return out.stream();
  }

  private static Schema schemaFor(SchemaKind kind, long seed) {
    return switch (kind) {
      case ALL_TYPES -> RandomArrow.allTypesSchema();
      case RANDOM_DEPTH1 -> RandomArrow.randomSchema(new Random(seed), 10, 1);
      case RANDOM_DEPTH2 -> RandomArrow.randomSchema(new Random(seed), 8, 2);
      case RANDOM_DEPTH3 -> RandomArrow.randomSchema(new Random(seed), 8, 3);
    };
  }

  @ParameterizedTest(name = "{0} nulls={1} {2} smallOptions={3}")
  @MethodSource("cases")
  void roundTrip(SchemaKind kind, double nullProbability, Codec codec, boolean small) throws Exception {
    long seed = BASE_SEED ^ (kind.ordinal() * 1_000_000L + (long) (nullProbability * 1000) * 10 + codec.ordinal() * 2
        + (small ? 1 : 0)) * 0x9E3779B97F4A7C15L;
    Random rnd = new Random(seed);
    Schema schema = schemaFor(kind, seed);
    int total = small ? 150 + rnd.nextInt(100) : 100 + rnd.nextInt(60);
    int[] sizes = batchSizes(rnd, total);
    WriterOptions options = small ? smallOptions(rnd, codec)
        : WriterOptions.builder().compression(codec).build();
    String ctx = "seed=" + seed + " schema=" + kind + " nulls=" + nullProbability + " options=" + options
        + " batches=" + java.util.Arrays.toString(sizes);
    System.out.println("RoundTripTest: " + ctx);
    try {
      roundTripBody(schema, sizes, seed, nullProbability, options, small, rnd, ctx);
    } catch (AssertionError e) {
      throw e;
    } catch (Exception | Error e) {
      throw new AssertionError(ctx + ": " + e, e);
    }
  }

  private void roundTripBody(Schema schema, int[] sizes, long seed, double nullProbability,
      WriterOptions options, boolean small, Random rnd, String ctx) throws Exception {
    Path file = dir.resolve("rt.weft");
    try (BufferAllocator alloc = new RootAllocator();
        Expected e = generate(schema, sizes, seed, alloc,
            RandomArrow.Options.builder().nullProbability(nullProbability).build())) {
      write(file, e, options, alloc);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        long n = e.numRows;
        assertEquals(n, r.numRows(), ctx);
        assertEquals(schema.getFields().size(), r.numColumns(), ctx);
        ArrowAssert.assertSchemaEquals(schema, r.schema());
        long rgRows = 0;
        for (var rg : r.rowGroups()) {
          assertEquals(rgRows, rg.firstRow(), ctx + ": row groups are not contiguous");
          rgRows += rg.numRows();
          if (small) {
            assertTrue(rg.numRows() <= options.maxRowGroupRows(), ctx + ": row group too large " + rg);
          }
        }
        assertEquals(n, rgRows, ctx);
        if (small) {
          assertTrue(r.rowGroups().size() >= (n + options.maxRowGroupRows() - 1) / options.maxRowGroupRows(), ctx);
        }
        for (int bs : new int[] {1, 7, 1000, (int) n, Integer.MAX_VALUE}) {
          assertScan(r, e, null, bs, 0, n, ctx);
        }
        // a reordered projection
        List<String> reversed = e.names();
        Collections.reverse(reversed);
        assertScan(r, e, reversed, 13, 0, n, ctx);
        // row ranges equal the slices
        List<long[]> ranges = new ArrayList<>();
        ranges.add(new long[] {0, 0});
        ranges.add(new long[] {n, n});
        ranges.add(new long[] {0, 1});
        ranges.add(new long[] {n - 1, n});
        ranges.add(new long[] {1, n - 1});
        for (var rg : r.rowGroups()) {
          if (rnd.nextInt(4) == 0) {
            ranges.add(new long[] {rg.firstRow(), rg.firstRow() + rg.numRows()});
          }
        }
        for (int i = 0; i < 6; i++) {
          long a = rnd.nextInt((int) n + 1);
          long b = a + rnd.nextInt((int) (n - a) + 1);
          ranges.add(new long[] {a, b});
        }
        for (long[] range : ranges) {
          int bs = new int[] {1, 5, 64, 1000}[rnd.nextInt(4)];
          assertScan(r, e, null, bs, range[0], range[1], ctx);
        }
        // a random take as a cross-check
        long[] ids = new long[40];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = rnd.nextInt((int) n);
        }
        try (VectorSchemaRoot got = r.take(ids, null)) {
          e.assertRows(got, null, ids, ctx + ", take " + java.util.Arrays.toString(ids));
        }
      }
    }
  }

  /** Scanning a finished scanner is an error; an empty range yields no batch at all. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void scannerEndsCleanly(Codec codec) throws Exception {
    long seed = BASE_SEED + 17 + codec.ordinal();
    System.out.println("RoundTripTest.scannerEndsCleanly seed=" + seed);
    Path file = dir.resolve("end.weft");
    Schema schema = RandomArrow.allTypesSchema();
    try (BufferAllocator alloc = new RootAllocator();
        Expected e = generate(schema, new int[] {10, 1, 20}, seed, alloc, RandomArrow.Options.defaults())) {
      write(file, e, WriterOptions.builder().compression(codec).maxRowGroupRows(7).build(), alloc);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        try (WeftScanner s = r.scan(null, 31)) {
          assertTrue(s.hasNext());
          try (VectorSchemaRoot got = s.next()) {
            e.assertRange(got, null, 0, "seed=" + seed);
          }
          assertFalse(s.hasNext(), "seed=" + seed);
          org.junit.jupiter.api.Assertions.assertThrows(java.util.NoSuchElementException.class, s::next);
        }
        try (WeftScanner s = r.scan(null, 5, 12, 12)) {
          assertFalse(s.hasNext(), "seed=" + seed);
        }
      }
    }
  }

  /**
   * Fixed-width children of fixed-size lists and structs whose parent rows span several parent
   * blocks (here: row groups) within one scan batch: every part must reach the output.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void nestedFixedWidthChildrenAcrossParentBlocksInOneBatch(Codec codec) throws Exception {
    long seed = BASE_SEED + 31 + codec.ordinal();
    System.out.println("RoundTripTest.nestedFixedWidthChildrenAcrossParentBlocksInOneBatch seed=" + seed);
    Path file = dir.resolve("nested-fixed.weft");
    Schema schema = new Schema(List.of(
        new Field("emb", org.apache.arrow.vector.types.pojo.FieldType.nullable(
            new org.apache.arrow.vector.types.pojo.ArrowType.FixedSizeList(8)),
            List.of(Field.nullable("item", new org.apache.arrow.vector.types.pojo.ArrowType.FloatingPoint(
                org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE)))),
        new Field("st", org.apache.arrow.vector.types.pojo.FieldType.nullable(
            org.apache.arrow.vector.types.pojo.ArrowType.Struct.INSTANCE),
            List.of(Field.nullable("a", new org.apache.arrow.vector.types.pojo.ArrowType.Int(64, true))))));
    WriterOptions options = WriterOptions.builder().maxRowGroupRows(18).compression(codec).build();
    String ctx = "seed=" + seed + " options=" + options;
    try (BufferAllocator alloc = new RootAllocator();
        Expected e = generate(schema, new int[] {100}, seed, alloc,
            RandomArrow.Options.builder().nullProbability(0).build())) {
      write(file, e, options, alloc);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        for (int bs : new int[] {1, 18, 20, 100}) {
          assertScan(r, e, null, bs, 0, 100, ctx);
        }
      }
    }
  }

  static Stream<Codec> codecs() {
    return Stream.of(Codec.values());
  }
}
