package dev.weft.cli.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.cli.convert.TestFiles;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Parquet reader on real files: types mapped as pyarrow maps them, values, and refusals
 * (encrypted, corrupt, too large for the budget) that are clean and quick. The exhaustive
 * comparison of every test file with pyarrow is the Python test
 * cli/src/test/python/test_convert_matches_pyarrow.py.
 */
class ParquetReaderTest {
  private static Path pt(String name) {
    return TestFiles.data("parquet-testing/data/" + name);
  }

  /** All rows of a file, as one batch per call to the consumer. */
  private interface BatchCheck {
    void check(VectorSchemaRoot batch) throws Exception;
  }

  private static long readAll(Path file, long maxPageBytes, BatchCheck check) throws Exception {
    long rows = 0;
    try (BufferAllocator alloc = new RootAllocator();
         ParquetFile pf = ParquetFile.open(file);
         BatchReader r = pf.batches(null, BatchReader.Options.defaults().withMaxPageBytes(maxPageBytes))) {
      VectorSchemaRoot b;
      while ((b = r.next(1000, alloc)) != null) {
        try (VectorSchemaRoot batch = b) {
          rows += batch.getRowCount();
          if (check != null) {
            check.check(batch);
          }
        }
      }
    }
    return rows;
  }

  private static String type(Path file, String column) throws IOException {
    try (ParquetFile pf = ParquetFile.open(file)) {
      for (Field f : pf.schema().getFields()) {
        if (f.getName().equals(column)) {
          return f.toString();
        }
      }
    }
    throw new AssertionError("no column " + column);
  }

  private interface Action {
    void run() throws Throwable;
  }

  /** Runs {@code a} with a time limit (failing the test past it); returns what it threw, or null. */
  private static Throwable outcome(Duration limit, Action a) {
    return assertTimeoutPreemptively(limit, () -> {
      try {
        a.run();
        return null;
      } catch (Throwable t) {
        return t;
      }
    });
  }

  @Test
  void typesMapAsPyarrowMapsThem() throws Exception {
    assertEquals("a: Timestamp(NANOSECOND, null)", type(pt("int96_from_spark.parquet"), "a"));
    assertEquals("value: Decimal(4, 2, 128)", type(pt("byte_array_decimal.parquet"), "value"));
    assertEquals("value: Decimal(25, 2, 128)", type(pt("fixed_length_decimal.parquet"), "value"));
    assertEquals("value: Decimal(13, 2, 128)", type(pt("fixed_length_decimal_legacy.parquet"), "value"));
    assertEquals("value: Decimal(4, 2, 128)", type(pt("int32_decimal.parquet"), "value"));
    assertEquals("value: Decimal(10, 2, 128)", type(pt("int64_decimal.parquet"), "value"));
    assertEquals("x: FloatingPoint(HALF)", type(pt("float16_nonzeros_and_nans.parquet"), "x"));
    // legacy two-level list whose repeated group is named "array"
    assertEquals("a: List<array: List<array: Int(32, true) not null> not null> not null",
        type(pt("old_list_structure.parquet"), "a"));
    // a repeated group without LIST annotation: list<struct> not null
    assertTrue(type(pt("repeated_no_annotation.parquet"), "phoneNumbers")
        .startsWith("phoneNumbers: Struct<phone: List<phone: Struct<number: Int(64, true) not null, kind: Utf8> not null>"));
    // maps: the entries struct is named after the map, as Arrow C++ names it
    assertEquals("my_map: Map(false)<my_map: Struct<key: Int(32, true) not null, value: Int(32, true)> not null> not null",
        type(pt("map_no_value.parquet"), "my_map"));
    // a map without values is a list of keys
    assertEquals("my_map_no_v: List<key: Int(32, true) not null> not null", type(pt("map_no_value.parquet"), "my_map_no_v"));
    // the stored Arrow schema (ARROW:schema) restores large strings
    assertEquals("origin: LargeUtf8", type(TestFiles.data("real/flights-3m.parquet"), "origin"));
    // UUID: fixed_size_binary(16) carrying the arrow.uuid extension name
    String uuid = type(TestFiles.data("hyparquet/uuid.parquet"), "uuid");
    assertTrue(uuid.startsWith("uuid: FixedSizeBinary(16)"), uuid);
    try (ParquetFile pf = ParquetFile.open(TestFiles.data("hyparquet/uuid.parquet"))) {
      assertEquals("arrow.uuid", pf.schema().getFields().get(0).getMetadata().get("ARROW:extension:name"));
    }
  }

