package dev.weft.cli.parquet;

/**
 * The dictionary ids of one batch of a flat column: {@code ids[r]} is the index of row r's value
 * in its column chunk's dictionary, or -1 (a null, or a value from a page stored without the
 * dictionary). Rows with equal ids hold equal values; {@code scope} is the dictionary's
 * identity (a new object for each column chunk), {@code size} its number of entries.
 */
public record DictionaryIds(Object scope, int size, int[] ids) {}
