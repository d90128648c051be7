package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WeftScanner#loadNextBatch(VectorSchemaRoot)} and {@link WeftScanner#loadNextBatch()}: batches
 * loaded into one root, its buffers reused, hold exactly what {@code next()} returns, whatever the
 * batch sizes before (larger, smaller), with nulls, zero-copy views and buffers the caller took
 * away; and {@code next()} keeps working beside them.
 */
class ReusedBatchTest {
  private static final long SEED = RoundTripTest.BASE_SEED ^ 0x2E05EL;

  @TempDir Path dir;

  private static void write(Path file, VectorSchemaRoot data, WriterOptions options) throws Exception {
    try (WeftWriter w = WeftWriter.open(file, data.getSchema(), options)) {
      w.write(data);
    }
  }

  /** Scans all of {@code r} into {@code root} in batches of {@code batch} rows, comparing each with {@code data}. */
  private static void assertReusedScanEquals(WeftReader r, VectorSchemaRoot root, VectorSchemaRoot data, int batch,
      String ctx) throws Exception {
    long row = 0;
    try (WeftScanner s = r.scan(null, batch)) {
      while (s.loadNextBatch(root)) {
        int from = (int) row;
        int[] rows = IntStream.range(from, from + root.getRowCount()).toArray();
        try {
          ArrowAssert.assertRowsEqual(data, rows, root);
        } catch (AssertionError e) {
          throw new AssertionError(ctx + ", batch of " + batch + " at row " + from + ": " + e.getMessage(), e);
        }
        row += root.getRowCount();
      }
      assertFalse(s.loadNextBatch(root), ctx + ": a finished scan loads nothing");
    }
    assertEquals(data.getRowCount(), row, ctx + ": rows scanned");
  }

  @Test
  void everyTypeLoadsIntoOneRootAcrossScansAndBatchSizes() throws Exception {
    Schema schema = RandomArrow.allTypesSchema();
    try (BufferAllocator alloc = new RootAllocator();
        VectorSchemaRoot data = RandomArrow.generate(schema, 9000, SEED, alloc, 0.2)) {
      for (Codec codec : Codec.values()) {
        Path file = dir.resolve("all-" + codec + ".weft");
        write(file, data, WriterOptions.builder().compression(codec).build());
        try (WeftReader r = WeftReader.open(file, alloc);
            VectorSchemaRoot root = VectorSchemaRoot.create(r.schema(null), alloc)) {
          // one batch, then smaller ones into the larger buffers, then larger ones again
          for (int batch : new int[] {65536, 1000, 333, 4500}) {
            assertReusedScanEquals(r, root, data, batch, codec.toString());
          }
        }
        // a reader per scan, the root kept (the benchmark's cold scan)
        try (VectorSchemaRoot root = VectorSchemaRoot.create(RandomArrow.allTypesSchema(), alloc)) {
          for (int k = 0; k < 2; k++) {
            try (WeftReader r = WeftReader.open(file, alloc)) {
              assertReusedScanEquals(r, root, data, 4096, codec + " new reader " + k);
            }
          }
        }
      }
    }
  }

