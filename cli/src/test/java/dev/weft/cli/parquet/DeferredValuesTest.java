package dev.weft.cli.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.cli.convert.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * Strings left in the dictionary ({@link BatchReader.Options#withDeferredValues}) against the
 * general path they replace: every test file read both ways, batch by batch. A deferred batch
 * has the same validity, offsets and ids as the general read, and each non-null row's value is
 * its id's dictionary entry; a batch that is not deferred is the same as the general read (also
 * one whose chunk falls back from dictionary to PLAIN pages within it, whose first rows were
 * read without their bytes and then got them).
 */
class DeferredValuesTest {
  @Test
  void deferredBatchesHoldTheSameValues() throws Exception {
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("parquet-testing/data", "hyparquet")) {
      try (Stream<Path> s = Files.walk(TestFiles.data(dir))) {
        s.filter(p -> p.toString().endsWith(".parquet")).sorted().forEach(files::add);
      }
    }
    files.add(TestFiles.data("real/flights-3m.parquet"));
    // written by pyarrow with a tiny dictionary page limit: its chunks fall back to PLAIN pages, with nulls
    Path fallback = Path.of(DeferredValuesTest.class.getResource("/dictionary-fallback.parquet").toURI());
    files.add(fallback);
    long[] counts = new long[3]; // deferred batches, deferred rows, batches that fell back within
    for (Path f : files) {
      int batchRows = f.toString().contains("flights") ? 100_003 : 777;
      long[] mine = new long[3];
      try (BufferAllocator alloc = new RootAllocator();
           ParquetFile pa = ParquetFile.open(f);
           ParquetFile pb = ParquetFile.open(f);
           BatchReader a = pa.batches(null, BatchReader.Options.defaults().withMaxPageBytes(64L << 20)
               .withDictionaryIds(new IdArrays()));
           BatchReader b = pb.batches(null, BatchReader.Options.defaults().withMaxPageBytes(64L << 20)
               .withDictionaryIds(new IdArrays()).withDeferredValues(true))) {
        compare(f, a, b, alloc, batchRows, mine);
      } catch (java.io.IOException e) {
        continue; // a file the reader refuses, or corrupt within (the general tests check how)
      }
      if (f.equals(fallback)) {
        assertTrue(mine[0] > 0 && mine[2] > 0, "fallback file: deferred batches " + mine[0]
            + ", batches that fell back within " + mine[2]);
      }
      for (int i = 0; i < 3; i++) {
        counts[i] += mine[i];
      }
    }
    assertTrue(counts[1] > 6_000_000, "deferred rows: " + counts[1]); // flights' two string columns at least
  }

  private static void compare(Path f, BatchReader a, BatchReader b, BufferAllocator alloc, int batchRows,
      long[] counts) throws Exception {
    while (true) {
      VectorSchemaRoot x = a.next(batchRows, alloc);
      VectorSchemaRoot y = b.next(batchRows, alloc);
      if (x == null) {
        assertNull(y, f::toString);
        return;
      }
      assertNotNull(y, f::toString);
      try (x; y) {
        assertEquals(x.getRowCount(), y.getRowCount(), f::toString);
        DictionaryIds[] xi = a.dictionaryIds();
        DictionaryIds[] yi = b.dictionaryIds();
        for (int c = 0; c < xi.length; c++) {
          FieldVector u = x.getVector(c);
          FieldVector v = y.getVector(c);
          String what = f + " column " + u.getName();
          assertEquals(xi[c] == null, yi[c] == null, what);
          int n = x.getRowCount();
          if (xi[c] != null) {
            assertArrayEquals(Arrays.copyOf(xi[c].ids(), n), Arrays.copyOf(yi[c].ids(), n), what + " ids");
            assertNull(xi[c].valueBytes(), what);
          }
          if (yi[c] == null || !yi[c].deferred()) {
            assertEquals(u.getBufferSize(), v.getBufferSize(), what);
            for (int i = 0; i < n; i++) {
              assertEquals(show(u.getObject(i)), show(v.getObject(i)), what + " row " + i);
            }
            if (yi[c] != null && mixed(yi[c].ids(), v, n)) {
              counts[2]++;
            }
            continue;
          }
          counts[0]++;
          counts[1] += n;
          assertEquals(u.getBufferSize(), v.getBufferSize(), what + " (deferred)");
          boolean large = u instanceof BaseLargeVariableWidthVector;
          assertTrue(large || u instanceof BaseVariableWidthVector, what);
          int ow = large ? 8 : 4;
          assertEquals(0, compare(u.getOffsetBuffer(), v.getOffsetBuffer(), (long) (n + 1) * ow), what + " offsets");
          assertEquals(0, compare(u.getValidityBuffer(), v.getValidityBuffer(), (n + 7) / 8), what + " validity");
          byte[] db = yi[c].valueBytes();
          int[] ds = yi[c].valueStarts();
          for (int i = 0; i < n; i++) {
            int id = yi[c].ids()[i];
            if (u.isNull(i)) {
              assertEquals(-1, id, what + " row " + i);
              continue;
            }
            assertTrue(id >= 0, what + " row " + i + ": a deferred row without an id");
            byte[] expected = (byte[]) (u instanceof BaseLargeVariableWidthVector l ? l.get(i)
                : ((BaseVariableWidthVector) u).get(i));
            assertArrayEquals(expected, Arrays.copyOfRange(db, ds[id], ds[id + 1]), what + " row " + i);
          }
        }
      }
    }
  }

  /** Whether a batch has both rows with ids and non-null rows without (dictionary and PLAIN pages). */
  private static boolean mixed(int[] ids, FieldVector v, int n) {
    boolean with = false;
    boolean without = false;
    for (int i = 0; i < n; i++) {
      if (ids[i] >= 0) {
        with = true;
      } else if (!v.isNull(i)) {
        without = true;
      }
    }
    return with && without;
  }

  private static String show(Object x) {
    return x instanceof byte[] bytes ? Arrays.toString(bytes) : String.valueOf(x);
  }

  private static int compare(ArrowBuf x, ArrowBuf y, long bytes) {
    for (long i = 0; i < bytes; i++) {
      if (x.getByte(i) != y.getByte(i)) {
        return 1;
      }
    }
    return 0;
  }
}
