package dev.weft.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.weft.format.ColumnDirectory;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Test;

/**
 * {@link FileIndexWriter#encodeColumn}: columns encoded apart (on other threads) and then
 * finished write the same bytes as {@link FileIndexWriter#finish(List, List, NameIndex.Sink)}.
 */
class FileIndexWriterTest {
  private static FileIndexWriter filled(BufferAllocator alloc, List<Field> fields, IndexOptions options) {
    FileIndexWriter ix = new FileIndexWriter(fields, options);
    try (BigIntVector a = new BigIntVector("a", alloc); VarCharVector b = new VarCharVector("b", alloc)) {
      for (int group = 0; group < 3; group++) {
        int n = 10_000;
        a.allocateNew(n);
        b.allocateNew(n);
        for (int i = 0; i < n; i++) {
          if (i % 97 == 0) {
            a.setNull(i);
          } else {
            a.set(i, (long) i * 31 % 1000 - group * 7);
          }
          b.setSafe(i, ("city-" + (i * 13 % 50)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        a.setValueCount(n);
        b.setValueCount(n);
        ix.append(0, a, 0, n);
        ix.append(1, b, 0, n);
        ix.endRowGroup(n);
      }
    }
    return ix;
  }

  private static byte[] written(FileIndexWriter ix, List<FileIndexWriter.EncodedColumn> encoded) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> names = List.of("a", "b");
    List<ColumnDirectory.Entry> metas = List.of(new ColumnDirectory.Entry(8, 100, 1), new ColumnDirectory.Entry(112, 50, 2));
    NameIndex.Sink sink = bytes -> {
      long at = out.size();
      out.write(bytes);
      return at;
    };
    NameIndex.Ref root = encoded == null ? ix.finish(names, metas, sink) : ix.finish(names, metas, encoded, sink);
    out.write(new byte[] {(byte) root.offset(), (byte) root.length()});
    return out.toByteArray();
  }

  @Test
  void columnsEncodedOnOtherThreadsWriteTheSameBytes() throws Exception {
    List<Field> fields = List.of(Field.nullable("a", new org.apache.arrow.vector.types.pojo.ArrowType.Int(64, true)),
        Field.nullable("b", org.apache.arrow.vector.types.pojo.ArrowType.Utf8.INSTANCE));
    IndexOptions withBloom = new IndexOptions(true, 4096, Map.of("b", 0.01), Double.NaN);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (BufferAllocator alloc = new RootAllocator()) {
      for (IndexOptions options : List.of(IndexOptions.defaults(), withBloom)) {
        byte[] expected = written(filled(alloc, fields, options), null);
        FileIndexWriter ix = filled(alloc, fields, options);
        List<Future<FileIndexWriter.EncodedColumn>> parts = new ArrayList<>();
        for (int c = 1; c >= 0; c--) { // the last column first
          int column = c;
          parts.add(0, pool.submit(() -> ix.encodeColumn(column)));
        }
        List<FileIndexWriter.EncodedColumn> encoded = new ArrayList<>();
        for (Future<FileIndexWriter.EncodedColumn> f : parts) {
          encoded.add(f.get());
        }
        assertNotNull(encoded.get(0).zones());
        assertNull(encoded.get(0).blooms());
        assertEquals(options == withBloom, encoded.get(1).blooms() != null);
        assertArrayEquals(expected, written(ix, encoded));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