  private static VectorSchemaRoot images(BufferAllocator alloc, int rows, int width) {
    Schema schema = new Schema(List.of(Field.notNullable("image", new ArrowType.FixedSizeBinary(width)),
        Field.nullable("label", new ArrowType.Int(8, true))));
    VectorSchemaRoot data = VectorSchemaRoot.create(schema, alloc);
    FixedSizeBinaryVector img = (FixedSizeBinaryVector) data.getVector("image");
    TinyIntVector label = (TinyIntVector) data.getVector("label");
    img.allocateNew(rows);
    label.allocateNew(rows);
    Random rnd = new Random(SEED);
    byte[] v = new byte[width];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < width; j++) {
        v[j] = (byte) (j % 7 == 0 ? rnd.nextInt(256) : (i + j) / 3);
      }
      img.set(i, v);
      if (i % 11 == 3) {
        label.setNull(i);
      } else {
        label.set(i, (byte) (i % 10));
      }
    }
    data.setRowCount(rows);
    return data;
  }

  @Test
  void wideValuesReuseTheirBufferAndTransferredBuffersAreLeftAlone() throws Exception {
    int rows = 3000;
    try (BufferAllocator alloc = new RootAllocator(); VectorSchemaRoot data = images(alloc, rows, 784)) {
      Path file = dir.resolve("images.weft");
      write(file, data, WriterOptions.builder().compression(Codec.ZSTD).build());
      try (WeftReader r = WeftReader.open(file, alloc);
          VectorSchemaRoot root = VectorSchemaRoot.create(r.schema(null), alloc)) {
        List<Long> addresses = new ArrayList<>();
        try (WeftScanner s = r.scan(null, 1000)) {
          while (s.loadNextBatch(root)) {
            addresses.add(((FixedSizeBinaryVector) root.getVector("image")).getDataBuffer().memoryAddress());
          }
        }
        assertEquals(3, addresses.size());
        assertEquals(addresses.get(0), addresses.get(1), "the second batch reuses the first one's buffer");
        assertEquals(addresses.get(0), addresses.get(2), "the third batch reuses it too");

        // the caller takes the first batch's image vector away: the next batch must not write into it
        FixedSizeBinaryVector kept = new FixedSizeBinaryVector(Field.notNullable("image",
            new ArrowType.FixedSizeBinary(784)), alloc);
        try (WeftScanner s = r.scan(null, 1000)) {
          assertTrue(s.loadNextBatch(root));
          byte[] first = ((FixedSizeBinaryVector) root.getVector("image")).get(5);
          TransferPair tp = root.getVector("image").makeTransferPair(kept);
          tp.transfer();
          long keptAddress = kept.getDataBuffer().memoryAddress();
          assertTrue(s.loadNextBatch(root));
          ArrowAssert.assertRowsEqual(data, IntStream.range(1000, 2000).toArray(), root);
          assertArrayEquals(first, kept.get(5), "a transferred buffer keeps its values");
          assertTrue(keptAddress != ((FixedSizeBinaryVector) root.getVector("image")).getDataBuffer().memoryAddress());
        } finally {
          kept.close();
        }
      }
    }
  }

  /**
   * A root of a child allocator still loads every batch right (its buffers are not reused) and
   * nothing leaks; a root under another root allocator, which Arrow cannot hand buffers to, is
   * refused before anything is read.
   */
  @Test
  void rootOfAnotherAllocator() throws Exception {
    try (BufferAllocator alloc = new RootAllocator(); VectorSchemaRoot data = images(alloc, 2500, 400)) {
      Path file = dir.resolve("other.weft");
      write(file, data, WriterOptions.builder().compression(Codec.ZSTD).build());
      try (BufferAllocator child = alloc.newChildAllocator("child", 0, Long.MAX_VALUE)) {
        try (WeftReader r = WeftReader.open(file, alloc);
            VectorSchemaRoot root = VectorSchemaRoot.create(r.schema(null), child)) {
          assertReusedScanEquals(r, root, data, 1000, "a child allocator");
          assertReusedScanEquals(r, root, data, 700, "a child allocator, again");
        }
        assertEquals(0, child.getAllocatedMemory());
      }
      try (BufferAllocator other = new RootAllocator();
          WeftReader r = WeftReader.open(file, alloc);
          WeftScanner s = r.scan(null, 1000);
          VectorSchemaRoot root = VectorSchemaRoot.create(r.schema(null), other)) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.loadNextBatch(root));
        assertTrue(e.getMessage().contains("root allocator"), e.getMessage());
        assertTrue(s.hasNext(), "nothing was read");
        try (VectorSchemaRoot first = s.next()) {
          ArrowAssert.assertRowsEqual(data, IntStream.range(0, 1000).toArray(), first);
        }
      }
    }
  }

  @Test
  void scannerOwnedRootAndNextWorkSideBySide() throws Exception {
    int rows = 2500;
    try (BufferAllocator alloc = new RootAllocator(); VectorSchemaRoot data = images(alloc, rows, 300)) {
      for (Codec codec : Codec.values()) {
        Path file = dir.resolve("mixed-" + codec + ".weft");
        write(file, data, WriterOptions.builder().compression(codec).build());
        try (WeftReader r = WeftReader.open(file, alloc)) {
          try (WeftScanner s = r.scan(null, 1000)) {
            assertNull(s.getVectorSchemaRoot());
            assertTrue(s.loadNextBatch());
            VectorSchemaRoot own = s.getVectorSchemaRoot();
            ArrowAssert.assertRowsEqual(data, IntStream.range(0, 1000).toArray(), own);
            try (VectorSchemaRoot b = s.next()) { // next() between loads: a root of its own
              ArrowAssert.assertRowsEqual(data, IntStream.range(1000, 2000).toArray(), b);
              assertTrue(s.loadNextBatch());
              assertTrue(own == s.getVectorSchemaRoot());
              ArrowAssert.assertRowsEqual(data, IntStream.range(2000, 2500).toArray(), own);
              ArrowAssert.assertRowsEqual(data, IntStream.range(1000, 2000).toArray(), b);
            }
            assertFalse(s.loadNextBatch());
          }
          // a filtered scan loads into a root too
          try (WeftScanner s = r.scan(null, "label >= 4 AND label < 5", 100);
              VectorSchemaRoot root = VectorSchemaRoot.create(r.schema(null), alloc)) {
            int n = 0;
            while (s.loadNextBatch(root)) {
              for (int i = 0; i < root.getRowCount(); i++) {
                assertEquals(4, ((TinyIntVector) root.getVector("label")).get(i));
                assertArrayEquals(((FixedSizeBinaryVector) data.getVector("image")).get((int) s.rowId(i)),
                    ((FixedSizeBinaryVector) root.getVector("image")).get(i));
              }
              n += root.getRowCount();
            }
            assertEquals(IntStream.range(0, rows).filter(i -> i % 11 != 3 && i % 10 == 4).count(), n);
          }
          // a root of another schema is refused before anything is read
          try (WeftScanner s = r.scan(List.of("label"), 1000);
              VectorSchemaRoot wrong = VectorSchemaRoot.create(r.schema(null), alloc)) {
            assertThrows(IllegalArgumentException.class, () -> s.loadNextBatch(wrong));
          }
        }
      }
    }
  }
}
