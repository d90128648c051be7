package dev.weft.index;

import dev.weft.format.ColumnDirectory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The writer's side of the 2.1 index: fed every column's rows as they are written, it writes
 * each column's zone maps and bloom filters and the name index at the end of the file.
 *
 * <pre>{@code
 * FileIndexWriter ix = new FileIndexWriter(fields, options);
 * ix.append(column, vector, from, to);   // rows in file order, every column
 * ix.endRowGroup(rows);                   // when a row group is flushed
 * Ref root = ix.finish(names, metaEntries, sink);  // after the column metadata
 * }</pre>
 */
public final class FileIndexWriter {
  private final IndexOptions options;
  private final ColumnIndexBuilder[] columns;

  public FileIndexWriter(List<Field> fields, IndexOptions options) {
    this.options = options;
    this.columns = new ColumnIndexBuilder[fields.size()];
    java.util.Set<String> names = new java.util.HashSet<>();
    for (Field f : fields) {
      names.add(f.getName());
      StatKind k = StatKind.of(f);
      if (options.bloomColumns().containsKey(f.getName()) && (k == StatKind.NONE || k == StatKind.BOOL)) {
        throw new IllegalArgumentException("column '" + f.getName() + "' of type " + dev.weft.format.TypeNames.of(f)
            + " cannot have a bloom filter (only numbers, dates, times, decimals, strings and binary)");
      }
    }
    for (String n : options.bloomColumns().keySet()) {
      if (!names.contains(n)) {
        throw new IllegalArgumentException("bloom filter requested for column '" + n + "', which the schema lacks");
      }
    }
    for (int c = 0; c < columns.length; c++) {
      Field f = fields.get(c);
      columns[c] = new ColumnIndexBuilder(f, options.zoneRows(), options.bloomFpp(f.getName()));
    }
  }

  /** Adds rows {@code [from, to)} of column {@code column}'s top-level vector. */
  public void append(int column, FieldVector vector, int from, int to) {
    columns[column].add(vector, from, to);
  }

  /**
   * As {@link #append(int, FieldVector, int, int)}, with the rows' value ids: rows with equal ids
   * in {@code scope} hold equal values (ids in {@code [0, scopeSize)}, -1 for none; a null row
   * has -1), so their zone maps compare each distinct value once. The index is the same.
   */
  public void append(int column, FieldVector vector, int from, int to, Object scope, int scopeSize, int[] ids) {
    columns[column].add(vector, from, to, scope, scopeSize, ids);
  }

  /**
   * As above, for strings or binary whose values are given by id: entry i of the scope is
   * {@code valueBytes[valueStarts[i], valueStarts[i + 1])}, every non-null row has an id, and the
   * vector's data buffer is not read (only its validity). Only for a column that {@link
   * #readsValuesById} says can; the index is the same.
   */
  public void append(int column, FieldVector vector, int from, int to, Object scope, int scopeSize, int[] ids,
      byte[] valueBytes, int[] valueStarts) {
    if (!readsValuesById(column)) {
      throw new IllegalArgumentException("column " + column + " cannot take its values by id");
    }
    columns[column].add(vector, from, to, scope, scopeSize, ids, valueBytes, valueStarts);
  }

  /**
   * Whether column {@code column}'s index can read string values by id (strings or binary
   * without a bloom filter): its zone maps compare the scope's entries, not the vector's bytes.
   */
  public boolean readsValuesById(int column) {
    return columns[column].readsValuesById();
  }

  /** Closes the row group just written ({@code rows} rows). */
  public void endRowGroup(long rows) {
    for (ColumnIndexBuilder c : columns) {
      c.endRowGroup(rows);
    }
  }

  /**
   * Writes every column's zone maps and bloom filters, then the name index, through {@code sink}.
   *
   * @return the location of the name index root, for the footer
   */
  public NameIndex.Ref finish(List<String> names, List<ColumnDirectory.Entry> metas, NameIndex.Sink sink)
      throws IOException {
    List<EncodedColumn> encoded = new ArrayList<>(columns.length);
    for (int c = 0; c < columns.length; c++) {
      encoded.add(encodeColumn(c));
    }
    return finish(names, metas, encoded, sink);
  }

  /** One column's zone maps and bloom filters as written (null where the column has none). */
  public record EncodedColumn(byte[] zones, byte[] blooms) {}

  /**
   * Encodes column {@code column}'s zone maps and bloom filters, once all its rows are in. Calls
   * for different columns may run at once (each column's builder is its own), so that a writer
   * can encode them on all its threads before {@link #finish(List, List, List, NameIndex.Sink)}.
   */
  public EncodedColumn encodeColumn(int column) {
    byte[] zones = options.zoneMaps() ? columns[column].zones().encode() : null;
    ColumnBlooms b = columns[column].blooms();
    return new EncodedColumn(zones, b == null ? null : b.encode());
  }

  /**
   * As {@link #finish(List, List, NameIndex.Sink)}, with every column's sections already
   * encoded by {@link #encodeColumn} ({@code encoded} in column order).
   */
  public NameIndex.Ref finish(List<String> names, List<ColumnDirectory.Entry> metas, List<EncodedColumn> encoded,
      NameIndex.Sink sink) throws IOException {
    List<NameIndex.Entry> entries = new ArrayList<>(columns.length);
    for (int c = 0; c < columns.length; c++) {
      EncodedColumn e = encoded.get(c);
      NameIndex.Ref zones = e.zones() != null ? write(e.zones(), sink) : NameIndex.Ref.NONE;
      NameIndex.Ref blooms = e.blooms() != null ? write(e.blooms(), sink) : NameIndex.Ref.NONE;
      entries.add(new NameIndex.Entry(names.get(c), c, metas.get(c), zones, blooms));
    }
    return NameIndex.write(entries, options.zoneRows(), sink);
  }

  private static NameIndex.Ref write(byte[] bytes, NameIndex.Sink sink) throws IOException {
    return new NameIndex.Ref(sink.write(bytes), bytes.length, NameIndex.crc(bytes));
  }
}
