package dev.weft.cli.parquet;

import dev.weft.cli.parquet.Col.Leaf;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads a Parquet file as Arrow batches, row group by row group, with parquet-java's column
 * readers (every encoding and page version it supports) and the page codecs of
 * {@link PageCodecs}. A batch never spans two row groups. Not thread-safe; the columns of one
 * batch may be decoded in parallel on a pool.
 *
 * <p>Memory: reading a row group holds its projected column chunks (compressed) on the heap,
 * plus one decompressed page and the dictionary of each column; the batches come from the
 * caller's allocator.
 */
public final class BatchReader implements AutoCloseable {
  /**
   * Reading options: the largest page to decompress, a pool to decode the columns of a batch on
   * (null: the caller's thread), and whether flat numeric and string columns take the fast path of
   * {@link FlatColumnReader} (default true; the system property {@code weft.parquet.fastPath=false}
   * turns it off, to compare the two paths).
   */
  public record Options(long maxPageBytes, ExecutorService pool, boolean fastPath, IdArrays dictionaryIds,
      boolean deferValues, boolean recycleBuffers) {
    public Options(long maxPageBytes, ExecutorService pool, boolean fastPath, IdArrays dictionaryIds,
        boolean deferValues) {
      this(maxPageBytes, pool, fastPath, dictionaryIds, deferValues, false);
    }

    public Options(long maxPageBytes, ExecutorService pool, boolean fastPath, IdArrays dictionaryIds) {
      this(maxPageBytes, pool, fastPath, dictionaryIds, false);
    }

    public Options(long maxPageBytes, ExecutorService pool, boolean fastPath) {
      this(maxPageBytes, pool, fastPath, null);
    }

    public static Options defaults() {
      return new Options(256L << 20, null, !"false".equals(System.getProperty("weft.parquet.fastPath")));
    }

    public Options withMaxPageBytes(long bytes) {
      return new Options(bytes, pool, fastPath, dictionaryIds, deferValues, recycleBuffers);
    }

    public Options withPool(ExecutorService p) {
      return new Options(maxPageBytes, p, fastPath, dictionaryIds, deferValues, recycleBuffers);
    }

    public Options withFastPath(boolean on) {
      return new Options(maxPageBytes, pool, on, dictionaryIds, deferValues, recycleBuffers);
    }

    /**
     * Reports the dictionary ids of flat top-level columns ({@link BatchReader#dictionaryIds()}),
     * in arrays from {@code arrays} (null: no ids).
     */
    public Options withDictionaryIds(IdArrays arrays) {
      return new Options(maxPageBytes, pool, fastPath, arrays, deferValues, recycleBuffers);
    }

    /**
     * With dictionary ids on: a batch of a flat string or binary column whose rows all come from
     * dictionary-encoded pages keeps its value bytes in the dictionary ({@link DictionaryIds#deferred()}):
     * its vector gets validity and offsets only, and its data buffer is left unwritten. For a
     * consumer that reads the values through the ids (the Weft writer); nothing else may read
     * such a vector's values.
     */
    public Options withDeferredValues(boolean on) {
      return new Options(maxPageBytes, pool, fastPath, dictionaryIds, on, recycleBuffers);
    }

    /**
     * Recycles the buffers of flat top-level columns read on the fast path from batch to batch
     * (see {@link BufferPool}): once the caller has closed a batch, a later batch reuses its
     * buffers instead of allocating and zero-filling new ones. The buffers stay accounted in the
     * allocator given to {@link BatchReader#next} until the reader is closed. Only for a caller
     * that closes its batches and never transfers their buffers to another allocator.
     */
    public Options withRecycledBuffers(boolean on) {
      return new Options(maxPageBytes, pool, fastPath, dictionaryIds, deferValues, on);
    }
  }

  private final ParquetFile pf;
  private final Path path;
  private final List<Col> cols;
  private final Schema schema;
  private final ParquetFileReader reader;
  private final MessageType fileSchema;
  private final String createdBy;
  private final LeafReader[] leafReaders;
  private final List<LeafReader> active = new ArrayList<>();
  private final Assembler[] assemblers;
  private final Options options;
  private final List<BlockMetaData> blocks;
  /** The recycled buffers of the batches (see {@link Options#withRecycledBuffers}), or null. */
  private final BufferPool bufferPool;
  private final PageCodecs codecs;

