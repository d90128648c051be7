package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.BlockTable;
import dev.weft.format.Codec;
import dev.weft.format.ColumnMeta;
import dev.weft.format.PageMeta;
import dev.weft.format.RowGroupMeta;
import dev.weft.reader.RoundTripTest.Expected;
import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WriterOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** take(): random, unsorted and duplicate ids, boundaries, projections, errors and concurrency. */
class TakeTest {
  private static final long BASE_SEED = RoundTripTest.BASE_SEED ^ 0x7A4EL;

  @TempDir Path dir;

  private static WriterOptions small(Codec codec) {
    return WriterOptions.builder().miniBlockBytes(384).valuesPerMiniBlock(16).targetPageBytes(1024)
        .maxRowGroupRows(37).compression(codec).build();
  }

  /** Writes allTypesSchema() in uneven batches; returns the expected data. */
  private Expected writeFile(Path file, long seed, Codec codec, BufferAllocator alloc) throws Exception {
    Random rnd = new Random(seed);
    int[] sizes = RoundTripTest.batchSizes(rnd, 260);
    Expected e = RoundTripTest.generate(RandomArrow.allTypesSchema(), sizes, seed, alloc,
        RandomArrow.Options.builder().nullProbability(0.2).build());
    try {
      RoundTripTest.write(file, e, small(codec), alloc);
      return e;
    } catch (Exception | Error ex) {
      e.close();
      throw ex;
    }
  }

