package dev.weft.testdata;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.IntervalUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** The Arrow types {@link RandomArrow} supports, and schema builders over them. */
final class TypeCatalog {
  /** Name used for the element field of list-like types. */
  static final String ITEM = "item";

  /** Every supported non-nested type, keyed by a descriptive column name. */
  private static final Map<String, ArrowType> LEAVES = leafTypes();
  private static final List<ArrowType> LEAF_TYPES = List.copyOf(LEAVES.values());

  /** Types usable as map keys (map keys are never null, so the null type is excluded). */
  private static final List<ArrowType> KEY_TYPES = List.of(
      new ArrowType.Int(32, true), new ArrowType.Int(64, true), new ArrowType.Int(16, false),
      ArrowType.Utf8.INSTANCE, ArrowType.Binary.INSTANCE, new ArrowType.FixedSizeBinary(5),
      new ArrowType.Date(DateUnit.DAY), new ArrowType.Decimal(9, 2, 128));

  private TypeCatalog() {}

  private static Map<String, ArrowType> leafTypes() {
    Map<String, ArrowType> m = new LinkedHashMap<>();
    m.put("bool", ArrowType.Bool.INSTANCE);
    m.put("int8", new ArrowType.Int(8, true));
    m.put("int16", new ArrowType.Int(16, true));
    m.put("int32", new ArrowType.Int(32, true));
    m.put("int64", new ArrowType.Int(64, true));
    m.put("uint8", new ArrowType.Int(8, false));
    m.put("uint16", new ArrowType.Int(16, false));
    m.put("uint32", new ArrowType.Int(32, false));
    m.put("uint64", new ArrowType.Int(64, false));
    m.put("float16", new ArrowType.FloatingPoint(FloatingPointPrecision.HALF));
    m.put("float32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
    m.put("float64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
    m.put("decimal128_38_10", new ArrowType.Decimal(38, 10, 128));
    m.put("decimal128_9_2", new ArrowType.Decimal(9, 2, 128));
    m.put("decimal256_76_20", new ArrowType.Decimal(76, 20, 256));
    m.put("date32", new ArrowType.Date(DateUnit.DAY));
    m.put("date64", new ArrowType.Date(DateUnit.MILLISECOND));
    m.put("time32_s", new ArrowType.Time(TimeUnit.SECOND, 32));
    m.put("time32_ms", new ArrowType.Time(TimeUnit.MILLISECOND, 32));
    m.put("time64_us", new ArrowType.Time(TimeUnit.MICROSECOND, 64));
    m.put("time64_ns", new ArrowType.Time(TimeUnit.NANOSECOND, 64));
    for (TimeUnit unit : TimeUnit.values()) {
      m.put("timestamp_" + suffix(unit), new ArrowType.Timestamp(unit, null));
    }
    m.put("timestamp_s_utc", new ArrowType.Timestamp(TimeUnit.SECOND, "UTC"));
    m.put("timestamp_ms_utc", new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC"));
    m.put("timestamp_us_new_york", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "America/New_York"));
    m.put("timestamp_ns_new_york", new ArrowType.Timestamp(TimeUnit.NANOSECOND, "America/New_York"));
    for (TimeUnit unit : TimeUnit.values()) {
      m.put("duration_" + suffix(unit), new ArrowType.Duration(unit));
    }
    m.put("interval_year_month", new ArrowType.Interval(IntervalUnit.YEAR_MONTH));
    m.put("interval_day_time", new ArrowType.Interval(IntervalUnit.DAY_TIME));
    m.put("interval_month_day_nano", new ArrowType.Interval(IntervalUnit.MONTH_DAY_NANO));
    m.put("utf8", ArrowType.Utf8.INSTANCE);
    m.put("large_utf8", ArrowType.LargeUtf8.INSTANCE);
    m.put("binary", ArrowType.Binary.INSTANCE);
    m.put("large_binary", ArrowType.LargeBinary.INSTANCE);
    m.put("fixed_size_binary_5", new ArrowType.FixedSizeBinary(5));
    m.put("null", ArrowType.Null.INSTANCE);
    return m;
  }

  private static String suffix(TimeUnit unit) {
    return switch (unit) {
      case SECOND -> "s";
      case MILLISECOND -> "ms";
      case MICROSECOND -> "us";
      case NANOSECOND -> "ns";
    };
  }

  static Schema allTypesSchema() {
    List<Field> fields = new ArrayList<>();
    LEAVES.forEach((name, type) -> fields.add(leaf(name, type)));
    ArrowType int16 = new ArrowType.Int(16, true);
    ArrowType int32 = new ArrowType.Int(32, true);
    ArrowType int64 = new ArrowType.Int(64, true);
    ArrowType utf8 = ArrowType.Utf8.INSTANCE;
    fields.add(list("list_int64", leaf(ITEM, int64)));
    fields.add(largeList("large_list_utf8", leaf(ITEM, utf8)));
    fields.add(fixedSizeList("embedding", 8,
        leaf(ITEM, new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))));
    fields.add(struct("struct", leaf("a", int32), leaf("b", utf8),
        list("c", leaf(ITEM, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)))));
    fields.add(map("map_utf8_int64", utf8, leaf(MapVector.VALUE_NAME, int64)));
    fields.add(list("list_struct",
        struct(ITEM, leaf("x", int16), list("y", leaf(ITEM, ArrowType.Binary.INSTANCE)))));
    fields.add(struct("struct_struct_fsl",
        struct("s", fixedSizeList("t", 3, leaf(ITEM, new ArrowType.Int(8, true))))));
    fields.add(list("list_list_int32", list(ITEM, leaf(ITEM, int32))));
    fields.add(map("map_int32_list_utf8", int32, list(MapVector.VALUE_NAME, leaf(ITEM, utf8))));
    fields.add(fixedSizeList("fsl_list_int32", 2, list(ITEM, leaf(ITEM, int32))));
    return new Schema(fields);
  }