  private PageReadStore current;
  private int rowGroup = -1;
  private long rowsLeftInGroup;
  private long rowsRead;
  private long bytesDone;
  private long currentGroupBytes;
  private long currentGroupRows;

  BatchReader(ParquetFile pf, List<Col> cols, Options options) throws IOException {
    this.pf = pf;
    this.path = pf.path();
    this.cols = cols;
    this.options = options;
    this.fileSchema = pf.metadata().getFileMetaData().getSchema();
    this.createdBy = pf.metadata().getFileMetaData().getCreatedBy();
    this.blocks = pf.metadata().getBlocks();
    this.schema = pf.schema(names(cols));
    this.leafReaders = new LeafReader[fileSchema.getColumns().size()];
    this.bufferPool = options.recycleBuffers() ? new BufferPool() : null;
    for (Col c : cols) {
      for (Leaf l : c.leaves()) {
        LeafReader lr = new LeafReader(l, path, options.fastPath());
        lr.idArrays = c instanceof Leaf ? options.dictionaryIds() : null;
        lr.deferValues = lr.idArrays != null && options.deferValues();
        if (bufferPool != null && c instanceof Leaf) {
          lr.usePool(bufferPool); // a top-level column: its vector is the batch's own, never transferred
        }
        leafReaders[l.columnIndex] = lr;
        active.add(lr);
      }
    }
    this.assemblers = new Assembler[cols.size()];
    for (int i = 0; i < cols.size(); i++) {
      assemblers[i] = new Assembler(path, leafReaders);
    }
    this.codecs = new PageCodecs(options.maxPageBytes(), path.toString());
    for (LeafReader lr : active) {
      lr.recyclePages(codecs);
    }
    ParquetReadOptions ro = ParquetFooter.readOptionsBuilder()
        .withCodecFactory(codecs)
        .withAllocator(new RecyclingHeapAllocator()) // row groups reuse the arrays of earlier ones
        .usePageChecksumVerification(false)
        .useStatsFilter(false)
        .useDictionaryFilter(false)
        .useRecordFilter(false)
        .useColumnIndexFilter(false)
        .useBloomFilter(false)
        .build();
    InputFile in = new LocalFile(path);
    try {
      this.reader = new ParquetFileReader(in, pf.metadata(), ro, in.newStream());
      reader.setRequestedSchema(pf.projectedParquetSchema(cols));
    } catch (RuntimeException e) {
      throw new ParquetFormatException(path, "cannot read: " + ParquetFooter.rootMessage(e), e);
    }
  }

  private static List<String> names(List<Col> cols) {
    List<String> out = new ArrayList<>();
    for (Col c : cols) {
      out.add(c.field.getName());
    }
    return out;
  }

  /** The Arrow schema of the batches. */
  public Schema schema() {
    return schema;
  }

  /**
   * The dictionary ids of the batch last returned by {@link #next}, per column (null where a
   * column has none: not flat, not on the fast path, no dictionary in its column chunk, or
   * {@link Options#dictionaryIds()} null). The arrays are the caller's, to give back to the
   * options' {@link IdArrays} when nothing reads them any more.
   */
  public DictionaryIds[] dictionaryIds() {
    DictionaryIds[] out = new DictionaryIds[cols.size()];
    for (int i = 0; i < out.length; i++) {
      if (cols.get(i) instanceof Leaf l) {
        out[i] = leafReaders[l.columnIndex].lastIds;
      }
    }
    return out;
  }

  /** Rows returned so far. */
  public long rowsRead() {
    return rowsRead;
  }

  /** Compressed Parquet bytes (projected columns) read so far, pro rata within a row group. */
  public long bytesRead() {
    if (currentGroupRows <= 0) {
      return bytesDone;
    }
    long done = currentGroupRows - rowsLeftInGroup;
    return bytesDone + (long) ((double) currentGroupBytes * done / currentGroupRows);
  }

