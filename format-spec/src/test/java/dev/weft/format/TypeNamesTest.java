package dev.weft.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.Test;

/** {@link TypeNames} writes types as pyarrow's {@code str(type)} does (what error messages and inspect show). */
class TypeNamesTest {
  private static Field f(String name, ArrowType t, Field... children) {
    return new Field(name, FieldType.nullable(t), List.of(children));
  }

  @Test
  void typesAsPyarrowPrintsThem() {
    assertEquals("int64", TypeNames.of(f("a", new ArrowType.Int(64, true))));
    assertEquals("uint8", TypeNames.of(f("a", new ArrowType.Int(8, false))));
    assertEquals("float", TypeNames.of(f("a", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))));
    assertEquals("time64[us]", TypeNames.of(f("a", new ArrowType.Time(TimeUnit.MICROSECOND, 64))));
    assertEquals("timestamp[ns, tz=UTC]", TypeNames.of(f("a", new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC"))));
    assertEquals("decimal128(10, 2)", TypeNames.of(f("a", new ArrowType.Decimal(10, 2, 128))));
    assertEquals("list<item: int32>", TypeNames.of(f("a", ArrowType.List.INSTANCE, f("item", new ArrowType.Int(32, true)))));
    assertEquals("struct<x: string, y: fixed_size_binary[4]>", TypeNames.of(f("s", ArrowType.Struct.INSTANCE,
        f("x", ArrowType.Utf8.INSTANCE), f("y", new ArrowType.FixedSizeBinary(4)))));
    assertEquals("a: large_string not null", TypeNames.describeField(
        new Field("a", FieldType.notNullable(ArrowType.LargeUtf8.INSTANCE), null)));
  }
}
