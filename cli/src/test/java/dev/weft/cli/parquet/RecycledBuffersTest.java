package dev.weft.cli.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.cli.convert.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * Batches on recycled buffers ({@link BatchReader.Options#withRecycledBuffers}) against fresh,
 * zero-filled ones: every test file read both ways, with two recycled batches open at a time (as
 * in a conversion: one queued, one being written), so that buffers come back holding an earlier
 * batch's values. Values, nulls and the bytes of fixed-width data (a null's slot is zero either
 * way) are the same, and closing the reader and the batches frees all memory.
 */
class RecycledBuffersTest {
  @Test
  void recycledBatchesEqualFreshOnes() throws Exception {
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("parquet-testing/data", "hyparquet")) {
      try (Stream<Path> s = Files.walk(TestFiles.data(dir))) {
        s.filter(p -> p.toString().endsWith(".parquet")).sorted().forEach(files::add);
      }
    }
    files.add(TestFiles.data("real/flights-3m.parquet"));
    files.add(Path.of(RecycledBuffersTest.class.getResource("/dictionary-fallback.parquet").toURI()));
    long recycled = 0;
    for (Path f : files) {
      int batchRows = f.toString().contains("flights") ? 100_003 : 333;
      try (BufferAllocator alloc = new RootAllocator()) {
        try (ParquetFile pa = ParquetFile.open(f);
             ParquetFile pb = ParquetFile.open(f);
             BatchReader a = pa.batches(null, BatchReader.Options.defaults().withMaxPageBytes(64L << 20));
             BatchReader b = pb.batches(null, BatchReader.Options.defaults().withMaxPageBytes(64L << 20)
                 .withDictionaryIds(new IdArrays()).withRecycledBuffers(true))) {
          recycled += compare(f, a, b, alloc, batchRows);
        } catch (java.io.IOException e) {
          continue; // a file the reader refuses, or corrupt within (the general tests check how)
        }
        assertEquals(0, alloc.getAllocatedMemory(), f::toString);
      }
    }
    assertTrue(recycled > 30, "batches read on recycled buffers: " + recycled);
  }

  private static long compare(Path f, BatchReader a, BatchReader b, BufferAllocator alloc, int batchRows)
      throws Exception {
    Deque<VectorSchemaRoot> open = new ArrayDeque<>();
    long batches = 0;
    try {
      while (true) {
        VectorSchemaRoot x = a.next(batchRows, alloc);
        VectorSchemaRoot y = b.next(batchRows, alloc);
        if (x == null) {
          assertNull(y, f::toString);
          return batches;
        }
        assertNotNull(y, f::toString);
        open.add(y);
        try (x) {
          batches++;
          int n = x.getRowCount();
          assertEquals(n, y.getRowCount(), f::toString);
          for (int c = 0; c < x.getFieldVectors().size(); c++) {
            FieldVector u = x.getVector(c);
            FieldVector v = y.getVector(c);
            String what = f + " column " + u.getName();
            for (int i = 0; i < n; i++) {
              assertEquals(show(u.getObject(i)), show(v.getObject(i)), what + " row " + i);
            }
            if (u instanceof BaseFixedWidthVector fu && v instanceof BaseFixedWidthVector fv && fu.getTypeWidth() > 0) {
              assertTrue(same(fu.getDataBuffer(), fv.getDataBuffer(), (long) n * fu.getTypeWidth()), what + " data");
            }
          }
        }
        while (open.size() > 1) {
          open.poll().close(); // two recycled batches open at a time
        }
      }
    } finally {
      for (VectorSchemaRoot r : open) {
        r.close();
      }
    }
  }

  private static String show(Object x) {
    return x instanceof byte[] bytes ? Arrays.toString(bytes) : String.valueOf(x);
  }

  private static boolean same(ArrowBuf x, ArrowBuf y, long bytes) {
    for (long i = 0; i < bytes; i++) {
      if (x.getByte(i) != y.getByte(i)) {
        return false;
      }
    }
    return true;
  }
}
