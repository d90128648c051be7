package dev.weft.reader.writer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.reader.EncodingColumns;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WriterOptions#threads()}: columns encoded on several threads give the same bytes as on
 * one, within the same memory budget, and a failure on a helper thread aborts cleanly.
 */
class ParallelEncodeTest {
  /** The file id (random) and the header checksum over it, and the footer and tail holding it. */
  private static final int FILE_ID_AT = 8;
  private static final int FILE_ID_LENGTH = 24;
  private static final int TAIL_SLACK = 512;

  @TempDir Path dir;

  private static List<VectorSchemaRoot> batches(BufferAllocator alloc) {
    List<VectorSchemaRoot> out = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      out.add(EncodingColumns.generate(20_000, 0xBEEFL + i, alloc));
    }
    return out;
  }

  private static void write(Path file, Schema schema, List<VectorSchemaRoot> batches, WriterOptions o,
      BufferAllocator parent) throws IOException {
    try (WeftWriter w = WeftWriter.open(file, schema, null, o, parent)) {
      for (VectorSchemaRoot b : batches) {
        w.write(b);
      }
    }
  }

  private static void assertSameBytes(Path a, Path b) throws IOException {
    byte[] x = Files.readAllBytes(a);
    byte[] y = Files.readAllBytes(b);
    assertEquals(x.length, y.length, a + " vs " + b);
    assertArrayEquals(Arrays.copyOfRange(x, 0, FILE_ID_AT), Arrays.copyOfRange(y, 0, FILE_ID_AT));
    int end = Math.max(FILE_ID_AT + FILE_ID_LENGTH, x.length - TAIL_SLACK);
    assertArrayEquals(Arrays.copyOfRange(x, FILE_ID_AT + FILE_ID_LENGTH, end),
        Arrays.copyOfRange(y, FILE_ID_AT + FILE_ID_LENGTH, end), a + " vs " + b);
  }

  @Test
  void anyThreadCountGivesTheSameBytes() throws Exception {
    try (BufferAllocator alloc = new RootAllocator()) {
      List<VectorSchemaRoot> in = batches(alloc);
      try {
        Schema schema = in.get(0).getSchema();
        // a small budget as well: row groups then end by memory, which must not depend on threads
        for (long budget : new long[] {WriterOptions.DEFAULT_MEMORY_BUDGET, 2L << 20}) {
          for (Codec codec : new Codec[] {Codec.ZSTD, Codec.NONE}) {
            Path one = dir.resolve("t1-" + budget + codec + ".weft");
            WriterOptions.Builder b = WriterOptions.builder().memoryBudget(budget).compression(codec)
                .maxRowGroupRows(30_000);
            write(one, schema, in, b.threads(1).build(), alloc);
            for (int t : new int[] {2, 3, 8}) {
              Path many = dir.resolve("t" + t + "-" + budget + codec + ".weft");
              write(many, schema, in, b.threads(t).build(), alloc);
              assertSameBytes(one, many);
            }
          }
        }
      } finally {
        in.forEach(VectorSchemaRoot::close);
      }
    }
  }

  @Test
  void parallelEncodingStaysWithinTheBudget() throws Exception {
    long budget = 4L << 20;
    Schema schema = new Schema(List.of(Field.nullable("id", new ArrowType.Int(32, true)),
        Field.nullable("a", ArrowType.Utf8.INSTANCE), Field.nullable("b", new ArrowType.Int(64, true)),
        Field.nullable("c", ArrowType.Utf8.INSTANCE), Field.nullable("d", new ArrowType.Int(16, true))));
    RandomArrow.Options opts = RandomArrow.Options.builder().nullProbability(0.1).maxStringBytes(200).build();
    Path file = dir.resolve("budget.weft");
    try (RootAllocator parent = new RootAllocator(); RootAllocator data = new RootAllocator()) {
      List<VectorSchemaRoot> in = new ArrayList<>();
      try {
        for (int i = 0; i < 6; i++) {
          in.add(RandomArrow.generate(schema, 16_384, 300 + i, data, opts));
        }
        WriterOptions o = WriterOptions.builder().memoryBudget(budget).compression(Codec.ZSTD).threads(4).build();
        long peak;
        try (WeftWriter w = WeftWriter.open(file, schema, null, o, parent)) {
          for (VectorSchemaRoot b : in) {
            w.write(b);
          }
          w.close();
          peak = w.peakMemory();
        }
        assertTrue(peak <= budget, "writer peak " + peak);
        assertTrue(parent.getPeakMemoryAllocation() <= budget, "parent peak " + parent.getPeakMemoryAllocation());
        assertEquals(0, parent.getAllocatedMemory());
        assertTrue(Files.size(file) > 2 * budget, "file of " + Files.size(file) + " bytes");
        try (WeftReader r = WeftReader.open(file, data); WeftScanner s = r.scan(null, 16_384)) {
          for (VectorSchemaRoot expected : in) {
            try (VectorSchemaRoot got = s.next()) {
              ArrowAssert.assertRootEquals(expected, got);
            }
          }
        }
      } finally {
        in.forEach(VectorSchemaRoot::close);
      }
    }
  }

  /** A value too large for the budget in one of several columns fails clearly on any thread. */
  @Test
  void aFailureOnAnEncodingThreadAbortsCleanly() throws Exception {
    long budget = 4L << 20;
    List<Field> fields = new ArrayList<>();
    for (int c = 0; c < 6; c++) {
      fields.add(Field.nullable("s" + c, ArrowType.Utf8.INSTANCE));
    }
    fields.add(Field.nullable("id", new ArrowType.Int(32, true)));
    Schema schema = new Schema(fields);
    Path file = dir.resolve("fail.weft");
    try (RootAllocator parent = new RootAllocator();
        RootAllocator data = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, data)) {
      int rows = 10;
      for (int c = 0; c < 6; c++) {
        VarCharVector v = (VarCharVector) root.getVector(c);
        v.allocateNew();
        for (int r = 0; r < rows; r++) {
          byte[] b = new byte[c == 4 && r == 5 ? (int) budget : 10];
          Arrays.fill(b, (byte) ('a' + r));
          v.setSafe(r, b);
        }
        v.setValueCount(rows);
      }
      IntVector id = (IntVector) root.getVector(6);
      id.allocateNew(rows);
      for (int r = 0; r < rows; r++) {
        id.set(r, r);
      }
      id.setValueCount(rows);
      root.setRowCount(rows);
      WeftWriter w = WeftWriter.open(file, schema, null,
          WriterOptions.builder().memoryBudget(budget).compression(Codec.ZSTD).threads(4).build(), parent);
      Exception e = assertThrows(Exception.class, () -> {
        w.write(root);
        w.close();
      });
      w.abort();
      assertTrue(e.getMessage() != null && e.getMessage().contains("s4"), "unclear error: " + e);
      assertEquals(0, parent.getAllocatedMemory(), "memory left allocated");
      assertEquals(List.of(), WriterTestSupport.listNames(dir), "files left behind");
    }
  }
}
