package dev.weft.cli.parquet;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Util;
import org.apache.parquet.format.converter.ParquetMetadataConverter;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * Reads and checks a Parquet footer before parquet-java sees it.
 *
 * <p>parquet-java trusts the footer: a column chunk that claims to be larger than the file makes
 * it allocate that much, a schema element without a repetition type makes it throw a
 * NullPointerException. So the footer is decoded here (Thrift, via parquet-format-structures),
 * checked (magic, lengths, every column chunk inside the file, encryption), repaired where
 * Arrow C++ (pyarrow) repairs it too, and only then converted to parquet-java's model:
 *
 * <ul>
 *   <li>a schema element without a repetition type is REQUIRED (the Thrift default, as in Arrow
 *       C++);
 *   <li>files written by parquet-mr before 1.2.9 did not count the dictionary page header in a
 *       column chunk's size (PARQUET-816): up to 100 bytes are added, as Arrow C++ does.
 * </ul>
 */
final class ParquetFooter {
  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MAGIC_ENCRYPTED = "PARE".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern PARQUET_MR = Pattern.compile("^parquet-mr(?: version (\\d+)\\.(\\d+)\\.(\\d+))?.*",
      Pattern.DOTALL);
  private static final int MAX_DICT_HEADER_SIZE = 100;

  final FileMetaData thrift;
  final ParquetMetadata metadata;
  final long fileSize;
  final long footerLength;

  private ParquetFooter(FileMetaData thrift, ParquetMetadata metadata, long fileSize, long footerLength) {
    this.thrift = thrift;
    this.metadata = metadata;
    this.fileSize = fileSize;
    this.footerLength = footerLength;
  }

