package dev.weft.cli.parquet;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * A Parquet file opened for reading as Arrow: its footer checked, its schema mapped to Arrow as
 * pyarrow maps it ({@link SchemaMapper}). {@link #batches} reads it as Arrow record batches.
 *
 * <pre>{@code
 * try (ParquetFile pf = ParquetFile.open(path);
 *      BatchReader r = pf.batches(null, BatchReader.Options.defaults())) {
 *   VectorSchemaRoot batch;
 *   while ((batch = r.next(8192, allocator)) != null) {
 *     try (batch) { ... }
 *   }
 * }
 * }</pre>
 */
public final class ParquetFile implements AutoCloseable {
  private final Path path;
  private final ParquetFooter footer;
  private final List<Col> columns;
  private final Map<String, String> schemaMetadata;
  private final Schema schema;

  private ParquetFile(Path path, ParquetFooter footer, List<Col> columns, Map<String, String> schemaMetadata) {
    this.path = path;
    this.footer = footer;
    this.columns = columns;
    this.schemaMetadata = schemaMetadata;
    List<Field> fields = new ArrayList<>();
    for (Col c : columns) {
      fields.add(c.field);
    }
    this.schema = new Schema(fields, schemaMetadata.isEmpty() ? null : schemaMetadata);
  }

  /**
   * Opens and checks a Parquet file.
   *
   * @throws NoSuchFileException, AccessDeniedException for unreadable paths
   * @throws ParquetFormatException naming the file and the reason for anything else
   */
  public static ParquetFile open(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      throw new ParquetFormatException(path, "is a directory, not a Parquet file");
    }
    ParquetFooter footer;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      footer = ParquetFooter.read(path, ch);
    } catch (NoSuchFileException | AccessDeniedException | ParquetFormatException e) {
      throw e;
    } catch (IOException e) {
      throw new ParquetFormatException(path, "cannot read: " + ParquetFooter.rootMessage(e), e);
    }
    return of(path, footer);
  }

  /** The file described by {@code footer}: its schema mapped to Arrow's. */
  private static ParquetFile of(Path path, ParquetFooter footer) throws ParquetFormatException {
    ParquetMetadata md = footer.metadata;
    Map<String, String> kv = md.getFileMetaData().getKeyValueMetaData();
    List<Col> cols = SchemaMapper.map(path, md.getFileMetaData().getSchema(), kv);
    return new ParquetFile(path, footer, cols, SchemaMapper.schemaMetadata(kv));
  }

  /**
   * Decodes the footer and maps the schema of {@code file}, a whole small Parquet file in
   * memory, and discards them: run once on a background thread at start-up, it links and
   * resolves the footer code (Thrift, parquet-java's converter, the schema mapping) that the
   * first real file would otherwise run cold on the conversion's critical path.
   *
   * @throws IOException if {@code file} is not a readable Parquet file
   */
  public static void warmUp(byte[] file) throws IOException {
    Path path = Path.of("warm-up.parquet");
    of(path, ParquetFooter.read(path, file));
  }

  public Path path() {
    return path;
  }

  public long fileSize() {
    return footer.fileSize;
  }

  public long numRows() {
    long n = 0;
    for (BlockMetaData b : footer.metadata.getBlocks()) {
      n += b.getRowCount();
    }
    return n;
  }

  public int numRowGroups() {
    return footer.metadata.getBlocks().size();
  }

  public String createdBy() {
    return footer.metadata.getFileMetaData().getCreatedBy();
  }

  /** The Arrow schema of all columns (with the file's key/value metadata, as pyarrow shows it). */
  public Schema schema() {
    return schema;
  }

  /** Top-level column names, in order. */
  public List<String> columnNames() {
    List<String> names = new ArrayList<>();
    for (Col c : columns) {
      names.add(c.field.getName());
    }
    return names;
  }

  /**
   * The schema of a projection.
   *
   * @param projection top-level column names (null: all columns)
   * @throws IllegalArgumentException naming an unknown column and the file's columns
   */
  public Schema schema(List<String> projection) {
    List<Field> fields = new ArrayList<>();
    for (Col c : select(projection)) {
      fields.add(c.field);
    }
    return new Schema(fields, schema.getCustomMetadata());
  }

  List<Col> select(List<String> projection) {
    if (projection == null) {
      return columns;
    }
    Map<String, Col> byName = new LinkedHashMap<>();
    for (Col c : columns) {
      byName.putIfAbsent(c.field.getName(), c);
    }
    List<Col> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String name : projection) {
      Col c = byName.get(name);
      if (c == null) {
        throw new IllegalArgumentException(path + ": no column named '" + name + "' (columns: "
            + String.join(", ", byName.keySet()) + ")");
      }
      if (seen.add(name)) {
        out.add(c);
      }
    }
    return out;
  }

  /** Compressed bytes of the projected column chunks, over all row groups. */
  public long compressedBytes(List<String> projection) {
    long total = 0;
    for (int i = 0; i < numRowGroups(); i++) {
      total += rowGroupCompressedBytes(i, projection);
    }
    return total;
  }

  /** Compressed bytes of the projected column chunks of one row group (what reading it holds). */
  public long rowGroupCompressedBytes(int rowGroup, List<String> projection) {
    Set<Integer> leaves = leafIndexes(projection);
    BlockMetaData b = footer.metadata.getBlocks().get(rowGroup);
    long total = 0;
    List<ColumnChunkMetaData> chunks = b.getColumns();
    for (int i = 0; i < chunks.size(); i++) {
      if (leaves.contains(i)) {
        total += chunks.get(i).getTotalSize();
      }
    }
    return total;
  }

  /** The largest {@link #rowGroupCompressedBytes} over all row groups. */
  public long maxRowGroupCompressedBytes(List<String> projection) {
    long max = 0;
    for (int i = 0; i < numRowGroups(); i++) {
      max = Math.max(max, rowGroupCompressedBytes(i, projection));
    }
    return max;
  }

  /** Uncompressed Parquet bytes per row of the projection (average over the file). */
  public double uncompressedBytesPerRow(List<String> projection) {
    Set<Integer> leaves = leafIndexes(projection);
    long bytes = 0;
    long rows = 0;
    for (BlockMetaData b : footer.metadata.getBlocks()) {
      rows += b.getRowCount();
      List<ColumnChunkMetaData> chunks = b.getColumns();
      for (int i = 0; i < chunks.size(); i++) {
        if (leaves.contains(i)) {
          bytes += chunks.get(i).getTotalUncompressedSize();
        }
      }
    }
    return rows == 0 ? 0 : (double) bytes / rows;
  }

  /** Number of leaf (primitive) Parquet columns of the projection. */
  public int leafCount(List<String> projection) {
    return leafIndexes(projection).size();
  }

  Set<Integer> leafIndexes(List<String> projection) {
    Set<Integer> out = new HashSet<>();
    for (Col c : select(projection)) {
      for (Col.Leaf l : c.leaves()) {
        out.add(l.columnIndex);
      }
    }
    return out;
  }

  MessageType projectedParquetSchema(List<Col> selected) {
    MessageType full = footer.metadata.getFileMetaData().getSchema();
    List<Type> types = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Col c : selected) {
      names.add(c.field.getName());
    }
    for (Type t : full.getFields()) {
      if (names.contains(t.getName())) {
        types.add(t);
      }
    }
    return new MessageType(full.getName(), types);
  }

  ParquetMetadata metadata() {
    return footer.metadata;
  }

  /**
   * Reads the projected columns as Arrow batches.
   *
   * @param projection top-level column names (null: all)
   */
  public BatchReader batches(List<String> projection, BatchReader.Options options) throws IOException {
    return new BatchReader(this, select(projection), options);
  }

  /** Same as {@link #batches(List, BatchReader.Options)}, decoding columns on {@code pool}. */
  public BatchReader batches(List<String> projection, BatchReader.Options options, ExecutorService pool)
      throws IOException {
    return new BatchReader(this, select(projection), options.withPool(pool));
  }

  List<Col> columns() {
    return Collections.unmodifiableList(columns);
  }

  @Override
  public void close() {
    // the footer is in memory; BatchReader owns the open file
  }
}
