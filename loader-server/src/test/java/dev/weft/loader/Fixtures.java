package dev.weft.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** Writes small Weft datasets with known contents for the tests. */
final class Fixtures {
  private Fixtures() {}

  /** Tiny blocks, pages and row groups, so a few hundred rows span many of each. */
  static WriterOptions small() {
    return WriterOptions.builder().miniBlockBytes(512).valuesPerMiniBlock(16).targetPageBytes(2048)
        .maxRowGroupRows(41).build();
  }

  /** A flat schema: an int64 id, an int32, a float64, a utf8 and a bool column. */
  static Schema simpleSchema() {
    return new Schema(List.of(
        Field.nullable("id", new ArrowType.Int(64, true)),
        Field.nullable("i32", new ArrowType.Int(32, true)),
        Field.nullable("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
        Field.nullable("name", ArrowType.Utf8.INSTANCE),
        new Field("flag", FieldType.nullable(ArrowType.Bool.INSTANCE), null)));
  }

  /** Writes {@code data} to {@code file}. */
  static void write(Path file, VectorSchemaRoot data, WriterOptions options, BufferAllocator alloc)
      throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (WeftWriter w = WeftWriter.open(file, data.getSchema(), null, options, alloc)) {
      w.write(data);
    }
  }

  /** The data of a multi-file dataset: one generated root per file; closes them. */
  static final class Expected implements AutoCloseable {
    final List<VectorSchemaRoot> files = new ArrayList<>();
    final List<Path> paths = new ArrayList<>();
    final List<Long> starts = new ArrayList<>();
    long numRows;

    /** Generates {@code rows} rows, writes them to {@code file} and remembers them. */
    Expected add(Path file, Schema schema, int rows, long seed, WriterOptions options, BufferAllocator alloc)
        throws IOException {
      VectorSchemaRoot root = RandomArrow.generate(schema, rows, seed, alloc, 0.15);
      files.add(root);
      write(file, root, options, alloc);
      paths.add(file);
      starts.add(numRows);
      numRows += rows;
      return this;
    }

    int fileOf(long global) {
      int f = 0;
      while (f + 1 < starts.size() && (starts.get(f + 1) <= global)) {
        f++;
      }
      while (files.get(f).getRowCount() == 0 || starts.get(f) + files.get(f).getRowCount() <= global) {
        f++;
      }
      return f;
    }

    /** Asserts that row i of {@code actual} is global row {@code ids[i]}, column by column. */
    void assertRows(long[] ids, VectorSchemaRoot actual) {
      assertEquals(ids.length, actual.getRowCount(), "row count");
      if (files.size() == 1) {
        int[] rows = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
          rows[i] = Math.toIntExact(ids[i]);
        }
        ArrowAssert.assertRowsEqual(files.get(0), rows, actual);
        return;
      }
      for (int i = 0; i < ids.length; i++) {
        int f = fileOf(ids[i]);
        int local = Math.toIntExact(ids[i] - starts.get(f));
        for (FieldVector av : actual.getFieldVectors()) {
          FieldVector ev = files.get(f).getVector(av.getName());
          ArrowAssert.assertVectorRangeEquals(ev, local, av, i, 1,
              av.getName() + " (output row " + i + " = global row " + ids[i] + ")");
        }
      }
    }

    @Override
    public void close() {
      for (VectorSchemaRoot r : files) {
        r.close();
      }
    }
  }
}
