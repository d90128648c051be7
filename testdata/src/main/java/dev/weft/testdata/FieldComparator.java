package dev.weft.testdata;

import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Compares Arrow fields recursively and describes the first difference.
 *
 * <p>The element field of list, large list and fixed-size list types may be named differently:
 * Arrow Java itself renames it to {@code $data$} in {@code ListVector.getField()}, so requiring
 * equal element names would make equal data look different.
 */
final class FieldComparator {
  private FieldComparator() {}

  /**
   * Returns {@code null} if the fields are equal, else a description of the first difference.
   *
   * @param checkName whether the names (and metadata) of {@code expected} and {@code actual}
   *     themselves must match; names of struct and map children are always compared
   * @param checkNullability whether nullability (at every level) must match
   */
  static String diff(Field expected, Field actual, String path, boolean checkName, boolean checkNullability) {
    if (checkName && !expected.getName().equals(actual.getName())) {
      return path + ": expected field name '" + expected.getName() + "' but was '" + actual.getName() + "'";
    }
    if (!expected.getType().equals(actual.getType())) {
      return path + ": expected type " + expected.getType() + " but was " + actual.getType();
    }
    if (checkNullability && expected.isNullable() != actual.isNullable()) {
      return path + ": expected nullable=" + expected.isNullable() + " but was nullable=" + actual.isNullable();
    }
    if (!Objects.equals(expected.getDictionary(), actual.getDictionary())) {
      return path + ": expected dictionary " + expected.getDictionary() + " but was " + actual.getDictionary();
    }
    if (checkName && !Objects.equals(expected.getMetadata(), actual.getMetadata())) {
      return path + ": expected metadata " + expected.getMetadata() + " but was " + actual.getMetadata();
    }
    List<Field> ec = expected.getChildren();
    List<Field> ac = actual.getChildren();
    if (ec.size() != ac.size()) {
      return path + ": expected " + ec.size() + " children " + ec + " but was " + ac.size() + " " + ac;
    }
    boolean listLike = isListLike(expected.getType());
    for (int i = 0; i < ec.size(); i++) {
      String childPath = path + (listLike ? "[]" : "." + ec.get(i).getName());
      String d = diff(ec.get(i), ac.get(i), childPath, !listLike, checkNullability);
      if (d != null) {
        return d;
      }
    }
    return null;
  }

  private static boolean isListLike(ArrowType type) {
    return type instanceof ArrowType.List
        || type instanceof ArrowType.LargeList
        || type instanceof ArrowType.FixedSizeList;
  }
}
