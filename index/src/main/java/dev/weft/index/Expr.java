package dev.weft.index;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A predicate over the columns of one row, with SQL's three-valued logic: a comparison with a
 * null operand is NULL (unknown), {@code NOT NULL} is NULL, {@code FALSE AND NULL} is FALSE,
 * {@code TRUE OR NULL} is TRUE, and a row is selected only where the predicate is TRUE.
 *
 * <p>Build with the static methods ({@code and(eq(col("label"), lit(1)), ge(col("price"),
 * lit(3.5)))}) or parse text with {@link PredicateParser}. {@link #toString()} gives text the
 * parser reads back. Literal values: null, {@link Boolean}, {@link Long}, {@link BigDecimal}
 * (numbers with a fraction), {@link Double}, {@link String}, {@code byte[]}, {@link LocalDate},
 * {@link LocalDateTime}.
 */
public sealed interface Expr {
  /** Comparison operators. */
  enum Op {
    EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

    public final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    /** The operator with its operands swapped: {@code a < b} is {@code b > a}. */
    public Op flip() {
      return switch (this) {
        case EQ, NE -> this;
        case LT -> GT;
        case LE -> GE;
        case GT -> LT;
        case GE -> LE;
      };
    }

    /** Whether {@code cmp} (the sign of left minus right) satisfies the operator. */
    public boolean test(int cmp) {
      return switch (this) {
        case EQ -> cmp == 0;
        case NE -> cmp != 0;
        case LT -> cmp < 0;
        case LE -> cmp <= 0;
        case GT -> cmp > 0;
        case GE -> cmp >= 0;
      };
    }
  }

  /** A column by name. */
  record Column(String name) implements Expr {
    @Override
    public String toString() {
      return PredicateParser.isPlainIdentifier(name) ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }
  }

  /** A constant. */
  record Literal(Object value) implements Expr {
    @Override
    public String toString() {
      Object v = value;
      if (v == null) {
        return "NULL";
      } else if (v instanceof Boolean b) {
        return b ? "TRUE" : "FALSE";
      } else if (v instanceof String s) {
        return "'" + s.replace("'", "''") + "'";
      } else if (v instanceof byte[] b) {
        return "'" + new String(b, StandardCharsets.UTF_8).replace("'", "''") + "'";
      } else if (v instanceof LocalDate d) {
        return "DATE '" + d + "'";
      } else if (v instanceof LocalDateTime t) {
        return "TIMESTAMP '" + t + "'";
      } else if (v instanceof BigDecimal d) {
        return d.toPlainString();
      } else if (v instanceof Double d) {
        return d.isNaN() ? "NaN" : d.isInfinite() ? (d > 0 ? "Infinity" : "-Infinity") : d.toString();
      }
      return v.toString();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Literal l && (value instanceof byte[] a && l.value instanceof byte[] b ? Arrays.equals(a, b)
          : java.util.Objects.equals(value, l.value));
    }

    @Override
    public int hashCode() {
      return value instanceof byte[] b ? Arrays.hashCode(b) : java.util.Objects.hashCode(value);
    }
  }

  /** {@code left op right}. */
  record Compare(Op op, Expr left, Expr right) implements Expr {
    @Override
    public String toString() {
      return left + " " + op.symbol + " " + right;
    }
  }

  /** {@code operand [NOT] IN (values...)}. */
  record In(Expr operand, List<Literal> values, boolean negated) implements Expr {
    public In {
      values = List.copyOf(values);
      if (values.isEmpty()) {
        throw new IllegalArgumentException("IN needs at least one value");
      }
    }

    @Override
    public String toString() {
      List<String> vs = new ArrayList<>();
      values.forEach(v -> vs.add(v.toString()));
      return operand + (negated ? " NOT IN (" : " IN (") + String.join(", ", vs) + ")";
    }
  }

  /** {@code operand IS [NOT] NULL}. */
  record IsNull(Expr operand, boolean negated) implements Expr {
    @Override
    public String toString() {
      return operand + (negated ? " IS NOT NULL" : " IS NULL");
    }
  }

  record And(Expr left, Expr right) implements Expr {
    @Override
    public String toString() {
      return "(" + left + " AND " + right + ")";
    }
  }

  record Or(Expr left, Expr right) implements Expr {
    @Override
    public String toString() {
      return "(" + left + " OR " + right + ")";
    }
  }

  record Not(Expr operand) implements Expr {
    @Override
    public String toString() {
      return "NOT (" + operand + ")";
    }
  }

  static Column col(String name) {
    return new Column(name);
  }

  /** A literal; ints, shorts and bytes become Long, floats Double. */
  static Literal lit(Object v) {
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      v = ((Number) v).longValue();
    } else if (v instanceof Float f) {
      v = (double) f;
    }
    return new Literal(v);
  }

  static Expr eq(Expr a, Expr b) {
    return new Compare(Op.EQ, a, b);
  }

  static Expr ne(Expr a, Expr b) {
    return new Compare(Op.NE, a, b);
  }

  static Expr lt(Expr a, Expr b) {
    return new Compare(Op.LT, a, b);
  }

  static Expr le(Expr a, Expr b) {
    return new Compare(Op.LE, a, b);
  }

  static Expr gt(Expr a, Expr b) {
    return new Compare(Op.GT, a, b);
  }

  static Expr ge(Expr a, Expr b) {
    return new Compare(Op.GE, a, b);
  }

  static Expr in(Expr a, Object... values) {
    List<Literal> ls = new ArrayList<>();
    for (Object v : values) {
      ls.add(lit(v));
    }
    return new In(a, ls, false);
  }

  static Expr isNull(Expr a) {
    return new IsNull(a, false);
  }

  static Expr isNotNull(Expr a) {
    return new IsNull(a, true);
  }

  static Expr and(Expr a, Expr b) {
    return new And(a, b);
  }

  static Expr or(Expr a, Expr b) {
    return new Or(a, b);
  }

  static Expr not(Expr a) {
    return new Not(a);
  }

  /** The names of the columns the expression uses, in first-use order. */
  default List<String> columns() {
    List<String> out = new ArrayList<>();
    collect(this, out);
    return out;
  }

  private static void collect(Expr e, List<String> out) {
    if (e instanceof Column c) {
      if (!out.contains(c.name())) {
        out.add(c.name());
      }
    } else if (e instanceof Compare c) {
      collect(c.left(), out);
      collect(c.right(), out);
    } else if (e instanceof In i) {
      collect(i.operand(), out);
    } else if (e instanceof IsNull n) {
      collect(n.operand(), out);
    } else if (e instanceof And a) {
      collect(a.left(), out);
      collect(a.right(), out);
    } else if (e instanceof Or o) {
      collect(o.left(), out);
      collect(o.right(), out);
    } else if (e instanceof Not n) {
      collect(n.operand(), out);
    }
  }
}
