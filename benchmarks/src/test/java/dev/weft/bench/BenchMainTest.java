package dev.weft.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testdata.gen.GenMain;
import dev.weft.testdata.gen.TableGenerator;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java side of the harness on tiny generated inputs: every Java peer that writes its own file
 * runs the full measurement (5 repetitions, tiny time limits) and its takes are checked against the
 * input; a peer that returns wrong rows is caught. (parquet-java reads the Parquet file pyarrow
 * writes, so it is covered by benchmarks/python/tests, which runs the whole pipeline.)
 */
class BenchMainTest {
  static final int BATCH = 512;
  @TempDir static Path dir;
  static Path recsys;
  static Path text;

  @BeforeAll
  static void inputs() throws Exception {
    recsys = write(GenMain.generator("recsys", 1500, 7, 0, BATCH), dir.resolve("recsys.arrow"));
    text = write(GenMain.generator("text", 700, 7, 0, BATCH), dir.resolve("text.arrow"));
  }

  static Path write(TableGenerator gen, Path file) throws Exception {
    try (BufferAllocator a = new RootAllocator();
        VectorSchemaRoot root = gen.newRoot(a);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ArrowFileWriter w = new ArrowFileWriter(root, null, ch)) {
      w.start();
      for (int b = 0; b < gen.numBatches(); b++) {
        gen.fill(root, b);
        w.writeBatch();
      }
      w.end();
    }
    return file;
  }

  static BenchMain.Config config(String format, Path input, String name) {
    BenchMain.Config c = BenchMain.parse(new String[] {
      "--format", format, "--input", input.toString(), "--dir", dir.resolve(name).toString(),
      "--out", dir.resolve(name + "-" + format + ".json").toString(), "--batch-rows", String.valueOf(BATCH),
      "--reps", "5", "--write-reps", "5", "--rep-seconds", "0.01", "--take1-max", "5", "--take256-max", "2",
      "--check-rows", "40"});
    return c;
  }

  @ParameterizedTest
  @ValueSource(strings = {"weft", "weft-none", "lance", "arrow-java", "arrow-java-zstd"})
  void everyJavaPeerMeasuresAndReturnsTheRowsAskedFor(String format) throws Exception {
    for (Path input : List.of(recsys, text)) {
      String name = input.getFileName().toString().replace(".arrow", "");
      BenchMain.Config c = config(format, input, name);
      c.project = name.equals("recsys") ? List.of("f0", "c3", "history", "embedding", "label") : List.of("body", "tags");
      c.filter = name.equals("recsys")
          ? spec("c0", "int", "3", "40", List.of("c0", "f1", "history", "embedding"), input)
          : spec("id", "int", "100", "107", List.of("id", "title", "tags"), input);
      Map<String, Object> r = BenchMain.run(c);
      assertEquals(List.of(), r.get("errors"), format + " on " + name);
      @SuppressWarnings("unchecked")
      Map<String, Object> check = (Map<String, Object>) r.get("check");
      assertEquals(true, check.get("ok"), format + " on " + name + ": " + check);
      @SuppressWarnings("unchecked")
      List<String> details = (List<String>) check.get("details");
      assertTrue(details.stream().anyMatch(d -> d.startsWith("take (all columns)") && d.endsWith("OK")), details::toString);
      assertTrue(details.stream().anyMatch(d -> d.startsWith("take (" + c.project.size() + " columns)")), details::toString);
      assertTrue(details.stream().anyMatch(d -> d.startsWith("filtered scan") && d.endsWith("OK")), details::toString);
      assertEquals(c.filter.expect(), ((Number) r.get("filter_matches")).longValue(), format + " on " + name);
      assertTrue(c.filter.expect() > 0 && c.filter.expect() < (name.equals("recsys") ? 1500 : 700), c.filter::toString);
      for (String k : List.of("write_s", "scan_s", "take1_rows_s", "take256_rows_s", "open_project_ms", "filter_s")) {
        assertEquals(5, ((List<?>) r.get(k)).size(), k);
      }
      assertTrue(((Number) r.get("size_bytes")).longValue() > 0);
      assertEquals(name.equals("recsys") ? 1500L : 700L, r.get("rows"));
      // the JSON the driver reads
      Files.writeString(c.out, Json.write(r));
      assertTrue(Files.readString(c.out).contains("\"format\": \"" + format + "\""));
    }
  }

  /** {@code lo <= column < hi} on an integer column, with its count of matching rows in {@code input}. */
  static FilterSpec spec(String column, String kind, String lo, String hi, List<String> project, Path input)
      throws Exception {
    long expect = 0;
    try (BufferAllocator a = new RootAllocator();
        FileChannel ch = FileChannel.open(input, StandardOpenOption.READ);
        ArrowFileReader r = new ArrowFileReader(ch, a)) {
      while (r.loadNextBatch()) {
        var v = r.getVectorSchemaRoot().getVector(column);
        for (int i = 0; i < v.getValueCount(); i++) {
          long x = ((Number) v.getObject(i)).longValue();
          if (x >= Long.parseLong(lo) && x < Long.parseLong(hi)) {
            expect++;
          }
        }
      }
    }
    String text = "`" + column + "` >= " + lo + " AND `" + column + "` < " + hi;
    return new FilterSpec(column, kind, lo, hi, text, project, expect);
  }

