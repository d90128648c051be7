package dev.weft.writer;

/**
 * What a source knows about the values of one flat top-level column of a batch: an id per row,
 * such that rows with the same id (within one {@code scope}) hold equal values. A Parquet
 * column chunk's dictionary gives them for free: its dictionary-encoded rows' ids are the
 * dictionary indices, and its dictionary is the scope. The writer uses them only to avoid
 * work (a value whose id it has seen is not hashed or compared again: shared dictionary codes,
 * zone maps); what it stores is the same with or without them.
 *
 * <p>The writer trusts the promise: rows of equal ids in the same scope whose values differ
 * would be stored wrong. Ids must lie in {@code [0, scopeSize)}, or be -1 for a row without an
 * id (null rows must have -1; so may any other row, e.g. one from a Parquet page stored without
 * the dictionary). A scope is compared by identity: a new dictionary needs a new scope object.
 *
 * <p><b>Values by id.</b> For a column of strings or binary (variable-width), a source may also
 * give the scope's values ({@code valueBytes}, {@code valueStarts}: entry i is
 * {@code valueBytes[valueStarts[i], valueStarts[i + 1])}) and leave the vector's data buffer
 * unwritten: then every non-null row must have an id, and the vector must hold the rows'
 * validity and offsets as if its data were written (each row's length is its entry's). The
 * writer then reads each value from the entries, and copies none where it stores a block as
 * shared dictionary codes. Both arrays are read until the row group is written (they must not
 * change). Null for a column whose vector holds its values.
 *
 * @param scope the identity of the id space (e.g. the dictionary the ids index)
 * @param scopeSize the number of distinct ids in the scope
 * @param ids one id per batch row, from index 0 (at least as many as the batch has rows)
 * @param valueBytes the scope's values back to back, or null (see above)
 * @param valueStarts where each of the scope's values starts in {@code valueBytes}
 *     ({@code scopeSize + 1} entries), or null
 */
public record ValueIds(Object scope, int scopeSize, int[] ids, byte[] valueBytes, int[] valueStarts) {
  public ValueIds {
    if (scope == null || ids == null || scopeSize < 0) {
      throw new IllegalArgumentException("value ids need a scope, a size >= 0 and ids");
    }
    if ((valueBytes == null) != (valueStarts == null)
        || valueStarts != null && valueStarts.length < scopeSize + 1) {
      throw new IllegalArgumentException("values by id need both arrays and " + (scopeSize + 1) + " starts");
    }
  }

  public ValueIds(Object scope, int scopeSize, int[] ids) {
    this(scope, scopeSize, ids, null, null);
  }

  /** Whether the column's values are given by id, not in its vector's data buffer (see above). */
  public boolean byId() {
    return valueBytes != null;
  }
}
