package dev.weft.cli.parquet;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.parquet.column.ColumnDescriptor;

/**
 * A node of the Arrow column tree built from a Parquet schema, with the Dremel levels that
 * decide its slots, nulls and list lengths (the same levels as Arrow C++'s {@code LevelInfo}).
 *
 * <p>For a triple (repetition level r, definition level d) of a leaf below this node:
 *
 * <ul>
 *   <li>it starts a new slot (array element) of this node if {@code r <= ancRep && d >= ancDef}
 *       ({@code ancRep}/{@code ancDef}: levels of the innermost repeated ancestor, 0 if none);
 *   <li>that slot is non-null if {@code d >= def};
 *   <li>for a list, it starts a new list element if {@code r <= elemRep && d >= elemDef}.
 * </ul>
 */
abstract class Col {
  /** The Arrow field this node produces (storage types only; extensions as field metadata). */
  Field field;
  final int def;
  final int ancDef;
  final int ancRep;
  /** The first leaf below this node (or this leaf): its levels give this node's structure. */
  Leaf rep;

  Col(int def, int ancDef, int ancRep) {
    this.def = def;
    this.ancDef = ancDef;
    this.ancRep = ancRep;
  }

  abstract List<Col> children();

  /** All leaves below this node, in column order. */
  final List<Leaf> leaves() {
    List<Leaf> out = new ArrayList<>();
    collect(this, out);
    return out;
  }

  private static void collect(Col c, List<Leaf> out) {
    if (c instanceof Leaf l) {
      out.add(l);
    } else {
      for (Col ch : c.children()) {
        collect(ch, out);
      }
    }
  }

  /** A Parquet primitive column. */
  static final class Leaf extends Col {
    final ColumnDescriptor desc;
    final int maxDef;
    final int maxRep;
    /** Index among the file's leaf columns. */
    final int columnIndex;
    /** Whether its levels must be kept for a batch (some ancestor's structure depends on them). */
    boolean keepLevels;

    Leaf(ColumnDescriptor desc, int columnIndex, int def, int ancDef, int ancRep) {
      super(def, ancDef, ancRep);
      this.desc = desc;
      this.columnIndex = columnIndex;
      this.maxDef = desc.getMaxDefinitionLevel();
      this.maxRep = desc.getMaxRepetitionLevel();
      this.rep = this;
    }

    @Override
    List<Col> children() {
      return List.of();
    }

    String path() {
      return String.join(".", desc.getPath());
    }
  }

  /** A Parquet group read as an Arrow struct. */
  static final class StructCol extends Col {
    final List<Col> children;

    StructCol(List<Col> children, int def, int ancDef, int ancRep) {
      super(def, ancDef, ancRep);
      this.children = children;
    }

    @Override
    List<Col> children() {
      return children;
    }
  }

  /** A repeated field read as an Arrow list (or large list, map, fixed-size list). */
  static final class ListCol extends Col {
    enum Kind { LIST, LARGE_LIST, MAP, FIXED_SIZE_LIST }

    Kind kind = Kind.LIST;
    int fixedSize;
    final Col child;
    final int elemDef;
    final int elemRep;

    ListCol(Col child, int def, int ancDef, int ancRep, int elemDef, int elemRep) {
      super(def, ancDef, ancRep);
      this.child = child;
      this.elemDef = elemDef;
      this.elemRep = elemRep;
    }

    @Override
    List<Col> children() {
      return List.of(child);
    }
  }
}