  @ParameterizedTest
  @ValueSource(strings = {"weft", "lance"})
  void narrowModeWritesOnceAndSkipsTheAllColumnScanAndTakes(String format) throws Exception {
    BenchMain.Config c = BenchMain.parse(new String[] {
      "--format", format, "--input", recsys.toString(), "--dir", dir.resolve("narrow").toString(),
      "--out", dir.resolve("narrow-" + format + ".json").toString(), "--batch-rows", String.valueOf(BATCH),
      "--reps", "5", "--write-reps", "5", "--rep-seconds", "0.01", "--check-rows", "40",
      "--project", "f0,c3,label", "--narrow"});
    assertTrue(c.narrow);
    Map<String, Object> r = BenchMain.run(c);
    assertEquals(List.of(), r.get("errors"), format);
    @SuppressWarnings("unchecked")
    Map<String, Object> check = (Map<String, Object>) r.get("check");
    assertEquals(true, check.get("ok"), check::toString);
    assertEquals(1, ((List<?>) r.get("write_s")).size());
    assertEquals(5, ((List<?>) r.get("open_project_ms")).size());
    assertTrue(((Number) r.get("size_bytes")).longValue() > 0);
    for (String k : List.of("scan_s", "take1_rows_s", "take256_rows_s")) {
      assertFalse(r.containsKey(k), k);
    }
    assertEquals(BenchMain.NARROW_NOTE, r.get("narrow_note"));
    @SuppressWarnings("unchecked")
    List<String> details = (List<String>) check.get("details");
    assertTrue(details.stream().anyMatch(d -> d.startsWith("take (all columns)") && d.endsWith("OK")), details::toString);
  }

  @Test
  void aFilteredScanWithTheWrongRowCountFailsTheCheck() throws Exception {
    BenchMain.Config c = config("weft-none", text, "wrongcount");
    FilterSpec right = spec("id", "int", "10", "20", List.of("id", "lang"), text);
    c.filter = new FilterSpec(right.column(), right.kind(), right.lo(), right.hi(), right.text(), right.project(),
        right.expect() + 1);
    Map<String, Object> r = BenchMain.run(c);
    @SuppressWarnings("unchecked")
    Map<String, Object> check = (Map<String, Object>) r.get("check");
    assertFalse((Boolean) check.get("ok"));
    assertTrue(check.get("details").toString().contains("FAILED: filtered scan"), check::toString);
    assertEquals(right.expect(), ((Number) r.get("filter_matches")).longValue());
  }

  @Test
  void filterOptionsAreParsed() {
    BenchMain.Config c = BenchMain.parse(new String[] {
      "--format", "weft", "--input", "in.arrow", "--dir", "d", "--out", "o.json",
      "--filter-column", "date", "--filter-kind", "timestamp:us", "--filter-lo", "5", "--filter-hi", "9",
      "--filter-text", "`date` >= TIMESTAMP '1970-01-01 00:00:00.000005'", "--filter-project", "date,delay",
      "--filter-expect", "3"});
    assertEquals(new FilterSpec("date", "timestamp:us", "5", "9", "`date` >= TIMESTAMP '1970-01-01 00:00:00.000005'",
        List.of("date", "delay"), 3), c.filter);
    assertEquals(null, config("weft", text, "nofilter").filter);
  }

  @Test
  void aPeerThatTakesTheWrongRowsFailsTheCheck() throws Exception {
    Peer wrong = new Peer() {
      final Peer inner = new WeftPeer(dev.weft.format.Codec.NONE);

      @Override String name() { return "weft-off-by-one"; }
      @Override String library() { return "test"; }
      @Override String options() { return "returns row id + 1"; }
      @Override String fileName() { return "off-by-one.weft"; }
      @Override void write(Path input, Path target, BufferAllocator a) throws Exception { inner.write(input, target, a); }

      @Override
      Reader open(Path target, BufferAllocator a) throws Exception {
        Reader r = inner.open(target, a);
        return new Reader() {
          @Override public long numRows() throws Exception { return r.numRows(); }
          @Override public long scan(int b) throws Exception { return r.scan(b); }

          @Override
          public long take(long[] ids, List<String> cols, List<Map<String, String>> sink) throws Exception {
            long[] shifted = ids.clone();
            for (int i = 0; i < shifted.length; i++) {
              shifted[i] = (shifted[i] + 1) % r.numRows();
            }
            return r.take(shifted, cols, sink);
          }

          @Override public void close() throws Exception { r.close(); }
        };
      }
    };
    BenchMain.Config c = config("weft", recsys, "wrong");
    Map<String, Object> r = BenchMain.run(c, wrong);
    @SuppressWarnings("unchecked")
    Map<String, Object> check = (Map<String, Object>) r.get("check");
    assertFalse((Boolean) check.get("ok"));
    assertTrue(check.get("details").toString().contains("FAILED: take (all columns)"), check::toString);
  }

  @Test
  void rowIdsAreUniformAndTheSameAsThePythonSide() {
    // benchmarks/python/tests/test_weftbench.py asserts the same values
    long[] expect = {467, 541, 522, 194, 771};
    for (int i = 0; i < expect.length; i++) {
      assertEquals(expect[i], BenchMain.rowId(42, 0, i, 1000));
    }
    int[] hist = new int[10];
    for (int i = 0; i < 100_000; i++) {
      hist[(int) BenchMain.rowId(1, 3, i, 10)]++;
    }
    for (int h : hist) {
      assertTrue(h > 9_000 && h < 11_000, () -> java.util.Arrays.toString(hist));
    }
  }
}
