package dev.weft.reader.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.format.UnsupportedTypeException;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.testdata.ArrowAssert;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ViewVarCharVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryEncoder;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.UnionMode;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Types the writer cannot store are refused up front; dictionaries and options are checked. */
class WriterErrorsTest {
  private static final ArrowType.Int INT8 = new ArrowType.Int(8, true);
  private static final ArrowType.Int INT32 = new ArrowType.Int(32, true);
  private static final ArrowType.Int INT64 = new ArrowType.Int(64, true);
  private static final long NESTED_DICT_ID = 5L;

  @TempDir Path dir;

  private static Field dictField(String name) {
    return new Field(name, new FieldType(true, INT32, new DictionaryEncoding(NESTED_DICT_ID, false, INT32)), null);
  }

  /** (column, field, text the message must contain besides the column name). */
  static Stream<Arguments> unsupported() {
    ArrowType dense = new ArrowType.Union(UnionMode.Dense, new int[] {0, 1});
    ArrowType sparse = new ArrowType.Union(UnionMode.Sparse, new int[] {0, 1});
    List<Field> unionChildren = List.of(Field.nullable("i", INT32), Field.nullable("s", ArrowType.Utf8.INSTANCE));
    return Stream.of(
        Arguments.of("u_dense", new Field("u_dense", FieldType.nullable(dense), unionChildren), dense.toString()),
        Arguments.of("u_sparse", new Field("u_sparse", FieldType.nullable(sparse), unionChildren), sparse.toString()),
        Arguments.of("s_view", Field.nullable("s_view", ArrowType.Utf8View.INSTANCE), "Utf8View"),
        Arguments.of("b_view", Field.nullable("b_view", ArrowType.BinaryView.INSTANCE), "BinaryView"),
        Arguments.of("l_view", new Field("l_view", FieldType.nullable(ArrowType.ListView.INSTANCE),
            List.of(Field.nullable("item", INT32))), "ListView"),
        Arguments.of("ll_view", new Field("ll_view", FieldType.nullable(ArrowType.LargeListView.INSTANCE),
            List.of(Field.nullable("item", INT32))), "LargeListView"),
        Arguments.of("ree", new Field("ree", FieldType.nullable(ArrowType.RunEndEncoded.INSTANCE),
            List.of(new Field("run_ends", FieldType.notNullable(INT32), null),
                Field.nullable("values", ArrowType.Utf8.INSTANCE))), "RunEndEncoded"),
        // unsupported types below a supported parent: the message names the top-level column
        Arguments.of("st_view", new Field("st_view", FieldType.nullable(ArrowType.Struct.INSTANCE),
            List.of(Field.nullable("a", INT32), Field.nullable("b", ArrowType.Utf8View.INSTANCE))), "Utf8View"),
        Arguments.of("list_union", new Field("list_union", FieldType.nullable(ArrowType.List.INSTANCE),
            List.of(new Field("item", FieldType.nullable(dense), unionChildren))), dense.toString()),
        // dictionary-encoded fields nested in a struct or a list, even with the dictionary provided
        Arguments.of("st_dict", new Field("st_dict", FieldType.nullable(ArrowType.Struct.INSTANCE),
            List.of(Field.nullable("a", INT32), dictField("d"))), "dictionary"),
        Arguments.of("list_dict", new Field("list_dict", FieldType.nullable(ArrowType.List.INSTANCE),
            List.of(dictField("item"))), "dictionary"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unsupported")
  void unsupportedTypesAreRefusedByOpen(String column, Field field, String typeText) throws Exception {
    Schema schema = new Schema(List.of(Field.nullable("ok", INT32), field));
    Path file = dir.resolve(column + ".weft");
    try (RootAllocator alloc = new RootAllocator();
        RootAllocator dictAlloc = new RootAllocator();
        IntVector dictValues = new IntVector("dv", dictAlloc)) {
      dictValues.allocateNew(2);
      dictValues.set(0, 10);
      dictValues.set(1, 20);
      dictValues.setValueCount(2);
      DictionaryProvider provider = new DictionaryProvider.MapDictionaryProvider(
          new Dictionary(dictValues, new DictionaryEncoding(NESTED_DICT_ID, false, INT32)));
      for (DictionaryProvider p : new DictionaryProvider[] {null, provider}) {
        UnsupportedTypeException e = assertThrows(UnsupportedTypeException.class,
            () -> WeftWriter.open(file, schema, p, WriterOptions.defaults(), alloc));
        String msg = e.getMessage();
        assertTrue(msg.contains("'" + column + "'"), "message should name column " + column + ": " + msg);
        assertTrue(msg.contains(typeText), "message should name the type " + typeText + ": " + msg);
        assertEquals(List.of(), WriterTestSupport.listNames(dir), "nothing may be created");
        assertEquals(0, alloc.getAllocatedMemory());
      }
      assertThrows(UnsupportedTypeException.class, () -> WeftWriter.open(file, schema, WriterOptions.defaults()));
      assertEquals(List.of(), WriterTestSupport.listNames(dir));
    }
  }

  @Test
  void topLevelDictionaryWithoutProviderIsRefused() throws Exception {
    Field coded = new Field("colour", new FieldType(true, INT32, new DictionaryEncoding(9L, false, INT32)), null);
    Schema schema = new Schema(List.of(Field.nullable("id", INT64), coded));
    Path file = dir.resolve("d.weft");
    try (RootAllocator alloc = new RootAllocator();
        RootAllocator dictAlloc = new RootAllocator();
        VarCharVector other = new VarCharVector("other", dictAlloc)) {
      UnsupportedTypeException e = assertThrows(UnsupportedTypeException.class,
          () -> WeftWriter.open(file, schema, null, WriterOptions.defaults(), alloc));
      assertTrue(e.getMessage().contains("'colour'"), e.getMessage());
      e = assertThrows(UnsupportedTypeException.class, () -> WeftWriter.open(file, schema, WriterOptions.defaults()));
      assertTrue(e.getMessage().contains("'colour'"), e.getMessage());
      // a provider that lacks this dictionary id
      other.allocateNew();
      other.setValueCount(0);
      DictionaryProvider wrong = new DictionaryProvider.MapDictionaryProvider(
          new Dictionary(other, new DictionaryEncoding(8L, false, INT32)));
      e = assertThrows(UnsupportedTypeException.class,
          () -> WeftWriter.open(file, schema, wrong, WriterOptions.defaults(), alloc));
      assertTrue(e.getMessage().contains("'colour'"), e.getMessage());
      assertEquals(List.of(), WriterTestSupport.listNames(dir));
    }
  }

  @Test
  void dictionaryWithUnsupportedValueTypeIsRefused() throws Exception {
    Field coded = new Field("v", new FieldType(true, INT32, new DictionaryEncoding(3L, false, INT32)), null);
    Schema schema = new Schema(List.of(coded));
    try (RootAllocator alloc = new RootAllocator(); ViewVarCharVector values = new ViewVarCharVector("v", alloc)) {
      values.allocateNew();
      values.setSafe(0, "x".getBytes(StandardCharsets.UTF_8));
      values.setValueCount(1);
      DictionaryProvider p = new DictionaryProvider.MapDictionaryProvider(
          new Dictionary(values, new DictionaryEncoding(3L, false, INT32)));
      UnsupportedTypeException e = assertThrows(UnsupportedTypeException.class,
          () -> WeftWriter.open(dir.resolve("v.weft"), schema, p, WriterOptions.defaults(), null));
      assertTrue(e.getMessage().contains("'v'") && e.getMessage().contains("Utf8View"), e.getMessage());
      assertEquals(List.of(), WriterTestSupport.listNames(dir));
    }
  }

  @Test
  void duplicateColumnNamesAreRefused() throws Exception {
    Schema schema = new Schema(List.of(Field.nullable("x", INT32), Field.nullable("y", INT64),
        Field.nullable("x", ArrowType.Utf8.INSTANCE)));
    try (RootAllocator alloc = new RootAllocator()) {
      Exception e = assertThrows(Exception.class,
          () -> WeftWriter.open(dir.resolve("dup.weft"), schema, null, WriterOptions.defaults(), alloc));
      assertTrue(e instanceof IOException || e instanceof IllegalArgumentException, "unexpected " + e);
      String msg = e.getMessage();
      assertTrue(msg.contains("'x'") && msg.toLowerCase().contains("duplicate"), "unclear message: " + msg);
      assertEquals(List.of(), WriterTestSupport.listNames(dir));
    }
  }

  @Test
  void topLevelDictionaryColumnsRoundTripAsTheirValues() throws Exception {
    Path file = dir.resolve("dict.weft");
    DictionaryEncoding fruitEnc = new DictionaryEncoding(1L, false, INT32);
    DictionaryEncoding bigEnc = new DictionaryEncoding(2L, false, INT8);
    Field fruitField = new Field("fruit", new FieldType(true, INT32, fruitEnc), null);
    Field bigField = new Field("big", new FieldType(true, INT8, bigEnc), null);
    Schema schema = new Schema(List.of(Field.nullable("id", INT32), fruitField, bigField));
    String[] fruits = {"apple", "banana", "", "черешня", "dragonfruit-with-a-longer-name"};
    Long[] bigs = {Long.MIN_VALUE, -1L, null, 0L, 42L, Long.MAX_VALUE};
    int rows = 1_000;
    try (RootAllocator parent = new RootAllocator();
        RootAllocator data = new RootAllocator();
        VarCharVector fruitDict = new VarCharVector("fruit", data);
        BigIntVector bigDict = new BigIntVector("big", data)) {
      fruitDict.allocateNew();
      for (int i = 0; i < fruits.length; i++) {
        fruitDict.setSafe(i, fruits[i].getBytes(StandardCharsets.UTF_8));
      }
      fruitDict.setValueCount(fruits.length);
      bigDict.allocateNew(bigs.length);
      for (int i = 0; i < bigs.length; i++) {
        if (bigs[i] == null) {
          bigDict.setNull(i);
        } else {
          bigDict.set(i, bigs[i]);
        }
      }
      bigDict.setValueCount(bigs.length);
      Dictionary fruitD = new Dictionary(fruitDict, fruitEnc);
      Dictionary bigD = new Dictionary(bigDict, bigEnc);
      DictionaryProvider provider = new DictionaryProvider.MapDictionaryProvider(fruitD, bigD);

      List<VectorSchemaRoot> inputs = new ArrayList<>();
      List<VectorSchemaRoot> expected = new ArrayList<>();
      List<FieldVector> decoded = new ArrayList<>();
      try {
        for (int b = 0; b < 2; b++) {
          VectorSchemaRoot root = VectorSchemaRoot.create(schema, data);
          inputs.add(root);
          IntVector id = (IntVector) root.getVector("id");
          IntVector fruit = (IntVector) root.getVector("fruit");
          TinyIntVector big = (TinyIntVector) root.getVector("big");
          id.allocateNew(rows);
          fruit.allocateNew(rows);
          big.allocateNew(rows);
          for (int r = 0; r < rows; r++) {
            id.set(r, b * rows + r);
            if ((r + b) % 7 == 3) {
              fruit.setNull(r);
            } else {
              fruit.set(r, (r * 3 + b) % fruits.length);
            }
            if (r % 11 == b) {
              big.setNull(r);
            } else {
              big.set(r, (byte) ((r + b) % bigs.length));
            }
          }
          root.setRowCount(rows);
          FieldVector f = (FieldVector) DictionaryEncoder.decode(fruit, fruitD);
          decoded.add(f);
          FieldVector g = (FieldVector) DictionaryEncoder.decode(big, bigD);
          decoded.add(g);
          List<FieldVector> vs = List.of(id, f, g);
          List<Field> fs = List.of(id.getField(), f.getField(), g.getField());
          expected.add(new VectorSchemaRoot(fs, vs, rows));
        }
        Schema expectedSchema = expected.get(0).getSchema();
        assertNull(expectedSchema.findField("fruit").getDictionary());

        try (WeftWriter w = WeftWriter.open(file, schema, provider, WriterOptions.defaults(), parent)) {
          ArrowAssert.assertSchemaEquals(expectedSchema, w.storedSchema());
          for (VectorSchemaRoot in : inputs) {
            w.write(in);
          }
        }
        assertEquals(0, parent.getAllocatedMemory());

        try (WeftReader r = WeftReader.open(file, data)) {
          assertEquals(2L * rows, r.numRows());
          Schema stored = r.schema();
          ArrowAssert.assertSchemaEquals(expectedSchema, stored);
          assertEquals(ArrowType.Utf8.INSTANCE, stored.findField("fruit").getType());
          assertEquals(INT64, stored.findField("big").getType());
          assertNull(stored.findField("fruit").getDictionary());
          assertNull(stored.findField("big").getDictionary());
          try (WeftScanner s = r.scan(null, rows)) {
            for (VectorSchemaRoot e : expected) {
              try (VectorSchemaRoot got = s.next()) {
                ArrowAssert.assertRootEquals(e, got);
              }
            }
          }
          long[] ids = {0, 3, 10, 999, 1000, 1003, 1999, 3};
          try (VectorSchemaRoot got = r.take(ids, List.of("big", "fruit"))) {
            int[] firstRows = {0, 3, 10, 999};
            try (VectorSchemaRoot head = r.take(new long[] {0, 3, 10, 999}, List.of("big", "fruit"))) {
              ArrowAssert.assertRowsEqual(expected.get(0), firstRows, head);
            }
            try (VectorSchemaRoot tail = r.take(new long[] {1000, 1003, 1999}, List.of("fruit"))) {
              ArrowAssert.assertRowsEqual(expected.get(1), new int[] {0, 3, 999}, tail);
            }
            assertEquals(ids.length, got.getRowCount());
          }
        }
      } finally {
        for (FieldVector v : decoded) {
          v.close();
        }
        for (VectorSchemaRoot in : inputs) {
          in.close();
        }
      }
    }
  }

  @Test
  void optionsBuilderValidatesItsArguments() {
    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().memoryBudget((1 << 20) - 1));
    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().memoryBudget(0));
    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().memoryBudget(-1));
    assertEquals(1 << 20, WriterOptions.builder().memoryBudget(1 << 20).build().memoryBudget());

    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().miniBlockBytes(255));
    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().miniBlockBytes((1 << 20) + 1));
    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().miniBlockBytes(-256));
    assertEquals(256, WriterOptions.builder().miniBlockBytes(256).build().miniBlockBytes());
    assertEquals(1 << 20, WriterOptions.builder().miniBlockBytes(1 << 20).build().miniBlockBytes());

    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().compression(Codec.ZSTD, 23));
    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().compression(Codec.ZSTD, -8));
    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().compression(Codec.LZ4, 18));
    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().compression(Codec.LZ4, -1));
    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().compression(null));
    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().compression(null, 3));
    assertEquals(22, WriterOptions.builder().compression(Codec.ZSTD, 22).build().compressionLevel());
    assertEquals(Codec.LZ4, WriterOptions.builder().compression(Codec.LZ4).build().compression());

    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().maxRowGroupRows(0));
    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().targetPageBytes(1023));
    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().valuesPerMiniBlock(7));
    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().valuesPerMiniBlock((1 << 20) + 1));
    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().createdBy(null));
    assertThrows(IllegalArgumentException.class, () -> WriterOptions.builder().createdBy("x".repeat(1001)));

    // a rejected value leaves the builder as it was
    WriterOptions.Builder b = WriterOptions.builder().memoryBudget(8 << 20).miniBlockBytes(4096);
    assertThrows(IllegalArgumentException.class, () -> b.memoryBudget(5));
    assertThrows(IllegalArgumentException.class, () -> b.miniBlockBytes(5));
    assertThrows(IllegalArgumentException.class, () -> b.compression(Codec.ZSTD, 99));
    WriterOptions o = b.build();
    assertEquals(8 << 20, o.memoryBudget());
    assertEquals(4096, o.miniBlockBytes());
    assertEquals(WriterOptions.DEFAULT_COMPRESSION, o.compression());
    assertEquals(WriterOptions.DEFAULT_ZSTD_LEVEL, o.compressionLevel());
  }

  @Test
  void optionsAreImmutable() {
    WriterOptions d = WriterOptions.defaults();
    assertEquals(WriterOptions.DEFAULT_MEMORY_BUDGET, d.memoryBudget());
    assertEquals(WriterOptions.DEFAULT_ROW_GROUP_ROWS, d.maxRowGroupRows());
    assertEquals(WriterOptions.DEFAULT_PAGE_BYTES, d.targetPageBytes());
    assertEquals(WriterOptions.DEFAULT_MINI_BLOCK_BYTES, d.miniBlockBytes());
    assertEquals(WriterOptions.DEFAULT_VALUES_PER_MINI_BLOCK, d.valuesPerMiniBlock());
    assertEquals(Codec.ZSTD, d.compression());
    assertEquals(3, d.compressionLevel());
    assertEquals(false, d.overwrite());

    WriterOptions.Builder b = WriterOptions.builder().memoryBudget(16 << 20).maxRowGroupRows(1000)
        .targetPageBytes(8192).miniBlockBytes(2048).valuesPerMiniBlock(512).compression(Codec.LZ4, 5)
        .overwrite(true).createdBy("me");
    WriterOptions o = b.build();
    String before = o.toString();

    WriterOptions changed = o.toBuilder().memoryBudget(32 << 20).maxRowGroupRows(7).targetPageBytes(4096)
        .miniBlockBytes(300).valuesPerMiniBlock(9).compression(Codec.NONE).overwrite(false)
        .createdBy("someone else").build();
    // building more from the same builder does not change what it built before
    b.memoryBudget(64 << 20).overwrite(false).compression(Codec.ZSTD, 1).createdBy("later");
    WriterOptions later = b.build();

    assertEquals(before, o.toString());
    assertEquals(16 << 20, o.memoryBudget());
    assertEquals(1000, o.maxRowGroupRows());
    assertEquals(8192, o.targetPageBytes());
    assertEquals(2048, o.miniBlockBytes());
    assertEquals(512, o.valuesPerMiniBlock());
    assertEquals(Codec.LZ4, o.compression());
    assertEquals(5, o.compressionLevel());
    assertTrue(o.overwrite());
    assertEquals("me", o.createdBy());

    assertEquals(32 << 20, changed.memoryBudget());
    assertEquals(7, changed.maxRowGroupRows());
    assertEquals(Codec.NONE, changed.compression());
    assertEquals(false, changed.overwrite());
    assertEquals("someone else", changed.createdBy());
    assertEquals(64 << 20, later.memoryBudget());
    assertEquals(1000, later.maxRowGroupRows());
    assertEquals("later", later.createdBy());
  }

  @Test
  void createdByIsStored() throws Exception {
    Path file = dir.resolve("c.weft");
    Schema schema = new Schema(List.of(Field.nullable("id", INT32)));
    try (BufferAllocator alloc = new RootAllocator(); VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc)) {
      ((IntVector) root.getVector(0)).allocateNew(1);
      ((IntVector) root.getVector(0)).set(0, 1);
      root.setRowCount(1);
      try (WeftWriter w = WeftWriter.open(file, schema, null,
          WriterOptions.builder().createdBy("weft-tests 1.0").build(), alloc)) {
        w.write(root);
      }
      try (WeftReader r = WeftReader.open(file, alloc)) {
        assertEquals("weft-tests 1.0", r.createdBy());
      }
    }
  }
}
