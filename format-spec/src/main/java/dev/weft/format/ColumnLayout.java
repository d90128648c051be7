package dev.weft.format;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The nodes of one top-level column, derived from its Arrow field alone: the writer and the
 * reader both derive them, and the column metadata also stores them so that the two can be
 * checked against each other.
 */
public final class ColumnLayout {
  private final Field field;
  private final List<ColumnNode> nodes;

  private ColumnLayout(Field field, List<ColumnNode> nodes) {
    this.field = field;
    this.nodes = Collections.unmodifiableList(nodes);
  }

  /**
   * Flattens a top-level field.
   *
   * @param file used in the error message only (may be null)
   * @throws UnsupportedTypeException naming the column and the type if any node is unsupported
   */
  public static ColumnLayout of(Field field, Path file) throws UnsupportedTypeException {
    List<ColumnNode> nodes = new ArrayList<>();
    add(field, field.getName(), nodes, file, field.getName());
    return new ColumnLayout(field, nodes);
  }

  public Field field() {
    return field;
  }

  public List<ColumnNode> nodes() {
    return nodes;
  }

  public ColumnNode node(int index) {
    return nodes.get(index);
  }

  private static int add(Field f, String path, List<ColumnNode> out, Path file, String column)
      throws UnsupportedTypeException {
    if (f.getDictionary() != null) {
      throw unsupported(file, column, path, "dictionary-encoded " + TypeNames.of(f)
          + " (only top-level dictionary columns are accepted, and only by the writer, which"
          + " stores their values)");
    }
    ArrowType type = f.getType();
    if (type instanceof ArrowType.ExtensionType ext) {
      throw unsupported(file, column, path, "extension type " + ext.extensionName() + " (storage "
          + ext.storageType() + "); write its storage type instead");
    }
    NodeKind kind;
    int param = 0;
    switch (type.getTypeID()) {
      case Null -> kind = NodeKind.NULL;
      case Bool -> kind = NodeKind.BOOL;
      case Int -> {
        kind = NodeKind.FIXED;
        param = ((ArrowType.Int) type).getBitWidth() / 8;
      }
      case FloatingPoint -> {
        kind = NodeKind.FIXED;
        param = switch (((ArrowType.FloatingPoint) type).getPrecision()) {
          case HALF -> 2;
          case SINGLE -> 4;
          case DOUBLE -> 8;
        };
      }
      case Decimal -> {
        kind = NodeKind.FIXED;
        param = ((ArrowType.Decimal) type).getBitWidth() / 8;
      }
      case Date -> {
        kind = NodeKind.FIXED;
        param = ((ArrowType.Date) type).getUnit() == org.apache.arrow.vector.types.DateUnit.DAY ? 4 : 8;
      }
      case Time -> {
        kind = NodeKind.FIXED;
        param = ((ArrowType.Time) type).getBitWidth() / 8;
      }
      case Timestamp, Duration -> {
        kind = NodeKind.FIXED;
        param = 8;
      }
      case Interval -> {
        kind = NodeKind.FIXED;
        param = switch (((ArrowType.Interval) type).getUnit()) {
          case YEAR_MONTH -> 4;
          case DAY_TIME -> 8;
          case MONTH_DAY_NANO -> 16;
        };
      }
      case FixedSizeBinary -> {
        kind = NodeKind.FIXED;
        param = ((ArrowType.FixedSizeBinary) type).getByteWidth();
        if (param <= 0) {
          throw unsupported(file, column, path, type + " with byte width " + param);
        }
      }
      case Utf8, Binary -> kind = NodeKind.VARBINARY;
      case LargeUtf8, LargeBinary -> kind = NodeKind.LARGE_VARBINARY;
      case List, Map -> kind = NodeKind.LIST;
      case LargeList -> kind = NodeKind.LARGE_LIST;
      case FixedSizeList -> {
        kind = NodeKind.FIXED_SIZE_LIST;
        param = ((ArrowType.FixedSizeList) type).getListSize();
        if (param < 0) {
          throw unsupported(file, column, path, type + " with negative size");
        }
      }
      case Struct -> kind = NodeKind.STRUCT;
      default -> throw unsupported(file, column, path, type.toString());
    }
    int expectedChildren = switch (kind) {
      case LIST, LARGE_LIST, FIXED_SIZE_LIST -> 1;
      case STRUCT -> -1;
      default -> 0;
    };
    if (expectedChildren >= 0 && f.getChildren().size() != expectedChildren) {
      throw unsupported(file, column, path, type + " with " + f.getChildren().size() + " children");
    }
    int index = out.size();
    List<Integer> childIndices = new ArrayList<>();
    out.add(null); // placeholder, filled after the children are numbered
    for (Field child : f.getChildren()) {
      childIndices.add(add(child, path + "." + child.getName(), out, file, column));
    }
    out.set(index, new ColumnNode(index, path, f, kind, param, List.copyOf(childIndices)));
    return index;
  }

  private static UnsupportedTypeException unsupported(Path file, String column, String path, String what) {
    String where = path.equals(column) ? "column '" + column + "'" : "column '" + column + "' (at " + path + ")";
    return new UnsupportedTypeException(
        "unsupported type in " + where + ": " + what + (file == null ? "" : " (file " + file + ")"), file);
  }
}
