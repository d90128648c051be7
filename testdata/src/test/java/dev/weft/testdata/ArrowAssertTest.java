package dev.weft.testdata;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ArrowAssertTest {
  private static final Schema ALL = RandomArrow.allTypesSchema();
  private BufferAllocator allocator;

  @BeforeEach
  void openAllocator() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void closeAllocator() {
    allocator.close(); // throws IllegalStateException on leaked buffers
  }

  private VectorSchemaRoot generate(long seed) {
    return RandomArrow.generate(ALL, 200, seed, allocator, 0.15);
  }

  private static AssertionError failure(Runnable assertion) {
    return assertThrows(AssertionError.class, assertion::run);
  }

  private static void assertContains(String message, String... parts) {
    for (String p : parts) {
      assertTrue(message.contains(p), () -> "message lacks '" + p + "':\n" + message);
    }
  }

  @Test
  void passesOnIdenticalRoots() {
    try (VectorSchemaRoot a = generate(1); VectorSchemaRoot b = generate(1)) {
      ArrowAssert.assertRootEquals(a, b);
      ArrowAssert.assertRootEquals(a, a);
    }
    for (long s = 0; s < 10; s++) {
      Schema schema = RandomArrow.randomSchema(new Random(s), 5, 4);
      try (VectorSchemaRoot a = RandomArrow.generate(schema, 50, s, allocator, 0.3);
          VectorSchemaRoot b = RandomArrow.generate(schema, 50, s, allocator, 0.3)) {
        ArrowAssert.assertRootEquals(a, b);
      }
    }
  }

  @Test
  void detectsDifferentData() {
    try (VectorSchemaRoot a = generate(1); VectorSchemaRoot b = generate(2)) {
      failure(() -> ArrowAssert.assertRootEquals(a, b));
    }
  }

  @Test
  void detectsChangedNestedListElement() {
    try (VectorSchemaRoot expected = generate(3); VectorSchemaRoot actual = generate(3)) {
      ListVector outer = (ListVector) actual.getVector("list_list_int32");
      ListVector inner = (ListVector) outer.getDataVector();
      IntVector ints = (IntVector) inner.getDataVector();
      for (int row = 0; row < actual.getRowCount(); row++) {
        if (outer.isNull(row)) {
          continue;
        }
        for (int o = outer.getElementStartIndex(row); o < outer.getElementEndIndex(row); o++) {
          if (inner.isNull(o)) {
            continue;
          }
          for (int e = inner.getElementStartIndex(o); e < inner.getElementEndIndex(o); e++) {
            if (!ints.isNull(e)) {
              int old = ints.get(e);
              ints.set(e, old + 1);
              String path = "list_list_int32[" + (o - outer.getElementStartIndex(row)) + "]["
                  + (e - inner.getElementStartIndex(o)) + "]";
              AssertionError err = failure(() -> ArrowAssert.assertRootEquals(expected, actual));
              assertContains(err.getMessage(), "column 'list_list_int32' row " + row + ":", path,
                  "expected <" + old + ">", "but was <" + (old + 1) + ">");
              return;
            }
          }
        }
      }
      fail("no non-null nested element found");
    }
  }

  @Test
  void detectsChangedNull() {
    try (VectorSchemaRoot expected = generate(4); VectorSchemaRoot actual = generate(4)) {
      IntVector ints = (IntVector) actual.getVector("int32");
      int valueRow = firstRow(ints, false);
      int value = ints.get(valueRow);
      ints.setNull(valueRow);
      AssertionError err = failure(() -> ArrowAssert.assertRootEquals(expected, actual));
      assertContains(err.getMessage(), "column 'int32' row " + valueRow + ":", "null mismatch",
          "expected <" + value + ">", "but was <null>");

      ints.set(valueRow, value);
      ArrowAssert.assertRootEquals(expected, actual);
      int nullRow = firstRow(ints, true);
      ints.set(nullRow, 7);
      err = failure(() -> ArrowAssert.assertRootEquals(expected, actual));
      assertContains(err.getMessage(), "row " + nullRow + ":", "expected <null>", "but was <7>");
    }
  }

  private static int firstRow(FieldVector v, boolean isNull) {
    for (int i = 0; i < v.getValueCount(); i++) {
      if (v.isNull(i) == isNull) {
        return i;
      }
    }
    throw new AssertionError("no " + (isNull ? "null" : "non-null") + " row in " + v.getName());
  }

  @Test
  void ignoresGarbageUnderNullSlots() {
    try (VectorSchemaRoot expected = generate(5); VectorSchemaRoot actual = generate(5)) {
      IntVector ints = (IntVector) actual.getVector("int32");
      int nullRow = firstRow(ints, true);
      ints.getDataBuffer().setInt(nullRow * 4L, 123_456);
      StructVector struct = (StructVector) actual.getVector("struct");
      int nullStruct = firstRow(struct, true);
      IntVector a = (IntVector) struct.getChild("a");
      a.set(nullStruct, a.isNull(nullStruct) ? 1 : a.get(nullStruct) + 1); // child becomes non-null
      ArrowAssert.assertRootEquals(expected, actual);
    }
  }

  private VectorSchemaRoot floats(double f64, float f32, short f16Bits) {
    Schema schema = new Schema(List.of(
        TypeCatalog.leaf("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
        TypeCatalog.leaf("f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
        TypeCatalog.leaf("f16", new ArrowType.FloatingPoint(FloatingPointPrecision.HALF))));
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    ((Float8Vector) root.getVector(0)).setSafe(0, f64);
    ((Float4Vector) root.getVector(1)).setSafe(0, f32);
    ((Float2Vector) root.getVector(2)).setSafe(0, f16Bits);
    root.setRowCount(1);
    return root;
  }

  @Test
  void nanEqualsNanButNotNumbers() {
    double otherNaN = Double.longBitsToDouble(0x7FF0_0000_0000_0001L);
    float otherNaNf = Float.intBitsToFloat(0xFFC0_0001);
    try (VectorSchemaRoot a = floats(Double.NaN, Float.NaN, (short) 0x7E00);
        VectorSchemaRoot b = floats(otherNaN, otherNaNf, (short) 0xFE01);
        VectorSchemaRoot c = floats(1.0, Float.NaN, (short) 0x7E00);
        VectorSchemaRoot d = floats(Double.NaN, Float.NaN, (short) 0x3C00)) {
      ArrowAssert.assertRootEquals(a, b);
      AssertionError err = failure(() -> ArrowAssert.assertRootEquals(a, c));
      assertContains(err.getMessage(), "column 'f64' row 0:", "expected <NaN", "but was <1.0");
      err = failure(() -> ArrowAssert.assertRootEquals(a, d));
      assertContains(err.getMessage(), "column 'f16' row 0:", "but was <1.0");
    }
  }

  @Test
  void negativeZeroDiffersFromZero() {
    try (VectorSchemaRoot zero = floats(0.0, 0.0f, (short) 0);
        VectorSchemaRoot negF64 = floats(-0.0, 0.0f, (short) 0);
        VectorSchemaRoot negF32 = floats(0.0, -0.0f, (short) 0);
        VectorSchemaRoot negF16 = floats(0.0, 0.0f, (short) 0x8000)) {
      AssertionError err = failure(() -> ArrowAssert.assertRootEquals(zero, negF64));
      assertContains(err.getMessage(), "column 'f64'", "expected <0.0", "but was <-0.0");
      assertContains(failure(() -> ArrowAssert.assertRootEquals(zero, negF32)).getMessage(), "column 'f32'");
      assertContains(failure(() -> ArrowAssert.assertRootEquals(zero, negF16)).getMessage(), "column 'f16'");
    }
  }

  @Test
  void detectsSchemaAndRowCountDifferences() {
    Field nullableInt = TypeCatalog.leaf("x", new ArrowType.Int(32, true));
    Field requiredInt = new Field("x", FieldType.notNullable(new ArrowType.Int(32, true)), null);
    try (VectorSchemaRoot a = VectorSchemaRoot.create(new Schema(List.of(nullableInt)), allocator);
        VectorSchemaRoot b = VectorSchemaRoot.create(new Schema(List.of(requiredInt)), allocator);
        VectorSchemaRoot c = VectorSchemaRoot.create(new Schema(List.of(nullableInt)), allocator)) {
      a.setRowCount(0);
      b.setRowCount(0);
      assertContains(failure(() -> ArrowAssert.assertRootEquals(a, b)).getMessage(), "nullable");
      ((IntVector) c.getVector(0)).setSafe(0, 1);
      c.setRowCount(1);
      assertContains(failure(() -> ArrowAssert.assertRootEquals(a, c)).getMessage(), "row count");
    }
  }

  /**
   * Builds a root whose row i is row rows[i] of source, for the named columns, copying with
   * {@code copyFromSafe} or a {@link TransferPair}. Arrow's NullVector.copyFromSafe throws
   * UnsupportedOperationException, so null columns only get their value count.
   */
  private VectorSchemaRoot take(VectorSchemaRoot source, int[] rows, List<String> columns, boolean useTransferPair) {
    List<Field> fields = new ArrayList<>();
    for (String c : columns) {
      fields.add(source.getSchema().findField(c));
    }
    VectorSchemaRoot out = VectorSchemaRoot.create(new Schema(fields), allocator);
    try {
      for (String c : columns) {
        FieldVector from = source.getVector(c);
        FieldVector to = out.getVector(c);
        to.allocateNew();
        TransferPair pair = useTransferPair ? from.makeTransferPair(to) : null;
        for (int i = 0; i < rows.length && !(from instanceof NullVector); i++) {
          if (pair != null) {
            pair.copyValueSafe(rows[i], i);
          } else {
            to.copyFromSafe(rows[i], i, from);
          }
        }
        to.setValueCount(rows.length);
      }
      out.setRowCount(rows.length);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  @Test
  void assertRowsEqualAcceptsPermutedCopyAndRejectsWrongMapping() {
    try (VectorSchemaRoot source = generate(6)) {
      int n = source.getRowCount();
      int[] rows = new int[n + 20];
      Random rnd = new Random(6);
      for (int i = 0; i < rows.length; i++) {
        rows[i] = i < n ? n - 1 - i : rnd.nextInt(n); // reversed, then some repeats
      }
      List<String> names = new ArrayList<>();
      ALL.getFields().forEach(f -> names.add(f.getName()));
      try (VectorSchemaRoot copy = take(source, rows, names, false)) {
        ArrowAssert.assertRowsEqual(source, rows, copy);
        int[] wrong = rows.clone();
        wrong[3] = rows[4];
        AssertionError err = failure(() -> ArrowAssert.assertRowsEqual(source, wrong, copy));
        assertContains(err.getMessage(), "actual row 3 (expected row " + rows[4] + ")");
      }
    }
  }

  @Test
  void assertRowsEqualComparesProjectionByName() {
    try (VectorSchemaRoot source = generate(7)) {
      int[] rows = {5, 0, 199, 5, 42};
      List<String> projection = List.of("map_int32_list_utf8", "float16", "list_struct", "null", "utf8");
      try (VectorSchemaRoot projected = take(source, rows, projection, true)) {
        ArrowAssert.assertRowsEqual(source, rows, projected);
        ((Float2Vector) projected.getVector("float16")).setSafe(1, (short) 0x7C00); // +inf
        AssertionError err = failure(() -> ArrowAssert.assertRowsEqual(source, rows, projected));
        assertContains(err.getMessage(), "column 'float16' actual row 1 (expected row 0)", "but was <Infinity");
      }
      try (VectorSchemaRoot one = take(source, rows, List.of("int8"), true)) {
        failure(() -> ArrowAssert.assertRowsEqual(source, new int[] {5, 0, 199, 5}, one));
      }
    }
  }

  @Test
  void assertVectorRangeEqualsOnSlices() {
    try (VectorSchemaRoot source = generate(8)) {
      for (FieldVector column : source.getFieldVectors()) {
        TransferPair pair = column.getTransferPair(allocator);
        pair.splitAndTransfer(10, 30);
        try (FieldVector slice = (FieldVector) pair.getTo()) {
          ArrowAssert.assertVectorRangeEquals(column, 10, slice, 0, 30, column.getName());
          if (!column.getName().equals("null")) {
            failure(() -> ArrowAssert.assertVectorRangeEquals(column, 11, slice, 0, 29, column.getName()));
          }
        }
      }
      AssertionError err = failure(() -> ArrowAssert.assertVectorRangeEquals(
          source.getVector("int8"), 0, source.getVector("int16"), 0, 5, "x"));
      assertContains(err.getMessage(), "type");
      err = failure(() -> ArrowAssert.assertVectorRangeEquals(
          source.getVector("int8"), 190, source.getVector("int8"), 0, 20, "x"));
      assertContains(err.getMessage(), "exceeds");
    }
  }
}
