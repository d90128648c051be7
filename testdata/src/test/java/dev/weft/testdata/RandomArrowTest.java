package dev.weft.testdata;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.Types.MinorType;
import org.apache.arrow.vector.types.UnionMode;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RandomArrowTest {
  private BufferAllocator allocator;

  @BeforeEach
  void openAllocator() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void closeAllocator() {
    // RootAllocator.close() throws IllegalStateException if any buffer is still allocated.
    assertEquals(0, allocator.getAllocatedMemory(), "leaked bytes");
    allocator.close();
  }

  @Test
  void allTypesSchemaCoversEveryVectorKind() {
    Schema schema = RandomArrow.allTypesSchema();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      assertEquals(schema, root.getSchema());
      Set<MinorType> kinds = new HashSet<>();
      Set<String> names = new HashSet<>();
      for (FieldVector v : root.getFieldVectors()) {
        assertTrue(names.add(v.getName()), "duplicate column " + v.getName());
        VectorTrees.forEach(v, x -> kinds.add(x.getMinorType()));
      }
      for (MinorType t : List.of(MinorType.BIT, MinorType.TINYINT, MinorType.UINT8, MinorType.FLOAT2,
          MinorType.DECIMAL, MinorType.DECIMAL256, MinorType.DATEDAY, MinorType.DATEMILLI,
          MinorType.TIMESEC, MinorType.TIMENANO, MinorType.TIMESTAMPSEC, MinorType.TIMESTAMPMILLITZ,
          MinorType.TIMESTAMPMICROTZ, MinorType.TIMESTAMPNANOTZ, MinorType.DURATION,
          MinorType.INTERVALYEAR, MinorType.INTERVALDAY, MinorType.INTERVALMONTHDAYNANO,
          MinorType.VARCHAR, MinorType.LARGEVARCHAR, MinorType.VARBINARY, MinorType.LARGEVARBINARY,
          MinorType.FIXEDSIZEBINARY, MinorType.NULL, MinorType.LIST, MinorType.LARGELIST,
          MinorType.FIXED_SIZE_LIST, MinorType.STRUCT, MinorType.MAP)) {
        assertTrue(kinds.contains(t), "missing " + t);
      }
    }
  }

  @Test
  void generationIsDeterministicForASeed() {
    Schema schema = RandomArrow.allTypesSchema();
    try (VectorSchemaRoot a = RandomArrow.generate(schema, 300, 42, allocator, 0.2);
        VectorSchemaRoot b = RandomArrow.generate(schema, 300, 42, allocator, 0.2);
        VectorSchemaRoot c = RandomArrow.generate(schema, 300, 43, allocator, 0.2)) {
      // Independent of ArrowAssert: compare raw buffers.
      assertTrue(VectorTrees.sameBuffers(a, b), "same seed, different data");
      ArrowAssert.assertRootEquals(a, b);
      assertFalse(VectorTrees.sameBuffers(a, c), "different seed, same data");
    }
  }

  @Test
  void randomSchemaIsDeterministicAndGeneratable() {
    for (long s = 0; s < 40; s++) {
      Schema schema = RandomArrow.randomSchema(new Random(s), 6, 3);
      assertEquals(schema, RandomArrow.randomSchema(new Random(s), 6, 3));
      Set<String> names = new HashSet<>();
      schema.getFields().forEach(f -> assertTrue(names.add(f.getName())));
      schema.getFields().forEach(f -> assertTrue(depth(f) <= 3, () -> "too deep: " + f));
      try (VectorSchemaRoot a = RandomArrow.generate(schema, 60, s, allocator, 0.25);
          VectorSchemaRoot b = RandomArrow.generate(schema, 60, s, allocator, 0.25)) {
        assertTrue(VectorTrees.sameBuffers(a, b));
        ArrowAssert.assertRootEquals(a, b);
        for (FieldVector v : a.getFieldVectors()) {
          for (int i = 0; i < a.getRowCount(); i++) {
            int row = i;
            assertDoesNotThrow(() -> v.getObject(row), v::getName);
            assertFalse(ValueFormatter.format(v, i).contains("<cannot render"), v::getName);
          }
        }
      }
    }
    Schema flat = RandomArrow.randomSchema(new Random(1), 20, 0);
    flat.getFields().forEach(f -> assertTrue(f.getChildren().isEmpty(), f::toString));
  }

  private static int depth(Field f) {
    int d = 0;
    for (Field c : f.getChildren()) {
      d = Math.max(d, depth(c));
    }
    boolean map = f.getType() instanceof ArrowType.Map;
    return f.getChildren().isEmpty() ? 0 : d + (map ? 0 : 1); // map entries struct is not a level
  }

  @Test
  void zeroNullProbabilityMeansNoNulls() {
    try (VectorSchemaRoot root = RandomArrow.generate(RandomArrow.allTypesSchema(), 200, 7, allocator, 0.0)) {
      for (FieldVector top : root.getFieldVectors()) {
        VectorTrees.forEach(top, v -> {
          if (v.getMinorType() != MinorType.NULL) {
            assertEquals(0, v.getNullCount(), () -> "nulls in " + v.getField());
          }
        });
      }
    }
  }

  @Test
  void fullNullProbabilityMakesEveryNullableSlotNull() {
    Schema random = RandomArrow.randomSchema(new Random(5), 30, 3);
    for (Schema schema : List.of(RandomArrow.allTypesSchema(), random)) {
      try (VectorSchemaRoot root = RandomArrow.generate(schema, 50, 7, allocator, 1.0)) {
        for (FieldVector top : root.getFieldVectors()) {
          VectorTrees.forEach(top, v -> {
            int expectedNulls = v.getField().isNullable() ? v.getValueCount() : 0;
            assertEquals(expectedNulls, v.getNullCount(), () -> "null count of " + v.getField());
          });
        }
      }
    }
  }

  @Test
  void edgeCasesAppear() {
    try (VectorSchemaRoot root = RandomArrow.generate(RandomArrow.allTypesSchema(), 2000, 3, allocator, 0.1)) {
      IntVector i32 = (IntVector) root.getVector("int32");
      Set<Integer> ints = new HashSet<>();
      for (int i = 0; i < root.getRowCount(); i++) {
        if (!i32.isNull(i)) {
          ints.add(i32.get(i));
        }
      }
      assertTrue(ints.containsAll(List.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1)), "int32 edges");

      BigIntVector i64 = (BigIntVector) root.getVector("int64");
      assertTrue(anyRow(root, i -> !i64.isNull(i) && i64.get(i) == Long.MIN_VALUE), "int64 min");
      UInt8Vector u64 = (UInt8Vector) root.getVector("uint64");
      assertTrue(anyRow(root, i -> !u64.isNull(i) && u64.get(i) == -1L), "uint64 max");

      Float8Vector f64 = (Float8Vector) root.getVector("float64");
      Set<Long> bits = new HashSet<>();
      boolean subnormal = false;
      for (int i = 0; i < root.getRowCount(); i++) {
        if (!f64.isNull(i)) {
          double d = f64.get(i);
          bits.add(Double.doubleToRawLongBits(d));
          subnormal |= d != 0 && Math.abs(d) < Double.MIN_NORMAL;
        }
      }
      for (double d : new double[] {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
        assertTrue(bits.contains(Double.doubleToRawLongBits(d)), "float64 edge " + d);
      }
      assertTrue(subnormal, "float64 subnormal");

      Float2Vector f16 = (Float2Vector) root.getVector("float16");
      assertTrue(anyRow(root, i -> !f16.isNull(i) && f16.get(i) == (short) 0x8000), "float16 -0");
      assertTrue(anyRow(root, i -> !f16.isNull(i) && Float.isNaN(f16.getValueAsFloat(i))), "float16 NaN");

      VarCharVector utf8 = (VarCharVector) root.getVector("utf8");
      assertTrue(anyRow(root, i -> !utf8.isNull(i) && utf8.get(i).length == 0), "empty string");
      assertTrue(anyRow(root, i -> !utf8.isNull(i) && utf8.get(i).length > new String(utf8.get(i),
          StandardCharsets.UTF_8).length()), "multi-byte string");
      VarBinaryVector bin = (VarBinaryVector) root.getVector("binary");
      assertTrue(anyRow(root, i -> !bin.isNull(i) && bin.get(i).length == 0), "empty binary");
      ListVector list = (ListVector) root.getVector("list_int64");
      assertTrue(anyRow(root, i -> !list.isNull(i)
          && list.getElementEndIndex(i) == list.getElementStartIndex(i)), "empty list");
    }
  }

  private interface RowPredicate {
    boolean test(int row);
  }

  private static boolean anyRow(VectorSchemaRoot root, RowPredicate p) {
    for (int i = 0; i < root.getRowCount(); i++) {
      if (p.test(i)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void lengthsRespectOptionsAndStringsAreValidUtf8() throws CharacterCodingException {
    RandomArrow.Options options = RandomArrow.Options.builder()
        .nullProbability(0.1).maxStringBytes(13).maxListLength(3).build();
    try (VectorSchemaRoot root = RandomArrow.generate(RandomArrow.allTypesSchema(), 500, 11, allocator, options)) {
      VarCharVector utf8 = (VarCharVector) root.getVector("utf8");
      boolean sawMax = false;
      for (int i = 0; i < root.getRowCount(); i++) {
        if (!utf8.isNull(i)) {
          byte[] b = utf8.get(i);
          assertTrue(b.length <= 13);
          sawMax |= b.length == 13;
          StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(b));
        }
      }
      assertTrue(sawMax);
      ListVector list = (ListVector) root.getVector("list_list_int32");
      for (int i = 0; i < root.getRowCount(); i++) {
        assertTrue(list.getElementEndIndex(i) - list.getElementStartIndex(i) <= 3);
      }
    }
  }

  @Test
  void hugeValuesHaveTheConfiguredSize() {
    int huge = 3 << 20;
    RandomArrow.Options options = RandomArrow.Options.builder()
        .nullProbability(0).hugeProbability(0.5).hugeValueBytes(huge).build();
    Schema schema = new Schema(List.of(TypeCatalog.leaf("b", ArrowType.LargeBinary.INSTANCE),
        TypeCatalog.leaf("s", ArrowType.Utf8.INSTANCE)));
    try (VectorSchemaRoot root = RandomArrow.generate(schema, 8, 1, allocator, options)) {
      int hugeValues = 0;
      for (FieldVector v : root.getFieldVectors()) {
        for (int i = 0; i < root.getRowCount(); i++) {
          Object o = v.getObject(i);
          int len = o instanceof byte[] ? ((byte[]) o).length : (int) ((Text) o).getLength();
          assertTrue(len == huge || len <= 40, "length " + len);
          hugeValues += len == huge ? 1 : 0;
        }
      }
      assertTrue(hugeValues > 0);
    }
  }

  @Test
  void everyValueIsReadableViaGetObject() {
    try (VectorSchemaRoot root = RandomArrow.generate(RandomArrow.allTypesSchema(), 500, 9, allocator, 0.1)) {
      for (FieldVector v : root.getFieldVectors()) {
        for (int i = 0; i < root.getRowCount(); i++) {
          int row = i;
          assertDoesNotThrow(() -> v.getObject(row), v::getName);
        }
      }
    }
  }

  @Test
  void generationFailureReleasesMemory() {
    Schema schema = new Schema(List.of(TypeCatalog.leaf("i", new ArrowType.Int(32, true)),
        TypeCatalog.leaf("u", new ArrowType.Union(UnionMode.Sparse, new int[0]))));
    assertThrows(UnsupportedOperationException.class, () -> RandomArrow.generate(schema, 10, 1, allocator, 0.1));
  }

  @Test
  void zeroRowsAndTinyLimitsWork() {
    RandomArrow.Options tiny = RandomArrow.Options.builder().maxListLength(0).maxStringBytes(0).build();
    try (VectorSchemaRoot empty = RandomArrow.generate(RandomArrow.allTypesSchema(), 0, 1, allocator, 0.5);
        VectorSchemaRoot small = RandomArrow.generate(RandomArrow.allTypesSchema(), 20, 1, allocator, tiny)) {
      assertEquals(0, empty.getRowCount());
      ArrowAssert.assertRootEquals(empty, empty);
      ListVector list = (ListVector) small.getVector("list_int64");
      assertEquals(0, list.getDataVector().getValueCount());
      assertEquals(0, ((VarCharVector) small.getVector("utf8")).getDataBuffer().writerIndex());
    }
  }

  @Test
  void optionsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> RandomArrow.Options.builder().nullProbability(1.5).build());
    assertThrows(IllegalArgumentException.class, () -> RandomArrow.Options.builder().maxListLength(-1).build());
    assertThrows(IllegalArgumentException.class, () -> RandomArrow.Options.builder().hugeProbability(Double.NaN).build());
    RandomArrow.Options o = RandomArrow.Options.defaults().toBuilder().maxStringBytes(7).build();
    assertEquals(7, o.maxStringBytes());
    assertEquals(RandomArrow.Options.defaults().maxListLength(), o.maxListLength());
  }
}
