package dev.weft.cli;

import dev.weft.format.Codec;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** Small Weft files for CLI tests. */
public final class Fixtures {
  private Fixtures() {}

  /**
   * Writes the known 4-row table (10 columns: id, name, score, ts, tags, s, m, dec, bin, d)
   * whose expected renderings the tests spell out.
   */
  public static Path knownFile(Path dir) throws IOException {
    Path file = dir.resolve("known.weft");
    try (BufferAllocator alloc = new RootAllocator(); VectorSchemaRoot root = known(alloc)) {
      write(file, root, WriterOptions.builder().createdBy("weft cli tests").build());
    }
    return file;
  }

  static VectorSchemaRoot known(BufferAllocator alloc) {
    int n = 4;
    BigIntVector id = new BigIntVector(new org.apache.arrow.vector.types.pojo.Field("id",
        FieldType.notNullable(new ArrowType.Int(64, true)), null), alloc);
    VarCharVector name = new VarCharVector("name", alloc);
    Float8Vector score = new Float8Vector("score", alloc);
    TimeStampMicroTZVector ts = new TimeStampMicroTZVector("ts", alloc, "UTC");
    org.apache.arrow.vector.types.pojo.Field tagsField = new org.apache.arrow.vector.types.pojo.Field("tags",
        FieldType.nullable(ArrowType.List.INSTANCE), List.of(new org.apache.arrow.vector.types.pojo.Field("item",
            FieldType.nullable(new ArrowType.Int(32, true)), null)));
    ListVector tags = (ListVector) tagsField.createVector(alloc);
    StructVector s = StructVector.empty("s", alloc);
    IntVector sa = s.addOrGet("a", FieldType.nullable(new ArrowType.Int(32, true)), IntVector.class);
    VarCharVector sb = s.addOrGet("b", FieldType.nullable(ArrowType.Utf8.INSTANCE), VarCharVector.class);
    MapVector m = MapVector.empty("m", alloc, false);
    StructVector entries = (StructVector) m.addOrGetVector(FieldType.notNullable(ArrowType.Struct.INSTANCE)).getVector();
    VarCharVector mk = entries.addOrGet(MapVector.KEY_NAME, FieldType.notNullable(ArrowType.Utf8.INSTANCE), VarCharVector.class);
    BigIntVector mv = entries.addOrGet(MapVector.VALUE_NAME, FieldType.nullable(new ArrowType.Int(64, true)), BigIntVector.class);
    DecimalVector dec = new DecimalVector("dec", alloc, 9, 2);
    VarBinaryVector bin = new VarBinaryVector("bin", alloc);
    DateDayVector d = new DateDayVector("d", alloc);
    List<FieldVector> all = List.of(id, name, score, ts, tags, s, m, dec, bin, d);
    for (FieldVector v : all) {
      v.allocateNew();
    }
    for (int i = 0; i < n; i++) {
      id.setSafe(i, i);
    }
    name.setSafe(0, "alice".getBytes(StandardCharsets.UTF_8));
    name.setNull(1);
    name.setSafe(2, "b,\"q\"".getBytes(StandardCharsets.UTF_8));
    name.setSafe(3, "x\ny".getBytes(StandardCharsets.UTF_8));
    score.setSafe(0, 1.5);
    score.setSafe(1, Double.NaN);
    score.setNull(2);
    score.setSafe(3, 1e-5);
    ts.setSafe(0, 0);
    ts.setSafe(1, 1_700_000_000_123_456L);
    ts.setNull(2);
    ts.setSafe(3, -1);
    // tags: [1, 2], [], null, [null, 3]
    IntVector ti = (IntVector) tags.getDataVector();
    ti.allocateNew();
    tags.startNewValue(0);
    ti.setSafe(0, 1);
    ti.setSafe(1, 2);
    tags.endValue(0, 2);
    tags.startNewValue(1);
    tags.endValue(1, 0);
    tags.startNewValue(2);
    tags.endValue(2, 0);
    tags.setNull(2);
    tags.startNewValue(3);
    ti.setNull(2);
    ti.setSafe(3, 3);
    tags.endValue(3, 2);
    ti.setValueCount(4);
    // s: {a: 1, b: 'x'}, null, {a: None, b: None}, {a: -7, b: 'é'}
    s.setIndexDefined(0);
    sa.setSafe(0, 1);
    sb.setSafe(0, "x".getBytes(StandardCharsets.UTF_8));
    s.setNull(1);
    sa.setNull(1);
    sb.setNull(1);
    s.setIndexDefined(2);
    sa.setNull(2);
    sb.setNull(2);
    s.setIndexDefined(3);
    sa.setSafe(3, -7);
    sb.setSafe(3, "é".getBytes(StandardCharsets.UTF_8));
    sa.setValueCount(n);
    sb.setValueCount(n);
    // m: [('k', 1)], [], null, [('a', None), ('b', 2)]
    m.startNewValue(0);
    entries.setIndexDefined(0);
    mk.setSafe(0, "k".getBytes(StandardCharsets.UTF_8));
    mv.setSafe(0, 1);
    m.endValue(0, 1);
    m.startNewValue(1);
    m.endValue(1, 0);
    m.startNewValue(2);
    m.endValue(2, 0);
    m.setNull(2);
    m.startNewValue(3);
    entries.setIndexDefined(1);
    mk.setSafe(1, "a".getBytes(StandardCharsets.UTF_8));
    mv.setNull(1);
    entries.setIndexDefined(2);
    mk.setSafe(2, "b".getBytes(StandardCharsets.UTF_8));
    mv.setSafe(2, 2);
    m.endValue(3, 2);
    mk.setValueCount(3);
    mv.setValueCount(3);
    entries.setValueCount(3);
    dec.setSafe(0, new BigDecimal("12.30"));
    dec.setSafe(1, new BigDecimal("-0.05"));
    dec.setNull(2);
    dec.setSafe(3, new BigDecimal("0.00"));
    bin.setSafe(0, new byte[] {0, 'A'});
    bin.setSafe(1, new byte[0]);
    bin.setNull(2);
    bin.setSafe(3, new byte[] {(byte) 0xFF});
    d.setSafe(0, 19_723);
    d.setNull(1);
    d.setSafe(2, 0);
    d.setSafe(3, -1);
    for (FieldVector v : all) {
      v.setValueCount(n);
    }
    // the schema names the list's child "item" (as pyarrow does; the vector calls it "$data$")
    List<org.apache.arrow.vector.types.pojo.Field> fields = new java.util.ArrayList<>();
    for (FieldVector v : all) {
      fields.add(v == tags ? tagsField : v.getField());
    }
    return new VectorSchemaRoot(fields, all, n);
  }

  /** Writes {@code rows} random rows of {@code schema} (seed 42) with small row groups. */
  public static Path randomFile(Path dir, String name, Schema schema, int rows, RandomArrow.Options options)
      throws IOException {
    Path file = dir.resolve(name);
    try (BufferAllocator alloc = new RootAllocator();
        VectorSchemaRoot root = RandomArrow.generate(schema, rows, 42, alloc, options)) {
      write(file, root, WriterOptions.builder().maxRowGroupRows(Math.max(1, rows / 3))
          .compression(Codec.ZSTD).createdBy("weft cli tests").build());
    }
    return file;
  }

  /** The rows {@link #randomFile} writes. */
  public static VectorSchemaRoot randomRows(Schema schema, int rows, RandomArrow.Options options, BufferAllocator alloc) {
    return RandomArrow.generate(schema, rows, 42, alloc, options);
  }

  static void write(Path file, VectorSchemaRoot root, WriterOptions options) throws IOException {
    try (WeftWriter w = WeftWriter.open(file, root.getSchema(), options)) {
      w.write(root);
    }
  }
}
