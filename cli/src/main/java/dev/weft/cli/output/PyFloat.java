package dev.weft.cli.output;

import com.fasterxml.jackson.core.io.schubfach.DoubleToDecimal;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats doubles the way Python's {@code repr(float)} does (and so {@code json.dumps}): the
 * shortest decimal that reads back as the same double, in positional notation when the decimal
 * exponent is in [-4, 16) and in scientific notation otherwise ({@code 0.1}, {@code 1.0},
 * {@code 1e-05}, {@code 1.5e+16}). A float32 or float16 value is formatted as the double it
 * widens to, as pyarrow's {@code to_pylist} does ({@code 0.1f} becomes
 * {@code 0.10000000149011612}).
 *
 * <p>The shortest digits come from the Schubfach algorithm (Jackson's implementation, already on
 * the classpath through Arrow), which is what {@code Double.toString} does from JDK 19 on; the
 * JDK 17 {@code Double.toString} sometimes prints more digits than needed.
 */
public final class PyFloat {
  private static final MathContext ONE_DIGIT = new MathContext(1, RoundingMode.HALF_EVEN);

  private PyFloat() {}

  /** Python's {@code repr}: {@code nan}, {@code inf}, {@code -inf} for non-finite values. */
  public static String repr(double d) {
    StringBuilder sb = new StringBuilder(24);
    appendRepr(sb, d);
    return sb.toString();
  }

  /** Appends Python's {@code repr(d)}. */
  public static void appendRepr(StringBuilder sb, double d) {
    if (Double.isNaN(d)) {
      sb.append("nan");
    } else if (Double.isInfinite(d)) {
      sb.append(d > 0 ? "inf" : "-inf");
    } else {
      appendFinite(sb, d);
    }
  }

  /**
   * Appends what {@code json.dumps} writes: like {@link #appendRepr} but {@code NaN},
   * {@code Infinity} and {@code -Infinity} for non-finite values (Python's JSON extension, read
   * back by {@code json.loads}, pandas and DuckDB).
   */
  public static void appendJson(StringBuilder sb, double d) {
    if (Double.isNaN(d)) {
      sb.append("NaN");
    } else if (Double.isInfinite(d)) {
      sb.append(d > 0 ? "Infinity" : "-Infinity");
    } else {
      appendFinite(sb, d);
    }
  }

  private static void appendFinite(StringBuilder sb, double d) {
    if (d == 0) {
      sb.append((Double.doubleToRawLongBits(d) < 0) ? "-0.0" : "0.0");
      return;
    }
    // Shortest round-trip digits, e.g. "1.0E-5", "123.456", "1.2345678E20": read its digits and
    // decimal exponent (value = 0.DIGITS * 10^pointPos)
    String s = DoubleToDecimal.toString(d);
    int len = s.length();
    int i = 0;
    boolean negative = s.charAt(0) == '-';
    if (negative) {
      i++;
    }
    char[] digits = new char[24];
    int n = 0;
    int pointPos = 0;
    boolean afterPoint = false;
    for (; i < len; i++) {
      char c = s.charAt(i);
      if (c == '.') {
        afterPoint = true;
      } else if (c == 'E') {
        pointPos += Integer.parseInt(s, i + 1, len, 10);
        break;
      } else {
        if (!afterPoint) {
          pointPos++;
        }
        digits[n++] = c;
      }
    }
    int start = 0;
    while (start < n - 1 && digits[start] == '0') {
      start++;
      pointPos--;
    }
    int end = n;
    while (end > start + 1 && digits[end - 1] == '0') {
      end--;
    }
    if (end - start == 2) {
      // Java prints at least 2 digits and then picks the closest 2-digit decimal (4.9E-324);
      // Python prints 1 digit when one reads back as the same double (5e-324)
      BigDecimal one = new BigDecimal(Math.abs(d)).round(ONE_DIGIT);
      if (one.doubleValue() == Math.abs(d)) {
        digits[0] = (char) ('0' + one.unscaledValue().intValue());
        start = 0;
        end = 1;
        pointPos = one.precision() - one.scale();
      }
    }
    int count = end - start;
    int x = pointPos - 1; // decimal exponent of the first digit
    if (negative) {
      sb.append('-');
    }
    if (x >= -4 && x < 16) { // as Python
      if (x >= 0) {
        if (count <= x + 1) {
          sb.append(digits, start, count);
          for (int k = count; k <= x; k++) {
            sb.append('0');
          }
          sb.append(".0");
        } else {
          sb.append(digits, start, x + 1).append('.').append(digits, start + x + 1, count - x - 1);
        }
      } else {
        sb.append("0.");
        for (int k = 0; k < -x - 1; k++) {
          sb.append('0');
        }
        sb.append(digits, start, count);
      }
    } else {
      sb.append(digits[start]);
      if (count > 1) {
        sb.append('.').append(digits, start + 1, count - 1);
      }
      sb.append('e').append(x < 0 ? '-' : '+');
      int ax = Math.abs(x);
      if (ax < 10) {
        sb.append('0');
      }
      sb.append(ax);
    }
  }
}
