package dev.weft.index;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * A predicate checked against the columns of a file: every column exists and every comparison
 * is between compatible types (checked by {@link #bind}, before any data is read). It then
 * evaluates rows exactly ({@link #evaluate}) and decides from zone maps and bloom filters whether
 * a range of rows can hold a row where it is TRUE ({@link #prune}).
 *
 * <p>Semantics: SQL three-valued logic (see {@link Expr}). Floats are ordered as {@link
 * StatKind#FLOAT64} says: -0.0 = 0.0, and NaN is a value equal to itself and greater than every
 * number, so {@code x > 1} holds for NaN and {@code x = NaN} selects the NaNs. Integers, decimals
 * and floats compare with any number literal by exact numeric value; a float32 column compares
 * its values widened to double. Date and timestamp columns take DATE/TIMESTAMP literals (or
 * strings that parse as them, read as UTC) or their raw stored integers.
 */
public final class BoundPredicate {
  /** Results of a row: FALSE, TRUE, NULL (unknown). */
  public static final byte FALSE = 0;
  public static final byte TRUE = 1;
  public static final byte NULL = 2;

  /** Bits of {@link #prune}: some row may be TRUE, FALSE, NULL. */
  public static final int MAY_TRUE = 1;
  public static final int MAY_FALSE = 2;
  public static final int MAY_NULL = 4;
  static final int ANY = MAY_TRUE | MAY_FALSE | MAY_NULL;

  /** What the pruner knows about one range of rows. */
  public interface ZoneView {
    /** The zone map of {@code column} for the range, or null if unknown. */
    ZoneStats stats(String column);

    /** False only if a bloom filter proves no row of the range has {@code key} in {@code column}. */
    boolean mightContain(String column, StatKind kind, Object key);
  }

  private final Node root;
  private final Expr expr;
  private final List<String> columns;
  private final Map<String, Field> fields;

  private BoundPredicate(Node root, Expr expr, Map<String, Field> fields) {
    this.root = root;
    this.expr = expr;
    this.columns = expr.columns();
    this.fields = fields;
  }

  /**
   * Checks {@code expr} against the columns {@code resolve} finds.
   *
   * @param resolve a column's field by name; must throw {@link IllegalArgumentException} naming
   *     the file for a missing column
   * @throws IllegalArgumentException for a missing column, incompatible types, or a comparison
   *     without a column
   */
  public static BoundPredicate bind(Expr expr, Function<String, Field> resolve) {
    Map<String, Field> fields = new java.util.LinkedHashMap<>();
    for (String c : expr.columns()) {
      fields.put(c, resolve.apply(c));
    }
    return new BoundPredicate(build(expr, fields), expr, fields);
  }

  public Expr expr() {
    return expr;
  }

  /** The columns the predicate reads. */
  public List<String> columns() {
    return columns;
  }

  public Field field(String column) {
    return fields.get(column);
  }

  /** {@link #MAY_TRUE} | {@link #MAY_FALSE} | {@link #MAY_NULL} bits for a range of rows. */
  public int prune(ZoneView zone) {
    return root.prune(zone);
  }

  /**
   * Evaluates rows {@code [0, rows)}; {@code vectors} maps each of {@link #columns()} to its
   * top-level vector. {@code out[i]} becomes {@link #TRUE}, {@link #FALSE} or {@link #NULL}.
   */
  public void evaluate(Map<String, FieldVector> vectors, int rows, byte[] out) {
    root.eval(vectors, rows, out);
  }

  @Override
  public String toString() {
    return expr.toString();
  }

  // ---- binding ----

  private static Node build(Expr e, Map<String, Field> fields) {
    if (e instanceof Expr.And a) {
      return new AndNode(build(a.left(), fields), build(a.right(), fields));
    } else if (e instanceof Expr.Or o) {
      return new OrNode(build(o.left(), fields), build(o.right(), fields));
    } else if (e instanceof Expr.Not n) {
      return new NotNode(build(n.operand(), fields));
    } else if (e instanceof Expr.IsNull n) {
      if (n.operand() instanceof Expr.Column c) {
        return new IsNullNode(fields.get(c.name()), n.negated());
      }
      Object v = ((Expr.Literal) n.operand()).value();
      return new ConstNode((v == null) != n.negated() ? TRUE : FALSE);
    } else if (e instanceof Expr.In in) {
      if (!(in.operand() instanceof Expr.Column c)) {
        throw new IllegalArgumentException("IN needs a column on its left: " + e);
      }
      Field f = fields.get(c.name());
      List<Comparand> values = new ArrayList<>();
      boolean hasNull = false;
      for (Expr.Literal l : in.values()) {
        if (l.value() == null) {
          hasNull = true;
        } else {
          values.add(Comparand.of(f, l.value()));
        }
      }
      Node node = new InNode(f, values, hasNull);
      return in.negated() ? new NotNode(node) : node;
    } else if (e instanceof Expr.Compare cmp) {
      Expr l = cmp.left();
      Expr r = cmp.right();
      Expr.Op op = cmp.op();
      if (l instanceof Expr.Literal && r instanceof Expr.Column) {
        Expr t = l;
        l = r;
        r = t;
        op = op.flip();
      }
      if (!(l instanceof Expr.Column c)) {
        throw new IllegalArgumentException("comparison without a column: " + e
            + " (compare a column with a value or another column)");
      }
      Field f = fields.get(c.name());
      if (r instanceof Expr.Column c2) {
        Field g = fields.get(c2.name());
        StatKind k = StatKind.of(f);
        if (k == StatKind.NONE || k != StatKind.of(g) || !compatible(f, g)) {
          throw new IllegalArgumentException("column '" + f.getName() + "' of type " + dev.weft.format.TypeNames.of(f)
              + " cannot be compared with column '" + g.getName() + "' of type " + dev.weft.format.TypeNames.of(g));
        }
        return new ColumnsNode(op, f, g);
      }
      Object v = ((Expr.Literal) r).value();
      if (v == null) {
        Comparand.of(f, sample(f)); // checks the column is comparable at all
        return new ConstNode(NULL);
      }
      return new CompareNode(op, f, Comparand.of(f, v));
    } else if (e instanceof Expr.Column c) {
      return new CompareNode(Expr.Op.EQ, fields.get(c.name()), Comparand.of(fields.get(c.name()), Boolean.TRUE));
    }
    Object v = ((Expr.Literal) e).value();
    if (v == null) {
      return new ConstNode(NULL);
    }
    if (v instanceof Boolean b) {
      return new ConstNode(b ? TRUE : FALSE);
    }
    throw new IllegalArgumentException("the value " + e + " alone is not a predicate");
  }

  /** A value of the column's kind, to check that a column compared with NULL is comparable at all. */
  private static Object sample(Field f) {
    return switch (StatKind.of(f)) {
      case BYTES -> "";
      case BOOL -> Boolean.TRUE;
      default -> 0L;
    };
  }

  private static boolean compatible(Field f, Field g) {
    if (f.getType() instanceof ArrowType.Decimal a && g.getType() instanceof ArrowType.Decimal b) {
      return a.getScale() == b.getScale();
    }
    return f.getType().getTypeID() == g.getType().getTypeID() || StatKind.of(f) == StatKind.BYTES;
  }

  // ---- nodes ----

  private abstract static class Node {
    abstract int prune(ZoneView z);

    abstract void eval(Map<String, FieldVector> vs, int rows, byte[] out);
  }

  private static final class ConstNode extends Node {
    private final byte value;

    ConstNode(byte value) {
      this.value = value;
    }

    @Override
    int prune(ZoneView z) {
      return value == TRUE ? MAY_TRUE : value == FALSE ? MAY_FALSE : MAY_NULL;
    }

    @Override
    void eval(Map<String, FieldVector> vs, int rows, byte[] out) {
      java.util.Arrays.fill(out, 0, rows, value);
    }
  }

  private static final class AndNode extends Node {
    private final Node a;
    private final Node b;

    AndNode(Node a, Node b) {
      this.a = a;
      this.b = b;
    }

    @Override
    int prune(ZoneView z) {
      int x = a.prune(z);
      int y = b.prune(z);
      return ((x & y) & MAY_TRUE) | ((x | y) & (MAY_FALSE | MAY_NULL));
    }

    @Override
    void eval(Map<String, FieldVector> vs, int rows, byte[] out) {
      a.eval(vs, rows, out);
      byte[] o2 = new byte[rows];
      b.eval(vs, rows, o2);
      for (int i = 0; i < rows; i++) {
        byte p = out[i];
        byte q = o2[i];
        out[i] = p == FALSE || q == FALSE ? FALSE : p == TRUE && q == TRUE ? TRUE : NULL;
      }
    }
  }

  private static final class OrNode extends Node {
    private final Node a;
    private final Node b;

    OrNode(Node a, Node b) {
      this.a = a;
      this.b = b;
    }

    @Override
    int prune(ZoneView z) {
      int x = a.prune(z);
      int y = b.prune(z);
      return ((x | y) & (MAY_TRUE | MAY_NULL)) | ((x & y) & MAY_FALSE);
    }

    @Override
    void eval(Map<String, FieldVector> vs, int rows, byte[] out) {
      a.eval(vs, rows, out);
      byte[] o2 = new byte[rows];
      b.eval(vs, rows, o2);
      for (int i = 0; i < rows; i++) {
        byte p = out[i];
        byte q = o2[i];
        out[i] = p == TRUE || q == TRUE ? TRUE : p == FALSE && q == FALSE ? FALSE : NULL;
      }
    }
  }

  private static final class NotNode extends Node {
    private final Node a;

    NotNode(Node a) {
      this.a = a;
    }

    @Override
    int prune(ZoneView z) {
      int x = a.prune(z);
      return ((x & MAY_TRUE) != 0 ? MAY_FALSE : 0) | ((x & MAY_FALSE) != 0 ? MAY_TRUE : 0) | (x & MAY_NULL);
    }

    @Override
    void eval(Map<String, FieldVector> vs, int rows, byte[] out) {
      a.eval(vs, rows, out);
      for (int i = 0; i < rows; i++) {
        out[i] = out[i] == TRUE ? FALSE : out[i] == FALSE ? TRUE : NULL;
      }
    }
  }

  private static final class IsNullNode extends Node {
    private final String column;
    private final boolean negated;

    IsNullNode(Field f, boolean negated) {
      this.column = f.getName();
      this.negated = negated;
    }

    @Override
    int prune(ZoneView z) {
      ZoneStats s = z.stats(column);
      if (s == null || !s.countsKnown()) {
        return MAY_TRUE | MAY_FALSE;
      }
      boolean someNull = s.nullCount() > 0;
      boolean someValue = s.nullCount() < s.numRows();
      boolean t = negated ? someValue : someNull;
      boolean f = negated ? someNull : someValue;
      return (t ? MAY_TRUE : 0) | (f ? MAY_FALSE : 0);
    }

    @Override
    void eval(Map<String, FieldVector> vs, int rows, byte[] out) {
      FieldVector v = vs.get(column);
      for (int i = 0; i < rows; i++) {
        out[i] = v.isNull(i) != negated ? TRUE : FALSE;
      }
    }
  }

  /** Bounds of a zone's non-null values (NaN counted as the greatest float), as compare signs. */
  private record Range(int lo, int hi, boolean exact) {}

  /** null: the zone is unknown; Range.lo == 2: every value is null. */
  private static Range range(ZoneStats s, Comparand c) {
    boolean hasPlain = s.plainValues() > 0;
    boolean hasNan = s.nanCount() > 0;
    int nanCmp = hasNan ? c.compare(Double.NaN) : 0;
    int lo;
    int hi;
    boolean exact;
    if (hasPlain) {
      lo = s.min() == null ? -1 : c.compare(s.min());
      exact = s.min() != null && s.minExact();
      if (hasNan) {
        hi = nanCmp;
      } else {
        hi = s.max() == null ? 1 : c.compare(s.max());
        exact &= s.max() != null && s.maxExact();
      }
    } else {
      lo = nanCmp;
      hi = nanCmp;
      exact = true;
    }
    return new Range(lo, hi, exact);
  }

  private static int cmpPrune(Expr.Op op, Range r) {
    boolean allEqual = r.lo() == 0 && r.hi() == 0 && r.exact();
    boolean t;
    boolean f;
    switch (op) {
      case EQ -> {
        t = r.lo() <= 0 && r.hi() >= 0;
        f = !allEqual;
      }
      case NE -> {
        t = !allEqual;
        f = r.lo() <= 0 && r.hi() >= 0;
      }
      case LT -> {
        t = r.lo() < 0;
        f = r.hi() >= 0;
      }
      case LE -> {
        t = r.lo() <= 0;
        f = r.hi() > 0;
      }
      case GT -> {
        t = r.hi() > 0;
        f = r.lo() <= 0;
      }
      default -> {
        t = r.hi() >= 0;
        f = r.lo() < 0;
      }
    }
    return (t ? MAY_TRUE : 0) | (f ? MAY_FALSE : 0);
  }

  private static final class CompareNode extends Node {
    private final Expr.Op op;
    private final String column;
    private final Comparand value;
    private final ValueReader reader;

    CompareNode(Expr.Op op, Field f, Comparand value) {
      this.op = op;
      this.column = f.getName();
      this.value = value;
      this.reader = ValueReader.of(f);
    }

    @Override
    int prune(ZoneView z) {
      ZoneStats s = z.stats(column);
      if (s == null || !s.countsKnown()) {
        return ANY;
      }
      int n = s.nullCount() > 0 ? MAY_NULL : 0;
      if (s.nullCount() == s.numRows()) {
        return n;
      }
      int bits = cmpPrune(op, range(s, value));
      if (op == Expr.Op.EQ && (bits & MAY_TRUE) != 0
          && (value.key == null || !z.mightContain(column, value.kind, value.key))) {
        bits &= ~MAY_TRUE;
      }
      return bits | n;
    }

    @Override
    void eval(Map<String, FieldVector> vs, int rows, byte[] out) {
      FieldVector v = vs.get(column);
      if (value.key != null && reader instanceof ValueReader.IntReader ir) {
        evalLongs(v, ir, rows, out);
        return;
      }
      if (value.key instanceof byte[] key && v instanceof org.apache.arrow.vector.BaseVariableWidthVector bv) {
        evalBytes(bv, key, rows, out);
        return;
      }
      if (value.key != null && reader instanceof ValueReader.FloatReader fr) {
        double key = (Double) value.key;
        for (int i = 0; i < rows; i++) {
          out[i] = v.isNull(i) ? NULL
              : op.test(Double.compare(StatKind.normalize(fr.readDouble(v, i)), key)) ? TRUE : FALSE;
        }
        return;
      }
      for (int i = 0; i < rows; i++) {
        Object x = reader.get(v, i);
        out[i] = x == null ? NULL : op.test(value.compare(x)) ? TRUE : FALSE;
      }
    }

    /** Strings and binaries compared in place, without copying each value out. */
    private void evalBytes(org.apache.arrow.vector.BaseVariableWidthVector v, byte[] key, int rows, byte[] out) {
      org.apache.arrow.memory.ArrowBuf offsets = v.getOffsetBuffer();
      org.apache.arrow.memory.ArrowBuf data = v.getDataBuffer();
      for (int i = 0; i < rows; i++) {
        if (v.isNull(i)) {
          out[i] = NULL;
          continue;
        }
        int start = offsets.getInt(4L * i);
        int len = offsets.getInt(4L * (i + 1)) - start;
        int n = Math.min(len, key.length);
        int cmp = 0;
        for (int k = 0; k < n && cmp == 0; k++) {
          cmp = (data.getByte(start + k) & 0xFF) - (key[k] & 0xFF);
        }
        if (cmp == 0) {
          cmp = len - key.length;
        }
        out[i] = op.test(cmp) ? TRUE : FALSE;
      }
    }

    /** Integers without boxing each value. */
    private void evalLongs(FieldVector v, ValueReader.IntReader ir, int rows, byte[] out) {
      long key = (Long) value.key;
      boolean unsigned = value.kind == StatKind.UINT64;
      org.apache.arrow.memory.ArrowBuf data = v.getDataBuffer();
      boolean noNulls = v.getNullCount() == 0;
      for (int i = 0; i < rows; i++) {
        if (!noNulls && v.isNull(i)) {
          out[i] = NULL;
          continue;
        }
        long x = ir.readLong(data, i);
        out[i] = op.test(unsigned ? Long.compareUnsigned(x, key) : Long.compare(x, key)) ? TRUE : FALSE;
      }
    }
  }

  private static final class InNode extends Node {
    private final String column;
    private final List<Comparand> values;
    private final boolean hasNull;
    private final ValueReader reader;

    InNode(Field f, List<Comparand> values, boolean hasNull) {
      this.column = f.getName();
      this.values = values;
      this.hasNull = hasNull;
      this.reader = ValueReader.of(f);
    }

    @Override
    int prune(ZoneView z) {
      ZoneStats s = z.stats(column);
      if (s == null || !s.countsKnown()) {
        return ANY;
      }
      int n = s.nullCount() > 0 || hasNull ? MAY_NULL : 0;
      if (s.nullCount() == s.numRows()) {
        return MAY_NULL;
      }
      boolean t = false;
      boolean allEqualOne = false;
      for (Comparand c : values) {
        Range r = range(s, c);
        int bits = cmpPrune(Expr.Op.EQ, r);
        if ((bits & MAY_TRUE) != 0 && c.key != null && z.mightContain(column, c.kind, c.key)) {
          t = true;
        }
        if ((bits & MAY_FALSE) == 0) {
          allEqualOne = true;
        }
      }
      boolean f = !allEqualOne && !hasNull;
      return (t ? MAY_TRUE : 0) | (f ? MAY_FALSE : 0) | n;
    }

    @Override
    void eval(Map<String, FieldVector> vs, int rows, byte[] out) {
      FieldVector v = vs.get(column);
      for (int i = 0; i < rows; i++) {
        Object x = reader.get(v, i);
        if (x == null) {
          out[i] = NULL;
          continue;
        }
        byte r = hasNull ? NULL : FALSE;
        for (Comparand c : values) {
          if (c.compare(x) == 0) {
            r = TRUE;
            break;
          }
        }
        out[i] = r;
      }
    }
  }

  private static final class ColumnsNode extends Node {
    private final Expr.Op op;
    private final String a;
    private final String b;
    private final ValueReader ra;
    private final ValueReader rb;
    private final StatKind kind;

    ColumnsNode(Expr.Op op, Field f, Field g) {
      this.op = op;
      this.a = f.getName();
      this.b = g.getName();
      this.ra = ValueReader.of(f);
      this.rb = ValueReader.of(g);
      this.kind = StatKind.of(f);
    }

    @Override
    int prune(ZoneView z) {
      return ANY;
    }

    @Override
    void eval(Map<String, FieldVector> vs, int rows, byte[] out) {
      FieldVector va = vs.get(a);
      FieldVector vb = vs.get(b);
      for (int i = 0; i < rows; i++) {
        Object x = ra.get(va, i);
        Object y = rb.get(vb, i);
        out[i] = x == null || y == null ? NULL : op.test(kind.compare(x, y)) ? TRUE : FALSE;
      }
    }
  }
}
