package dev.weft.reader.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.index.ColumnBlooms;
import dev.weft.index.Expr;
import dev.weft.index.PredicateParseException;
import dev.weft.index.StatKind;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Zone maps and bloom filters keep ruled-out rows from being read; bad predicates fail before any read. */
class PruningTest {
  @TempDir Path dir;

  static final Schema SCHEMA = new Schema(List.of(
      Field.notNullable("id", new ArrowType.Int(64, true)),
      Field.nullable("x", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
      Field.nullable("city", new ArrowType.Utf8())));

  static final String[] CITIES = {"NYC", "SFO", "LAX", "BOS", "SEA", "CHI", "AUS", "DEN"};

  /** id = row (sorted), x = pseudo-random, city = a random one of 8, plus a rare 'ZRH' at row 77777. */
  static Path write(Path dir, int rows, WriterOptions o) throws Exception {
    Path p = dir.resolve("prune.weft");
    try (BufferAllocator a = new RootAllocator(); VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, a)) {
      root.allocateNew();
      BigIntVector id = (BigIntVector) root.getVector("id");
      Float8Vector x = (Float8Vector) root.getVector("x");
      VarCharVector city = (VarCharVector) root.getVector("city");
      java.util.Random rnd = new java.util.Random(7);
      for (int r = 0; r < rows; r++) {
        id.setSafe(r, r);
        x.setSafe(r, rnd.nextDouble());
        String c = r == 77777 ? "ZRH" : CITIES[rnd.nextInt(CITIES.length)];
        city.setSafe(r, c.getBytes(StandardCharsets.UTF_8));
      }
      root.setRowCount(rows);
      try (WeftWriter w = WeftWriter.open(p, SCHEMA, o)) {
        w.write(root);
      }
    }
    return p;
  }

  static long scanBytes(WeftReader r, Expr e) throws Exception {
    r.stats().reset();
    try (WeftScanner s = e == null ? r.scan(null, 65536) : r.scan(null, e, 65536)) {
      while (s.hasNext()) {
        s.next().close();
      }
    }
    return r.stats().bytesRead();
  }

  @Test
  void selectiveScanOnASortedColumnReadsFewBytes() throws Exception {
    Path p = write(dir, 200_000, WriterOptions.defaults());
    try (WeftReader r = WeftReader.open(p)) {
      long full = scanBytes(r, null);
      Expr onePercent = Expr.and(Expr.ge(Expr.col("id"), Expr.lit(50_000)), Expr.lt(Expr.col("id"), Expr.lit(52_000)));
      r.stats().reset();
      long selected = 0;
      try (WeftScanner s = r.scan(null, onePercent, 4096)) {
        while (s.hasNext()) {
          try (VectorSchemaRoot b = s.next()) {
            selected += b.getRowCount();
          }
        }
      }
      long filtered = r.stats().bytesRead(); // metadata included (zone maps, block tables)
      assertEquals(2000, selected);
      assertEquals(2000, r.count(onePercent));
      assertTrue(filtered <= full * 0.05, "selective scan read " + filtered + " bytes, a full scan " + full);
    }
  }

  @Test
  void bloomFiltersSkipRowGroupsWithoutTheValue() throws Exception {
    Path p = write(dir, 100_000, WriterOptions.builder().maxRowGroupRows(10_000).bloomFilter("city", 0.01).build());
    try (WeftReader r = WeftReader.open(p)) {
      ColumnBlooms b = r.bloomFilters("city");
      assertEquals(10, b.rowGroups().size());
      assertTrue(b.rowGroups().get(7).mightContain(StatKind.BYTES.hash("ZRH".getBytes(StandardCharsets.UTF_8))));
      assertFalse(b.rowGroups().get(0).mightContain(StatKind.BYTES.hash("ZRH".getBytes(StandardCharsets.UTF_8))));
      long full = scanBytes(r, null);
      long one = scanBytes(r, Expr.eq(Expr.col("city"), Expr.lit("ZRH")));
      assertEquals(1, r.count(Expr.eq(Expr.col("city"), Expr.lit("ZRH"))));
      // zone maps cannot help ('ZRH' is above every zone's max only where the zone lacks it; the
      // strings are random), the bloom filter rules out 9 of 10 row groups
      assertTrue(one < full / 5, "equality on a bloom-filtered column read " + one + " of " + full + " bytes");
      assertEquals(0, r.count(Expr.eq(Expr.col("city"), Expr.lit("XXX"))));
      assertEquals(0, r.stats().indexFallbacks());
    }
  }

  @Test
  void badPredicatesFailBeforeAnyDataIsRead() throws Exception {
    Path p = write(dir, 1000, WriterOptions.defaults());
    try (WeftReader r = WeftReader.open(p)) {
      r.stats().reset();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> r.scan(null, "nope = 1", 10));
      assertTrue(e.getMessage().contains("no column 'nope'"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> r.scan(null, "id = 'abc'", 10));
      assertEquals("column 'id' of type int64 cannot be compared with the string 'abc'", e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> r.count(Expr.gt(Expr.col("city"), Expr.lit(3))));
      assertTrue(e.getMessage().contains("cannot be compared with the number 3"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> r.scan(null, "id = x", 10));
      assertTrue(e.getMessage().contains("cannot be compared with column 'x'"), e.getMessage());
      PredicateParseException pe = assertThrows(PredicateParseException.class, () -> r.scan(null, "id >= ", 10));
      assertEquals(6, pe.position());
      assertEquals(0, r.stats().dataBytesRead());
    }
  }
}
