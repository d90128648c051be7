package dev.weft.index;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses predicate text into an {@link Expr}:
 *
 * <pre>
 * expr      := or
 * or        := and (OR and)*
 * and       := not (AND not)*
 * not       := NOT not | '(' expr ')' | predicate
 * predicate := operand (cmp operand | [NOT] IN '(' literal (',' literal)* ')' | IS [NOT] NULL)?
 *              (a lone operand must be a column: {@code flag} means {@code flag = TRUE})
 * cmp       := '=' | '==' | '!=' | '&lt;&gt;' | '&lt;' | '&lt;=' | '&gt;' | '&gt;='
 * operand   := column | literal
 * column    := name ([A-Za-z_][A-Za-z0-9_.$]*, not a keyword) | "quoted" | `quoted`
 * literal   := number | 'string' | TRUE | FALSE | NULL | NaN | Infinity | -Infinity
 *              | DATE 'yyyy-mm-dd' | TIMESTAMP 'yyyy-mm-dd hh:mm:ss[.f]'
 * </pre>
 *
 * Keywords are case-insensitive. Strings use {@code ''} for a quote, quoted names {@code ""}.
 * Integers become {@link Long} (or {@link BigDecimal} past 64 bits), numbers with a fraction
 * {@link BigDecimal}, numbers with an exponent {@link Double}. Errors are {@link
 * PredicateParseException}s giving the position and what was expected.
 */
public final class PredicateParser {
  private static final java.util.Set<String> KEYWORDS = java.util.Set.of("AND", "OR", "NOT", "IN", "IS", "NULL",
      "TRUE", "FALSE", "DATE", "TIMESTAMP", "NAN", "INFINITY");

  private final String text;
  private int pos;

  private PredicateParser(String text) {
    this.text = text;
  }

  /** Parses {@code text}; throws {@link PredicateParseException} if it is not a predicate. */
  public static Expr parse(String text) {
    PredicateParser p = new PredicateParser(text);
    p.skipSpace();
    if (p.pos == text.length()) {
      throw p.error("expected a predicate, found nothing");
    }
    Expr e = p.or();
    p.skipSpace();
    if (p.pos < text.length()) {
      throw p.error("expected AND, OR or the end of the predicate");
    }
    return e;
  }