  /**
   * The next batch of at most {@code maxRows} rows (never spanning two row groups), allocated
   * from {@code allocator}; the caller closes it. Null at the end.
   */
  public VectorSchemaRoot next(int maxRows, BufferAllocator allocator) throws IOException {
    if (maxRows < 1) {
      throw new IllegalArgumentException("maxRows must be >= 1");
    }
    while (rowsLeftInGroup == 0) {
      if (!advance()) {
        return null;
      }
    }
    int n = (int) Math.min(maxRows, rowsLeftInGroup);
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    try {
      if (options.pool() != null && cols.size() > 1) {
        List<Future<Void>> futures = new ArrayList<>();
        for (int i = 0; i < cols.size(); i++) {
          final int idx = i;
          futures.add(options.pool().submit(() -> {
            readColumn(idx, root.getVector(idx), n);
            return null;
          }));
        }
        Throwable failure = null;
        for (Future<Void> f : futures) {
          try {
            f.get();
          } catch (ExecutionException e) {
            if (failure == null) {
              failure = e.getCause();
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            for (Future<Void> g : futures) {
              g.cancel(true);
            }
            throw new java.io.InterruptedIOException("interrupted while reading " + path);
          }
        }
        if (failure != null) {
          throw failure;
        }
      } else {
        for (int i = 0; i < cols.size(); i++) {
          readColumn(i, root.getVector(i), n);
        }
      }
      root.setRowCount(n);
    } catch (Throwable e) {
      root.close();
      throw translate(e);
    }
    rowsLeftInGroup -= n;
    rowsRead += n;
    if (rowsLeftInGroup == 0) {
      finishGroup();
    }
    return root;
  }

  private void readColumn(int i, FieldVector v, int n) throws ParquetFormatException {
    Col c = cols.get(i);
    try {
      assemblers[i].readLeaves(c, v, n);
      assemblers[i].assemble(c, v);
    } catch (RuntimeException e) {
      throw new InColumn(c.field.getName(), e); // parquet-java's decoders do not know the column
    }
  }

  /** A failure inside parquet-java's decoding of one column, tagged with the column's name. */
  private static final class InColumn extends RuntimeException {
    final String column;

    InColumn(String column, RuntimeException cause) {
      super(cause.getMessage(), cause, false, false);
      this.column = column;
    }
  }

  private boolean advance() throws IOException {
    closeCurrent();
    PageReadStore prs;
    int next = nextNonEmptyBlock(rowGroup + 1);
    try {
      prs = NonEmptyPages.wrap(reader.readNextRowGroup());
    } catch (Throwable e) {
      rowGroup = next; // the row group being read is the one a failure names
      throw translate(e);
    }
    if (prs == null) {
      return false;
    }
    current = prs;
    rowGroup = next;
    try {
      int[] leaf = {0};
      ColumnReadStoreImpl store = new ColumnReadStoreImpl(prs, converter(fileSchema, leafReaders, leaf), fileSchema,
          createdBy);
      BlockMetaData block = rowGroup >= 0 && rowGroup < blocks.size() ? blocks.get(rowGroup) : null;
      long groupBytes = 0;
      for (LeafReader lr : active) {
        long uncompressed = 0;
        ColumnChunkMetaData cm = null;
        if (block != null) {
          cm = block.getColumns().get(lr.leaf.columnIndex);
          uncompressed = cm.getTotalUncompressedSize();
          groupBytes += cm.getTotalSize();
        }
        lr.startRowGroup(prs, store, cm, rowGroup, prs.getRowCount(), uncompressed);
      }
      currentGroupBytes = groupBytes;
    } catch (Throwable e) {
      throw translate(e);
    }
    rowsLeftInGroup = prs.getRowCount();
    currentGroupRows = rowsLeftInGroup;
    if (rowsLeftInGroup == 0) {
      finishGroup();
    }
    return true;
  }

  private int nextNonEmptyBlock(int from) {
    int i = from;
    while (i < blocks.size() && blocks.get(i).getRowCount() == 0) {
      i++; // parquet-java skips empty row groups
    }
    return i;
  }

  private void finishGroup() throws ParquetFormatException {
    for (LeafReader lr : active) {
      if (lr.remaining() > 0) {
        throw new ParquetFormatException(path, "corrupt Parquet data in column " + lr.leaf.path() + " (row group "
            + rowGroup + "): it has " + lr.remaining() + " more values than its row group has rows");
      }
    }
    bytesDone += currentGroupBytes;
    currentGroupBytes = 0;
    currentGroupRows = 0;
  }

  private void closeCurrent() {
    if (current != null) {
      try {
        current.close();
      } catch (Exception ignored) {
        // releasing buffers only
      }
      current = null;
    }
  }

  private IOException translate(Throwable e) {
    if (e instanceof ParquetFormatException p) {
      return p;
    }
    if (e instanceof java.io.InterruptedIOException io) {
      return io;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PageCodecs.PageTooLargeException tl) {
        return new ParquetFormatException.TooLarge(path, "row group " + rowGroup + ": " + tl.getMessage());
      }
      if (t instanceof org.apache.arrow.memory.OutOfMemoryException) {
        return new ParquetFormatException.TooLarge(path, "row group " + rowGroup
            + ": a batch needs more memory than the budget allows (" + t.getMessage() + "); raise --memory-budget");
      }
      if (t instanceof ParquetFormatException p) {
        return p;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    if (e instanceof OutOfMemoryError) {
      return new ParquetFormatException.TooLarge(path, "row group " + rowGroup + ": out of memory while decoding"
          + " (a corrupt file, or values too large for the heap; raise --memory-budget and the JVM heap)");
    }
    if (e instanceof java.nio.file.NoSuchFileException || e instanceof java.nio.file.AccessDeniedException) {
      return (IOException) e;
    }
    if (e instanceof Error err && !(e instanceof StackOverflowError)) {
      throw err;
    }
    String column = null;
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof InColumn ic) {
        column = ic.column;
        break;
      }
    }
    return new ParquetFormatException(path, "corrupt or unsupported Parquet data"
        + (column != null ? " in column " + column + (rowGroup >= 0 ? " (row group " + rowGroup + ")" : "")
            : rowGroup >= 0 ? " in row group " + rowGroup : "")
        + ": " + describe(e), e);
  }

