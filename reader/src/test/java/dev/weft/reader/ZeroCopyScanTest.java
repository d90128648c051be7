package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uncompressed fixed-width data without nulls is handed to Arrow as views of the mapped file. */
class ZeroCopyScanTest {
  @TempDir Path dir;

  private static final Schema SCHEMA = new Schema(List.of(
      Field.nullable("id", new ArrowType.Int(64, true)),
      Field.nullable("x", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))));

  private Path write(BufferAllocator alloc, Codec codec, int rows) throws Exception {
    Path file = dir.resolve(codec + ".weft");
    // plain blocks (no encodings): the arithmetic sequences below would otherwise become DELTA/ALP
    try (WeftWriter w = WeftWriter.open(file, SCHEMA,
        WriterOptions.builder().compression(codec).encodings(false).build());
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, alloc)) {
      BigIntVector id = (BigIntVector) root.getVector(0);
      Float4Vector x = (Float4Vector) root.getVector(1);
      for (int i = 0; i < rows; i++) {
        id.setSafe(i, i * 3L);
        x.setSafe(i, i * 0.5f);
      }
      root.setRowCount(rows);
      w.write(root);
    }
    return file;
  }

  @Test
  void uncompressedScanIsZeroCopyAndOutlivesTheReader() throws Exception {
    int rows = 100_000;
    try (BufferAllocator alloc = new RootAllocator()) {
      Path file = write(alloc, Codec.NONE, rows);
      List<VectorSchemaRoot> batches = new ArrayList<>();
      try (WeftReader r = WeftReader.open(file, alloc); WeftScanner s = r.scan(null, 1000)) {
        while (s.hasNext()) {
          batches.add(s.next());
        }
        assertTrue(r.stats().zeroCopyBuffers() > 0, r.stats().toString());
      }
      // the reader is closed; the views must still hold the right values
      long row = 0;
      for (VectorSchemaRoot b : batches) {
        BigIntVector id = (BigIntVector) b.getVector(0);
        Float4Vector x = (Float4Vector) b.getVector(1);
        for (int i = 0; i < b.getRowCount(); i++, row++) {
          assertEquals(row * 3L, id.get(i));
          assertEquals(row * 0.5f, x.get(i));
        }
        b.close();
      }
      assertEquals(rows, row);
    }
  }

  @Test
  void compressedScanCopies() throws Exception {
    try (BufferAllocator alloc = new RootAllocator()) {
      Path file = write(alloc, Codec.ZSTD, 50_000);
      try (WeftReader r = WeftReader.open(file, alloc); WeftScanner s = r.scan(null, 4096)) {
        while (s.hasNext()) {
          s.next().close();
        }
        assertEquals(0, r.stats().zeroCopyBuffers());
      }
    }
  }
}
