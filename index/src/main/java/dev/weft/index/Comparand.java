package dev.weft.index;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * A literal converted into a column's value domain: {@link #compare} gives the sign of (column
 * value - literal) for any non-null column value of the column's {@link StatKind}, and {@link
 * #key} is the literal as a column value when some column value can equal it (null when none
 * can, e.g. 2.5 for an integer column), for equality and bloom filters.
 */
final class Comparand {
  final StatKind kind;
  final Object key;
  /** For literals no column value equals: the column value {@code floor} below which values compare -1. */
  private final Object floor;
  /** -1 or 1 when every column value compares so (literal out of the column's range), else 0. */
  private final int constant;
  private final BigDecimal decimal;
  private final int scale;

  private Comparand(StatKind kind, Object key, Object floor, int constant, BigDecimal decimal, int scale) {
    this.kind = kind;
    this.key = key;
    this.floor = floor;
    this.constant = constant;
    this.decimal = decimal;
    this.scale = scale;
  }

  int compare(Object v) {
    if (constant != 0) {
      return constant;
    }
    if (key != null) {
      return kind.compare(v, key);
    }
    if (kind == StatKind.DECIMAL) {
      return new BigDecimal((BigInteger) v, scale).compareTo(decimal);
    }
    // integers against a literal strictly between floor and floor + 1
    return kind.compare(v, floor) <= 0 ? -1 : 1;
  }

  private static Comparand exact(StatKind k, Object key) {
    return new Comparand(k, key, null, 0, null, 0);
  }

  private static Comparand always(StatKind k, int sign) {
    return new Comparand(k, null, null, sign, null, 0);
  }

