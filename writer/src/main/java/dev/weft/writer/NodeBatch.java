package dev.weft.writer;

import dev.weft.format.ColumnLayout;
import dev.weft.format.ColumnNode;
import dev.weft.format.NodeKind;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;

/**
 * One node's vector within an incoming batch, with the element range of every top-level row:
 * batch row r owns this node's elements {@code [elems(r), elems(r+1))}. A node batch may cover
 * only the batch rows from {@code rowBase} on (a slice decoded from a dictionary).
 */
final class NodeBatch {
  final ColumnNode node;
  final FieldVector vector;
  /** Element of each batch row from rowBase on (n+1 entries); null: row r's elements are [r - rowBase, r - rowBase + 1). */
  private final long[] rowElems;
  private final int rowBase;
  final boolean allValid;
  private final ArrowBuf offsets;
  private final boolean wideOffsets;

  private NodeBatch(ColumnNode node, FieldVector vector, long[] rowElems, int rowBase) {
    this.node = node;
    this.vector = vector;
    this.rowElems = rowElems;
    this.rowBase = rowBase;
    this.allValid = node.kind() == NodeKind.NULL || vector.getNullCount() == 0;
    NodeKind k = node.kind();
    this.offsets = k.hasOffsets() ? vector.getOffsetBuffer() : null;
    this.wideOffsets = k == NodeKind.LARGE_LIST || k == NodeKind.LARGE_VARBINARY;
  }

  /** The rows' value ids (see {@link ValueIds}), or null. */
  private ValueIds ids;

  /**
   * Attaches value ids to a flat node of fixed- or variable-width values (ignored for any other
   * node), after checking that they cover the batch's {@code rows} rows.
   */
  void useIds(ValueIds v, int rows) {
    NodeKind k = node.kind();
    if (rowElems != null || !(k == NodeKind.FIXED || k == NodeKind.VARBINARY || k == NodeKind.LARGE_VARBINARY)) {
      return;
    }
    if (v.ids().length < rows) {
      throw new IllegalArgumentException("column node " + node.path() + ": " + v.ids().length
          + " value ids for a batch of " + rows + " rows");
    }
    this.ids = v;
  }

  /** The rows' value ids, or null (they are set only where element e is batch row e). */
  ValueIds ids() {
    return ids;
  }

  /** First element of batch row r (r = rows gives the end of the last row). */
  long elems(int r) {
    return rowElems == null ? r - rowBase : rowElems[r - rowBase];
  }

  /** Offset entry e of a var-width or list vector. */
  long offset(long e) {
    return wideOffsets ? offsets.getLong(e * 8) : offsets.getInt(e * 4);
  }

  /**
   * Appends offset entries {@code (ea, eb]} to {@code out} as 4-byte values relative to entry
   * {@code ea} plus {@code add}: the offsets' range is checked once, then read from memory
   * directly (Arrow's per-entry bounds checks cost more than the copy itself).
   */
  void appendRebasedOffsets(long ea, long eb, long add, GrowBuf out) {
    if (eb <= ea) {
      return;
    }
    int shift = wideOffsets ? 3 : 2;
    if (ea < 0 || (eb + 1) << shift > offsets.capacity()) {
      throw new IllegalArgumentException("column node " + node.path() + ": offset entries [" + ea + ", " + eb
          + "] lie outside the offset buffer of " + offsets.capacity() + " bytes");
    }
    long src = offsets.memoryAddress();
    long n = eb - ea;
    out.reserve(4 * n);
    long dst = out.buf().memoryAddress() + out.size();
    long delta = add - offset(ea);
    if (wideOffsets) {
      for (long e = ea + 1, p = dst; e <= eb; e++, p += 4) {
        MemoryUtil.putInt(p, (int) (MemoryUtil.getLong(src + (e << 3)) + delta));
      }
    } else {
      for (long e = ea + 1, p = dst; e <= eb; e++, p += 4) {
        MemoryUtil.putInt(p, (int) (MemoryUtil.getInt(src + (e << 2)) + delta));
      }
    }
    out.grow(4 * n);
  }

  /**
   * Builds the node batches of one column, in the layout's pre-order.
   *
   * @param rows number of rows {@code top} holds
   * @param rowBase the batch row that {@code top}'s row 0 is
   */
  static NodeBatch[] of(ColumnLayout layout, FieldVector top, int rows, int rowBase) {
    NodeBatch[] out = new NodeBatch[layout.nodes().size()];
    fill(layout, 0, top, null, rows, rowBase, out); // a top-level node's elements are its rows
    return out;
  }

  /** {@code rowElems} null: the identity (row r - rowBase holds element r - rowBase) of {@code rows} rows. */
  private static void fill(ColumnLayout layout, int index, FieldVector vector, long[] rowElems, int rows, int rowBase,
      NodeBatch[] out) {
    ColumnNode node = layout.node(index);
    NodeBatch nb = new NodeBatch(node, vector, rowElems, rowBase);
    out[index] = nb;
    List<FieldVector> children = vector.getChildrenFromFields();
    for (int c = 0; c < node.children().size(); c++) {
      int childIndex = node.children().get(c);
      long[] childElems = node.kind() == NodeKind.STRUCT && rowElems == null ? null : new long[rows + 1];
      switch (node.kind()) {
        case STRUCT -> {
          if (rowElems != null) {
            System.arraycopy(rowElems, 0, childElems, 0, rows + 1);
          }
        }
        case FIXED_SIZE_LIST -> {
          for (int r = 0; r <= rows; r++) {
            childElems[r] = (rowElems == null ? r : rowElems[r]) * node.listSize();
          }
        }
        case LIST, LARGE_LIST -> {
          for (int r = 0; r <= rows; r++) {
            childElems[r] = nb.offset(rowElems == null ? r : rowElems[r]);
          }
        }
        default -> throw new IllegalStateException(node.kind() + " has no children");
      }
      fill(layout, childIndex, children.get(c), childElems, rows, rowBase, out);
    }
  }
}