  static ParquetFooter read(Path path, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < 12) {
      throw new ParquetFormatException(path, "not a Parquet file (only " + size + " bytes)");
    }
    ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, tail, size - 8);
    byte[] magic = new byte[4];
    tail.position(4);
    tail.get(magic);
    if (java.util.Arrays.equals(magic, MAGIC_ENCRYPTED)) {
      throw new ParquetFormatException.Encrypted(path, "encrypted footer");
    }
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new ParquetFormatException(path, "not a Parquet file (no PAR1 magic at its end)" + otherFormat(ch));
    }
    long footerLength = Integer.toUnsignedLong(tail.getInt(0));
    if (footerLength == 0 || footerLength > size - 12) {
      throw new ParquetFormatException(path, "corrupt Parquet file: footer length " + footerLength
          + " does not fit in a file of " + size + " bytes");
    }
    ByteBuffer head = ByteBuffer.allocate(4);
    readFully(ch, head, 0);
    if (!java.util.Arrays.equals(head.array(), MAGIC)) {
      if (java.util.Arrays.equals(head.array(), MAGIC_ENCRYPTED)) {
        throw new ParquetFormatException.Encrypted(path, "encrypted footer");
      }
      throw new ParquetFormatException(path, "not a Parquet file (no PAR1 magic at its start)");
    }
    ByteBuffer footer = ByteBuffer.allocate((int) footerLength);
    long footerStart = size - 8 - footerLength;
    readFully(ch, footer, footerStart);
    return decode(path, footer.array(), size);
  }

  /**
   * As {@link #read(Path, FileChannel)}, for a whole Parquet file in memory: {@code file}'s
   * footer, found through its last 8 bytes (length and magic).
   */
  static ParquetFooter read(Path path, byte[] file) throws IOException {
    if (file.length < 12) {
      throw new ParquetFormatException(path, "not a Parquet file (only " + file.length + " bytes)");
    }
    ByteBuffer tail = ByteBuffer.wrap(file, file.length - 8, 8).slice().order(ByteOrder.LITTLE_ENDIAN);
    if (!java.util.Arrays.equals(file, file.length - 4, file.length, MAGIC, 0, 4)) {
      throw new ParquetFormatException(path, "not a Parquet file (no PAR1 magic at its end)");
    }
    long footerLength = Integer.toUnsignedLong(tail.getInt(0));
    if (footerLength == 0 || footerLength > file.length - 12) {
      throw new ParquetFormatException(path, "corrupt Parquet file: footer length " + footerLength
          + " does not fit in a file of " + file.length + " bytes");
    }
    int footerStart = (int) (file.length - 8 - footerLength);
    return decode(path, java.util.Arrays.copyOfRange(file, footerStart, file.length - 8), file.length);
  }

  /**
   * Decodes, checks and converts the footer {@code footer} (the Thrift bytes before the file's
   * last 8) of the Parquet file {@code path} of {@code size} bytes.
   */
  private static ParquetFooter decode(Path path, byte[] footer, long size) throws IOException {
    long footerLength = footer.length;
    long footerStart = size - 8 - footerLength;
    FileMetaData fmd;
    try {
      fmd = Util.readFileMetaData(new ByteArrayInputStream(footer));
    } catch (IOException | RuntimeException | OutOfMemoryError | StackOverflowError e) {
      throw new ParquetFormatException(path, "corrupt Parquet footer: " + rootMessage(e), e);
    }
    if (fmd.isSetEncryption_algorithm()) {
      throw new ParquetFormatException.Encrypted(path, "encrypted columns with a plaintext footer");
    }
    repairAndCheck(path, fmd, footerStart);
    if (fmd.getSchema().size() == 1) {
      // pyarrow writes a table without columns as a schema of just its root; parquet-java cannot
      // take it (an index error) and a Weft file needs a column
      throw new ParquetFormatException(path, "has no columns (" + fmd.getNum_rows() + " rows): nothing to convert");
    }
    ParquetMetadata pm;
    try {
      pm = new ParquetMetadataConverter(readOptionsBuilder().build()).fromParquetMetadata(fmd);
    } catch (IOException | RuntimeException | StackOverflowError e) {
      throw new ParquetFormatException(path, "unsupported or corrupt Parquet metadata: " + rootMessage(e), e);
    }
    checkUniqueNames(path, pm.getFileMetaData().getSchema(), "");
    return new ParquetFooter(fmd, pm, size, footerLength);
  }

  /**
   * Refuses two fields of one group with the same name. parquet-java keys a row group's column
   * chunks by their path, so it would read one column's pages for the other (a misleading
   * "corrupt data" error, or wrong values); Weft files need unique names too. Names that differ
   * only in case are distinct.
   */
  static void checkUniqueNames(Path path, org.apache.parquet.schema.GroupType group, String where)
      throws ParquetFormatException {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (org.apache.parquet.schema.Type t : group.getFields()) {
      String name = t.getName();
      if (!seen.add(name)) {
        String full = where.isEmpty() ? name : where + "." + name;
        throw new ParquetFormatException(path, "duplicate column name '" + full + "' (two fields "
            + (where.isEmpty() ? "of the schema" : "of '" + where + "'") + " have that name): "
            + "their data cannot be told apart; rename one and write the file again");
      }
      if (!t.isPrimitive()) {
        checkUniqueNames(path, t.asGroupType(), where.isEmpty() ? name : where + "." + name);
      }
    }
  }

  /**
   * What a file that is not Parquet looks like, where that helps: an Arrow IPC file (Feather 2) or
   * stream (what Hugging Face {@code datasets}' {@code save_to_disk} writes) or a Weft file.
   */
  private static String otherFormat(FileChannel ch) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(6);
    readFully(ch, head, 0);
    byte[] b = new byte[head.remaining()];
    head.get(b);
    String s = new String(b, StandardCharsets.ISO_8859_1);
    boolean continuation = b.length >= 4 && b[0] == (byte) 0xFF && b[1] == (byte) 0xFF && b[2] == (byte) 0xFF
        && b[3] == (byte) 0xFF;
    if (s.startsWith("ARROW1") || continuation) {
      return "; it is an Arrow IPC " + (continuation ? "stream" : "file") + ": weft convert reads Parquet; write"
          + " it as Parquet first (pyarrow.parquet.write_table, or datasets' Dataset.to_parquet)";
    }
    if (s.startsWith("WEFT")) {
      return "; it is a Weft file already";
    }
    return "";
  }

  private static void repairAndCheck(Path path, FileMetaData fmd, long footerStart) throws IOException {
    List<SchemaElement> schema = fmd.getSchema();
    if (schema == null || schema.isEmpty()) {
      throw new ParquetFormatException(path, "corrupt Parquet footer: no schema");
    }
    for (int i = 1; i < schema.size(); i++) {
      SchemaElement e = schema.get(i);
      if (!e.isSetRepetition_type()) {
        e.setRepetition_type(FieldRepetitionType.REQUIRED);
      }
      if (e.getName() == null) {
        throw new ParquetFormatException(path, "corrupt Parquet schema: element " + i + " has no name");
      }
      if (e.isSetNum_children() && (e.getNum_children() < 0 || e.getNum_children() > schema.size())) {
        throw new ParquetFormatException(path, "corrupt Parquet schema: element '" + e.getName() + "' claims "
            + e.getNum_children() + " children");
      }
    }
    if (fmd.getNum_rows() < 0) {
      throw new ParquetFormatException(path, "corrupt Parquet footer: " + fmd.getNum_rows() + " rows");
    }
    boolean pad = needsDictionaryHeaderPadding(fmd.getCreated_by());
    List<RowGroup> rowGroups = fmd.getRow_groups();
    if (rowGroups == null) {
      return;
    }
    int rg = 0;
    for (RowGroup group : rowGroups) {
      if (group.getNum_rows() < 0) {
        throw new ParquetFormatException(path, "corrupt Parquet footer: row group " + rg + " has "
            + group.getNum_rows() + " rows");
      }
      if (group.getColumns() == null) {
        throw new ParquetFormatException(path, "corrupt Parquet footer: row group " + rg + " has no columns");
      }
      for (ColumnChunk cc : group.getColumns()) {
        if (cc.isSetCrypto_metadata() || cc.isSetEncrypted_column_metadata()) {
          throw new ParquetFormatException.Encrypted(path, "encrypted column chunks");
        }
        if (!cc.isSetMeta_data()) {
          throw new ParquetFormatException(path, "corrupt Parquet footer: a column chunk of row group " + rg
              + " has no metadata");
        }
        ColumnMetaData md = cc.getMeta_data();
        String col = md.getPath_in_schema() == null ? "?" : String.join(".", md.getPath_in_schema());
        if (cc.isSetFile_path() && !cc.getFile_path().isEmpty()) {
          throw new ParquetFormatException(path, "column " + col + " is stored in another file ("
              + cc.getFile_path() + "); external column chunks are not supported");
        }
        long start = md.getData_page_offset();
        if (md.isSetDictionary_page_offset() && md.getDictionary_page_offset() > 0
            && md.getDictionary_page_offset() < start) {
          start = md.getDictionary_page_offset();
        }
        long length = md.getTotal_compressed_size();
        if (group.getNum_rows() == 0 && md.getNum_values() == 0) {
          continue; // empty row groups are skipped; some writers leave their offsets at 0
        }
        if (start < 0 || length < 0 || start + length > footerStart || md.getNum_values() < 0) {
          throw new ParquetFormatException(path, "corrupt Parquet footer: column chunk " + col + " of row group "
              + rg + " (offset " + start + ", " + length + " bytes, " + md.getNum_values()
              + " values) lies outside the data of a file of " + (footerStart + 8) + " bytes");
        }
        if (pad) {
          long padding = Math.min(MAX_DICT_HEADER_SIZE, footerStart - (start + length));
          md.setTotal_compressed_size(length + padding);
        }
      }
      rg++;
    }
  }

  /** PARQUET-816: parquet-mr up to 1.2.8 left the dictionary page header out of the chunk size. */
  static boolean needsDictionaryHeaderPadding(String createdBy) {
    if (createdBy == null) {
      return false;
    }
    Matcher m = PARQUET_MR.matcher(createdBy);
    if (!m.matches()) {
      return false;
    }
    if (m.group(1) == null) {
      return true; // no version: as old as it gets (Arrow C++ treats it the same way)
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    int patch = Integer.parseInt(m.group(3));
    return major < 1 || (major == 1 && (minor < 2 || (minor == 2 && patch < 9)));
  }

  /**
   * parquet-java's read options without Hadoop: the default builder creates a Hadoop
   * Configuration, which costs about a second of class loading and parsing of XML resources.
   */
  static org.apache.parquet.ParquetReadOptions.Builder readOptionsBuilder() {
    return new org.apache.parquet.ParquetReadOptions.Builder(new org.apache.parquet.conf.PlainParquetConfiguration());
  }

  static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new java.io.EOFException("unexpected end of file at offset " + pos);
      }
      pos += n;
    }
    buf.flip();
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    if (t instanceof OutOfMemoryError) {
      return "it asks for more memory than is available (" + m + ")";
    }
    if (t instanceof StackOverflowError) {
      return "it is nested too deeply";
    }
    if (m == null || m.isBlank()) {
      return t.getClass().getSimpleName();
    }
    return m;
  }
}