  private static long[] randomIds(Random rnd, int count, long numRows) {
    long[] ids = new long[count];
    for (int i = 0; i < count; i++) {
      ids[i] = (long) (rnd.nextDouble() * numRows);
    }
    return ids;
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void randomUnsortedAndDuplicateIds(Codec codec) throws Exception {
    long seed = BASE_SEED + codec.ordinal();
    System.out.println("TakeTest.randomUnsortedAndDuplicateIds seed=" + seed);
    Path file = dir.resolve("t.weft");
    Random rnd = new Random(seed);
    try (BufferAllocator alloc = new RootAllocator();
        Expected e = writeFile(file, seed, codec, alloc);
        WeftReader r = WeftReader.open(file, alloc)) {
      long n = e.numRows;
      String ctx = "seed=" + seed + " codec=" + codec;
      List<long[]> idSets = new ArrayList<>();
      idSets.add(randomIds(rnd, 500, n)); // many duplicates (500 ids of ~260 rows)
      idSets.add(randomIds(rnd, 7, n));
      long[] descending = new long[(int) n];
      for (int i = 0; i < n; i++) {
        descending[i] = n - 1 - i;
      }
      idSets.add(descending);
      long[] same = new long[33];
      Arrays.fill(same, rnd.nextInt((int) n));
      idSets.add(same);
      long[] zigzag = new long[40];
      for (int i = 0; i < zigzag.length; i++) {
        zigzag[i] = (i % 2 == 0) ? i : n - 1 - i;
      }
      idSets.add(zigzag);
      for (long[] ids : idSets) {
        try (VectorSchemaRoot got = r.take(ids, null)) {
          e.assertRows(got, null, ids, ctx + ", ids=" + Arrays.toString(ids));
        }
      }
      // single-row takes of every row
      for (long id = 0; id < n; id++) {
        long[] ids = {id};
        try (VectorSchemaRoot got = r.take(ids, null)) {
          e.assertRows(got, null, ids, ctx + ", single id " + id);
        }
      }
    }
  }

  /** Every row at which a row group, page or mini-block of any node starts or ends. */
  private static TreeSet<Long> boundaryRows(WeftReader r, Path file) throws Exception {
    TreeSet<Long> rows = new TreeSet<>();
    for (RowGroupMeta rg : r.rowGroups()) {
      rows.add(rg.firstRow());
      rows.add(rg.firstRow() + rg.numRows() - 1);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      for (int c = 0; c < r.numColumns(); c++) {
        ColumnMeta meta = r.columnMeta(c);
        for (List<PageMeta> pages : meta.pagesPerNode()) {
          for (PageMeta page : pages) {
            rows.add(page.firstRow());
            rows.add(page.firstRow() + page.numRows() - 1);
            ByteBuffer table = ByteBuffer.allocate(page.tableLength()).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(table, page.tableOffset());
            table.flip();
            BlockTable t = BlockTable.decode(table, page, file, r.columnName(c));
            for (int b = 0; b < t.size(); b++) {
              rows.add(page.firstRow() + t.rowStart(b));
              rows.add(page.firstRow() + t.rowEnd(b) - 1);
            }
          }
        }
      }
    }
    return rows;
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void idsAtBlockPageAndRowGroupBoundaries(Codec codec) throws Exception {
    long seed = BASE_SEED + 10 + codec.ordinal();
    System.out.println("TakeTest.idsAtBlockPageAndRowGroupBoundaries seed=" + seed);
    Path file = dir.resolve("b.weft");
    Random rnd = new Random(seed);
    try (BufferAllocator alloc = new RootAllocator();
        Expected e = writeFile(file, seed, codec, alloc);
        WeftReader r = WeftReader.open(file, alloc)) {
      String ctx = "seed=" + seed + " codec=" + codec;
      TreeSet<Long> rows = boundaryRows(r, file);
      assertTrue(r.rowGroups().size() > 3, ctx + ": expected many row groups");
      List<Long> shuffled = new ArrayList<>(rows);
      Collections.shuffle(shuffled, rnd);
      long[] ids = shuffled.stream().mapToLong(Long::longValue).toArray();
      // a fresh reader: the first take loads all metadata
      try (WeftReader fresh = WeftReader.open(file, alloc); VectorSchemaRoot got = fresh.take(ids, null)) {
        e.assertRows(got, null, ids, ctx + ", boundary ids " + Arrays.toString(ids));
      }
      long[] sorted = rows.stream().mapToLong(Long::longValue).toArray();
      try (VectorSchemaRoot got = r.take(sorted, null)) {
        e.assertRows(got, null, sorted, ctx + ", sorted boundary ids");
      }
      // pairs straddling each boundary, per column, each on a fresh reader
      for (int c = 0; c < r.numColumns(); c += 3) {
        List<String> proj = List.of(r.columnName(c));
        List<Long> pairs = new ArrayList<>();
        for (long b : rows) {
          if (b > 0) {
            pairs.add(b);
            pairs.add(b - 1);
          }
        }
        long[] pairIds = pairs.stream().mapToLong(Long::longValue).toArray();
        try (WeftReader fresh = WeftReader.open(file, alloc); VectorSchemaRoot got = fresh.take(pairIds, proj)) {
          e.assertRows(got, proj, pairIds, ctx + ", straddling pairs, column " + proj);
        }
      }
    }
  }

  @Test
  void firstAndLastRow() throws Exception {
    long seed = BASE_SEED + 20;
    System.out.println("TakeTest.firstAndLastRow seed=" + seed);
    Path file = dir.resolve("fl.weft");
    try (BufferAllocator alloc = new RootAllocator();
        Expected e = writeFile(file, seed, Codec.ZSTD, alloc)) {
      long n = e.numRows;
      String ctx = "seed=" + seed;
      for (long[] ids : new long[][] {{0}, {n - 1}, {n - 1, 0}, {0, n - 1, 0}, {n - 1, n - 1}}) {
        try (WeftReader r = WeftReader.open(file, alloc); VectorSchemaRoot got = r.take(ids, null)) {
          e.assertRows(got, null, ids, ctx + ", ids=" + Arrays.toString(ids));
        }
      }
    }
  }

  @Test
  void emptyIdArray() throws Exception {
    long seed = BASE_SEED + 30;
    System.out.println("TakeTest.emptyIdArray seed=" + seed);
    Path file = dir.resolve("e.weft");
    try (BufferAllocator alloc = new RootAllocator();
        Expected e = writeFile(file, seed, Codec.LZ4, alloc);
        WeftReader r = WeftReader.open(file, alloc)) {
      try (VectorSchemaRoot got = r.take(new long[0], null)) {
        assertEquals(0, got.getRowCount());
        ArrowAssert.assertSchemaEquals(e.schema, got.getSchema());
        for (FieldVector v : got.getFieldVectors()) {
          assertEquals(0, v.getValueCount(), v.getName());
        }
        e.assertRows(got, null, new long[0], "seed=" + seed);
      }
      List<String> proj = List.of("list_struct", "int8", "map_utf8_int64");
      try (VectorSchemaRoot got = r.take(new long[0], proj)) {
        assertEquals(0, got.getRowCount());
        ArrowAssert.assertSchemaEquals(e.projected(proj), got.getSchema());
        ArrowAssert.assertSchemaEquals(r.schema(proj), got.getSchema());
      }
    }
  }

  @Test
  void projections() throws Exception {
    long seed = BASE_SEED + 40;
    System.out.println("TakeTest.projections seed=" + seed);
    Path file = dir.resolve("p.weft");
    Random rnd = new Random(seed);
    try (BufferAllocator alloc = new RootAllocator();
        Expected e = writeFile(file, seed, Codec.ZSTD, alloc);
        WeftReader r = WeftReader.open(file, alloc)) {
      long n = e.numRows;
      String ctx = "seed=" + seed;
      List<String> all = e.names();
      List<String> reversed = new ArrayList<>(all);
      Collections.reverse(reversed);
      List<String> shuffled = new ArrayList<>(all);
      Collections.shuffle(shuffled, rnd);
      List<List<String>> projections = List.of(
          List.of("int32", "utf8", "list_struct"),
          List.of("list_struct", "utf8", "int32"),
          reversed,
          shuffled.subList(0, 11),
          List.of("list_struct"),
          List.of("map_int32_list_utf8"),
          List.of("struct_struct_fsl"),
          List.of("fsl_list_int32"),
          List.of("null"),
          List.of("bool"));
      long[] ids = randomIds(rnd, 120, n);
      for (List<String> proj : projections) {
        ArrowAssert.assertSchemaEquals(e.projected(proj), r.schema(proj));
        try (VectorSchemaRoot got = r.take(ids, proj)) {
          assertEquals(proj.size(), got.getFieldVectors().size());
          for (int i = 0; i < proj.size(); i++) {
            assertEquals(proj.get(i), got.getVector(i).getName(), ctx + ": projection order");
          }
          e.assertRows(got, proj, ids, ctx + ", projection " + proj + ", ids " + Arrays.toString(ids));
        }
      }
    }
  }

  @Test
  void outOfRangeIdsAreRejected() throws Exception {
    long seed = BASE_SEED + 50;
    System.out.println("TakeTest.outOfRangeIdsAreRejected seed=" + seed);
    Path file = dir.resolve("oor.weft");
    try (BufferAllocator alloc = new RootAllocator();
        Expected e = writeFile(file, seed, Codec.ZSTD, alloc);
        WeftReader r = WeftReader.open(file, alloc)) {
      long n = e.numRows;
      long[][] bad = {
          {-1}, {n}, {0, 5, n + 7}, {3, -1, 4}, {Long.MAX_VALUE}, {Long.MIN_VALUE}, {n - 1, n}};
      long[] culprits = {-1, n, n + 7, -1, Long.MAX_VALUE, Long.MIN_VALUE, n};
      for (int i = 0; i < bad.length; i++) {
        long[] ids = bad[i];
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> {
          try (VectorSchemaRoot got = r.take(ids, null)) {
            // must not get here
          }
        }, "ids " + Arrays.toString(ids));
        String msg = String.valueOf(ex.getMessage());
        assertTrue(msg.contains(Long.toString(culprits[i])), "message does not name id " + culprits[i] + ": " + msg);
        assertTrue(msg.contains(file.getFileName().toString()), "message does not name the file: " + msg);
        IllegalArgumentException ex2 = assertThrows(IllegalArgumentException.class, () -> {
          try (VectorSchemaRoot got = r.take(ids, List.of("int32"))) {
            // must not get here
          }
        });
        assertTrue(String.valueOf(ex2.getMessage()).contains(Long.toString(culprits[i])), ex2.getMessage());
      }
      // the reader is still usable and nothing leaked (checked when the allocator closes)
      long[] ids = {0, n - 1};
      try (VectorSchemaRoot got = r.take(ids, null)) {
        e.assertRows(got, null, ids, "seed=" + seed + " after errors");
      }
    }
  }

  @Test
  void unknownColumnIsRejected() throws Exception {
    long seed = BASE_SEED + 60;
    System.out.println("TakeTest.unknownColumnIsRejected seed=" + seed);
    Path file = dir.resolve("uc.weft");
    try (BufferAllocator alloc = new RootAllocator();
        Expected e = writeFile(file, seed, Codec.NONE, alloc);
        WeftReader r = WeftReader.open(file, alloc)) {
      for (List<String> proj : List.of(List.of("no_such_column"), List.of("int32", "no_such_column"),
          List.of("struct.a"), List.of(""), List.of("INT32"))) {
        String missing = proj.get(proj.size() - 1);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> {
          try (VectorSchemaRoot got = r.take(new long[] {0, 1}, proj)) {
            // must not get here
          }
        }, "projection " + proj);
        assertTrue(String.valueOf(ex.getMessage()).contains("'" + missing + "'")
            || String.valueOf(ex.getMessage()).contains(missing + " "), "message should name the column: " + ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> {
          try (VectorSchemaRoot got = r.take(new long[0], proj)) {
            // must not get here
          }
        }, "empty take, projection " + proj);
        assertThrows(IllegalArgumentException.class, () -> r.scan(proj, 10).close(), "scan, projection " + proj);
      }
      assertEquals(-1, r.columnIndex("no_such_column"));
      long[] ids = {1, 0};
      try (VectorSchemaRoot got = r.take(ids, List.of("int32"))) {
        e.assertRows(got, List.of("int32"), ids, "seed=" + seed + " after errors");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void concurrentTakesFromEightThreads(Codec codec) throws Exception {
    long seed = BASE_SEED + 70 + codec.ordinal();
    System.out.println("TakeTest.concurrentTakesFromEightThreads seed=" + seed);
    Path file = dir.resolve("c.weft");
    try (BufferAllocator alloc = new RootAllocator();
        Expected e = writeFile(file, seed, codec, alloc)) {
      // the reader is fresh: the threads race to load column metadata and block tables
      try (WeftReader r = WeftReader.open(file, alloc)) {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        List<String> names = e.names();
        try {
          for (int t = 0; t < threads; t++) {
            final long threadSeed = seed * 31 + t;
            futures.add(pool.submit(() -> {
              Random rnd = new Random(threadSeed);
              start.await();
              for (int iter = 0; iter < 25; iter++) {
                long[] ids = randomIds(rnd, 1 + rnd.nextInt(60), e.numRows);
                List<String> proj = null;
                if (rnd.nextBoolean()) {
                  List<String> s = new ArrayList<>(names);
                  Collections.shuffle(s, rnd);
                  proj = new ArrayList<>(s.subList(0, 1 + rnd.nextInt(8)));
                }
                try (VectorSchemaRoot got = r.take(ids, proj)) {
                  e.assertRows(got, proj, ids, "seed=" + seed + " thread seed=" + threadSeed + " iteration "
                      + iter + " projection " + proj + " ids " + Arrays.toString(ids));
                }
              }
              return null;
            }));
          }
          start.countDown();
          for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
          }
        } finally {
          pool.shutdownNow();
          assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
      }
    }
  }

  /** Takes and scans interleaved across threads on one reader. */
  @Test
  void concurrentTakesAndScans() throws Exception {
    long seed = BASE_SEED + 80;
    System.out.println("TakeTest.concurrentTakesAndScans seed=" + seed);
    Path file = dir.resolve("cs.weft");
    try (BufferAllocator alloc = new RootAllocator();
        Expected e = writeFile(file, seed, Codec.ZSTD, alloc);
        WeftReader r = WeftReader.open(file, alloc)) {
      int threads = 8;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      try {
        for (int t = 0; t < threads; t++) {
          final long threadSeed = seed * 31 + t;
          final boolean scanner = t % 2 == 0;
          futures.add(pool.submit(() -> {
            Random rnd = new Random(threadSeed);
            start.await();
            String ctx = "seed=" + seed + " thread seed=" + threadSeed;
            for (int iter = 0; iter < 6; iter++) {
              if (scanner) {
                long a = rnd.nextInt((int) e.numRows + 1);
                long b = a + rnd.nextInt((int) (e.numRows - a) + 1);
                RoundTripTest.assertScan(r, e, null, 1 + rnd.nextInt(50), a, b, ctx);
              } else {
                long[] ids = randomIds(rnd, 1 + rnd.nextInt(100), e.numRows);
                try (VectorSchemaRoot got = r.take(ids, null)) {
                  e.assertRows(got, null, ids, ctx + " ids " + Arrays.toString(ids));
                }
              }
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
      }
    }
  }

  /** Takes on a random nested schema (depth 3) with duplicate and boundary ids. */
  @Test
  void randomNestedSchema() throws Exception {
    long seed = BASE_SEED + 90;
    System.out.println("TakeTest.randomNestedSchema seed=" + seed);
    Path file = dir.resolve("rn.weft");
    Random rnd = new Random(seed);
    Schema schema = RandomArrow.randomSchema(new Random(seed), 8, 3);
    try (BufferAllocator alloc = new RootAllocator();
        Expected e = RoundTripTest.generate(schema, RoundTripTest.batchSizes(rnd, 200), seed, alloc,
            RandomArrow.Options.builder().nullProbability(0.3).build())) {
      RoundTripTest.write(file, e, small(Codec.ZSTD), alloc);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        TreeSet<Long> rows = boundaryRows(r, file);
        List<Long> list = new ArrayList<>(rows);
        for (int i = 0; i < 100; i++) {
          list.add((long) rnd.nextInt((int) e.numRows));
        }
        Collections.shuffle(list, rnd);
        long[] ids = list.stream().mapToLong(Long::longValue).toArray();
        try (VectorSchemaRoot got = r.take(ids, null)) {
          e.assertRows(got, null, ids, "seed=" + seed + " ids " + Arrays.toString(ids));
        }
      }
    }
  }
}
