package dev.weft.reader.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.index.ColumnZones;
import dev.weft.index.StatKind;
import dev.weft.index.ZoneStats;
import dev.weft.reader.WeftReader;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Zone maps (format 2.1): per file, row group and zone, for numbers, dates, decimals and strings. */
class ZoneMapTest {
  @TempDir Path dir;

  static final Schema SCHEMA = new Schema(List.of(
      Field.nullable("i", new ArrowType.Int(32, true)),
      Field.nullable("d", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
      Field.nullable("s", new ArrowType.Utf8()),
      Field.nullable("day", new ArrowType.Date(DateUnit.DAY)),
      Field.nullable("dec", new ArrowType.Decimal(10, 2, 128))));

  /** Row r: i = r (null every 10th), d = r/2 (NaN at r%7==3, -0.0 at 0), s = 'k' + r padded, long at 5. */
  static Path write(Path dir, int rows, WriterOptions options) throws Exception {
    Path p = dir.resolve("z.weft");
    try (BufferAllocator a = new RootAllocator(); VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, a)) {
      root.allocateNew();
      IntVector i = (IntVector) root.getVector("i");
      Float8Vector d = (Float8Vector) root.getVector("d");
      VarCharVector s = (VarCharVector) root.getVector("s");
      DateDayVector day = (DateDayVector) root.getVector("day");
      DecimalVector dec = (DecimalVector) root.getVector("dec");
      for (int r = 0; r < rows; r++) {
        if (r % 10 != 9) {
          i.setSafe(r, r);
        }
        d.setSafe(r, r % 7 == 3 ? Double.NaN : r == 0 ? -0.0 : r / 2.0);
        String str = r == 5 ? "z".repeat(100) : String.format("k%05d", r);
        s.setSafe(r, str.getBytes(StandardCharsets.UTF_8));
        day.setSafe(r, 19000 + r);
        dec.setSafe(r, new BigDecimal(BigInteger.valueOf(r - 50), 2));
      }
      root.setRowCount(rows);
      try (WeftWriter w = WeftWriter.open(p, SCHEMA, options)) {
        w.write(root);
      }
    }
    return p;
  }

  @Test
  void zonesPerFileRowGroupAndZone() throws Exception {
    Path p = write(dir, 1000, WriterOptions.builder().maxRowGroupRows(300).zoneMapRows(100).build());
    try (WeftReader r = WeftReader.open(p)) {
      assertEquals(dev.weft.format.WeftFormat.VERSION_MAJOR_CURRENT + "." + dev.weft.format.WeftFormat.VERSION_MINOR_CURRENT,
          r.formatVersion());
      ColumnZones i = r.zoneMaps("i");
      assertEquals(StatKind.INT64, i.kind());
      assertEquals(4, i.rowGroups().size());
      assertEquals(3 + 3 + 3 + 1, i.zones().size()); // 300-row groups cut into 100-row zones
      assertEquals(0L, i.file().min());
      assertEquals(998L, i.file().max());
      assertEquals(100, i.file().nullCount());
      ZoneStats z4 = i.zones().get(4);
      assertEquals(400, i.zoneFirstRows()[4]);
      assertEquals(400L, z4.min());
      assertEquals(498L, z4.max());
      assertEquals(10, z4.nullCount());
      assertEquals(4, i.zoneOf(450));
      ZoneStats g1 = i.rowGroups().get(1);
      assertEquals(300L, g1.min());
      assertEquals(598L, g1.max());

      ColumnZones d = r.zoneMaps("d");
      assertEquals(StatKind.FLOAT64, d.kind());
      ZoneStats d0 = d.zones().get(0);
      assertEquals(0.0, (Double) d0.min()); // -0.0 stored as 0.0
      assertEquals(Double.doubleToLongBits(0.0), Double.doubleToLongBits((Double) d0.min()));
      assertEquals(14, d0.nanCount()); // r % 7 == 3 in [0, 100)
      assertEquals(49.5, (Double) d0.max());

      ColumnZones s = r.zoneMaps("s");
      ZoneStats s0 = s.zones().get(0);
      assertArrayEquals("k00000".getBytes(StandardCharsets.UTF_8), (byte[]) s0.min());
      assertTrue(s0.minExact());
      // "zzzz..." (100 bytes) is cut to 63 'z' and one '{' (0x7A + 1): still an upper bound, not exact
      byte[] max = (byte[]) s0.max();
      assertEquals(64, max.length);
      assertEquals('{', max[63]);
      assertFalse(s0.maxExact());

      ColumnZones day = r.zoneMaps("day");
      assertEquals(19000L, day.file().min());
      assertEquals(19999L, day.file().max());
      ColumnZones dec = r.zoneMaps("dec");
      assertEquals(StatKind.DECIMAL, dec.kind());
      assertEquals(BigInteger.valueOf(-50), dec.file().min());
      assertEquals(BigInteger.valueOf(949), dec.file().max());
      assertNull(r.bloomFilters("i"));
    }
  }

  @Test
  void zoneMapsOffWritesNone() throws Exception {
    Path p = write(dir, 50, WriterOptions.builder().zoneMaps(false).build());
    try (WeftReader r = WeftReader.open(p)) {
      assertNull(r.zoneMaps("i"));
      assertEquals(50, r.numRows());
    }
  }

  @Test
  void formatTwoZeroFilesHaveNoZoneMaps() throws Exception {
    try (WeftReader r = WeftReader.open(Path.of("..", "format-spec", "golden", "v2.0", "data.weft"))) {
      assertEquals("2.0", r.formatVersion());
      assertNull(r.zoneMaps(r.columnName(0)));
    }
  }
}
