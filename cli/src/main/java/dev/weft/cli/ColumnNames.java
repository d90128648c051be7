package dev.weft.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The column names of {@code --columns} lists, for files whose names have blanks, commas or
 * quotes (pandas and DuckDB users write such files): how an entry of the list finds its column,
 * and how a list of names is shown in an error.
 */
public final class ColumnNames {
  private static final int SHOWN = 12;

  private ColumnNames() {}

  /**
   * The column that one entry of a {@code --columns} list names: the entry as given when a column
   * has exactly that name (a name may start or end with a blank), else the entry without the
   * surrounding blanks; an entry in double quotes is the name inside them ({@code ""} stands for
   * one quote), which is how a name with a comma is given: {@code --columns '"a,b",c'}. Returns
   * the candidate name even when no column has it (for the error message).
   */
  public static String resolve(String raw, Predicate<String> exists) {
    if (exists.test(raw)) {
      return raw;
    }
    String s = raw.strip();
    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
      String inner = s.substring(1, s.length() - 1).replace("\"\"", "\"");
      if (exists.test(inner) || !exists.test(s)) {
        return inner;
      }
    }
    return s;
  }

  /** "3 columns: a, 'b c', 'd,e'": up to 12 names, quoted where a name alone would be ambiguous. */
  public static String list(List<String> all) {
    int shown = Math.min(all.size(), SHOWN);
    List<String> names = new ArrayList<>();
    for (String n : all.subList(0, shown)) {
      names.add(show(n));
    }
    return all.size() + (all.size() == 1 ? " column: " : " columns: ") + String.join(", ", names)
        + (all.size() > shown ? ", ... " + (all.size() - shown) + " more" : "");
  }

  /** A name as an error message shows it: in single quotes when it is empty or has blanks, commas or quotes. */
  public static String show(String name) {
    boolean plain = !name.isEmpty();
    for (int i = 0; i < name.length() && plain; i++) {
      char c = name.charAt(i);
      plain = !(Character.isWhitespace(c) || c == ',' || c == '\'' || c == '"');
    }
    return plain ? name : "'" + name + "'";
  }

  /** The name that equals {@code name} but for case, or null. */
  public static String caseVariant(String name, List<String> all) {
    for (String c : all) {
      if (c.equalsIgnoreCase(name)) {
        return c;
      }
    }
    return null;
  }
}
