package dev.weft.reader.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.index.Expr;
import dev.weft.index.PredicateParser;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random data (RandomArrow, edge cases included: extremes, NaN, -0.0, empty strings) and random
 * predicates: a filtered scan returns exactly the rows a separate, straightforward evaluation of
 * the predicate over the full data selects (SQL three-valued logic, NaN as the greatest float),
 * in order and with identical values, and count agrees. Zone maps and bloom filters are on, with
 * small zones and row groups, and a sorted column {@code seq} makes pruning happen.
 */
class PredicatePropertyTest {
  @TempDir Path dir;

  static final List<String> COLUMNS = List.of("bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
      "uint32", "uint64", "float16", "float32", "float64", "decimal128_9_2", "decimal256_76_20", "date32", "date64",
      "timestamp_ms", "utf8", "binary", "fixed_size_binary_5", "struct");

  static Schema schema() {
    List<Field> fields = new ArrayList<>();
    for (Field f : RandomArrow.allTypesSchema().getFields()) {
      if (COLUMNS.contains(f.getName())) {
        fields.add(f);
      }
    }
    fields.add(Field.notNullable("seq", new ArrowType.Int(64, true)));
    return new Schema(fields);
  }

  @Test
  void filteredScanEqualsFilteringAfterAFullScan() throws Exception {
    int rows = 1500;
    int selective = 0;
    for (long seed = 1; seed <= 4; seed++) {
      Path p = dir.resolve("p" + seed + ".weft");
      try (BufferAllocator a = new RootAllocator()) {
        VectorSchemaRoot data = generate(a, rows, seed);
        try (data) {
          WriterOptions o = WriterOptions.builder().maxRowGroupRows(400).zoneMapRows(50).miniBlockBytes(1024)
              .bloomFilters(0.05).build();
          try (WeftWriter w = WeftWriter.open(p, data.getSchema(), o)) {
            w.write(data);
          }
          Random rnd = new Random(seed * 31);
          try (WeftReader r = WeftReader.open(p, a)) {
            for (int q = 0; q < 60; q++) {
              Expr e = randomExpr(rnd, data, 3);
              if (!e.toString().contains("binary")) {
                assertEquals(e.toString(), PredicateParser.parse(e.toString()).toString(), "parse round trip");
              }
              int n = check(r, data, e, rnd.nextInt(200) + 1);
              if (n > 0 && n < rows) {
                selective++;
              }
            }
          }
        }
      }
    }
    // the random predicates must mostly select some but not all rows to test anything
    org.junit.jupiter.api.Assertions.assertTrue(selective > 80, "only " + selective + " of 240 predicates were selective");
  }

  static VectorSchemaRoot generate(BufferAllocator a, int rows, long seed) {
    Schema s = schema();
    List<Field> random = new ArrayList<>(s.getFields().subList(0, s.getFields().size() - 1));
    VectorSchemaRoot root = RandomArrow.generate(new Schema(random), rows, seed, a,
        RandomArrow.Options.builder().nullProbability(0.15).maxStringBytes(6).edgeCaseProbability(0.2).build());
    BigIntVector seq = new BigIntVector(s.getFields().get(s.getFields().size() - 1), a);
    seq.allocateNew(rows);
    for (int i = 0; i < rows; i++) {
      seq.set(i, i);
    }
    seq.setValueCount(rows);
    List<FieldVector> vs = new ArrayList<>(root.getFieldVectors());
    vs.add(seq);
    VectorSchemaRoot out = new VectorSchemaRoot(vs);
    out.setRowCount(rows);
    return out;
  }

