package dev.weft.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.index.StatKind;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Test;

/** How weft inspect shows zone-map bounds. */
class ZoneMapSectionTest {

  private static Field field(ArrowType type) {
    return Field.nullable("c", type);
  }

  @Test
  void datesAndTimestampsShowAsIsoText() {
    assertEquals("2001-01-01", ZoneMapSection.show(field(new ArrowType.Date(DateUnit.DAY)), StatKind.INT64, 11323L, true));
    assertEquals("2001-01-01 00:41:00",
        ZoneMapSection.show(field(new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)), StatKind.INT64, 978309660000000L, true));
    // long text is cut for the table
    assertEquals("2001-01-01 00:41:00.500...",
        ZoneMapSection.show(field(new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC")), StatKind.INT64, 978309660500L, true));
  }

  @Test
  void numbersAndTruncatedBounds() {
    assertEquals("-1116", ZoneMapSection.show(field(new ArrowType.Int(64, true)), StatKind.INT64, -1116L, true));
    assertEquals("'ABC'~", ZoneMapSection.show(field(ArrowType.Utf8.INSTANCE), StatKind.BYTES, "ABC".getBytes(), false));
  }
}
