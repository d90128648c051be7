package dev.weft.testdata;

import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.NonNullableStructVector;
import org.apache.arrow.vector.util.Text;

/**
 * Renders vector slots for assertion messages, truncated. Nested values are rendered by walking
 * the vectors (not via {@code getObject().toString()}, whose JSON serialisation fails on some
 * valid values, e.g. a nested {@code duration[s]} of {@code Long.MIN_VALUE}); leaves use
 * {@code getObject}, except floats (value plus bit pattern) and binaries (hex).
 */
final class ValueFormatter {
  private static final int MAX_CHARS = 400;
  private static final int MAX_ELEMENTS = 16;
  private static final int MAX_BYTES = 48;
  private static final long LARGE_OFFSET_WIDTH = 8L;

  private ValueFormatter() {}

  /** Renders slot {@code i} of {@code v}; never throws. */
  static String format(ValueVector v, int i) {
    StringBuilder sb = new StringBuilder();
    append(sb, v, i);
    return sb.length() <= MAX_CHARS ? sb.toString() : sb.substring(0, MAX_CHARS) + "...";
  }

  private static void append(StringBuilder sb, ValueVector v, long index) {
    if (sb.length() > MAX_CHARS) {
      return;
    }
    if (index < 0 || index >= v.getValueCount()) {
      sb.append("<index ").append(index).append(" outside value count ").append(v.getValueCount()).append('>');
      return;
    }
    int i = (int) index;
    try {
      if (v.isNull(i)) {
        sb.append("null");
        return;
      }
      switch (v.getMinorType()) {
        case STRUCT -> appendStruct(sb, (NonNullableStructVector) v, i);
        case LIST, MAP -> {
          ListVector l = (ListVector) v;
          appendElements(sb, l.getDataVector(), l.getElementStartIndex(i), l.getElementEndIndex(i));
        }
        case LARGELIST -> {
          LargeListVector l = (LargeListVector) v;
          long start = l.getOffsetBuffer().getLong(i * LARGE_OFFSET_WIDTH);
          long end = l.getOffsetBuffer().getLong((i + 1) * LARGE_OFFSET_WIDTH);
          appendElements(sb, l.getDataVector(), start, end);
        }
        case FIXED_SIZE_LIST -> {
          FixedSizeListVector l = (FixedSizeListVector) v;
          long start = (long) i * l.getListSize();
          appendElements(sb, l.getDataVector(), start, start + l.getListSize());
        }
        case FLOAT2 -> {
          Float2Vector h = (Float2Vector) v;
          sb.append(h.getValueAsFloat(i)).append(" (float16 bits 0x")
              .append(String.format("%04x", h.get(i) & 0xFFFF)).append(')');
        }
        case FLOAT4 -> {
          float f = ((Float4Vector) v).get(i);
          sb.append(f).append(" (bits 0x").append(Integer.toHexString(Float.floatToRawIntBits(f))).append(')');
        }
        case FLOAT8 -> {
          double d = ((Float8Vector) v).get(i);
          sb.append(d).append(" (bits 0x").append(Long.toHexString(Double.doubleToRawLongBits(d))).append(')');
        }
        default -> appendObject(sb, v.getObject(i));
      }
    } catch (RuntimeException e) {
      sb.append("<cannot render slot ").append(i).append(": ").append(e).append('>');
    }
  }

  private static void appendStruct(StringBuilder sb, NonNullableStructVector v, int i) {
    sb.append('{');
    List<FieldVector> children = v.getChildrenFromFields();
    for (int k = 0; k < children.size(); k++) {
      sb.append(k == 0 ? "" : ", ").append(children.get(k).getName()).append('=');
      append(sb, children.get(k), i);
    }
    sb.append('}');
  }

  private static void appendElements(StringBuilder sb, ValueVector data, long start, long end) {
    sb.append('[');
    for (long k = start; k < end && k - start < MAX_ELEMENTS; k++) {
      sb.append(k == start ? "" : ", ");
      append(sb, data, k);
    }
    if (end - start > MAX_ELEMENTS) {
      sb.append(", ... (").append(end - start).append(" elements)");
    }
    sb.append(']');
  }

  private static void appendObject(StringBuilder sb, Object o) {
    if (o instanceof byte[]) {
      byte[] b = (byte[]) o;
      sb.append("0x");
      for (int k = 0; k < Math.min(b.length, MAX_BYTES); k++) {
        sb.append(String.format("%02x", b[k] & 0xFF));
      }
      sb.append(b.length > MAX_BYTES ? "..." : "").append(" (").append(b.length).append(" bytes)");
    } else if (o instanceof Text) {
      String s = o.toString();
      sb.append('"');
      for (int k = 0; k < Math.min(s.length(), MAX_CHARS); k++) {
        char c = s.charAt(k);
        if (c < 0x20 || c == 0x7F || c == '"' || c == '\\') {
          sb.append(String.format("\\u%04x", (int) c));
        } else {
          sb.append(c);
        }
      }
      sb.append('"');
      if (s.length() > MAX_CHARS) {
        sb.append("... (").append(((Text) o).getLength()).append(" bytes)");
      }
    } else {
      sb.append(o);
    }
  }
}