  private static int check(WeftReader r, VectorSchemaRoot data, Expr e, int batch) throws Exception {
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < data.getRowCount(); i++) {
      if (eval(e, data, i) == Boolean.TRUE) {
        expected.add(i);
      }
    }
    List<Long> got = new ArrayList<>();
    try (WeftScanner s = r.scan(null, e, batch)) {
      while (s.hasNext()) {
        try (VectorSchemaRoot b = s.next()) {
          long[] ids = new long[b.getRowCount()];
          BigIntVector seq = (BigIntVector) b.getVector("seq");
          for (int i = 0; i < ids.length; i++) {
            ids[i] = seq.get(i);
            got.add(ids[i]);
          }
          if (b.getRowCount() == 0 || b.getRowCount() > batch) {
            throw new AssertionError("batch of " + b.getRowCount() + " rows for batch size " + batch);
          }
          try (VectorSchemaRoot want = r.take(ids, null)) {
            ArrowAssert.assertRootEquals(want, b);
          }
        }
      }
    }
    List<Long> exp = new ArrayList<>();
    expected.forEach(i -> exp.add((long) i));
    assertEquals(exp, got, () -> "rows selected by " + e);
    assertEquals(expected.size(), r.count(e), () -> "count of " + e);
    return expected.size();
  }

  // ---- random predicates ----

  static final List<String> LEAF_COLUMNS = List.of("bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
      "uint32", "uint64", "float16", "float32", "float64", "decimal128_9_2", "decimal256_76_20", "date32", "date64",
      "timestamp_ms", "utf8", "binary", "fixed_size_binary_5", "seq", "seq", "seq");

  static Expr randomExpr(Random rnd, VectorSchemaRoot data, int depth) {
    int k = rnd.nextInt(depth > 0 ? 10 : 6);
    if (k >= 7) {
      Expr a = randomExpr(rnd, data, depth - 1);
      return switch (k) {
        case 7 -> Expr.and(a, randomExpr(rnd, data, depth - 1));
        case 8 -> Expr.or(a, randomExpr(rnd, data, depth - 1));
        default -> Expr.not(a);
      };
    }
    String col = LEAF_COLUMNS.get(rnd.nextInt(LEAF_COLUMNS.size()));
    if (k == 0) {
      return rnd.nextBoolean() ? Expr.isNull(Expr.col(rnd.nextBoolean() ? col : "struct")) : Expr.isNotNull(Expr.col(col));
    }
    if (k == 1) {
      List<Expr.Literal> vs = new ArrayList<>();
      int n = 1 + rnd.nextInt(3);
      for (int i = 0; i < n; i++) {
        vs.add(literal(rnd, data, col));
      }
      return new Expr.In(Expr.col(col), vs, rnd.nextInt(4) == 0);
    }
    Expr.Op op = Expr.Op.values()[rnd.nextInt(6)];
    Expr.Literal v = literal(rnd, data, col);
    return rnd.nextInt(5) == 0 ? new Expr.Compare(op, v, Expr.col(col)) : new Expr.Compare(op, Expr.col(col), v);
  }

  /** Mostly a value of the column (so that equality matches), sometimes null or a value between. */
  static Expr.Literal literal(Random rnd, VectorSchemaRoot data, String col) {
    FieldVector v = data.getVector(col);
    int row = rnd.nextInt(data.getRowCount());
    if (rnd.nextInt(25) == 0) {
      return new Expr.Literal(null);
    }
    if (v.isNull(row)) {
      row = (row + 1) % data.getRowCount();
      if (v.isNull(row)) {
        return new Expr.Literal(null);
      }
    }
    Object x = value(v, row);
    if (x instanceof BigDecimal d && rnd.nextInt(4) == 0) {
      x = d.add(new BigDecimal("0.5")); // between two integers
    }
    if (x instanceof BigDecimal d && isInteger(v) && d.scale() <= 0) {
      x = d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0 ? d : (Object) d.longValueExact();
    } else if (x instanceof BigDecimal d && isInteger(v)) {
      x = d;
    }
    if (x instanceof BigInteger bi) {
      x = new BigDecimal(bi);
    }
    if (x instanceof RawInt ri) {
      x = ri.value;
    }
    return new Expr.Literal(x);
  }

  static boolean isInteger(FieldVector v) {
    return v.getField().getType() instanceof ArrowType.Int;
  }

  /** A raw stored integer of a date/time/timestamp vector. */
  record RawInt(long value) {}

  /** The reference's view of a value: BigDecimal for ints/decimals, Double for floats, bytes, Boolean, RawInt. */
  static Object value(FieldVector v, int i) {
    if (v.isNull(i)) {
      return null;
    }
    if (v instanceof UInt1Vector u) {
      return BigDecimal.valueOf(u.get(i) & 0xFF);
    } else if (v instanceof UInt2Vector u) {
      return BigDecimal.valueOf(u.get(i));
    } else if (v instanceof UInt4Vector u) {
      return BigDecimal.valueOf(u.get(i) & 0xFFFF_FFFFL);
    } else if (v instanceof UInt8Vector u) {
      return new BigDecimal(new BigInteger(Long.toUnsignedString(u.get(i))));
    } else if (v.getField().getType() instanceof ArrowType.Int) {
      return new BigDecimal(v.getObject(i).toString());
    } else if (v instanceof Float2Vector f) {
      return (double) f.getValueAsFloat(i);
    } else if (v instanceof Float4Vector f) {
      return (double) f.get(i);
    } else if (v instanceof Float8Vector f) {
      return f.get(i);
    } else if (v instanceof DecimalVector d) {
      return d.getObject(i);
    } else if (v instanceof Decimal256Vector d) {
      return d.getObject(i);
    } else if (v instanceof BitVector b) {
      return b.get(i) == 1;
    } else if (v instanceof VarCharVector s) {
      return new String(s.get(i), java.nio.charset.StandardCharsets.UTF_8);
    } else if (v instanceof VarBinaryVector b) {
      return b.get(i);
    } else if (v instanceof FixedSizeBinaryVector b) {
      return b.get(i);
    } else if (v instanceof BaseFixedWidthVector f) {
      int w = f.getTypeWidth();
      return new RawInt(w == 4 ? f.getDataBuffer().getInt(4L * i) : f.getDataBuffer().getLong(8L * i));
    }
    return v.getObject(i);
  }

  // ---- reference evaluation: Boolean.TRUE, Boolean.FALSE or null ----

  static Boolean eval(Expr e, VectorSchemaRoot d, int row) {
    if (e instanceof Expr.And a) {
      Boolean x = eval(a.left(), d, row);
      Boolean y = eval(a.right(), d, row);
      return Boolean.FALSE.equals(x) || Boolean.FALSE.equals(y) ? Boolean.FALSE : x == null || y == null ? null : true;
    } else if (e instanceof Expr.Or o) {
      Boolean x = eval(o.left(), d, row);
      Boolean y = eval(o.right(), d, row);
      return Boolean.TRUE.equals(x) || Boolean.TRUE.equals(y) ? Boolean.TRUE : x == null || y == null ? null : false;
    } else if (e instanceof Expr.Not n) {
      Boolean x = eval(n.operand(), d, row);
      return x == null ? null : !x;
    } else if (e instanceof Expr.IsNull n) {
      boolean isNull = d.getVector(((Expr.Column) n.operand()).name()).isNull(row);
      return isNull != n.negated();
    } else if (e instanceof Expr.In in) {
      FieldVector v = d.getVector(((Expr.Column) in.operand()).name());
      Object x = value(v, row);
      if (x == null) {
        return null;
      }
      boolean sawNull = false;
      for (Expr.Literal l : in.values()) {
        if (l.value() == null) {
          sawNull = true;
        } else if (cmp(x, l.value()) == 0) {
          return !in.negated();
        }
      }
      Boolean r = sawNull ? null : Boolean.FALSE;
      return r == null ? null : in.negated() ? !r : r;
    }
    Expr.Compare c = (Expr.Compare) e;
    boolean colLeft = c.left() instanceof Expr.Column;
    Expr.Column col = (Expr.Column) (colLeft ? c.left() : c.right());
    Object lit = ((Expr.Literal) (colLeft ? c.right() : c.left())).value();
    Object x = value(d.getVector(col.name()), row);
    if (x == null || lit == null) {
      return null;
    }
    int s = cmp(x, lit);
    if (!colLeft) {
      s = -s;
    }
    return c.op().test(s);
  }

  /** sign(column value - literal). */
  static int cmp(Object x, Object lit) {
    if (x instanceof Double dx) {
      double a = dx == 0.0 ? 0.0 : dx;
      double b = ((Number) lit).doubleValue();
      b = b == 0.0 ? 0.0 : b;
      return Integer.signum(Double.compare(a, b));
    }
    if (x instanceof BigDecimal bx) {
      if (lit instanceof Double dl && (dl.isNaN() || dl.isInfinite())) {
        return dl.isNaN() || dl > 0 ? -1 : 1;
      }
      BigDecimal b = lit instanceof BigDecimal bd ? bd : new BigDecimal(lit.toString());
      return Integer.signum(bx.compareTo(b));
    }
    if (x instanceof RawInt ri) {
      return Long.signum(Long.compare(ri.value, ((Number) lit).longValue()));
    }
    if (x instanceof Boolean bx) {
      return Boolean.compare(bx, (Boolean) lit);
    }
    byte[] a = x instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8) : (byte[]) x;
    byte[] b = lit instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8) : (byte[]) lit;
    return Integer.signum(Arrays.compareUnsigned(a, b));
  }
}