  @Test
  void int96DecimalsFloat16AndMapsHaveThePyarrowValues() throws Exception {
    List<Object> ts = new ArrayList<>();
    readAll(pt("int96_from_spark.parquet"), 1 << 20, b -> {
      TimeStampNanoVector v = (TimeStampNanoVector) b.getVector(0);
      for (int i = 0; i < v.getValueCount(); i++) {
        ts.add(v.isNull(i) ? null : v.get(i));
      }
    });
    // as pyarrow reads them, out-of-range days wrapping around like Arrow C++'s arithmetic
    assertEquals(java.util.Arrays.asList(1704141296123456000L, 1704070800000000000L, -4852191831933722624L,
        1735599600000000000L, null, 5606152519850745856L), ts);

    List<BigDecimal> dec = new ArrayList<>();
    readAll(pt("fixed_length_decimal.parquet"), 1 << 20, b -> {
      DecimalVector v = (DecimalVector) b.getVector(0);
      for (int i = 0; i < 3; i++) {
        dec.add(v.getObject(i));
      }
    });
    assertEquals(List.of(new BigDecimal("1.00"), new BigDecimal("2.00"), new BigDecimal("3.00")), dec.subList(0, 3));

    List<String> halves = new ArrayList<>();
    readAll(pt("float16_nonzeros_and_nans.parquet"), 1 << 20, b -> {
      Float2Vector v = (Float2Vector) b.getVector(0);
      for (int i = 0; i < v.getValueCount(); i++) {
        halves.add(v.isNull(i) ? "null" : Float.toString(v.getValueAsFloat(i)));
      }
    });
    assertEquals(List.of("null", "1.0", "-2.0", "NaN", "0.0", "-1.0", "-0.0", "2.0"), halves);

    List<String> maps = new ArrayList<>();
    readAll(pt("nullable.impala.parquet"), 1 << 20, b -> {
      MapVector v = (MapVector) b.getVector("int_map");
      for (int i = 0; i < v.getValueCount(); i++) {
        maps.add(v.isNull(i) ? "null" : String.valueOf(v.getObject(i)));
      }
    });
    assertEquals(7, maps.size());
    assertEquals("null", maps.get(5));
    assertEquals("[]", maps.get(2));
    assertTrue(maps.get(1).contains("\"key\":\"k2\"") && !maps.get(1).contains("\"value\":100"), maps.get(1));
  }

