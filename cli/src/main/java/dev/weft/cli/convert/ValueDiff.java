package dev.weft.cli.convert;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.NonNullableStructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Compares one value of two Arrow vectors, nested structure and nulls included, bit for bit
 * (so NaN equals the same NaN), and formats values for people.
 */
public final class ValueDiff {
  private ValueDiff() {}

  /**
   * Null if {@code a[i]} equals {@code b[j]}; else where they first differ, as a path below
   * {@code path} (e.g. {@code tags[2].name}) and what differs.
   */
  public static String diff(ValueVector a, int i, ValueVector b, int j, String path) {
    boolean na = a.isNull(i);
    boolean nb = b.isNull(j);
    if (na || nb) {
      return na == nb ? null : path + " is " + (na ? "null" : "not null") + " against " + (nb ? "null" : "not null");
    }
    if (a instanceof NullVector || b instanceof NullVector) {
      return a.getClass() == b.getClass() ? null : path + ": types differ";
    }
    if (a instanceof NonNullableStructVector sa && b instanceof NonNullableStructVector sb) {
      int n = sa.size();
      if (n != sb.size()) {
        return path + ": " + n + " against " + sb.size() + " fields";
      }
      for (int k = 0; k < n; k++) {
        ValueVector ca = sa.getChildByOrdinal(k);
        String d = diff(ca, i, sb.getChildByOrdinal(k), j, path + "." + ca.getName());
        if (d != null) {
          return d;
        }
      }
      return null;
    }
    long[] ra = range(a, i);
    long[] rb = range(b, j);
    if (ra != null || rb != null) {
      if (ra == null || rb == null || (a instanceof MapVector) != (b instanceof MapVector)) {
        return path + ": types differ";
      }
      long la = ra[1] - ra[0];
      long lb = rb[1] - rb[0];
      if (la != lb) {
        return path + " has " + la + " against " + lb + " elements";
      }
      ValueVector ea = elements(a);
      ValueVector eb = elements(b);
      for (long k = 0; k < la; k++) {
        String d = diff(ea, (int) (ra[0] + k), eb, (int) (rb[0] + k), path + "[" + k + "]");
        if (d != null) {
          return d;
        }
      }
      return null;
    }
    if (a instanceof BitVector ba && b instanceof BitVector bb) {
      return ba.get(i) == bb.get(j) ? null : path + " differs";
    }
    if (a instanceof BaseFixedWidthVector fa && b instanceof BaseFixedWidthVector fb) {
      int w = fa.getTypeWidth();
      if (w != fb.getTypeWidth()) {
        return path + ": types differ";
      }
      ArrowBuf da = fa.getDataBuffer();
      ArrowBuf db = fb.getDataBuffer();
      long oa = (long) i * w;
      long ob = (long) j * w;
      for (int k = 0; k < w; k++) {
        if (da.getByte(oa + k) != db.getByte(ob + k)) {
          return path + " differs";
        }
      }
      return null;
    }
    byte[] va = bytes(a, i);
    byte[] vb = bytes(b, j);
    if (va != null && vb != null) {
      return Arrays.equals(va, vb) ? null : path + " differs";
    }
    Object oa = a.getObject(i);
    Object ob = b.getObject(j);
    return java.util.Objects.equals(oa, ob) ? null : path + " differs";
  }

  private static long[] range(ValueVector v, int i) {
    if (v instanceof ListVector l) {
      return new long[] {l.getElementStartIndex(i), l.getElementEndIndex(i)};
    }
    if (v instanceof LargeListVector l) {
      return new long[] {l.getElementStartIndex(i), l.getElementEndIndex(i)};
    }
    if (v instanceof FixedSizeListVector l) {
      return new long[] {(long) i * l.getListSize(), (long) (i + 1) * l.getListSize()};
    }
    return null;
  }

  private static ValueVector elements(ValueVector v) {
    if (v instanceof ListVector l) {
      return l.getDataVector();
    }
    if (v instanceof LargeListVector l) {
      return l.getDataVector();
    }
    return ((FixedSizeListVector) v).getDataVector();
  }

  private static byte[] bytes(ValueVector v, int i) {
    if (v instanceof BaseVariableWidthVector b) {
      return b.get(i);
    }
    if (v instanceof BaseLargeVariableWidthVector b) {
      return b.get(i);
    }
    return null;
  }

  /** A short rendering of {@code v[i]} (at most about 120 characters). */
  public static String format(ValueVector v, int i) {
    StringBuilder sb = new StringBuilder();
    format(v, i, sb);
    return sb.length() > 120 ? sb.substring(0, 117) + "..." : sb.toString();
  }

  private static void format(ValueVector v, int i, StringBuilder sb) {
    if (sb.length() > 200) {
      return;
    }
    if (v.isNull(i)) {
      sb.append("null");
      return;
    }
    if (v instanceof NonNullableStructVector s) {
      sb.append('{');
      for (int k = 0; k < s.size(); k++) {
        if (k > 0) {
          sb.append(", ");
        }
        ValueVector c = s.getChildByOrdinal(k);
        sb.append(c.getName()).append(": ");
        format(c, i, sb);
      }
      sb.append('}');
      return;
    }
    long[] r = range(v, i);
    if (r != null) {
      ValueVector e = elements(v);
      sb.append('[');
      for (long k = r[0]; k < r[1]; k++) {
        if (k > r[0]) {
          sb.append(", ");
        }
        if (sb.length() > 200) {
          sb.append("...");
          break;
        }
        format(e, (int) k, sb);
      }
      sb.append(']');
      return;
    }
    byte[] b = bytes(v, i);
    if (b != null) {
      ArrowType t = v.getField().getType();
      if (t instanceof ArrowType.Utf8 || t instanceof ArrowType.LargeUtf8) {
        sb.append('"').append(new String(b, StandardCharsets.UTF_8)).append('"');
      } else {
        binary(b, sb);
      }
      return;
    }
    Object o = v.getObject(i);
    if (o instanceof byte[] bytes) {
      binary(bytes, sb);
    } else {
      sb.append(o);
    }
  }

  private static void binary(byte[] b, StringBuilder sb) {
    try {
      String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(b)).toString();
      if (s.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
        sb.append("b\"").append(s).append('"');
        return;
      }
    } catch (CharacterCodingException e) {
      // not text: hex below
    }
    sb.append("0x");
    for (int k = 0; k < Math.min(b.length, 32); k++) {
      sb.append(String.format("%02x", b[k] & 0xff));
    }
    if (b.length > 32) {
      sb.append("...(").append(b.length).append(" bytes)");
    }
  }
}
