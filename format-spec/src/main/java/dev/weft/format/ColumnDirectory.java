package dev.weft.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The column directory: where each column's metadata block is, and the column names in a form
 * that finds a column by name in O(log N) without building anything per column.
 *
 * <pre>
 * Directory --&gt; (MetaOffset u64, MetaLength u32, MetaCrc u32)^NumColumns,
 *               NameEnd u32^NumColumns,          (name i = NameBytes[NameEnd[i-1], NameEnd[i]))
 *               SortedIndex u32^NumColumns,      (column indices ordered by name bytes, unsigned)
 *               NameBytes
 * </pre>
 *
 * Entries are fixed-width, so entry i is read directly. Nothing here is parsed eagerly: an
 * instance wraps the verified bytes and decodes entries on demand.
 */
public final class ColumnDirectory {
  private final ByteBuffer bytes;
  private final int numColumns;
  private final int endsPos;
  private final int sortedPos;
  private final int namesPos;
  private final Path file;
  private final long offset;

  private ColumnDirectory(ByteBuffer bytes, int numColumns, Path file, long offset) {
    this.bytes = bytes;
    this.numColumns = numColumns;
    this.endsPos = numColumns * WeftFormat.DIRECTORY_ENTRY_LENGTH;
    this.sortedPos = endsPos + numColumns * 4;
    this.namesPos = sortedPos + numColumns * 4;
    this.file = file;
    this.offset = offset;
  }

  /** One column's metadata location. */
  public record Entry(long metaOffset, int metaLength, int metaCrc) {}

  /** Encodes the directory for columns with these names and metadata locations. */
  public static byte[] encode(List<String> names, List<Entry> entries) {
    int n = names.size();
    MetaOutput out = new MetaOutput(n * 40 + 16);
    for (Entry e : entries) {
      out.u64(e.metaOffset()).u32(e.metaLength()).u32(e.metaCrc());
    }
    byte[][] nameBytes = new byte[n][];
    int end = 0;
    for (int i = 0; i < n; i++) {
      nameBytes[i] = names.get(i).getBytes(StandardCharsets.UTF_8);
      end += nameBytes[i].length;
      out.u32(end);
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    // by name bytes; equal names keep their column order (the sort is stable). A class, not
    // Comparator.comparing(...): linking those lambdas cost ~2 ms of each file's close
    Arrays.sort(order, new Comparator<Integer>() {
      @Override
      public int compare(Integer a, Integer b) {
        return Arrays.compareUnsigned(nameBytes[a], nameBytes[b]);
      }
    });
    for (Integer i : order) {
      out.u32(i);
    }
    for (byte[] b : nameBytes) {
      out.bytes(b);
    }
    return out.toByteArray();
  }

  /** Wraps directory bytes whose checksum was verified; checks the sizes fit. */
  public static ColumnDirectory decode(ByteBuffer bytes, int numColumns, Path file, long offset)
      throws CorruptFileException {
    ByteBuffer b = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
    long fixed = (long) numColumns * (WeftFormat.DIRECTORY_ENTRY_LENGTH + 8);
    if (fixed > b.remaining()) {
      throw CorruptFileException.at(file, null, offset, "directory of " + b.remaining()
          + " bytes too short for " + numColumns + " columns");
    }
    ColumnDirectory d = new ColumnDirectory(b, numColumns, file, offset);
    if (numColumns > 0 && d.nameEnd(numColumns - 1) != b.remaining() - d.namesPos) {
      throw CorruptFileException.at(file, null, offset, "directory name table does not fill the directory");
    }
    return d;
  }

  public int numColumns() {
    return numColumns;
  }

  public Entry entry(int column) {
    int p = column * WeftFormat.DIRECTORY_ENTRY_LENGTH;
    return new Entry(bytes.getLong(p), bytes.getInt(p + 8), bytes.getInt(p + 12));
  }

  private long nameEnd(int column) {
    return bytes.getInt(endsPos + 4 * column) & 0xFFFF_FFFFL;
  }

  private byte[] nameBytes(int column) throws CorruptFileException {
    long start = column == 0 ? 0 : nameEnd(column - 1);
    long end = nameEnd(column);
    long total = bytes.limit() - namesPos;
    if (start > end || end > total) {
      throw CorruptFileException.at(file, null, offset + endsPos + 4L * column,
          "column name " + column + " has an invalid extent [" + start + ", " + end + ")");
    }
    byte[] out = new byte[(int) (end - start)];
    bytes.get(namesPos + (int) start, out);
    return out;
  }

  public String name(int column) throws CorruptFileException {
    return new String(nameBytes(column), StandardCharsets.UTF_8);
  }

  /** The index of the first column with this name, or -1; O(log N) name comparisons. */
  public int find(String name) throws CorruptFileException {
    byte[] key = name.getBytes(StandardCharsets.UTF_8);
    int lo = 0;
    int hi = numColumns - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int col = sortedColumn(mid);
      int cmp = Arrays.compareUnsigned(nameBytes(col), key);
      if (cmp < 0) {
        lo = mid + 1;
      } else {
        if (cmp == 0) {
          found = col;
        }
        hi = mid - 1;
      }
    }
    return found;
  }

  private int sortedColumn(int rank) throws CorruptFileException {
    long col = bytes.getInt(sortedPos + 4 * rank) & 0xFFFF_FFFFL;
    if (col >= numColumns) {
      throw CorruptFileException.at(file, null, offset + sortedPos + 4L * rank,
          "sorted name index names column " + col + " of " + numColumns);
    }
    return (int) col;
  }
}