  /**
   * Converts {@code literal} (not null) for comparison with column {@code f}.
   *
   * @throws IllegalArgumentException naming the column if the types cannot be compared
   */
  static Comparand of(Field f, Object literal) {
    StatKind k = StatKind.of(f);
    ArrowType t = f.getType();
    switch (k) {
      case INT64:
      case UINT64: {
        if (t instanceof ArrowType.Date || t instanceof ArrowType.Timestamp) {
          Long v = temporal(f, literal);
          if (v != null) {
            return exact(k, v);
          }
        }
        if (t instanceof ArrowType.Time tt && literal instanceof String s) {
          return timeOfDay(f, k, tt.getUnit(), s);
        }
        BigDecimal d = number(f, literal);
        if (d == null) {
          return Double.isNaN(((Number) literal).doubleValue()) ? always(k, -1)
              : always(k, ((Number) literal).doubleValue() > 0 ? -1 : 1);
        }
        BigDecimal lo = k == StatKind.UINT64 ? BigDecimal.ZERO : BigDecimal.valueOf(Long.MIN_VALUE);
        BigDecimal hi = k == StatKind.UINT64 ? new BigDecimal(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE))
            : BigDecimal.valueOf(Long.MAX_VALUE);
        if (d.compareTo(lo) < 0) {
          return always(k, 1);
        }
        if (d.compareTo(hi) > 0) {
          return always(k, -1);
        }
        BigDecimal fl = d.setScale(0, RoundingMode.FLOOR);
        long fv = fl.toBigInteger().longValue(); // two's complement wrap gives the u64 bits
        if (fl.compareTo(d) == 0) {
          return exact(k, fv);
        }
        return new Comparand(k, null, fv, 0, null, 0);
      }
      case FLOAT64: {
        if (!(literal instanceof Number)) {
          throw mismatch(f, literal);
        }
        return exact(k, StatKind.normalize(((Number) literal).doubleValue()));
      }
      case DECIMAL: {
        int s = ((ArrowType.Decimal) t).getScale();
        BigDecimal d = number(f, literal);
        if (d == null) {
          double x = ((Number) literal).doubleValue();
          return always(k, Double.isNaN(x) || x > 0 ? -1 : 1);
        }
        try {
          return exact(k, d.setScale(s, RoundingMode.UNNECESSARY).unscaledValue());
        } catch (ArithmeticException e) {
          return new Comparand(k, null, null, 0, d, s);
        }
      }
      case BYTES: {
        if (literal instanceof String s) {
          return exact(k, s.getBytes(StandardCharsets.UTF_8));
        }
        if (literal instanceof byte[] b) {
          return exact(k, b);
        }
        throw mismatch(f, literal);
      }
      case BOOL: {
        if (literal instanceof Boolean b) {
          return exact(k, b);
        }
        throw mismatch(f, literal);
      }
      default:
        throw new IllegalArgumentException("column '" + f.getName() + "' of type " + dev.weft.format.TypeNames.of(f)
            + " cannot be compared with a value; only IS NULL and IS NOT NULL apply to it");
    }
  }

  /** A number literal as a BigDecimal; null for NaN and infinities; an error for non-numbers. */
  private static BigDecimal number(Field f, Object literal) {
    if (literal instanceof Long l) {
      return BigDecimal.valueOf(l);
    }
    if (literal instanceof BigDecimal d) {
      return d;
    }
    if (literal instanceof Double d) {
      return d.isNaN() || d.isInfinite() ? null : new BigDecimal(d);
    }
    throw mismatch(f, literal);
  }

  /**
   * A time-of-day string ({@code 'hh:mm[:ss[.fffffffff]]'}, as DuckDB and pyarrow print times)
   * for a time column: the count of the column's unit since midnight, or, when the literal has
   * more precision than the unit, the floor of it (values at or below it compare -1).
   */
  private static Comparand timeOfDay(Field f, StatKind k, TimeUnit unit, String s) {
    long nanos;
    try {
      nanos = java.time.LocalTime.parse(s.strip()).toNanoOfDay();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("column '" + f.getName() + "' of type " + dev.weft.format.TypeNames.of(f)
          + " cannot be compared with the string '" + s + "' (not a time of day hh:mm:ss[.ffffff])");
    }
    long per = switch (unit) {
      case SECOND -> 1_000_000_000L;
      case MILLISECOND -> 1_000_000L;
      case MICROSECOND -> 1_000L;
      case NANOSECOND -> 1L;
    };
    long v = nanos / per;
    return nanos % per == 0 ? exact(k, v) : new Comparand(k, null, v, 0, null, 0);
  }

  /** A date/timestamp literal (or a string that parses as one) in the column's unit; null if not temporal. */
  private static Long temporal(Field f, Object literal) {
    Object v = literal;
    if (v instanceof String s) {
      try {
        v = s.length() <= 10 ? LocalDate.parse(s) : LocalDateTime.parse(s.replace(' ', 'T'));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("column '" + f.getName() + "' of type " + dev.weft.format.TypeNames.of(f)
            + " cannot be compared with the string '" + s + "' (not a date yyyy-mm-dd or timestamp"
            + " yyyy-mm-dd hh:mm:ss)");
      }
    }
    LocalDateTime dt;
    if (v instanceof LocalDate d) {
      dt = d.atStartOfDay();
    } else if (v instanceof LocalDateTime x) {
      dt = x;
    } else {
      return null;
    }
    long secs = dt.toEpochSecond(ZoneOffset.UTC);
    long nanos = dt.getNano();
    ArrowType t = f.getType();
    if (t instanceof ArrowType.Date d) {
      if (d.getUnit() == DateUnit.DAY) {
        return Math.floorDiv(secs, 86400L);
      }
      return secs * 1000 + nanos / 1_000_000;
    }
    TimeUnit u = ((ArrowType.Timestamp) t).getUnit();
    return switch (u) {
      case SECOND -> secs;
      case MILLISECOND -> secs * 1000 + nanos / 1_000_000;
      case MICROSECOND -> secs * 1_000_000 + nanos / 1000;
      case NANOSECOND -> secs * 1_000_000_000 + nanos;
    };
  }

  static IllegalArgumentException mismatch(Field f, Object literal) {
    return new IllegalArgumentException("column '" + f.getName() + "' of type " + dev.weft.format.TypeNames.of(f)
        + " cannot be compared with " + describe(literal));
  }

  static String describe(Object literal) {
    if (literal instanceof String s) {
      return "the string '" + s + "'";
    } else if (literal instanceof Boolean b) {
      return "the boolean " + b;
    } else if (literal instanceof Number n) {
      return "the number " + n;
    } else if (literal instanceof LocalDate d) {
      return "the date " + d;
    } else if (literal instanceof LocalDateTime d) {
      return "the timestamp " + d;
    }
    return "the value " + literal;
  }
}
