package dev.weft.testdata;

import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.NonNullableStructVector;
import org.apache.arrow.vector.complex.StructVector;

/**
 * Recursively fills a vector with random values: decides validity and list lengths at each level,
 * then fills the child vectors with the number of slots the parent needs. Map vectors are list
 * vectors of a non-nullable {@code entries} struct, so they go through the list path.
 */
final class VectorFiller {
  private final RandomValues values;

  VectorFiller(RandomValues values) {
    this.values = values;
  }

  /** Writes slots {@code 0..count-1} of {@code v} (and its children) and sets its value count. */
  void fill(FieldVector v, int count) {
    boolean nullable = v.getField().isNullable();
    switch (v.getMinorType()) {
      case NULL -> v.setValueCount(count);
      case STRUCT -> fillStruct((NonNullableStructVector) v, count, nullable);
      case LIST, MAP -> fillList((ListVector) v, count, nullable);
      case LARGELIST -> fillLargeList((LargeListVector) v, count, nullable);
      case FIXED_SIZE_LIST -> fillFixedSizeList((FixedSizeListVector) v, count, nullable);
      default -> fillLeaves(v, count, nullable);
    }
  }

  private void fillLeaves(FieldVector v, int count, boolean nullable) {
    for (int i = 0; i < count; i++) {
      if (values.nextIsNull(nullable)) {
        v.setNull(i);
      } else {
        LeafWriter.write(v, i, values);
      }
    }
    v.setValueCount(count);
  }

  private void fillStruct(NonNullableStructVector v, int count, boolean nullable) {
    if (v instanceof StructVector) {
      StructVector s = (StructVector) v;
      for (int i = 0; i < count; i++) {
        if (values.nextIsNull(nullable)) {
          s.setNull(i);
        } else {
          s.setIndexDefined(i);
        }
      }
    }
    // Children of null struct slots still get (meaningless) values.
    for (FieldVector child : v.getChildrenFromFields()) {
      fill(child, count);
    }
    v.setValueCount(count);
  }

  private void fillList(ListVector v, int count, boolean nullable) {
    int total = 0;
    for (int i = 0; i < count; i++) {
      if (values.nextIsNull(nullable)) {
        v.setNull(i);
      } else {
        int length = values.listLength();
        v.startNewValue(i);
        v.endValue(i, length);
        total += length;
      }
    }
    fill(v.getDataVector(), total);
    v.setValueCount(count);
  }

  private void fillLargeList(LargeListVector v, int count, boolean nullable) {
    long total = 0;
    for (int i = 0; i < count; i++) {
      if (values.nextIsNull(nullable)) {
        v.setNull(i);
      } else {
        int length = values.listLength();
        v.startNewValue(i);
        v.endValue(i, length);
        total += length;
      }
    }
    fill(v.getDataVector(), Math.toIntExact(total));
    v.setValueCount(count);
  }

  private void fillFixedSizeList(FixedSizeListVector v, int count, boolean nullable) {
    for (int i = 0; i < count; i++) {
      if (values.nextIsNull(nullable)) {
        v.setNull(i);
      } else {
        v.setNotNull(i);
      }
    }
    // Elements of null slots still get (meaningless) values.
    fill(v.getDataVector(), Math.multiplyExact(count, v.getListSize()));
    v.setValueCount(count);
  }
}
