package dev.weft.format;

/**
 * How one node of a column's Arrow type tree is stored. A column of type
 * {@code list<struct<a:int32>>} has three nodes in pre-order: LIST, STRUCT, FIXED.
 *
 * <p>The raw (uncompressed) layout of a mini-block of {@code n} elements of each kind, after an
 * optional validity bitmap of {@code ceil(n/8)} bytes padded to 8:
 *
 * <ul>
 *   <li>FIXED(w): {@code n * w} value bytes.
 *   <li>BOOL: {@code ceil(n/8)} bytes, bit i (LSB first) is element i.
 *   <li>VARBINARY, LARGE_VARBINARY: {@code n+1} u32 offsets starting at 0, padded to 8, then the
 *       value bytes.
 *   <li>LIST, LARGE_LIST: the absolute child element index of the block's first child (u64),
 *       then {@code n+1} u32 offsets relative to it, starting at 0 (not padded: the block ends
 *       there).
 *   <li>FIXED_SIZE_LIST(k), STRUCT: nothing else (children are positional: element e of a
 *       fixed-size list owns child elements {@code [e*k, (e+1)*k)}).
 *   <li>NULL: nothing at all and never a validity bitmap.
 * </ul>
 *
 * <p>These are the <em>plain</em> layouts. From format 2.0 a block may instead be stored
 * encoded (block flag {@code ENCODED}); {@link EncodedBlocks} gives that layout per kind.
 */
public enum NodeKind {
  FIXED(0),
  BOOL(1),
  VARBINARY(2),
  LARGE_VARBINARY(3),
  LIST(4),
  LARGE_LIST(5),
  FIXED_SIZE_LIST(6),
  STRUCT(7),
  NULL(8);

  private final int id;

  NodeKind(int id) {
    this.id = id;
  }

  /** The id stored in the column metadata. */
  public int id() {
    return id;
  }

  public static NodeKind fromId(int id) {
    for (NodeKind k : values()) {
      if (k.id == id) {
        return k;
      }
    }
    return null;
  }

  /** True for kinds whose elements own a range of child elements through stored offsets. */
  public boolean hasOffsets() {
    return this == VARBINARY || this == LARGE_VARBINARY || this == LIST || this == LARGE_LIST;
  }

  /** True for LIST and LARGE_LIST (variable number of child elements per element). */
  public boolean isVariableList() {
    return this == LIST || this == LARGE_LIST;
  }
}
