package dev.weft.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Expected strings are Python 3's repr(float) of the same doubles. */
class PyFloatTest {
  @Test
  void matchesPythonRepr() {
    assertEquals("0.0", PyFloat.repr(0.0));
    assertEquals("-0.0", PyFloat.repr(-0.0));
    assertEquals("1.0", PyFloat.repr(1.0));
    assertEquals("-1.5", PyFloat.repr(-1.5));
    assertEquals("0.1", PyFloat.repr(0.1));
    assertEquals("0.30000000000000004", PyFloat.repr(0.1 + 0.2));
    assertEquals("0.0001", PyFloat.repr(1e-4));
    assertEquals("1e-05", PyFloat.repr(1e-5));
    assertEquals("1.5e-05", PyFloat.repr(1.5e-5));
    assertEquals("123456789.0", PyFloat.repr(123456789.0));
    assertEquals("1000000000000000.0", PyFloat.repr(1e15));
    assertEquals("9999999999999998.0", PyFloat.repr(9999999999999998.0));
    assertEquals("1e+16", PyFloat.repr(1e16));
    assertEquals("1.2345e+20", PyFloat.repr(1.2345e20));
    assertEquals("1e+100", PyFloat.repr(1e100));
    assertEquals("1.7976931348623157e+308", PyFloat.repr(Double.MAX_VALUE));
    assertEquals("5e-324", PyFloat.repr(Double.MIN_VALUE));
    assertEquals("2.2250738585072014e-308", PyFloat.repr(Double.MIN_NORMAL));
    assertEquals("2e-05", PyFloat.repr(2e-5));
    // JDK 17's Double.toString gives "2.0E-3"-like forms and sometimes too many digits
    assertEquals("0.002", PyFloat.repr(2e-3));
    assertEquals("1e+23", PyFloat.repr(1e23));
    assertEquals("2.82879384806159e+17", PyFloat.repr(2.82879384806159E17));
    // float32 values widen to double, as pyarrow's to_pylist does
    assertEquals("0.10000000149011612", PyFloat.repr(0.1f));
    assertEquals("nan", PyFloat.repr(Double.NaN));
    assertEquals("inf", PyFloat.repr(Double.POSITIVE_INFINITY));
    assertEquals("-inf", PyFloat.repr(Double.NEGATIVE_INFINITY));
  }

  @Test
  void jsonUsesPythonsNonFiniteNames() {
    StringBuilder sb = new StringBuilder();
    PyFloat.appendJson(sb, Double.NaN);
    sb.append(' ');
    PyFloat.appendJson(sb, Double.NEGATIVE_INFINITY);
    sb.append(' ');
    PyFloat.appendJson(sb, Double.POSITIVE_INFINITY);
    sb.append(' ');
    PyFloat.appendJson(sb, 1e-7);
    assertEquals("NaN -Infinity Infinity 1e-07", sb.toString());
  }
}
