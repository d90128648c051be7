package dev.weft.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The footer: row counts, row groups, and where the directory and the schema are. Its size
 * grows with the number of row groups, never with the number of columns.
 *
 * <pre>
 * Footer --&gt; NumRows u64, NumColumns u32, NumRowGroups u32,
 *            (FirstRow u64, NumRows u64, StartOffset u64, EndOffset u64)^NumRowGroups,
 *            DirectoryOffset u64, DirectoryLength u32, DirectoryCrc u32,
 *            SchemaOffset u64, SchemaLength u32, SchemaCrc u32,
 *            FileId byte[16], CreatedByLength u16, CreatedBy utf8
 * </pre>
 *
 * A newer minor version may append fields; readers ignore bytes after CreatedBy. Format 2.1
 * appends {@code ExtLength u32, IndexOffset u64, IndexLength u32, IndexCrc u32} ({@code ExtLength}
 * counts the bytes after itself, 16 in 2.1, so later minors can append more): where the index root
 * (name index, zone maps, bloom filters) is, or {@code IndexLength} 0 for none.
 */
public record Footer(
    long numRows,
    int numColumns,
    List<RowGroupMeta> rowGroups,
    long directoryOffset,
    int directoryLength,
    int directoryCrc,
    long schemaOffset,
    int schemaLength,
    int schemaCrc,
    byte[] fileId,
    String createdBy,
    IndexRef index) {

  /** Bytes after ExtLength in a 2.1 footer. */
  public static final int EXTENSION_V2_1_LENGTH = 16;

  /** Where the 2.1 index root is (null in 2.0 footers). */
  public record IndexRef(long offset, int length, int crc) {}

  /** A footer without the 2.1 extension (what 2.0 writers write). */
  public Footer(long numRows, int numColumns, List<RowGroupMeta> rowGroups, long directoryOffset,
      int directoryLength, int directoryCrc, long schemaOffset, int schemaLength, int schemaCrc, byte[] fileId,
      String createdBy) {
    this(numRows, numColumns, rowGroups, directoryOffset, directoryLength, directoryCrc, schemaOffset,
        schemaLength, schemaCrc, fileId, createdBy, null);
  }

  public byte[] encode() {
    MetaOutput out = new MetaOutput(128 + rowGroups.size() * 32);
    out.u64(numRows).u32(numColumns).u32(rowGroups.size());
    for (RowGroupMeta rg : rowGroups) {
      out.u64(rg.firstRow()).u64(rg.numRows()).u64(rg.startOffset()).u64(rg.endOffset());
    }
    out.u64(directoryOffset).u32(directoryLength).u32(directoryCrc);
    out.u64(schemaOffset).u32(schemaLength).u32(schemaCrc);
    out.bytes(fileId);
    byte[] by = createdBy.getBytes(StandardCharsets.UTF_8);
    out.u16(by.length).bytes(by);
    if (index != null) {
      out.u32(EXTENSION_V2_1_LENGTH).u64(index.offset()).u32(index.length()).u32(index.crc());
    }
    return out.toByteArray();
  }

  /** Parses a footer whose checksum was already verified; checks every offset against the file. */
  public static Footer decode(ByteBuffer bytes, Path file, long footerOffset) throws CorruptFileException {
    MetaInput in = new MetaInput(bytes, file, null, footerOffset);
    long numRows = in.u64In("row count", 0, Long.MAX_VALUE);
    int numColumns = in.u32In("column count", 0, Integer.MAX_VALUE);
    int numGroups = in.count("row group count", 32);
    List<RowGroupMeta> groups = new ArrayList<>(numGroups);
    long nextRow = 0;
    long nextOffset = WeftFormat.HEADER_LENGTH;
    for (int g = 0; g < numGroups; g++) {
      long first = in.u64In("row group first row", nextRow, nextRow);
      long rows = in.u64In("row group row count", 1, numRows - first);
      long start = in.u64In("row group start", nextOffset, footerOffset);
      long end = in.u64In("row group end", start, footerOffset);
      groups.add(new RowGroupMeta(first, rows, start, end));
      nextRow = first + rows;
      nextOffset = end;
    }
    if (nextRow != numRows) {
      throw in.corrupt("row groups hold " + nextRow + " rows, the footer says " + numRows);
    }
    long dirOffset = in.u64In("directory offset", nextOffset, footerOffset);
    int dirLength = in.u32In("directory length", (long) numColumns * (WeftFormat.DIRECTORY_ENTRY_LENGTH + 8),
        footerOffset - dirOffset);
    int dirCrc = in.rawU32("directory checksum");
    long schemaOffset = in.u64In("schema offset", nextOffset, footerOffset);
    int schemaLength = in.u32In("schema length", 0, footerOffset - schemaOffset);
    int schemaCrc = in.rawU32("schema checksum");
    byte[] fileId = in.bytes(16, "file id");
    int byLen = in.u16("created-by length");
    String createdBy = new String(in.bytes(byLen, "created-by"), StandardCharsets.UTF_8);
    IndexRef index = null;
    if (in.remaining() > 0) { // 2.1 extension
      long extLength = in.u32In("footer extension length", EXTENSION_V2_1_LENGTH, in.remaining() - 4L);
      long indexOffset = in.u64In("index offset", 0, footerOffset);
      int indexLength = in.u32In("index length", 0, footerOffset - indexOffset);
      int indexCrc = in.rawU32("index checksum");
      if (indexLength > 0) {
        if (indexOffset < nextOffset) {
          throw in.corrupt("index offset " + indexOffset + " lies before the end of the data");
        }
        index = new IndexRef(indexOffset, indexLength, indexCrc);
      }
      // bytes after the 2.1 fields belong to later minors and are ignored
      in.position(in.position() + (int) (extLength - EXTENSION_V2_1_LENGTH));
    }
    return new Footer(numRows, numColumns, List.copyOf(groups), dirOffset, dirLength, dirCrc,
        schemaOffset, schemaLength, schemaCrc, fileId, createdBy, index);
  }
}
