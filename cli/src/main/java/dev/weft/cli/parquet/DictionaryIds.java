package dev.weft.cli.parquet;

/**
 * The dictionary ids of one batch of a flat column: {@code ids[r]} is the index of row r's value
 * in its column chunk's dictionary, or -1 (a null, or a value from a page stored without the
 * dictionary). Rows with equal ids hold equal values; {@code scope} is the dictionary's
 * identity (a new object for each column chunk), {@code size} its number of entries.
 *
 * <p>{@code valueBytes} and {@code valueStarts} are null unless the batch's string values were
 * left in the dictionary ({@link BatchReader.Options#withDeferredValues}): then every non-null
 * row has an id, the column's vector holds its validity and offsets but not its value bytes
 * (its data buffer is not written), and entry {@code i}'s bytes are
 * {@code valueBytes[valueStarts[i], valueStarts[i + 1])}.
 */
public record DictionaryIds(Object scope, int size, int[] ids, byte[] valueBytes, int[] valueStarts) {
  public DictionaryIds(Object scope, int size, int[] ids) {
    this(scope, size, ids, null, null);
  }

  /** Whether the batch's value bytes are in the dictionary only (see above). */
  public boolean deferred() {
    return valueBytes != null;
  }
}