  /**
   * The reason of a failure in parquet-java's words, but for a page header that does not decode:
   * its Thrift transport says "Socket is closed by peer" when the header runs past its bytes.
   */
  private static String describe(Throwable e) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      String m = t.getMessage();
      if (t instanceof IOException && m != null && m.startsWith("can not read class org.apache.parquet.format.")) {
        String what = m.substring("can not read class org.apache.parquet.format.".length()).replaceFirst(":.*", "");
        return "a " + ("PageHeader".equals(what) ? "page header" : what) + " does not decode (corrupt or truncated"
            + " column chunk)";
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    // parquet-java's value and level decoders meet corrupt bytes as index, end-of-data, null or
    // argument errors: say that in words, keep their detail in parentheses
    if (root instanceof java.io.EOFException || root instanceof IndexOutOfBoundsException
        || root instanceof NullPointerException || root instanceof NegativeArraySizeException
        || root instanceof ArithmeticException
        || (root instanceof IllegalArgumentException && !(root instanceof NumberFormatException))
        || (root instanceof org.apache.parquet.io.ParquetDecodingException)) {
      String m = root.getMessage();
      if (root instanceof java.io.EOFException || m == null || m.isBlank()) {
        m = "its data ends early";
      } else if (root instanceof NullPointerException) {
        m = "a required field is missing";
      }
      return "a page does not decode (corrupt values, levels or header: " + (m.length() > 120 ? m.substring(0, 120)
          + "..." : m) + ")";
    }
    return ParquetFooter.rootMessage(e);
  }

  @Override
  public void close() throws IOException {
    closeCurrent();
    if (bufferPool != null) {
      bufferPool.close();
    }
    codecs.close();
    reader.close();
  }

  // parquet-java's column readers want a converter tree; values are read directly instead, but
  // for flat strings (see LeafReader.converter). Leaves are numbered depth-first, as the columns.
  private static GroupConverter converter(GroupType g, LeafReader[] leafReaders, int[] leaf) {
    Converter[] cs = new Converter[g.getFieldCount()];
    for (int i = 0; i < cs.length; i++) {
      Type t = g.getType(i);
      if (t.isPrimitive()) {
        int c = leaf[0]++;
        LeafReader lr = c < leafReaders.length ? leafReaders[c] : null;
        cs[i] = lr != null ? lr.converter() : new PrimitiveConverter() {};
      } else {
        cs[i] = converter(t.asGroupType(), leafReaders, leaf);
      }
    }
    return new GroupConverter() {
      @Override
      public Converter getConverter(int i) {
        return cs[i];
      }

      @Override
      public void start() {}

      @Override
      public void end() {}
    };
  }
}
