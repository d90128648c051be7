package dev.weft.reader.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.WeftFormat;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.testdata.ArrowAssert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Reads every golden file under {@code format-spec/golden/v<major>.<minor>/} with the current
 * reader and compares it with the folder's {@code expected.json} (Arrow JSON integration format).
 * Every format version ever released keeps being read; see {@code format-spec/golden/README.md}.
 */
class GoldenFileTest {
  private static final Pattern VERSION_FOLDER = Pattern.compile("v(\\d+)\\.(\\d+)");

  static List<Path> versionFolders() throws IOException {
    Path root = GoldenFiles.goldenRoot();
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      s.filter(Files::isDirectory).sorted().forEach(out::add);
    }
    return out;
  }

  @Test
  void goldenFolderOfTheCurrentVersionExists() throws IOException {
    Path root = GoldenFiles.goldenRoot();
    assertTrue(Files.isDirectory(root), "no golden folder at " + root.toAbsolutePath());
    Path current = GoldenFiles.currentVersionFolder(root);
    assertTrue(Files.isRegularFile(current.resolve(GoldenFiles.DATA_FILE)),
        "the format version this library writes has no golden file: run the generator (see "
            + root.resolve("README.md") + ") to create " + current);
    for (Path folder : versionFolders()) {
      String name = folder.getFileName().toString();
      assertTrue(VERSION_FOLDER.matcher(name).matches(), "golden folder " + folder + " is not named v<major>.<minor>");
      assertTrue(Files.isRegularFile(folder.resolve(GoldenFiles.DATA_FILE)), folder + " lacks " + GoldenFiles.DATA_FILE);
      assertTrue(Files.isRegularFile(folder.resolve(GoldenFiles.EXPECTED_FILE)),
          folder + " lacks " + GoldenFiles.EXPECTED_FILE);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyGoldenFileReads() throws IOException {
    return versionFolders().stream()
        .filter(f -> VERSION_FOLDER.matcher(f.getFileName().toString()).matches())
        .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> checkFolder(f)));
  }

  private static void checkFolder(Path folder) throws IOException {
    Matcher m = VERSION_FOLDER.matcher(folder.getFileName().toString());
    assertTrue(m.matches());
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    assertTrue(major <= WeftFormat.VERSION_MAJOR_CURRENT, "golden file of a newer major version " + folder);
    Path data = folder.resolve(GoldenFiles.DATA_FILE);
    try (BufferAllocator allocator = new RootAllocator()) {
      List<VectorSchemaRoot> expected = GoldenFiles.readJson(folder.resolve(GoldenFiles.EXPECTED_FILE), allocator);
      try (WeftReader r = WeftReader.open(data, allocator)) {
        assertEquals(major + "." + minor, r.formatVersion(), "format version of " + data);
        assertFalse(expected.isEmpty(), "no batch in " + GoldenFiles.EXPECTED_FILE);
        ArrowAssert.assertSchemaEquals(expected.get(0).getSchema(), r.schema());
        ArrowAssert.assertSchemaEquals(expected.get(0).getSchema(), r.schema(null));
        long total = 0;
        long[] firstRow = new long[expected.size()];
        for (int b = 0; b < expected.size(); b++) {
          firstRow[b] = total;
          total += expected.get(b).getRowCount();
        }
        assertEquals(total, r.numRows(), "rows of " + data);
        assertTrue(r.rowGroups().size() >= 2, "a golden file has several row groups: " + r.rowGroups());
        if (major >= WeftFormat.VERSION_MAJOR_ENCODINGS) {
          Set<String> used = GoldenFiles.encodingsUsed(r);
          assertTrue(used.containsAll(GoldenFiles.ENCODINGS_V2), "golden file " + data + " uses encodings " + used
              + ", not all of " + GoldenFiles.ENCODINGS_V2);
          if (major >= WeftFormat.VERSION_MAJOR_FSST) {
            assertTrue(used.containsAll(GoldenFiles.ENCODINGS_V3), "golden file " + data + " uses encodings " + used
                + ", not all of " + GoldenFiles.ENCODINGS_V3);
          }
          if (major >= WeftFormat.VERSION_MAJOR_UP_BYTES) {
            assertTrue(used.containsAll(GoldenFiles.ENCODINGS_V4), "golden file " + data + " uses encodings " + used
                + ", not all of " + GoldenFiles.ENCODINGS_V4);
          }
        }
        assertEquals(expected.get(0).getFieldVectors().size(), r.numColumns());
        for (int c = 0; c < r.numColumns(); c++) {
          String name = expected.get(0).getVector(c).getName();
          assertEquals(name, r.columnName(c));
          assertEquals(c, r.columnIndex(name));
        }

        if (WeftFormat.hasIndex(major, minor)) {
          checkIndex(r, expected);
        }

        // Full scans with several batch sizes, each batch compared across JSON batch boundaries.
        for (int batchSize : new int[] {(int) Math.max(1, total), 7, 1}) {
          long row = 0;
          try (WeftScanner s = r.scan(null, batchSize)) {
            while (s.hasNext()) {
              try (VectorSchemaRoot got = s.next()) {
                compareRange(expected, firstRow, row, got);
                row += got.getRowCount();
              }
            }
          }
          assertEquals(total, row, "rows scanned with batch size " + batchSize);
        }

        // Every row by take, in random order (with a repeat), one JSON batch at a time.
        Random rnd = new Random(42);
        for (int b = 0; b < expected.size(); b++) {
          int n = expected.get(b).getRowCount();
          int[] rows = new int[n + (n > 0 ? 1 : 0)];
          for (int i = 0; i < n; i++) {
            rows[i] = i;
          }
          for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = rows[i];
            rows[i] = rows[j];
            rows[j] = t;
          }
          if (n > 0) {
            rows[n] = rows[0];
          }
          long[] ids = new long[rows.length];
          for (int i = 0; i < rows.length; i++) {
            ids[i] = firstRow[b] + rows[i];
          }
          try (VectorSchemaRoot got = r.take(ids, null)) {
            ArrowAssert.assertRowsEqual(expected.get(b), rows, got);
          }
          // And each column alone.
          for (FieldVector v : expected.get(b).getFieldVectors()) {
            try (VectorSchemaRoot got = r.take(ids, List.of(v.getName()))) {
              ArrowAssert.assertRowsEqual(expected.get(b), rows, got);
            }
          }
        }
      } finally {
        expected.forEach(VectorSchemaRoot::close);
      }
    }
  }

  /**
   * 2.1: every column has zone maps; null counts through them equal the data's; the golden file's
   * bloom filters (GoldenFiles.BLOOM_COLUMNS) exist and hold every value of their column.
   */
  private static void checkIndex(WeftReader r, List<VectorSchemaRoot> expected) throws IOException {
    for (int c = 0; c < r.numColumns(); c++) {
      String name = r.columnName(c);
      assertTrue(r.zoneMaps(name) != null, "golden 2.1 column '" + name + "' has zone maps");
      long nulls = 0;
      for (VectorSchemaRoot b : expected) {
        nulls += b.getVector(c).getNullCount();
      }
      assertEquals(nulls, r.count(dev.weft.index.Expr.isNull(dev.weft.index.Expr.col(name))), "nulls of " + name);
    }
    for (String name : GoldenFiles.BLOOM_COLUMNS) {
      assertTrue(r.bloomFilters(name) != null, "golden 2.1 column '" + name + "' has bloom filters");
    }
    assertEquals(0, r.stats().indexFallbacks());
  }

  /** Compares a scanned batch starting at file row {@code row} with the JSON batches. */
  private static void compareRange(List<VectorSchemaRoot> expected, long[] firstRow, long row, VectorSchemaRoot got) {
    int done = 0;
    while (done < got.getRowCount()) {
      long fileRow = row + done;
      int b = expected.size() - 1;
      while (firstRow[b] > fileRow) {
        b--;
      }
      VectorSchemaRoot e = expected.get(b);
      int start = (int) (fileRow - firstRow[b]);
      int n = Math.min(got.getRowCount() - done, e.getRowCount() - start);
      for (int c = 0; c < e.getFieldVectors().size(); c++) {
        FieldVector ev = e.getVector(c);
        ArrowAssert.assertVectorRangeEquals(ev, start, got.getVector(c), done, n, ev.getName());
      }
      done += n;
    }
  }

  /**
   * Writes the golden folder of the current format version when run with {@code
   * -Dweft.golden.regenerate=true}. It refuses to overwrite an existing folder.
   */
  @Test
  @EnabledIfSystemProperty(named = "weft.golden.regenerate", matches = "true")
  void generateGoldenFilesOfCurrentVersion() throws IOException {
    GoldenFiles.main(new String[0]);
  }
}
