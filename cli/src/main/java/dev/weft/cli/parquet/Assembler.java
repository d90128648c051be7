package dev.weft.cli.parquet;

import dev.weft.cli.parquet.Col.Leaf;
import dev.weft.cli.parquet.Col.ListCol;
import dev.weft.cli.parquet.Col.StructCol;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.util.TransferPair;

/**
 * Builds the structure of nested columns (struct validity, list offsets and validity) from the
 * levels of each node's representative leaf, after the leaves were read into their vectors, and
 * checks that all leaves agree on it.
 */
final class Assembler {
  private final Path file;
  private final LeafReader[] readers;
  private int[] counts = new int[64];
  private boolean[] valid = new boolean[64];

  Assembler(Path file, LeafReader[] readers) {
    this.file = file;
    this.readers = readers;
  }

  /** Reads the leaves below {@code c} into the vectors below {@code v}. */
  void readLeaves(Col c, FieldVector v, int rows) throws ParquetFormatException {
    if (c instanceof Leaf leaf) {
      readers[leaf.columnIndex].read(rows, v);
    } else if (c instanceof StructCol s) {
      StructVector sv = (StructVector) v;
      for (int i = 0; i < s.children.size(); i++) {
        readLeaves(s.children.get(i), (FieldVector) sv.getChildByOrdinal(i), rows);
      }
    } else {
      readLeaves(((ListCol) c).child, dataVector(v), rows);
    }
  }

  private static FieldVector dataVector(FieldVector v) {
    if (v instanceof ListVector lv) {
      return lv.getDataVector();
    } else if (v instanceof LargeListVector llv) {
      return llv.getDataVector();
    }
    return ((FixedSizeListVector) v).getDataVector();
  }

  /** Sets the structure of {@code v} and below; returns the number of slots of {@code v}. */
  int assemble(Col c, FieldVector v) throws ParquetFormatException {
    if (c instanceof Leaf leaf) {
      return readers[leaf.columnIndex].slots;
    }
    if (c instanceof StructCol s) {
      return assembleStruct(s, (StructVector) v);
    }
    return assembleList((ListCol) c, v);
  }

  private int assembleStruct(StructCol s, StructVector sv) throws ParquetFormatException {
    int[] childSlots = new int[s.children.size()];
    for (int i = 0; i < childSlots.length; i++) {
      childSlots[i] = assemble(s.children.get(i), (FieldVector) sv.getChildByOrdinal(i));
    }
    LeafReader lr = readers[s.rep.columnIndex];
    boolean repeated = lr.leaf.maxRep > 0;
    int slots = 0;
    for (int t = 0; t < lr.levelCount; t++) {
      int r = repeated ? lr.reps[t] : 0;
      int d = lr.defs[t];
      if (r <= s.ancRep && d >= s.ancDef) {
        if (d >= s.def) {
          sv.setIndexDefined(slots);
        } else {
          sv.setNull(slots);
        }
        slots++;
      }
    }
    for (int i = 0; i < childSlots.length; i++) {
      if (childSlots[i] != slots) {
        throw mismatch(s, slots, childSlots[i]);
      }
    }
    sv.setValueCount(slots);
    return slots;
  }

  private int assembleList(ListCol l, FieldVector v) throws ParquetFormatException {
    int childSlots = assemble(l.child, dataVector(v));
    LeafReader lr = readers[l.rep.columnIndex];
    int slot = -1;
    long elements = 0;
    for (int t = 0; t < lr.levelCount; t++) {
      int r = lr.reps[t];
      int d = lr.defs[t];
      if (r <= l.ancRep && d >= l.ancDef) {
        slot++;
        if (slot == counts.length) {
          counts = Arrays.copyOf(counts, counts.length * 2);
          valid = Arrays.copyOf(valid, valid.length * 2);
        }
        counts[slot] = 0;
        valid[slot] = d >= l.def;
      }
      if (r <= l.elemRep && d >= l.elemDef) {
        if (slot < 0) {
          throw new ParquetFormatException(file, "corrupt Parquet data in column " + lr.leaf.path()
              + ": a list element without a list");
        }
        counts[slot]++;
        elements++;
      }
    }
    int slots = slot + 1;
    if (elements != childSlots) {
      throw mismatch(l, elements, childSlots);
    }
    switch (l.kind) {
      case LIST, MAP -> {
        ListVector lv = (ListVector) v;
        if (slots == 0) {
          lv.startNewValue(0); // allocates the offsets: an empty list vector still has one offset
        }
        for (int s = 0; s < slots; s++) {
          if (valid[s]) {
            lv.startNewValue(s);
            lv.endValue(s, counts[s]);
          } else {
            lv.setNull(s);
          }
        }
        lv.setValueCount(slots);
      }
      case LARGE_LIST -> {
        LargeListVector lv = (LargeListVector) v;
        if (slots == 0) {
          lv.startNewValue(0L);
        }
        for (int s = 0; s < slots; s++) {
          if (valid[s]) {
            lv.startNewValue(s);
            lv.endValue(s, counts[s]);
          } else {
            lv.setNull(s);
          }
        }
        lv.setValueCount(slots);
      }
      case FIXED_SIZE_LIST -> assembleFixed(l, (FixedSizeListVector) v, slots, lr);
    }
    return slots;
  }

  /**
   * A list read back as the fixed-size list it was written from (ARROW:schema): every non-null
   * list must have exactly the size; null lists still take that many child slots in Arrow, so
   * the child is rebuilt with placeholders where there are null lists.
   */
  private void assembleFixed(ListCol l, FixedSizeListVector fv, int slots, LeafReader lr)
      throws ParquetFormatException {
    int k = l.fixedSize;
    boolean anyNull = false;
    for (int s = 0; s < slots; s++) {
      if (valid[s] && counts[s] != k) {
        throw new ParquetFormatException(file, "column " + lr.leaf.path() + ": a list of " + counts[s]
            + " values in a column stored as fixed_size_list of " + k);
      }
      anyNull |= !valid[s];
    }
    FieldVector child = fv.getDataVector();
    if (anyNull && k > 0) {
      FieldVector rebuilt = child.getField().createVector(child.getAllocator());
      try {
        rebuilt.allocateNew();
        int src = 0;
        for (int s = 0; s < slots; s++) {
          if (valid[s]) {
            for (int j = 0; j < k; j++) {
              rebuilt.copyFromSafe(src + j, s * k + j, child);
            }
            src += k;
          }
        }
        rebuilt.setValueCount(slots * k);
        TransferPair tp = rebuilt.makeTransferPair(child);
        tp.transfer();
      } finally {
        rebuilt.close();
      }
    }
    for (int s = 0; s < slots; s++) {
      if (valid[s]) {
        fv.setNotNull(s);
      } else {
        fv.setNull(s);
      }
    }
    fv.setValueCount(slots);
  }

  private ParquetFormatException mismatch(Col c, long expected, long got) {
    return new ParquetFormatException(file, "corrupt Parquet data: the columns below " + c.field.getName()
        + " disagree on its structure (" + expected + " against " + got + " values)");
  }
}