  @Test
  void everyReadableTestFileReadsWithTheRowCountOfItsFooter() throws Exception {
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("parquet-testing/data", "hyparquet")) {
      try (Stream<Path> s = Files.walk(TestFiles.data(dir))) {
        s.filter(p -> p.toString().endsWith(".parquet")).sorted().forEach(files::add);
      }
    }
    List<String> refused = new ArrayList<>();
    for (Path f : files) {
      Throwable t = outcome(Duration.ofSeconds(20), () -> {
        long rows = readAll(f, 64L << 20, null);
        try (ParquetFile pf = ParquetFile.open(f)) {
          assertEquals(pf.numRows(), rows, f::toString);
        }
      });
      if (t instanceof ParquetFormatException e) {
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        refused.add(f.getFileName().toString());
      } else if (t != null) {
        fail(f + ": " + t, t);
      }
    }
    // pyarrow refuses incorrect_map_schema (twice: both collections have it); the string map
    // does not fit a 64 MiB page budget
    assertEquals(List.of("incorrect_map_schema.parquet", "incorrect_map_schema.parquet", "large_string_map.brotli.parquet"),
        refused.stream().sorted().toList());
  }

  /**
   * The fast path for flat columns (FlatColumnReader) reads every test file, and the real
   * flights file, into the same vectors as parquet-java's column reader does: values, nulls, and
   * the bytes of every buffer (what the writer encodes), in batches that cut pages anywhere.
   */
  @Test
  void fastPathReadsWhatParquetJavaReads() throws Exception {
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("parquet-testing/data", "hyparquet")) {
      try (Stream<Path> s = Files.walk(TestFiles.data(dir))) {
        s.filter(p -> p.toString().endsWith(".parquet")).sorted().forEach(files::add);
      }
    }
    files.add(TestFiles.data("real/flights-3m.parquet"));
    int compared = 0;
    for (Path f : files) {
      Throwable t = outcome(Duration.ofSeconds(60), () -> {
        try (BufferAllocator alloc = new RootAllocator();
             ParquetFile pf = ParquetFile.open(f);
             ParquetFile pf2 = ParquetFile.open(f);
             BatchReader fast = pf.batches(null, BatchReader.Options.defaults().withMaxPageBytes(64L << 20));
             BatchReader slow = pf2.batches(null,
                 BatchReader.Options.defaults().withMaxPageBytes(64L << 20).withFastPath(false))) {
          int batchRows = f.toString().contains("flights") ? 100_003 : 777;
          while (true) {
            VectorSchemaRoot a = fast.next(batchRows, alloc);
            VectorSchemaRoot b = slow.next(batchRows, alloc);
            try {
              if (a == null || b == null) {
                assertEquals(a == null, b == null, f::toString);
                break;
              }
              assertEquals(b.getRowCount(), a.getRowCount(), f::toString);
              for (int c = 0; c < a.getFieldVectors().size(); c++) {
                FieldVector va = a.getVector(c);
                FieldVector vb = b.getVector(c);
                String what = f + " column " + va.getName();
                assertTrue(new org.apache.arrow.vector.compare.VectorEqualsVisitor().vectorEquals(va, vb), what);
                assertSameBuffers(va, vb, what);
              }
            } finally {
              if (a != null) {
                a.close();
              }
              if (b != null) {
                b.close();
              }
            }
          }
        }
      });
      if (t == null) {
        compared++;
      } else if (!(t instanceof ParquetFormatException)) {
        fail(f + ": " + t, t);
      }
    }
    assertTrue(compared > 100, "compared " + compared + " files");
  }

  /**
   * Dictionary ids ({@link BatchReader#dictionaryIds()}) keep their promise on every test file:
   * within one scope (column chunk), rows of equal ids hold equal values; nulls have none; and
   * the batches' values are the same as without ids.
   */
  @Test
  void dictionaryIdsNameEqualValues() throws Exception {
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("parquet-testing/data", "hyparquet")) {
      try (Stream<Path> s = Files.walk(TestFiles.data(dir))) {
        s.filter(p -> p.toString().endsWith(".parquet")).sorted().forEach(files::add);
      }
    }
    files.add(TestFiles.data("real/flights-3m.parquet"));
    // written by pyarrow with a tiny dictionary page limit: its chunks fall back to PLAIN pages
    files.add(Path.of(ParquetReaderTest.class.getResource("/dictionary-fallback.parquet").toURI()));
    long[] withIds = new long[2]; // rows with an id, non-null rows without one in a column that has ids
    for (Path f : files) {
      Throwable t = outcome(Duration.ofSeconds(60), () -> {
        try (BufferAllocator alloc = new RootAllocator();
             ParquetFile pf = ParquetFile.open(f);
             BatchReader r = pf.batches(null, BatchReader.Options.defaults().withMaxPageBytes(64L << 20)
                 .withDictionaryIds(new IdArrays()))) {
          java.util.Map<Object, java.util.Map<Integer, Object>> seen = new java.util.IdentityHashMap<>();
          int batchRows = f.toString().contains("flights") ? 100_003 : 777;
          VectorSchemaRoot b;
          while ((b = r.next(batchRows, alloc)) != null) {
            try (VectorSchemaRoot batch = b) {
              DictionaryIds[] ids = r.dictionaryIds();
              assertEquals(batch.getFieldVectors().size(), ids.length, f::toString);
              for (int c = 0; c < ids.length; c++) {
                if (ids[c] == null) {
                  continue;
                }
                FieldVector v = batch.getVector(c);
                java.util.Map<Integer, Object> values = seen.computeIfAbsent(ids[c].scope(),
                    k -> new java.util.HashMap<>());
                for (int i = 0; i < batch.getRowCount(); i++) {
                  int id = ids[c].ids()[i];
                  String what = f + " column " + v.getName() + " row " + i + " id " + id;
                  if (v.isNull(i)) {
                    assertEquals(-1, id, what);
                    continue;
                  }
                  if (id < 0) {
                    withIds[1]++;
                    continue;
                  }
                  assertTrue(id < ids[c].size(), what);
                  withIds[0]++;
                  Object x = v.getObject(i);
                  String value = x instanceof byte[] bytes ? java.util.Arrays.toString(bytes) : String.valueOf(x);
                  Object prev = values.putIfAbsent(id, value);
                  if (prev != null) {
                    assertEquals(prev, value, what);
                  }
                }
              }
            }
          }
        }
      });
      if (t != null && !(t instanceof ParquetFormatException)) {
        fail(f + ": " + t, t);
      }
    }
    assertTrue(withIds[0] > 3_000_000, "rows with ids: " + withIds[0]);
    assertTrue(withIds[1] > 1000, "non-null rows without ids (from plain pages): " + withIds[1]);
  }

  private static void assertSameBuffers(FieldVector a, FieldVector b, String what) {
    if (a instanceof org.apache.arrow.vector.BaseFixedWidthVector
        || a instanceof org.apache.arrow.vector.BaseVariableWidthVector
        || a instanceof org.apache.arrow.vector.BaseLargeVariableWidthVector) {
      int n = a.getValueCount();
      long dataBytes = a instanceof org.apache.arrow.vector.BaseFixedWidthVector fw
          ? (long) n * (fw.getTypeWidth() > 0 ? fw.getTypeWidth() : 0) : 0;
      if (a instanceof org.apache.arrow.vector.BitVector) {
        dataBytes = (n + 7) / 8;
      }
      assertEquals(0, compare(a.getValidityBuffer(), b.getValidityBuffer(), (n + 7) / 8), what + " validity");
      assertEquals(0, compare(a.getDataBuffer(), b.getDataBuffer(), dataBytes), what + " data");
      if (!(a instanceof org.apache.arrow.vector.BaseFixedWidthVector)) {
        long w = a instanceof org.apache.arrow.vector.BaseLargeVariableWidthVector ? 8 : 4;
        assertEquals(0, compare(a.getOffsetBuffer(), b.getOffsetBuffer(), (n + 1) * w), what + " offsets");
      }
    }
    for (int i = 0; i < a.getChildrenFromFields().size(); i++) {
      assertSameBuffers(a.getChildrenFromFields().get(i), b.getChildrenFromFields().get(i), what);
    }
  }

  private static int compare(org.apache.arrow.memory.ArrowBuf x, org.apache.arrow.memory.ArrowBuf y, long bytes) {
    if (bytes == 0) {
      return 0;
    }
    return org.apache.arrow.memory.util.ByteFunctionHelpers.compare(x, 0, bytes, y, 0, bytes);
  }

  @Test
  void encryptedFilesAreRefusedClearly() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.walk(TestFiles.data("parquet-testing/data"))) {
      files = s.filter(p -> p.toString().endsWith(".parquet.encrypted")).sorted().toList();
    }
    assertFalse(files.isEmpty());
    for (Path f : files) {
      ParquetFormatException e = assertThrows(ParquetFormatException.class, () -> readAll(f, 1 << 20, null),
          f::toString);
      assertTrue(e instanceof ParquetFormatException.Encrypted, e.getMessage());
      assertTrue(e.getMessage().contains("encrypted Parquet file"), e.getMessage());
    }
  }

  @Test
  void largeStringMapIsRefusedWithinTheBudget() {
    Path f = pt("large_string_map.brotli.parquet");
    ParquetFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> assertThrows(ParquetFormatException.TooLarge.class, () -> readAll(f, 256L << 20, null)));
    assertTrue(e.getMessage().contains("1.0 GiB") && e.getMessage().contains("memory budget"), e.getMessage());
  }

  @Test
  void badDataIsRefusedQuicklyWithOneLine() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(TestFiles.data("parquet-testing/bad_data"))) {
      files = s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    }
    assertFalse(files.isEmpty());
    int refused = 0;
    for (Path f : files) {
      Throwable t = outcome(Duration.ofSeconds(10), () -> readAll(f, 64L << 20, null));
      if (t == null) {
        // pyarrow reads ARROW-GH-43605 too (an RLE bit width of 0 is legal for one dictionary value)
        assertEquals("ARROW-GH-43605.parquet", f.getFileName().toString());
      } else if (t instanceof ParquetFormatException e) {
        refused++;
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
      } else {
        fail(f + ": " + t, t);
      }
    }
    assertEquals(files.size() - 1, refused);
  }

  /**
   * Flipped bytes and truncations anywhere in real files: each read ends within seconds,
   * either with the rows or with a ParquetFormatException, never another exception, a hang or
   * an OutOfMemoryError.
   */
  @Test
  void corruptedFilesFailCleanly(@TempDir Path tmp) throws Exception {
    Random rnd = new Random(20240611);
    List<Path> seeds = List.of(pt("alltypes_plain.parquet"), pt("nested_lists.snappy.parquet"),
        pt("datapage_v2.snappy.parquet"), pt("delta_byte_array.parquet"), pt("nullable.impala.parquet"),
        pt("byte_stream_split_extended.gzip.parquet"), TestFiles.data("hyparquet/brotli_compressed.parquet"));
    int cases = 0;
    for (Path seed : seeds) {
      byte[] orig = Files.readAllBytes(seed);
      for (int k = 0; k < 40; k++) {
        byte[] b = orig.clone();
        String what;
        if (k % 8 == 7) {
          int len = rnd.nextInt(b.length);
          b = java.util.Arrays.copyOf(b, len);
          what = "truncated to " + len;
        } else {
          int flips = 1 + rnd.nextInt(4);
          StringBuilder sb = new StringBuilder("flipped");
          for (int j = 0; j < flips; j++) {
            int pos = rnd.nextInt(b.length);
            b[pos] ^= (byte) (1 << rnd.nextInt(8));
            sb.append(' ').append(pos);
          }
          what = sb.toString();
        }
        Path f = tmp.resolve("case-" + cases++ + ".parquet");
        Files.write(f, b);
        String label = seed.getFileName() + " " + what;
        Throwable t = outcome(Duration.ofSeconds(10), () -> readAll(f, 16L << 20, null));
        if (t instanceof ParquetFormatException e) {
          assertNotNull(e.getMessage(), label);
          assertFalse(e.getMessage().contains("\n"), label);
        } else if (t != null) {
          fail(label + ": " + t, t);
        }
      }
    }
  }

  @Test
  void projectionAndUnknownColumns() throws Exception {
    Path f = pt("alltypes_plain.parquet");
    try (ParquetFile pf = ParquetFile.open(f)) {
      Schema s = pf.schema(List.of("string_col", "id"));
      assertEquals(List.of("string_col", "id"), s.getFields().stream().map(Field::getName).toList());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pf.schema(List.of("nope")));
      assertTrue(e.getMessage().contains("no column named 'nope'") && e.getMessage().contains("string_col"),
          e.getMessage());
      try (BufferAllocator alloc = new RootAllocator();
           BatchReader r = pf.batches(List.of("id"), BatchReader.Options.defaults());
           VectorSchemaRoot b = r.next(100, alloc)) {
        assertEquals(1, b.getFieldVectors().size());
        FieldVector id = b.getVector(0);
        assertEquals(8, id.getValueCount());
      }
    }
  }

  @Test
  void sizesParseAndPrint() {
    assertEquals(256L << 20, Sizes.parse("256m"));
    assertEquals(1L << 30, Sizes.parse("1G"));
    assertEquals(1L << 30, Sizes.parse("1GiB"));
    assertEquals(1536L << 20, Sizes.parse("1.5g"));
    assertEquals(65536, Sizes.parse("64k"));
    assertEquals(12345, Sizes.parse("12345"));
    assertThrows(IllegalArgumentException.class, () -> Sizes.parse("lots"));
    assertThrows(IllegalArgumentException.class, () -> Sizes.parse("-5m"));
    assertEquals("1.0 GiB", Sizes.human(1L << 30));
    assertEquals("512 B", Sizes.human(512));
  }
}
