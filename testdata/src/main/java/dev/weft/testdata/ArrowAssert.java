package dev.weft.testdata;

import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Assertions on Arrow data for tests; failures throw {@link AssertionError} (no JUnit dependency).
 *
 * <p>Value semantics, at every nesting level: null slots are equal whatever their buffers hold;
 * floating-point values (float16/32/64) are equal when their bits are equal or both are NaN, so
 * {@code -0.0} differs from {@code 0.0}; all other values are compared by their bytes. Messages
 * name the column, the row(s), the nested position (e.g. {@code col[2].b[0]}) and both values.
 *
 * <p>Schema semantics: field names, types, nullability, dictionary encodings and field metadata
 * are compared at every level, except the name of a list/large list/fixed-size list element field
 * (Arrow Java renames it to {@code $data$}). Schema-level custom metadata is not compared.
 */
public final class ArrowAssert {
  private ArrowAssert() {}

  /**
   * Asserts that two schemas have equal fields (see the class documentation).
   *
   * @param expected expected schema
   * @param actual actual schema
   * @throws AssertionError if they differ
   */
  public static void assertSchemaEquals(Schema expected, Schema actual) {
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(actual, "actual");
    List<Field> ef = expected.getFields();
    List<Field> af = actual.getFields();
    if (ef.size() != af.size()) {
      throw new AssertionError("schema mismatch: expected " + ef.size() + " columns but was " + af.size()
          + "\n  expected: " + expected + "\n  actual:   " + actual);
    }
    for (int c = 0; c < ef.size(); c++) {
      String d = FieldComparator.diff(ef.get(c), af.get(c), "column " + c, true, true);
      if (d != null) {
        throw new AssertionError("schema mismatch at " + d
            + "\n  expected: " + expected + "\n  actual:   " + actual);
      }
    }
  }

  /**
   * Asserts that two roots have equal schemas, row counts and values.
   *
   * @param expected expected data
   * @param actual actual data
   * @throws AssertionError naming the first differing column, row and values
   */
  public static void assertRootEquals(VectorSchemaRoot expected, VectorSchemaRoot actual) {
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(actual, "actual");
    assertSchemaEquals(expected.getSchema(), actual.getSchema());
    if (expected.getRowCount() != actual.getRowCount()) {
      throw new AssertionError("row count mismatch: expected " + expected.getRowCount()
          + " but was " + actual.getRowCount());
    }
    for (int c = 0; c < expected.getFieldVectors().size(); c++) {
      FieldVector ev = expected.getVector(c);
      FieldVector av = actual.getVector(c);
      checkValueCount("expected", ev, expected.getRowCount());
      checkValueCount("actual", av, actual.getRowCount());
      compareRows(ev, null, 0, av, 0, expected.getRowCount(), ev.getName());
    }
  }

  /**
   * Asserts that row {@code i} of {@code actual} equals row {@code expectedRows[i]} of
   * {@code expected}, e.g. to check the result of a {@code take}. {@code actual} may be a
   * projection: only its columns are compared, matched to {@code expected} by name.
   *
   * @param expected the source data
   * @param expectedRows for each actual row, the expected row index
   * @param actual the data to check
   * @throws AssertionError on a missing column, differing field, row count or value
   */
  public static void assertRowsEqual(VectorSchemaRoot expected, int[] expectedRows, VectorSchemaRoot actual) {
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(expectedRows, "expectedRows");
    Objects.requireNonNull(actual, "actual");
    if (actual.getRowCount() != expectedRows.length) {
      throw new AssertionError("row count mismatch: expected " + expectedRows.length
          + " rows (one per expected row index) but was " + actual.getRowCount());
    }
    for (int i = 0; i < expectedRows.length; i++) {
      if (expectedRows[i] < 0 || expectedRows[i] >= expected.getRowCount()) {
        throw new IllegalArgumentException("expectedRows[" + i + "] = " + expectedRows[i]
            + " is outside the expected root's " + expected.getRowCount() + " rows");
      }
    }
    for (FieldVector av : actual.getFieldVectors()) {
      String name = av.getName();
      FieldVector ev = findColumn(expected, name);
      if (ev == null) {
        throw new AssertionError("column '" + name + "' of actual is not in expected schema "
            + expected.getSchema());
      }
      Field ef = fieldOf(expected.getSchema(), name);
      Field af = fieldOf(actual.getSchema(), name);
      String d = FieldComparator.diff(ef, af, "column '" + name + "'", true, true);
      if (d != null) {
        throw new AssertionError("schema mismatch at " + d);
      }
      checkValueCount("expected", ev, expected.getRowCount());
      checkValueCount("actual", av, actual.getRowCount());
      compareRows(ev, expectedRows, 0, av, 0, expectedRows.length, name);
    }
  }

