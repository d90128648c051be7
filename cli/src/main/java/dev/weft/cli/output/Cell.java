package dev.weft.cli.output;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Base64;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.NonNullableStructVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Renders the values of one Arrow vector as JSON, CSV or display text. Built once per vector
 * (type dispatch happens here, not per value) by {@link #of}.
 *
 * <p>JSON follows pyarrow's {@code to_pylist()} followed by {@code json.dumps}, with a text form
 * where json.dumps has none:
 *
 * <table>
 *   <caption>JSON value of each Arrow type</caption>
 *   <tr><td>null (any type), null type</td><td>{@code null}</td></tr>
 *   <tr><td>bool</td><td>{@code true}, {@code false}</td></tr>
 *   <tr><td>int8..int64, uint8..uint64</td><td>number (exact, also for uint64)</td></tr>
 *   <tr><td>halffloat, float, double</td><td>number, Python's repr of the value as a double
 *       ({@code 0.1}, {@code 1e-05}); {@code NaN}, {@code Infinity}, {@code -Infinity}</td></tr>
 *   <tr><td>decimal128, decimal256</td><td>string, Python's {@code str(Decimal)}: {@code "12.30"}</td></tr>
 *   <tr><td>date32, date64</td><td>string {@code "2024-01-31"}</td></tr>
 *   <tr><td>time32, time64</td><td>string {@code "13:45:07"}, {@code "13:45:07.250000"}</td></tr>
 *   <tr><td>timestamp</td><td>string {@code "2024-01-31T13:45:07.250000"}; with a time zone, local
 *       time in that zone plus offset: {@code "2024-01-31T08:45:07-05:00"}</td></tr>
 *   <tr><td>duration</td><td>number: the count of the type's unit</td></tr>
 *   <tr><td>intervals</td><td>{@code [months, days, nanoseconds]} (pyarrow's MonthDayNano tuple)</td></tr>
 *   <tr><td>string, large_string</td><td>string (UTF-8, not \\u-escaped)</td></tr>
 *   <tr><td>binary, large_binary, fixed_size_binary</td><td>string, base64 (RFC 4648, padded)</td></tr>
 *   <tr><td>list, large_list, fixed_size_list</td><td>array</td></tr>
 *   <tr><td>struct</td><td>object, fields in order</td></tr>
 *   <tr><td>map</td><td>array of {@code [key, value]} pairs (pyarrow's list of tuples)</td></tr>
 * </table>
 *
 * <p>Fractions of seconds: none when zero, 6 digits for whole microseconds, else 9 digits.
 */
public abstract class Cell {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  final ValueVector vector;

  Cell(ValueVector vector) {
    this.vector = vector;
  }

  /** A renderer for {@code v} (and its children). */
  public static Cell of(ValueVector v) {
    ArrowType type = v.getField().getType();
    switch (type.getTypeID()) {
      case Null:
        return new NullCell(v);
      case Bool:
        return new BoolCell(v);
      case Int: {
        ArrowType.Int t = (ArrowType.Int) type;
        return new IntCell(v, t.getBitWidth() / 8, t.getIsSigned());
      }
      case FloatingPoint:
        return new FloatCell(v, ((ArrowType.FloatingPoint) type).getPrecision());
      case Decimal:
        return new DecimalCell(v);
      case Date:
        return new DateCell(v, ((ArrowType.Date) type).getUnit() == org.apache.arrow.vector.types.DateUnit.DAY);
      case Time: {
        ArrowType.Time t = (ArrowType.Time) type;
        return new TimeCell(v, t.getBitWidth() == 32, perSecond(t.getUnit()));
      }
      case Timestamp: {
        ArrowType.Timestamp t = (ArrowType.Timestamp) type;
        return new TimestampCell(v, perSecond(t.getUnit()), Iso.zone(t.getTimezone()));
      }
      case Duration:
        return new DurationCell(v, ((ArrowType.Duration) type).getUnit());
      case Interval:
        return new IntervalCell(v, ((ArrowType.Interval) type).getUnit());
      case Utf8:
      case LargeUtf8:
        return new StringCell(v);
      case Binary:
      case LargeBinary:
      case FixedSizeBinary:
        return new BinaryCell(v);
      case Map:
        if (v instanceof MapVector m) {
          return new MapCell(m);
        }
        break;
      case List:
      case LargeList:
      case FixedSizeList:
        return new ListCell(v);
      case Struct:
        if (v instanceof NonNullableStructVector s) {
          return new StructCell(s);
        }
        break;
      default:
        break;
    }
    return new FallbackCell(v);
  }

  private static long perSecond(TimeUnit u) {
    return switch (u) {
      case SECOND -> 1;
      case MILLISECOND -> 1_000;
      case MICROSECOND -> 1_000_000;
      case NANOSECOND -> 1_000_000_000;
    };
  }

  public boolean isNull(int i) {
    return vector.isNull(i);
  }

  /** Appends the JSON value of slot {@code i}. */
  public final void json(StringBuilder sb, int i) {
    if (isNull(i)) {
      sb.append("null");
    } else {
      jsonValue(sb, i);
    }
  }

  /**
   * Appends the display text of slot {@code i}: Python-literal style ({@code None},
   * {@code True}, {@code [1, 2]}, {@code {'a': 'x'}}, {@code b'\x00'}), except that a top-level
   * string is shown without quotes (control characters escaped) and temporal and decimal values
   * as plain text. Stops early (the caller truncates) once {@code sb} is longer than
   * {@code limit}.
   *
   * @param nested whether the value is inside a list, struct or map
   */
  public final void display(StringBuilder sb, int i, boolean nested, int limit) {
    if (isNull(i)) {
      sb.append("None");
    } else {
      displayValue(sb, i, nested, limit);
    }
  }

  /**
   * Appends the CSV field of slot {@code i}: empty for null; strings, binaries (base64) and
   * nested values (their JSON text) always quoted, so an empty string ({@code ""}) differs from
   * null; other values as their plain text.
   */
  public final void csv(StringBuilder sb, int i) {
    if (isNull(i)) {
      return;
    }
    if (csvQuoted()) {
      StringBuilder text = new StringBuilder();
      csvText(text, i);
      sb.append('"');
      for (int k = 0; k < text.length(); k++) {
        char c = text.charAt(k);
        if (c == '"') {
          sb.append('"');
        }
        sb.append(c);
      }
      sb.append('"');
    } else {
      csvText(sb, i);
    }
  }

  /** Whether a display value is a number (right-aligned in tables). */
  public boolean isNumeric() {
    return false;
  }

  abstract void jsonValue(StringBuilder sb, int i);

  abstract void displayValue(StringBuilder sb, int i, boolean nested, int limit);

  /** Whether the CSV field is always quoted. */
  boolean csvQuoted() {
    return true;
  }

  /** The unquoted CSV text; by default the JSON value. */
  void csvText(StringBuilder sb, int i) {
    jsonValue(sb, i);
  }

  // ---------------------------------------------------------------------------------------------

  static final class NullCell extends Cell {
    NullCell(ValueVector v) {
      super(v);
    }

    @Override
    public boolean isNull(int i) {
      return true;
    }

    @Override
    void jsonValue(StringBuilder sb, int i) {
      sb.append("null");
    }

    @Override
    void displayValue(StringBuilder sb, int i, boolean nested, int limit) {
      sb.append("None");
    }
  }

  static final class BoolCell extends Cell {
    private final BitVector bits;

    BoolCell(ValueVector v) {
      super(v);
      bits = (BitVector) v;
    }

    @Override
    void jsonValue(StringBuilder sb, int i) {
      sb.append(bits.get(i) != 0);
    }

    @Override
    void displayValue(StringBuilder sb, int i, boolean nested, int limit) {
      sb.append(bits.get(i) != 0 ? "True" : "False");
    }

    @Override
    boolean csvQuoted() {
      return false;
    }
  }

  /** Fixed-width values read straight from the data buffer. */
  abstract static class FixedCell extends Cell {
    final ArrowBuf data;

    FixedCell(ValueVector v) {
      super(v);
      data = v.getDataBuffer();
    }

    @Override
    boolean csvQuoted() {
      return false;
    }
  }

  static final class IntCell extends FixedCell {
    private final int width;
    private final boolean signed;

    IntCell(ValueVector v, int width, boolean signed) {
      super(v);
      this.width = width;
      this.signed = signed;
    }

    @Override
    public boolean isNumeric() {
      return true;
    }

    @Override
    void jsonValue(StringBuilder sb, int i) {
      long at = (long) i * width;
      switch (width) {
        case 1 -> sb.append(signed ? data.getByte(at) : data.getByte(at) & 0xFF);
        case 2 -> sb.append(signed ? data.getShort(at) : data.getShort(at) & 0xFFFF);
        case 4 -> sb.append(signed ? data.getInt(at) : data.getInt(at) & 0xFFFF_FFFFL);
        default -> {
          long x = data.getLong(at);
          sb.append(signed ? Long.toString(x) : Long.toUnsignedString(x));
        }
      }
    }

    @Override
    void displayValue(StringBuilder sb, int i, boolean nested, int limit) {
      jsonValue(sb, i);
    }
  }

  static final class FloatCell extends FixedCell {
    private final org.apache.arrow.vector.types.FloatingPointPrecision precision;

    FloatCell(ValueVector v, org.apache.arrow.vector.types.FloatingPointPrecision precision) {
      super(v);
      this.precision = precision;
    }

    @Override
    public boolean isNumeric() {
      return true;
    }

    private double get(int i) {
      return switch (precision) {
        case HALF -> ((Float2Vector) vector).getValueAsFloat(i);
        case SINGLE -> data.getFloat((long) i * 4);
        case DOUBLE -> data.getDouble((long) i * 8);
      };
    }

    @Override
    void jsonValue(StringBuilder sb, int i) {
      PyFloat.appendJson(sb, get(i));
    }

    @Override
    void displayValue(StringBuilder sb, int i, boolean nested, int limit) {
      PyFloat.appendRepr(sb, get(i));
    }
  }

  static final class DecimalCell extends Cell {
    DecimalCell(ValueVector v) {
      super(v);
    }

    private BigDecimal get(int i) {
      return vector instanceof DecimalVector d ? d.getObject(i) : ((Decimal256Vector) vector).getObject(i);
    }

    @Override
    public boolean isNumeric() {
      return true;
    }

    @Override
    void jsonValue(StringBuilder sb, int i) {
      sb.append('"').append(get(i).toString()).append('"');
    }

    @Override
    void displayValue(StringBuilder sb, int i, boolean nested, int limit) {
      sb.append(get(i).toString());
    }

    @Override
    boolean csvQuoted() {
      return false;
    }

    @Override
    void csvText(StringBuilder sb, int i) {
      sb.append(get(i).toString());
    }
  }

  /** Values with a text form (ISO dates and times): JSON strings, plain display and CSV text. */
  abstract static class TextCell extends FixedCell {
    TextCell(ValueVector v) {
      super(v);
    }

    abstract void text(StringBuilder sb, int i, boolean forDisplay);

    @Override
    void jsonValue(StringBuilder sb, int i) {
      sb.append('"');
      text(sb, i, false);
      sb.append('"');
    }

    @Override
    void displayValue(StringBuilder sb, int i, boolean nested, int limit) {
      text(sb, i, true);
    }

    @Override
    void csvText(StringBuilder sb, int i) {
      text(sb, i, false);
    }
  }

  static final class DateCell extends TextCell {
    private final boolean days;

    DateCell(ValueVector v, boolean days) {
      super(v);
      this.days = days;
    }

    @Override
    void text(StringBuilder sb, int i, boolean forDisplay) {
      long day = days ? data.getInt((long) i * 4) : Math.floorDiv(data.getLong((long) i * 8), 86_400_000L);
      Iso.appendDate(sb, day);
    }
  }

  static final class TimeCell extends TextCell {
    private final boolean is32;
    private final long perSecond;

    TimeCell(ValueVector v, boolean is32, long perSecond) {
      super(v);
      this.is32 = is32;
      this.perSecond = perSecond;
    }

    @Override
    void text(StringBuilder sb, int i, boolean forDisplay) {
      long value = is32 ? data.getInt((long) i * 4) : data.getLong((long) i * 8);
      Iso.appendTime(sb, value, perSecond);
    }
  }

  static final class TimestampCell extends TextCell {
    private final long perSecond;
    private final ZoneId zone;

    TimestampCell(ValueVector v, long perSecond, ZoneId zone) {
      super(v);
      this.perSecond = perSecond;
      this.zone = zone;
    }

    @Override
    void text(StringBuilder sb, int i, boolean forDisplay) {
      Iso.appendTimestamp(sb, data.getLong((long) i * 8), perSecond, zone, forDisplay ? ' ' : 'T');
    }
  }

  static final class DurationCell extends FixedCell {
    private final String unit;

    DurationCell(ValueVector v, TimeUnit unit) {
      super(v);
      this.unit = switch (unit) {
        case SECOND -> "s";
        case MILLISECOND -> "ms";
        case MICROSECOND -> "us";
        case NANOSECOND -> "ns";
      };
    }

    @Override
    public boolean isNumeric() {
      return true;
    }

    @Override
    void jsonValue(StringBuilder sb, int i) {
      sb.append(data.getLong((long) i * 8));
    }

    @Override
    void displayValue(StringBuilder sb, int i, boolean nested, int limit) {
      sb.append(data.getLong((long) i * 8)).append(unit);
    }
  }

  static final class IntervalCell extends FixedCell {
    private final org.apache.arrow.vector.types.IntervalUnit unit;

    IntervalCell(ValueVector v, org.apache.arrow.vector.types.IntervalUnit unit) {
      super(v);
      this.unit = unit;
    }

    /** months, days, nanoseconds. */
    private long[] get(int i) {
      return switch (unit) {
        case YEAR_MONTH -> new long[] {data.getInt((long) i * 4), 0, 0};
        case DAY_TIME -> new long[] {0, data.getInt((long) i * 8), data.getInt((long) i * 8 + 4) * 1_000_000L};
        case MONTH_DAY_NANO -> new long[] {data.getInt((long) i * 16), data.getInt((long) i * 16 + 4),
            data.getLong((long) i * 16 + 8)};
      };
    }

    @Override
    void jsonValue(StringBuilder sb, int i) {
      long[] p = get(i);
      sb.append('[').append(p[0]).append(", ").append(p[1]).append(", ").append(p[2]).append(']');
    }

    @Override
    void displayValue(StringBuilder sb, int i, boolean nested, int limit) {
      long[] p = get(i);
      sb.append("MonthDayNano(months=").append(p[0]).append(", days=").append(p[1])
          .append(", nanoseconds=").append(p[2]).append(')');
    }

    @Override
    boolean csvQuoted() {
      return true;
    }
  }

  static final class StringCell extends Cell {
    StringCell(ValueVector v) {
      super(v);
    }

    String get(int i) {
      byte[] b = vector instanceof VarCharVector s ? s.get(i) : ((LargeVarCharVector) vector).get(i);
      return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    void jsonValue(StringBuilder sb, int i) {
      Json.appendString(sb, get(i));
    }

    @Override
    void displayValue(StringBuilder sb, int i, boolean nested, int limit) {
      String s = get(i);
      if (nested) {
        appendPythonStr(sb, s, limit);
      } else {
        appendPlain(sb, s, limit);
      }
    }

    @Override
    void csvText(StringBuilder sb, int i) {
      sb.append(get(i));
    }
  }

  static final class BinaryCell extends Cell {
    BinaryCell(ValueVector v) {
      super(v);
    }

    byte[] get(int i) {
      if (vector instanceof VarBinaryVector b) {
        return b.get(i);
      } else if (vector instanceof LargeVarBinaryVector b) {
        return b.get(i);
      }
      return ((FixedSizeBinaryVector) vector).get(i);
    }

    @Override
    void jsonValue(StringBuilder sb, int i) {
      sb.append('"').append(Base64.getEncoder().encodeToString(get(i))).append('"');
    }

    @Override
    void displayValue(StringBuilder sb, int i, boolean nested, int limit) {
      appendPythonBytes(sb, get(i), limit);
    }

    @Override
    void csvText(StringBuilder sb, int i) {
      sb.append(Base64.getEncoder().encodeToString(get(i)));
    }
  }

  /** list, large_list, fixed_size_list. */
  static final class ListCell extends Cell {
    private final Cell child;

    ListCell(ValueVector v) {
      super(v);
      ValueVector data;
      if (v instanceof ListVector l) {
        data = l.getDataVector();
      } else if (v instanceof LargeListVector l) {
        data = l.getDataVector();
      } else {
        data = ((FixedSizeListVector) v).getDataVector();
      }
      child = Cell.of(data);
    }

    long start(int i) {
      if (vector instanceof ListVector l) {
        return l.getOffsetBuffer().getInt((long) i * 4);
      } else if (vector instanceof LargeListVector l) {
        return l.getOffsetBuffer().getLong((long) i * 8);
      }
      return (long) i * ((FixedSizeListVector) vector).getListSize();
    }

    long end(int i) {
      if (vector instanceof FixedSizeListVector f) {
        return (long) (i + 1) * f.getListSize();
      }
      return start(i + 1);
    }

    @Override
    void jsonValue(StringBuilder sb, int i) {
      sb.append('[');
      long s = start(i);
      long e = end(i);
      for (long k = s; k < e; k++) {
        if (k > s) {
          sb.append(", ");
        }
        child.json(sb, (int) k);
      }
      sb.append(']');
    }

    @Override
    void displayValue(StringBuilder sb, int i, boolean nested, int limit) {
      sb.append('[');
      long s = start(i);
      long e = end(i);
      for (long k = s; k < e; k++) {
        if (sb.length() > limit) {
          return;
        }
        if (k > s) {
          sb.append(", ");
        }
        child.display(sb, (int) k, true, limit);
      }
      sb.append(']');
    }
  }

  /** map: a list of (key, value) entries. */
  static final class MapCell extends Cell {
    private final MapVector map;
    private final Cell key;
    private final Cell value;

    MapCell(MapVector v) {
      super(v);
      map = v;
      NonNullableStructVector entries = (NonNullableStructVector) v.getDataVector();
      List<org.apache.arrow.vector.FieldVector> kv = entries.getChildrenFromFields();
      key = Cell.of(kv.get(0));
      value = Cell.of(kv.get(1));
    }

    @Override
    void jsonValue(StringBuilder sb, int i) {
      sb.append('[');
      int s = map.getOffsetBuffer().getInt((long) i * 4);
      int e = map.getOffsetBuffer().getInt((long) (i + 1) * 4);
      for (int k = s; k < e; k++) {
        if (k > s) {
          sb.append(", ");
        }
        sb.append('[');
        key.json(sb, k);
        sb.append(", ");
        value.json(sb, k);
        sb.append(']');
      }
      sb.append(']');
    }

    @Override
    void displayValue(StringBuilder sb, int i, boolean nested, int limit) {
      sb.append('[');
      int s = map.getOffsetBuffer().getInt((long) i * 4);
      int e = map.getOffsetBuffer().getInt((long) (i + 1) * 4);
      for (int k = s; k < e; k++) {
        if (sb.length() > limit) {
          return;
        }
        if (k > s) {
          sb.append(", ");
        }
        sb.append('(');
        key.display(sb, k, true, limit);
        sb.append(", ");
        value.display(sb, k, true, limit);
        sb.append(')');
      }
      sb.append(']');
    }
  }

  static final class StructCell extends Cell {
    private final Cell[] children;
    private final String[] jsonNames;
    private final String[] displayNames;

    StructCell(NonNullableStructVector v) {
      super(v);
      List<org.apache.arrow.vector.FieldVector> kids = v.getChildrenFromFields();
      children = new Cell[kids.size()];
      jsonNames = new String[kids.size()];
      displayNames = new String[kids.size()];
      for (int k = 0; k < children.length; k++) {
        children[k] = Cell.of(kids.get(k));
        jsonNames[k] = Json.quote(kids.get(k).getName()) + ": ";
        StringBuilder d = new StringBuilder();
        appendPythonStr(d, kids.get(k).getName(), Integer.MAX_VALUE);
        displayNames[k] = d.append(": ").toString();
      }
    }

    @Override
    void jsonValue(StringBuilder sb, int i) {
      sb.append('{');
      for (int k = 0; k < children.length; k++) {
        if (k > 0) {
          sb.append(", ");
        }
        sb.append(jsonNames[k]);
        children[k].json(sb, i);
      }
      sb.append('}');
    }

    @Override
    void displayValue(StringBuilder sb, int i, boolean nested, int limit) {
      sb.append('{');
      for (int k = 0; k < children.length; k++) {
        if (sb.length() > limit) {
          return;
        }
        if (k > 0) {
          sb.append(", ");
        }
        sb.append(displayNames[k]);
        children[k].display(sb, i, true, limit);
      }
      sb.append('}');
    }
  }

  /** Types the writer never stores (unions, views...): their Arrow text. */
  static final class FallbackCell extends Cell {
    FallbackCell(ValueVector v) {
      super(v);
    }

    private String text(int i) {
      Object o = vector.getObject(i);
      return o == null ? "" : o.toString();
    }

    @Override
    void jsonValue(StringBuilder sb, int i) {
      Json.appendString(sb, text(i));
    }

    @Override
    void displayValue(StringBuilder sb, int i, boolean nested, int limit) {
      appendPlain(sb, text(i), limit);
    }

    @Override
    void csvText(StringBuilder sb, int i) {
      sb.append(text(i));
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** A top-level string in a table: no quotes, control characters escaped. */
  static void appendPlain(StringBuilder sb, String s, int limit) {
    for (int k = 0; k < s.length(); k++) {
      if (sb.length() > limit) {
        return;
      }
      char c = s.charAt(k);
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7F) {
            sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 15]);
          } else {
            sb.append(c);
          }
        }
      }
    }
  }

  /** Python's repr of a str: 'text', or "text" if it holds ' but no ". */
  static void appendPythonStr(StringBuilder sb, String s, int limit) {
    char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    sb.append(q);
    for (int k = 0; k < s.length(); k++) {
      if (sb.length() > limit) {
        return;
      }
      char c = s.charAt(k);
      if (c == q || c == '\\') {
        sb.append('\\').append(c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c == '\t') {
        sb.append("\\t");
      } else if (c < 0x20 || c == 0x7F) {
        sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 15]);
      } else {
        sb.append(c);
      }
    }
    sb.append(q);
  }

  /** Python's repr of bytes: b'ab\x00'. */
  static void appendPythonBytes(StringBuilder sb, byte[] b, int limit) {
    boolean hasSingle = false;
    boolean hasDouble = false;
    for (byte x : b) {
      hasSingle |= x == '\'';
      hasDouble |= x == '"';
    }
    char q = hasSingle && !hasDouble ? '"' : '\'';
    sb.append('b').append(q);
    for (byte x : b) {
      if (sb.length() > limit) {
        return;
      }
      int c = x & 0xFF;
      if (c == q || c == '\\') {
        sb.append('\\').append((char) c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c == '\t') {
        sb.append("\\t");
      } else if (c < 0x20 || c >= 0x7F) {
        sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 15]);
      } else {
        sb.append((char) c);
      }
    }
    sb.append(q);
  }
}
