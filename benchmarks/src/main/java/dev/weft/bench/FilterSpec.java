package dev.weft.bench;

import java.util.List;

/**
 * The filtered scan's predicate {@code lo <= column < hi} on one numeric column, chosen by the
 * Python driver from the data ({@code weftbench.prepare.choose_filter}) and the same for every
 * peer; each peer turns it into its library's own filter.
 *
 * @param column the predicate's column
 * @param kind {@code int}, {@code float} or {@code timestamp:UNIT} (UNIT s, ms, us, ns)
 * @param lo inclusive lower bound: an integer (for timestamps: in the column's unit) or a double
 * @param hi exclusive upper bound, like {@code lo}
 * @param text the predicate as Weft's predicate text (Lance's SQL filter takes the same text)
 * @param project the columns the scan returns (the predicate's column first)
 * @param expect the number of matching rows in the input, or -1 if unknown
 */
record FilterSpec(String column, String kind, String lo, String hi, String text, List<String> project, long expect) {
  boolean isFloat() {
    return kind.equals("float");
  }

  long loLong() {
    return Long.parseLong(lo);
  }

  long hiLong() {
    return Long.parseLong(hi);
  }

  double loDouble() {
    return Double.parseDouble(lo);
  }

  double hiDouble() {
    return Double.parseDouble(hi);
  }
}
