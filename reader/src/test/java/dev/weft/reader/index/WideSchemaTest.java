package dev.weft.reader.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 10,000-column file: opening it and projecting 10 columns reads the footer, the name index
 * root, one chunk of 32 names per column and the 10 columns' metadata, not the column directory
 * (which holds every column's entry and name) nor the other columns' metadata.
 */
class WideSchemaTest {
  @TempDir static Path dir;
  static Path file;

  static final int COLUMNS = 10_000;
  static final int ROWS = 100;

  static Path write(Path dir) throws Exception {
    return write(dir, ROWS);
  }

  /** 10,000 float32 columns: column c, row r holds c + r / 1000. */
  static Path write(Path dir, int rows) throws Exception {
    Path p = dir.resolve("wide.weft");
    List<Field> fields = new ArrayList<>();
    for (int c = 0; c < COLUMNS; c++) {
      fields.add(Field.nullable(String.format("f%05d", c), new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)));
    }
    Schema schema = new Schema(fields);
    try (BufferAllocator a = new RootAllocator(); VectorSchemaRoot root = VectorSchemaRoot.create(schema, a)) {
      root.allocateNew();
      for (int c = 0; c < COLUMNS; c++) {
        Float4Vector v = (Float4Vector) root.getVector(c);
        for (int r = 0; r < rows; r++) {
          v.set(r, c + r / 1000f);
        }
      }
      root.setRowCount(rows);
      try (WeftWriter w = WeftWriter.open(p, schema, WriterOptions.defaults())) {
        w.write(root);
      }
    }
    return p;
  }

  @org.junit.jupiter.api.BeforeAll
  static void writeOnce() throws Exception {
    file = write(dir);
  }

  @Test
  void openAndProjectTenOfTenThousandColumnsReadsLittleMetadata() throws Exception {
    Path p = file;
    List<String> projection = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      projection.add(String.format("f%05d", i * 997));
    }
    try (WeftReader r = WeftReader.open(p)) {
      long open = r.stats().metadataBytesRead();
      assertEquals(projection.size(), r.schema(projection).getFields().size());
      long opened = r.stats().bytesRead();
      try (WeftScanner s = r.scan(projection, ROWS); VectorSchemaRoot b = s.next()) {
        assertEquals(ROWS, b.getRowCount());
        assertEquals(997 * 3 + 5 / 1000f, ((Float4Vector) b.getVector(3)).get(5), 1e-3);
      }
      System.out.printf("WideSchemaTest: open %d B, open+project 10 of %d columns %d B metadata%n", open, COLUMNS,
          opened);
      // the directory alone is 16 + 4 + 4 + 6 bytes per column = 300,000 bytes
      assertTrue(opened < 48 * 1024, "open + project read " + opened + " bytes of metadata");
      assertEquals(0, r.stats().indexFallbacks());
    }
  }

  @Test
  void everyColumnIsFoundByName() throws Exception {
    Path p = file;
    try (WeftReader r = WeftReader.open(p)) {
      for (int c = 0; c < COLUMNS; c += 37) {
        assertEquals(c, r.columnIndex(String.format("f%05d", c)));
      }
      assertEquals(COLUMNS - 1, r.columnIndex(String.format("f%05d", COLUMNS - 1)));
      assertEquals(-1, r.columnIndex("f"));
      assertEquals(-1, r.columnIndex("g"));
      assertEquals(-1, r.columnIndex(""));
      assertEquals(-1, r.columnIndex("f99999"));
    }
  }

}