  /**
   * Asserts that {@code length} slots of two vectors are equal: {@code expected[expectedStart + k]}
   * against {@code actual[actualStart + k]}. The vectors' types must be equal (names of the
   * vectors themselves and nullability are not compared).
   *
   * @param expected expected vector
   * @param expectedStart first expected slot
   * @param actual actual vector
   * @param actualStart first actual slot
   * @param length number of slots
   * @param columnName name used in failure messages
   * @throws AssertionError on a type difference, a range beyond a vector's value count, or a value difference
   */
  public static void assertVectorRangeEquals(
      FieldVector expected, int expectedStart, FieldVector actual, int actualStart, int length, String columnName) {
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(actual, "actual");
    if (expectedStart < 0 || actualStart < 0 || length < 0) {
      throw new IllegalArgumentException("negative start or length");
    }
    String d = FieldComparator.diff(expected.getField(), actual.getField(), "column '" + columnName + "'", false, false);
    if (d != null) {
      throw new AssertionError("type mismatch at " + d);
    }
    if ((long) expectedStart + length > expected.getValueCount()
        || (long) actualStart + length > actual.getValueCount()) {
      throw new AssertionError("column '" + columnName + "': range of " + length + " rows from expected row "
          + expectedStart + " / actual row " + actualStart + " exceeds value counts (expected "
          + expected.getValueCount() + ", actual " + actual.getValueCount() + ")");
    }
    compareRows(expected, null, expectedStart, actual, actualStart, length, columnName);
  }

  /**
   * Compares {@code length} rows; expected row k is {@code expectedRows[k]} if given, else
   * {@code expectedStart + k}. Reports the first mismatch and how many rows differ in total.
   */
  private static void compareRows(FieldVector ev, int[] expectedRows, int expectedStart,
      FieldVector av, int actualStart, int length, String column) {
    VectorComparator.Mismatch first = null;
    int firstExpected = -1;
    int firstActual = -1;
    int mismatches = 0;
    for (int k = 0; k < length; k++) {
      int ei = expectedRows != null ? expectedRows[k] : expectedStart + k;
      int ai = actualStart + k;
      VectorComparator.Mismatch m = VectorComparator.compare(ev, ei, av, ai, column);
      if (m != null) {
        mismatches++;
        if (first == null) {
          first = m;
          firstExpected = ei;
          firstActual = ai;
        }
      }
    }
    if (first != null) {
      String rows = firstExpected == firstActual ? "row " + firstActual
          : "actual row " + firstActual + " (expected row " + firstExpected + ")";
      throw new AssertionError("column '" + column + "' " + rows + ": " + first.describe()
          + "\n  expected row value: " + ValueFormatter.format(ev, firstExpected)
          + "\n  actual row value:   " + ValueFormatter.format(av, firstActual)
          + (mismatches > 1 ? "\n  (" + mismatches + " of " + length + " compared rows differ in this column)" : ""));
    }
  }

  private static void checkValueCount(String which, FieldVector v, int rowCount) {
    if (v.getValueCount() != rowCount) {
      throw new AssertionError("column '" + v.getName() + "' of " + which + " has value count "
          + v.getValueCount() + " but its root has " + rowCount + " rows");
    }
  }

  private static FieldVector findColumn(VectorSchemaRoot root, String name) {
    for (FieldVector v : root.getFieldVectors()) {
      if (v.getName().equals(name)) {
        return v;
      }
    }
    return null;
  }

  private static Field fieldOf(Schema schema, String name) {
    for (Field f : schema.getFields()) {
      if (f.getName().equals(name)) {
        return f;
      }
    }
    throw new AssertionError("no field '" + name + "' in schema " + schema);
  }
}
