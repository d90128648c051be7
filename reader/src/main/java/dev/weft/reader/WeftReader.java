package dev.weft.reader;

import dev.weft.format.Checksums;
import dev.weft.format.ColumnDirectory;
import dev.weft.format.ColumnMeta;
import dev.weft.format.CorruptFileException;
import dev.weft.format.FileHeader;
import dev.weft.format.FileTail;
import dev.weft.format.Footer;
import dev.weft.format.RowGroupMeta;
import dev.weft.format.SchemaCodec;
import dev.weft.format.WeftException;
import dev.weft.format.WeftFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads a Weft file with random access.
 *
 * <pre>{@code
 * try (WeftReader r = WeftReader.open(path)) {
 *   try (VectorSchemaRoot rows = r.take(new long[] {17, 3, 17}, List.of("label", "embedding"))) { ... }
 *   try (WeftScanner s = r.scan(null, 65536)) { while (s.hasNext()) try (VectorSchemaRoot b = s.next()) { ... } }
 *   // or one root whose buffers every batch reuses (see WeftScanner#loadNextBatch(VectorSchemaRoot))
 *   try (WeftScanner s = r.scan(null, 65536)) { while (s.loadNextBatch()) { VectorSchemaRoot b = s.getVectorSchemaRoot(); ... } }
 * }
 * }</pre>
 *
 * <p>Opening reads the header, the tail and the footer only; a column's metadata is read the
 * first time the column is used, and a page's block table the first time the page is used.
 * The file is memory-mapped (or read with positional reads: {@link ReaderOptions#memoryMap}). Every returned {@link VectorSchemaRoot} belongs to the caller, who
 * must close it before closing the allocator. A reader is safe for concurrent use by many
 * threads. Corruption of any byte the reader uses is reported as a {@link CorruptFileException}
 * naming the file, column and offset.
 */
public final class WeftReader implements AutoCloseable {
  private final FileContext ctx;
  private final Footer footer;
  private final int major;
  private final int minor;
  private final BufferAllocator allocator;
  private final boolean ownsAllocator;
  private final AtomicReferenceArray<ColumnReader> columns;
  private volatile ColumnDirectory directory;
  private volatile Schema schema;
  private final FileIndex index;

  private WeftReader(FileContext ctx, Footer footer, int major, int minor, BufferAllocator allocator,
      boolean ownsAllocator, long footerOffset) {
    this.ctx = ctx;
    this.index = new FileIndex(ctx, footer, footerOffset);
    this.footer = footer;
    this.major = major;
    this.minor = minor;
    this.allocator = allocator;
    this.ownsAllocator = ownsAllocator;
    this.columns = new AtomicReferenceArray<>(footer.numColumns());
  }

  /** Opens a file with a private allocator, closed with the reader. */
  public static WeftReader open(Path path) throws IOException {
    return open(path, null, ReaderOptions.defaults());
  }

  /** Opens a file; returned batches are allocated from {@code allocator}. */
  public static WeftReader open(Path path, BufferAllocator allocator) throws IOException {
    return open(path, allocator, ReaderOptions.defaults());
  }

  /**
   * Opens a file.
   *
   * @param allocator where returned batches are allocated (null: a private one)
   * @throws CorruptFileException if the file is not a complete Weft file
   * @throws dev.weft.format.FormatTooNewException if a newer major version wrote it
   */
  public static WeftReader open(Path path, BufferAllocator allocator, ReaderOptions options) throws IOException {
    Path abs = path.toAbsolutePath();
    FileChannel ch;
    try {
      ch = FileChannel.open(abs, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(abs.toString(), null, "no such Weft file");
    }
    try {
      MappedFile file = new MappedFile(abs, ch, options.memoryMap());
      long size = file.size();
      if (size < WeftFormat.HEADER_LENGTH + WeftFormat.TAIL_LENGTH) {
        throw CorruptFileException.at(abs, null, 0, size == 0 ? "empty file, not a Weft file"
            : "file of " + size + " bytes is too short to be a Weft file");
      }
      ReaderStats stats = new ReaderStats();
      FileTail tail = FileTail.decode(file.slice(size - WeftFormat.TAIL_LENGTH, WeftFormat.TAIL_LENGTH), abs, size);
      FileContext ctx = new FileContext(abs, file, stats, options.verifyChecksums(),
          options.blockCache() != null ? options.blockCache() : new BlockCache(options.blockCacheBytes()),
          tail.major());
      FileHeader header = FileHeader.decode(file.slice(0, WeftFormat.HEADER_LENGTH), abs);
      ByteBuffer footerBytes = file.slice(tail.footerOffset(), tail.footerLength());
      stats.addMetadata(WeftFormat.TAIL_LENGTH + WeftFormat.HEADER_LENGTH + tail.footerLength());
      if (Checksums.crc32c(footerBytes) != tail.footerCrc()) {
        throw CorruptFileException.at(abs, null, tail.footerOffset(), "footer checksum mismatch");
      }
      if (header.major() != tail.major() || header.minor() != tail.minor()) {
        throw CorruptFileException.at(abs, null, 0, "header version " + header.major() + "." + header.minor()
            + " differs from tail version " + tail.major() + "." + tail.minor());
      }
      Footer footer = Footer.decode(footerBytes, abs, tail.footerOffset());
      if (!Arrays.equals(footer.fileId(), header.fileId())) {
        throw CorruptFileException.at(abs, null, 8, "header file id does not match the footer's");
      }
      boolean own = allocator == null;
      BufferAllocator alloc = own ? new RootAllocator() : allocator;
      return new WeftReader(ctx, footer, tail.major(), tail.minor(), alloc, own, tail.footerOffset());
    } catch (IOException | RuntimeException e) {
      ch.close();
      if (e instanceof WeftException || e instanceof IOException) {
        throw e;
      }
      throw new CorruptFileException("cannot open Weft file " + abs + ": " + e, abs, e);
    }
  }

  public Path path() {
    return ctx.path();
  }

  public long numRows() {
    return footer.numRows();
  }

  public int numColumns() {
    return footer.numColumns();
  }

  /** Format version as "major.minor". */
  public String formatVersion() {
    return major + "." + minor;
  }

  public String createdBy() {
    return footer.createdBy();
  }

  public List<RowGroupMeta> rowGroups() {
    return footer.rowGroups();
  }

  public ReaderStats stats() {
    return ctx.stats();
  }

  /** The full schema (read on first call from the stored Arrow IPC schema message). */
  public Schema schema() throws IOException {
    Schema s = schema;
    if (s == null) {
      ByteBuffer bytes = ctx.file().slice(footer.schemaOffset(), footer.schemaLength());
      ctx.stats().addMetadata(footer.schemaLength());
      if (Checksums.crc32c(bytes) != footer.schemaCrc()) {
        throw CorruptFileException.at(ctx.path(), null, footer.schemaOffset(), "schema checksum mismatch");
      }
      byte[] b = new byte[bytes.remaining()];
      bytes.get(b);
      s = SchemaCodec.decode(b, ctx.path(), null, footer.schemaOffset());
      if (s.getFields().size() != footer.numColumns()) {
        throw CorruptFileException.at(ctx.path(), null, footer.schemaOffset(), "schema has "
            + s.getFields().size() + " fields, the footer " + footer.numColumns() + " columns");
      }
      schema = s;
    }
    return s;
  }

  private ColumnDirectory directory() throws IOException {
    ColumnDirectory d = directory;
    if (d == null) {
      ByteBuffer bytes = ctx.file().slice(footer.directoryOffset(), footer.directoryLength());
      ctx.stats().addMetadata(footer.directoryLength());
      if (Checksums.crc32c(bytes) != footer.directoryCrc()) {
        throw CorruptFileException.at(ctx.path(), null, footer.directoryOffset(), "column directory checksum mismatch");
      }
      d = ColumnDirectory.decode(bytes, footer.numColumns(), ctx.path(), footer.directoryOffset());
      directory = d;
    }
    return d;
  }

  /**
   * The index of a column by name, or -1. In a 2.1 file this reads the name index (its root once
   * and one chunk of 32 names), not the whole directory.
   */
  public int columnIndex(String name) throws IOException {
    java.util.Optional<dev.weft.index.NameIndex.Entry> e = index.lookup(name);
    if (e.isPresent()) {
      return e.get().column();
    }
    return directory().find(name);
  }

  /** The column named {@code name}, through the name index where there is one; null if none. */
  ColumnReader column(String name) throws IOException {
    java.util.Optional<dev.weft.index.NameIndex.Entry> e = index.lookup(name);
    if (e.isPresent()) {
      int i = e.get().column();
      if (i < 0) {
        return null;
      }
      ColumnReader c = columns.get(i);
      return c != null ? c : column(i, name, e.get().meta());
    }
    int i = directory().find(name);
    return i < 0 ? null : column(i);
  }

  /**
   * The zone maps of a column (format 2.1): file, row group and zone min/max/null/NaN counts;
   * null if the file has none for it (2.0 files, zone maps turned off, or a damaged zone map,
   * which is then counted in {@link ReaderStats#indexFallbacks()}).
   *
   * @throws IllegalArgumentException if there is no such column
   */
  public dev.weft.index.ColumnZones zoneMaps(String column) throws IOException {
    ColumnReader c = requireColumn(column);
    return index.zones(column, dev.weft.index.StatKind.of(c.meta().field())).orElse(null);
  }

  /** The bloom filters of a column (one per row group), or null if it has none. */
  public dev.weft.index.ColumnBlooms bloomFilters(String column) throws IOException {
    requireColumn(column);
    return index.blooms(column).orElse(null);
  }

  FileIndex index() {
    return index;
  }

  Footer footer() {
    return footer;
  }

  ColumnReader requireColumn(String name) throws IOException {
    ColumnReader c = column(name);
    if (c == null) {
      throw new IllegalArgumentException("no column '" + name + "' in " + ctx.path() + " ("
          + footer.numColumns() + " columns)");
    }
    return c;
  }

  /** The name of column {@code index}. */
  public String columnName(int index) throws IOException {
    java.util.Objects.checkIndex(index, footer.numColumns());
    return directory().name(index);
  }

  /** The metadata of one column (nodes, pages), read on first use. */
  public ColumnMeta columnMeta(int index) throws IOException {
    return column(index).meta();
  }

  ColumnReader column(int index) throws IOException {
    ColumnReader c = columns.get(index);
    if (c == null) {
      ColumnDirectory dir = directory();
      c = column(index, dir.name(index), dir.entry(index));
    }
    return c;
  }

  private ColumnReader column(int index, String name, ColumnDirectory.Entry e) throws IOException {
    ColumnReader c = columns.get(index);
    if (c == null) {
      if (e.metaOffset() < WeftFormat.HEADER_LENGTH || e.metaLength() < 0
          || e.metaOffset() + (e.metaLength() & 0xFFFF_FFFFL) > footer.directoryOffset()) {
        throw CorruptFileException.at(ctx.path(), name, footer.directoryOffset(),
            "directory entry points outside the metadata region");
      }
      ByteBuffer bytes = ctx.file().slice(e.metaOffset(), e.metaLength());
      ctx.stats().addMetadata(e.metaLength());
      if (Checksums.crc32c(bytes) != e.metaCrc()) {
        throw CorruptFileException.at(ctx.path(), name, e.metaOffset(), "column metadata checksum mismatch");
      }
      ColumnMeta meta = ColumnMeta.decode(bytes, ctx.path(), name, e.metaOffset(), footer, ctx.major());
      columns.compareAndSet(index, null, new ColumnReader(ctx, name, meta));
      c = columns.get(index);
    }
    return c;
  }

  /**
   * Storage statistics of every node of column {@code index}: pages, blocks, stored and raw
   * bytes, codecs, and the encodings chosen with their blocks, pages and bytes. Reads the
   * column's block tables (metadata only; checksums verified).
   */
  public List<NodeStats> nodeStats(int index) throws IOException {
    ColumnReader c = column(index);
    List<NodeStats> out = new ArrayList<>();
    for (NodeReader n : c.nodes()) {
      long blocks = 0;
      long stored = 0;
      long raw = 0;
      long withNulls = 0;
      long elements = 0;
      long meta = 0;
      java.util.EnumMap<dev.weft.format.Codec, Long> byCodec = new java.util.EnumMap<>(dev.weft.format.Codec.class);
      java.util.Map<String, EncodingStats> byEncoding = new java.util.LinkedHashMap<>();
      for (int p = 0; p < n.pages().size(); p++) {
        dev.weft.format.BlockTable t = n.table(p);
        elements += n.pages().get(p).numElements();
        meta += n.pages().get(p).tableLength() + WeftFormat.PAGE_META_LENGTH;
        java.util.Set<String> inPage = new java.util.HashSet<>();
        for (int b = 0; b < t.size(); b++) {
          blocks++;
          stored += t.storedLength(b);
          raw += t.rawLength(b);
          if (t.hasValidity(b)) {
            withNulls++;
          }
          byCodec.merge(t.codec(b), 1L, Long::sum);
          String enc = dev.weft.format.EncodedBlocks.describe(n.node.kind(), t.encoded(b), t.scheme(b));
          EncodingStats es = byEncoding.computeIfAbsent(enc, k -> new EncodingStats(k, 0, 0, 0, 0, 0))
              .plus(1, t.elemEnd(b) - t.elemStart(b), t.storedLength(b), t.rawLength(b));
          byEncoding.put(enc, inPage.add(enc) ? es.plusPage() : es);
        }
      }
      for (dev.weft.format.DictionaryMeta d : n.dictionaries()) {
        // shared dictionaries (format 4.0): stored once per column chunk, counted with the node's bytes
        stored += d.storedLength();
        raw += d.rawLength();
        meta += dev.weft.format.DictionaryMeta.LENGTH;
        byEncoding.merge(SHARED_DICTIONARY_VALUES, new EncodingStats(SHARED_DICTIONARY_VALUES, 0, 1, d.numEntries(),
            d.storedLength(), d.rawLength()), (a, b) -> a.plus(1, b.elements(), b.storedBytes(), b.rawBytes()));
      }
      out.add(new NodeStats(n.node.path(), n.node.kind(), n.node.field().getType().toString(), n.pages().size(),
          blocks, elements, stored, raw, java.util.Collections.unmodifiableMap(byCodec), withNulls, meta,
          java.util.Collections.unmodifiableMap(byEncoding)));
    }
    return out;
  }

  /**
   * The name {@link #nodeStats} gives the shared dictionaries of a node (format 4.0): blocks count
   * dictionaries, elements their entries.
   */
  public static final String SHARED_DICTIONARY_VALUES = "SHARED_DICTIONARY_VALUES";

  /**
   * Reads and verifies every block of column {@code index} (checksums, decompression, layout),
   * without building Arrow data. Throws the corruption it finds.
   */
  public void verifyColumn(int index) throws IOException {
    ColumnReader c = column(index);
    for (NodeReader n : c.nodes()) {
      for (int p = 0; p < n.pages().size(); p++) {
        dev.weft.format.BlockTable t = n.table(p);
        for (int b = 0; b < t.size(); b++) {
          n.decode(p, n.pages().get(p), t, b);
        }
      }
      for (int d = 0; d < n.dictionaries().size(); d++) {
        n.dictionary(d); // also those no block refers to
      }
    }
  }

  private List<ColumnReader> project(List<String> projection) throws IOException {
    List<ColumnReader> out = new ArrayList<>();
    if (projection == null) {
      for (int i = 0; i < footer.numColumns(); i++) {
        out.add(column(i));
      }
      return out;
    }
    for (String name : projection) {
      out.add(requireColumn(name));
    }
    return out;
  }

  /** The schema of a projection (null: all columns), reading only those columns' metadata. */
  public Schema schema(List<String> projection) throws IOException {
    List<Field> fields = new ArrayList<>();
    for (ColumnReader c : project(projection)) {
      fields.add(c.meta().field());
    }
    return new Schema(fields);
  }

  /**
   * Scans all rows in order.
   *
   * @param projection column names (null: all)
   * @param batchSize rows per batch (the last may be shorter)
   */
  public WeftScanner scan(List<String> projection, int batchSize) throws IOException {
    return scan(projection, batchSize, 0, footer.numRows());
  }

  /** Scans rows {@code [fromRow, toRow)}, e.g. one row group as a parallel split. */
  public WeftScanner scan(List<String> projection, int batchSize, long fromRow, long toRow) throws IOException {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    if (fromRow < 0 || toRow > footer.numRows() || fromRow > toRow) {
      throw new IllegalArgumentException("row range [" + fromRow + ", " + toRow + ") is not within [0, "
          + footer.numRows() + ") of " + ctx.path());
    }
    return new WeftScanner(project(projection), allocator, batchSize, fromRow, toRow);
  }

  /**
   * Scans the rows where {@code predicate} is TRUE, in file order, in batches of at most {@code
   * batchSize} rows (a batch may be shorter; none is empty). Zone maps and bloom filters rule out
   * ranges of rows, which are then not read at all; the rest is filtered exactly, with SQL
   * three-valued logic ({@link dev.weft.index.BoundPredicate}). Only the predicate's columns are
   * read for every candidate row; the projected columns only for rows that match (or, where
   * matches are dense, for the span that holds them).
   *
   * @param projection column names (null: all)
   * @param predicate null: every row
   * @throws IllegalArgumentException before anything is read, for a column the file lacks or a
   *     comparison between incompatible types
   */
  public WeftScanner scan(List<String> projection, dev.weft.index.Expr predicate, int batchSize) throws IOException {
    if (predicate == null) {
      return scan(projection, batchSize);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    dev.weft.index.BoundPredicate p = bind(predicate);
    List<ColumnReader> out = project(projection);
    return new WeftScanner(filtered(p, out, batchSize));
  }

  /** {@link #scan(List, dev.weft.index.Expr, int)} with predicate text ({@link dev.weft.index.PredicateParser}). */
  public WeftScanner scan(List<String> projection, String predicate, int batchSize) throws IOException {
    return scan(projection, predicate == null ? null : dev.weft.index.PredicateParser.parse(predicate), batchSize);
  }

  /**
   * The number of rows where {@code predicate} is TRUE (null: all rows). Ranges the zone maps
   * prove all TRUE are counted without reading them.
   */
  public long count(dev.weft.index.Expr predicate) throws IOException {
    if (predicate == null) {
      return footer.numRows();
    }
    return filtered(bind(predicate), List.of(), 65536).count();
  }

  /** Checks a predicate against this file's columns (reads only their metadata). */
  public dev.weft.index.BoundPredicate bind(dev.weft.index.Expr predicate) throws IOException {
    Map<String, Field> fields = new java.util.HashMap<>();
    for (String c : predicate.columns()) {
      fields.put(c, requireColumn(c).meta().field());
    }
    return dev.weft.index.BoundPredicate.bind(predicate, fields::get);
  }

  private FilteredSource filtered(dev.weft.index.BoundPredicate p, List<ColumnReader> out, int batchSize)
      throws IOException {
    List<ColumnReader> pred = new ArrayList<>();
    for (String c : p.columns()) {
      pred.add(requireColumn(c));
    }
    List<PrunedRanges.Range> ranges = PrunedRanges.of(this, p, 0, footer.numRows());
    return new FilteredSource(ranges, p, pred, out, allocator, batchSize);
  }

  /**
   * Reads the given rows, in the order given (duplicates allowed), as one batch owned by the
   * caller.
   *
   * @param projection column names (null: all)
   * @throws IllegalArgumentException naming the first id outside {@code [0, numRows)}
   */
  public VectorSchemaRoot take(long[] rowIds, List<String> projection) throws IOException {
    for (long id : rowIds) {
      if (id < 0 || id >= footer.numRows()) {
        throw new IllegalArgumentException("row id " + id + " is out of range [0, " + footer.numRows()
            + ") of " + ctx.path());
      }
    }
    List<ColumnReader> cols = project(projection);
    List<ColumnAssembler> assemblers = new ArrayList<>(cols.size());
    for (ColumnReader c : cols) {
      assemblers.add(new ColumnAssembler(c, false));
    }
    try (BatchBuilder b = new BatchBuilder(cols, assemblers, allocator, rowIds.length)) {
      b.appendTake(rowIds);
      return b.finish(rowIds.length);
    }
  }

  @Override
  public void close() throws IOException {
    ctx.file().close();
    if (ownsAllocator) {
      allocator.close();
    }
  }
}