  static Schema randomSchema(Random rnd, int columns, int maxDepth) {
    List<Field> fields = new ArrayList<>(columns);
    for (int c = 0; c < columns; c++) {
      fields.add(randomField(rnd, "c" + c, maxDepth));
    }
    return new Schema(fields);
  }

  private static Field randomField(Random rnd, String name, int depth) {
    if (depth == 0 || rnd.nextInt(3) == 0) {
      ArrowType type = LEAF_TYPES.get(rnd.nextInt(LEAF_TYPES.size()));
      boolean nullable = type instanceof ArrowType.Null || rnd.nextInt(10) != 0;
      return new Field(name, new FieldType(nullable, type, null), null);
    }
    Field nested;
    switch (rnd.nextInt(5)) {
      case 0 -> nested = list(name, randomField(rnd, ITEM, depth - 1));
      case 1 -> nested = largeList(name, randomField(rnd, ITEM, depth - 1));
      case 2 -> nested = fixedSizeList(name, 1 + rnd.nextInt(4), randomField(rnd, ITEM, depth - 1));
      case 3 -> {
        int n = 1 + rnd.nextInt(3);
        Field[] children = new Field[n];
        for (int i = 0; i < n; i++) {
          children[i] = randomField(rnd, "f" + i, depth - 1);
        }
        nested = struct(name, children);
      }
      default -> nested = map(name, KEY_TYPES.get(rnd.nextInt(KEY_TYPES.size())),
          randomField(rnd, MapVector.VALUE_NAME, depth - 1));
    }
    return rnd.nextInt(10) == 0
        ? new Field(name, new FieldType(false, nested.getType(), null), nested.getChildren())
        : nested;
  }

  static Field leaf(String name, ArrowType type) {
    return new Field(name, FieldType.nullable(type), null);
  }

  static Field list(String name, Field item) {
    return new Field(name, FieldType.nullable(ArrowType.List.INSTANCE), List.of(item));
  }

  static Field largeList(String name, Field item) {
    return new Field(name, FieldType.nullable(ArrowType.LargeList.INSTANCE), List.of(item));
  }

  static Field fixedSizeList(String name, int size, Field item) {
    return new Field(name, FieldType.nullable(new ArrowType.FixedSizeList(size)), List.of(item));
  }

  static Field struct(String name, Field... children) {
    return new Field(name, FieldType.nullable(ArrowType.Struct.INSTANCE), List.of(children));
  }

  /** A map field; Arrow requires the entries struct and the key to be non-nullable. */
  static Field map(String name, ArrowType keyType, Field value) {
    Field key = new Field(MapVector.KEY_NAME, FieldType.notNullable(keyType), null);
    Field entries = new Field(MapVector.DATA_VECTOR_NAME,
        FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(key, value));
    return new Field(name, FieldType.nullable(new ArrowType.Map(false)), List.of(entries));
  }
}
