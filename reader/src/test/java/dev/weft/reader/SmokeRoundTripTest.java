package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeRoundTripTest {
  @TempDir Path dir;

  @Test
  void allTypesRoundTrip() throws Exception {
    try (BufferAllocator alloc = new RootAllocator()) {
      Schema schema = RandomArrow.allTypesSchema();
      Path file = dir.resolve("a.weft");
      try (VectorSchemaRoot data = RandomArrow.generate(schema, 1000, 42, alloc, 0.2)) {
        try (WeftWriter w = WeftWriter.open(file, schema, WriterOptions.defaults())) {
          w.write(data);
        }
        try (WeftReader r = WeftReader.open(file, alloc)) {
          assertEquals(1000, r.numRows());
          try (WeftScanner s = r.scan(null, 1000); VectorSchemaRoot got = s.next()) {
            ArrowAssert.assertRootEquals(data, got);
          }
          long[] ids = {5, 999, 0, 5, 17};
          try (VectorSchemaRoot got = r.take(ids, null)) {
            ArrowAssert.assertRowsEqual(data, new int[] {5, 999, 0, 5, 17}, got);
          }
        }
      }
    }
  }
}
