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
 * @param scope the identity of the id space (e.g. the dictionary the ids index)
 * @param scopeSize the number of distinct ids in the scope
 * @param ids one id per batch row, from index 0 (at least as many as the batch has rows)
 */
public record ValueIds(Object scope, int scopeSize, int[] ids) {
  public ValueIds {
    if (scope == null || ids == null || scopeSize < 0) {
      throw new IllegalArgumentException("value ids need a scope, a size >= 0 and ids");
    }
  }
}
