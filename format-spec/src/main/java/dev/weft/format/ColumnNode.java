package dev.weft.format;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * One node of a column's type tree, in pre-order position {@code index}.
 *
 * @param index pre-order position within the column
 * @param path dotted name for messages, e.g. {@code features.item.x}
 * @param field the Arrow field of this node
 * @param kind how it is stored
 * @param param byte width for FIXED, list size for FIXED_SIZE_LIST, otherwise 0
 * @param children pre-order indices of the direct children
 */
public record ColumnNode(
    int index, String path, Field field, NodeKind kind, int param, List<Integer> children) {

  /** Bytes of a raw mini-block holding elements of this node, see {@link NodeKind}. */
  public int byteWidth() {
    return kind == NodeKind.FIXED ? param : 0;
  }

  public int listSize() {
    return kind == NodeKind.FIXED_SIZE_LIST ? param : 0;
  }
}
