package dev.weft.cli.convert;

import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Compares Arrow schemas by names, types and nullability. Metadata is ignored, and so are the
 * names writers choose differently for the same type: list elements ("element", "item",
 * "array", ...) and a map's entries, keys and values.
 */
public final class SchemaDiff {
  private SchemaDiff() {}

  /** Null if the schemas match, else the first difference in words. */
  public static String describe(Schema expected, Schema actual) {
    return fields(expected.getFields(), actual.getFields(), "", false);
  }

  private static String fields(List<Field> a, List<Field> b, String prefix, boolean anyNames) {
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      String d = field(a.get(i), b.get(i), prefix, anyNames, false);
      if (d != null) {
        return d;
      }
    }
    if (a.size() != b.size()) {
      List<Field> longer = a.size() > b.size() ? a : b;
      return (prefix.isEmpty() ? "" : prefix + ": ") + a.size() + " against " + b.size() + " columns (first extra: '"
          + longer.get(n).getName() + "')";
    }
    return null;
  }

  private static String field(Field a, Field b, String prefix, boolean anyName, boolean mapEntries) {
    String path = prefix.isEmpty() ? a.getName() : prefix + "." + a.getName();
    if (!anyName && !a.getName().equals(b.getName())) {
      return "column " + (prefix.isEmpty() ? "" : prefix + ".") + "'" + a.getName() + "' against '" + b.getName() + "'";
    }
    if (!a.getType().equals(b.getType())) {
      return "column '" + path + "': " + dev.weft.format.TypeNames.of(a) + " against " + dev.weft.format.TypeNames.of(b);
    }
    if (a.isNullable() != b.isNullable()) {
      return "column '" + path + "': " + (a.isNullable() ? "nullable" : "not null") + " against "
          + (b.isNullable() ? "nullable" : "not null");
    }
    ArrowType t = a.getType();
    boolean list = t instanceof ArrowType.List || t instanceof ArrowType.LargeList || t instanceof ArrowType.FixedSizeList;
    boolean map = t instanceof ArrowType.Map;
    List<Field> ca = a.getChildren();
    List<Field> cb = b.getChildren();
    if (ca.size() != cb.size()) {
      return "column '" + path + "': " + ca.size() + " against " + cb.size() + " children";
    }
    for (int i = 0; i < ca.size(); i++) {
      // names below a list (its element) or a map (entries, then key and value) may differ
      String d = field(ca.get(i), cb.get(i), path, list || map || mapEntries, map);
      if (d != null) {
        return d;
      }
    }
    return null;
  }
}
