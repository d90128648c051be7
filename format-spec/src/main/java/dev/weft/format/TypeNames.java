package dev.weft.format;

import java.util.List;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Arrow types written as pyarrow prints them: {@code int64}, {@code float}, {@code string},
 * {@code timestamp[us, tz=UTC]}, {@code list<item: int64>},
 * {@code fixed_size_list<item: float>[8]}, {@code struct<a: int32, b: string>},
 * {@code map<string, int64>}.
 */
public final class TypeNames {
  private TypeNames() {}

  /** The type of {@code field} (with its children), as pyarrow's {@code str(type)}. */
  public static String of(Field field) {
    StringBuilder sb = new StringBuilder();
    append(sb, field);
    return sb.toString();
  }

  /** {@code name: type}, plus {@code not null} for a non-nullable field, as in a pyarrow schema. */
  public static String describeField(Field field) {
    return field.getName() + ": " + of(field) + (field.isNullable() ? "" : " not null");
  }

  private static void appendChild(StringBuilder sb, Field child) {
    sb.append(child.getName()).append(": ");
    append(sb, child);
    if (!child.isNullable()) {
      sb.append(" not null");
    }
  }

  private static void append(StringBuilder sb, Field field) {
    ArrowType t = field.getType();
    List<Field> children = field.getChildren();
    switch (t.getTypeID()) {
      case Null -> sb.append("null");
      case Bool -> sb.append("bool");
      case Int -> {
        ArrowType.Int i = (ArrowType.Int) t;
        sb.append(i.getIsSigned() ? "int" : "uint").append(i.getBitWidth());
      }
      case FloatingPoint -> sb.append(switch (((ArrowType.FloatingPoint) t).getPrecision()) {
        case HALF -> "halffloat";
        case SINGLE -> "float";
        case DOUBLE -> "double";
      });
      case Decimal -> {
        ArrowType.Decimal d = (ArrowType.Decimal) t;
        sb.append("decimal").append(d.getBitWidth()).append('(').append(d.getPrecision()).append(", ")
            .append(d.getScale()).append(')');
      }
      case Date -> sb.append(((ArrowType.Date) t).getUnit() == org.apache.arrow.vector.types.DateUnit.DAY
          ? "date32[day]" : "date64[ms]");
      case Time -> {
        ArrowType.Time tm = (ArrowType.Time) t;
        sb.append("time").append(tm.getBitWidth()).append('[').append(unit(tm.getUnit())).append(']');
      }
      case Timestamp -> {
        ArrowType.Timestamp ts = (ArrowType.Timestamp) t;
        sb.append("timestamp[").append(unit(ts.getUnit()));
        if (ts.getTimezone() != null) {
          sb.append(", tz=").append(ts.getTimezone());
        }
        sb.append(']');
      }
      case Duration -> sb.append("duration[").append(unit(((ArrowType.Duration) t).getUnit())).append(']');
      case Interval -> sb.append(switch (((ArrowType.Interval) t).getUnit()) {
        case YEAR_MONTH -> "month_interval";
        case DAY_TIME -> "day_time_interval";
        case MONTH_DAY_NANO -> "month_day_nano_interval";
      });
      case Utf8 -> sb.append("string");
      case LargeUtf8 -> sb.append("large_string");
      case Binary -> sb.append("binary");
      case LargeBinary -> sb.append("large_binary");
      case FixedSizeBinary -> sb.append("fixed_size_binary[")
          .append(((ArrowType.FixedSizeBinary) t).getByteWidth()).append(']');
      case List, LargeList, FixedSizeList -> {
        sb.append(switch (t.getTypeID()) {
          case List -> "list<";
          case LargeList -> "large_list<";
          default -> "fixed_size_list<";
        });
        if (!children.isEmpty()) {
          appendChild(sb, children.get(0));
        }
        sb.append('>');
        if (t instanceof ArrowType.FixedSizeList f) {
          sb.append('[').append(f.getListSize()).append(']');
        }
      }
      case Struct -> {
        sb.append("struct<");
        for (int i = 0; i < children.size(); i++) {
          if (i > 0) {
            sb.append(", ");
          }
          appendChild(sb, children.get(i));
        }
        sb.append('>');
      }
      case Map -> {
        sb.append("map<");
        List<Field> kv = children.isEmpty() ? List.of() : children.get(0).getChildren();
        if (kv.size() == 2) {
          append(sb, kv.get(0));
          sb.append(", ");
          append(sb, kv.get(1));
          if (!kv.get(1).isNullable()) {
            sb.append(" not null");
          }
        }
        sb.append('>');
        if (((ArrowType.Map) t).getKeysSorted()) {
          sb.append(" (keys sorted)");
        }
      }
      default -> sb.append(t.toString());
    }
  }

  private static String unit(TimeUnit u) {
    return switch (u) {
      case SECOND -> "s";
      case MILLISECOND -> "ms";
      case MICROSECOND -> "us";
      case NANOSECOND -> "ns";
    };
  }
}