  static boolean isPlainIdentifier(String s) {
    if (s.isEmpty() || !(Character.isLetter(s.charAt(0)) || s.charAt(0) == '_')
        || KEYWORDS.contains(s.toUpperCase(Locale.ROOT))) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '$'))) {
        return false;
      }
    }
    return true;
  }

  private PredicateParseException error(String msg) {
    return new PredicateParseException(text, pos, msg);
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  /** Consumes keyword {@code kw} (case-insensitive, whole word) if it comes next. */
  private boolean keyword(String kw) {
    skipSpace();
    int end = pos + kw.length();
    if (end <= text.length() && text.regionMatches(true, pos, kw, 0, kw.length())
        && (end == text.length() || !isWordChar(text.charAt(end)))) {
      pos = end;
      return true;
    }
    return false;
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '$';
  }

  private boolean symbol(String s) {
    skipSpace();
    if (text.startsWith(s, pos)) {
      pos += s.length();
      return true;
    }
    return false;
  }

  private Expr or() {
    Expr e = and();
    while (keyword("OR")) {
      e = new Expr.Or(e, and());
    }
    return e;
  }

  private Expr and() {
    Expr e = not();
    while (keyword("AND")) {
      e = new Expr.And(e, not());
    }
    return e;
  }

  private Expr not() {
    skipSpace();
    if (keyword("NOT")) {
      return new Expr.Not(not());
    }
    if (symbol("(")) {
      Expr e = or();
      if (!symbol(")")) {
        throw error("expected ')' to close the '(' (or AND, OR)");
      }
      return e;
    }
    return predicate();
  }

  private Expr predicate() {
    skipSpace();
    int start = pos;
    Expr left = operand("a column or a value");
    Expr.Op op = cmpOp();
    if (op != null) {
      Expr right = operand("a column or a value after '" + op.symbol + "'");
      return new Expr.Compare(op, left, right);
    }
    int save = pos;
    boolean negated = keyword("NOT");
    if (keyword("IN")) {
      if (!symbol("(")) {
        throw error("expected '(' after IN");
      }
      List<Expr.Literal> values = new ArrayList<>();
      do {
        skipSpace();
        Expr v = operand("a value in the IN list");
        if (!(v instanceof Expr.Literal l)) {
          pos = save;
          throw error("IN lists hold values only, not columns");
        }
        values.add(l);
      } while (symbol(","));
      if (!symbol(")")) {
        throw error("expected ',' or ')' in the IN list");
      }
      return new Expr.In(left, values, negated);
    }
    if (negated) {
      throw error("expected IN after NOT");
    }
    if (keyword("IS")) {
      boolean not = keyword("NOT");
      if (!keyword("NULL")) {
        throw error(not ? "expected NULL after IS NOT" : "expected NULL or NOT NULL after IS");
      }
      return new Expr.IsNull(left, not);
    }
    skipSpace();
    int here = pos;
    boolean ends = pos == text.length() || text.charAt(pos) == ')' || keyword("AND") || keyword("OR");
    pos = here;
    if (ends && left instanceof Expr.Column) {
      return new Expr.Compare(Expr.Op.EQ, left, new Expr.Literal(Boolean.TRUE)); // a bool column alone
    }
    if (ends) {
      pos = start;
      throw error("a value alone is not a predicate: expected a comparison such as x = 1");
    }
    throw error("expected a comparison operator (=, !=, <, <=, >, >=), IN or IS after the operand");
  }

  private Expr.Op cmpOp() {
    skipSpace();
    if (symbol("<=")) {
      return Expr.Op.LE;
    } else if (symbol(">=")) {
      return Expr.Op.GE;
    } else if (symbol("!=") || symbol("<>")) {
      return Expr.Op.NE;
    } else if (symbol("==") || symbol("=")) {
      return Expr.Op.EQ;
    } else if (symbol("<")) {
      return Expr.Op.LT;
    } else if (symbol(">")) {
      return Expr.Op.GT;
    }
    return null;
  }

  private Expr operand(String what) {
    skipSpace();
    if (pos >= text.length()) {
      throw error("expected " + what + ", found the end");
    }
    char c = text.charAt(pos);
    if (c == '\'') {
      return new Expr.Literal(quoted('\''));
    }
    if (c == '"' || c == '`') {
      return new Expr.Column(quoted(c));
    }
    if (Character.isDigit(c) || c == '-' || c == '+' || (c == '.' && pos + 1 < text.length()
        && Character.isDigit(text.charAt(pos + 1)))) {
      return number(what);
    }
    if (Character.isLetter(c) || c == '_') {
      int start = pos;
      while (pos < text.length() && isWordChar(text.charAt(pos))) {
        pos++;
      }
      String word = text.substring(start, pos);
      switch (word.toUpperCase(Locale.ROOT)) {
        case "NULL":
          return new Expr.Literal(null);
        case "TRUE":
          return new Expr.Literal(Boolean.TRUE);
        case "FALSE":
          return new Expr.Literal(Boolean.FALSE);
        case "NAN":
          return new Expr.Literal(Double.NaN);
        case "INFINITY":
          return new Expr.Literal(Double.POSITIVE_INFINITY);
        case "DATE":
          return dated(start, true);
        case "TIMESTAMP":
          return dated(start, false);
        case "AND", "OR", "NOT", "IN", "IS":
          pos = start;
          throw error("expected " + what + ", found the keyword " + word.toUpperCase(Locale.ROOT)
              + " (quote a column with this name as \"" + word + "\")");
        default:
          return new Expr.Column(word);
      }
    }
    throw error("expected " + what + ", found '" + c + "'");
  }

  private Expr dated(int start, boolean date) {
    skipSpace();
    if (pos >= text.length() || text.charAt(pos) != '\'') {
      throw error("expected a quoted " + (date ? "date 'yyyy-mm-dd'" : "timestamp 'yyyy-mm-dd hh:mm:ss'")
          + " after " + (date ? "DATE" : "TIMESTAMP"));
    }
    int at = pos;
    String s = quoted('\'');
    try {
      return new Expr.Literal(date ? LocalDate.parse(s) : LocalDateTime.parse(s.replace(' ', 'T')));
    } catch (DateTimeParseException e) {
      pos = at;
      throw error("'" + s + "' is not a valid " + (date ? "date (yyyy-mm-dd)" : "timestamp (yyyy-mm-dd hh:mm:ss[.f])"));
    }
  }

  private Expr number(String what) {
    int start = pos;
    if (text.charAt(pos) == '-' || text.charAt(pos) == '+') {
      pos++;
      if (keyword("Infinity")) {
        return new Expr.Literal(text.charAt(start) == '-' ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
      }
    }
    int digits = pos;
    while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
      pos++;
    }
    boolean fraction = false;
    if (pos < text.length() && text.charAt(pos) == '.') {
      fraction = true;
      pos++;
      while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
        pos++;
      }
    }
    if (pos == digits || (fraction && pos == digits + 1)) {
      pos = start;
      throw error("expected " + what + ": '" + text.charAt(start) + "' must start a number");
    }
    boolean exponent = false;
    if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
      exponent = true;
      pos++;
      if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
        pos++;
      }
      int e = pos;
      while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
        pos++;
      }
      if (pos == e) {
        throw error("expected digits of the exponent");
      }
    }
    if (pos < text.length() && isWordChar(text.charAt(pos))) {
      throw error("expected an operator or the end after the number " + text.substring(start, pos));
    }
    String s = text.substring(start, pos);
    if (exponent) {
      return new Expr.Literal(Double.parseDouble(s));
    }
    BigDecimal d = new BigDecimal(s);
    if (!fraction) {
      try {
        return new Expr.Literal(d.longValueExact());
      } catch (ArithmeticException e) {
        return new Expr.Literal(d);
      }
    }
    return new Expr.Literal(d);
  }

  /** A quoted string starting at pos, doubled quotes as escapes. */
  private String quoted(char q) {
    int start = pos;
    pos++;
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        pos = start;
        throw error("unterminated " + (q == '\'' ? "string" : "quoted name") + ": missing closing " + q);
      }
      char c = text.charAt(pos++);
      if (c == q) {
        if (pos < text.length() && text.charAt(pos) == q) {
          sb.append(q);
          pos++;
        } else {
          return sb.toString();
        }
      } else {
        sb.append(c);
      }
    }
  }
}
